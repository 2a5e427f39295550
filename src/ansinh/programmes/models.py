"""Support programmes, their rounds (đợt), who is entitled in a round and what was delivered.

A `Programme` is a catalogue entry (Quà Tết, Mái ấm tình thương…) with an eligibility rule in
the rule language (`ansinh.rules`). A `Round` of a programme has a budget, an amount per person
and per-commune quotas; its candidate list (`Entitlement` rows, at most one per person per
round) is generated from the rule, reviewed by the communes, approved by someone other than the
proposer, and delivered: at most one `Delivery` per entitlement (OneToOne), with evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager

EVIDENCE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "heif", "pdf"]
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


BENEFIT_KINDS = ["cash", "in_kind", "service", "loan", "sponsorship", "training", "housing"]


class Programme(models.Model):
    """A support programme of the union (catalogue; seeded from the plan)."""

    class BenefitKind(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        IN_KIND = "in_kind", _("Hiện vật")
        SERVICE = "service", _("Dịch vụ")
        LOAN = "loan", _("Vốn vay")
        SPONSORSHIP = "sponsorship", _("Nhận đỡ đầu")
        TRAINING = "training", _("Đào tạo nghề")
        HOUSING = "housing", _("Nhà ở")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên chương trình"), max_length=200)
    benefit_kind = models.CharField(
        _("hình thức hỗ trợ"), max_length=12, choices=BenefitKind.choices
    )
    owner = models.ForeignKey(
        "org.Department",
        verbose_name=_("ban phụ trách"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes",
    )
    description = models.TextField(_("mô tả"), blank=True)
    eligibility_rule = models.TextField(_("điều kiện xét chọn"), blank=True)
    is_active = models.BooleanField(_("đang thực hiện"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chương trình hỗ trợ")
        verbose_name_plural = _("chương trình hỗ trợ")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit_kind__in=BENEFIT_KINDS),
                name="programmes_programme_benefit_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    """One round (đợt) of a programme: budget, quotas, candidates, approval, delivery."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        CANDIDATES = "candidates", _("Đang xét danh sách")
        APPROVED = "approved", _("Đã phê duyệt")
        DELIVERING = "delivering", _("Đang trao")
        CLOSED = "closed", _("Đã kết thúc")

    class QuotaMode(models.TextChoices):
        NONE = "none", _("Không giới hạn (mọi người đủ điều kiện)")
        FIXED = "fixed", _("Chỉ tiêu cố định theo xã/phường")
        PROPORTIONAL = "proportional", _("Chia theo tỷ lệ số người đủ điều kiện")

    programme = models.ForeignKey(
        Programme, verbose_name=_("chương trình"), on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(_("tên đợt"), max_length=200)
    budget = models.BigIntegerField(_("kinh phí (đồng)"), default=0)
    funding_source = models.CharField(_("nguồn kinh phí"), max_length=255, blank=True)
    amount_per_person = models.BigIntegerField(_("mức hỗ trợ mỗi người (đồng)"), default=0)
    items = models.CharField(_("hiện vật mỗi suất"), max_length=255, blank=True)
    rule = models.TextField(_("điều kiện xét chọn"))
    quota_mode = models.CharField(
        _("cách phân bổ"), max_length=12, choices=QuotaMode.choices, default=QuotaMode.NONE
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị đề xuất"),
        on_delete=models.PROTECT,
        related_name="programme_rounds",
    )
    scope_path = models.CharField(_("phạm vi"), max_length=255, db_index=True, editable=False)
    starts_on = models.DateField(_("từ ngày"), null=True, blank=True)
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    reference_date = models.DateField(_("ngày xét điều kiện"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đề xuất"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("trình duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    summary = models.JSONField(_("tổng kết"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "scope_path"
    # Commune officers see a city round once their commune has a quota line in it.
    scope_also = ("quotas__unit__path",)

    class Meta:
        verbose_name = _("đợt hỗ trợ")
        verbose_name_plural = _("đợt hỗ trợ")
        ordering = ["-created_at", "-id"]
        permissions = [("approve_round", _("Phê duyệt đợt hỗ trợ"))]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="programmes_round_budget"),
            models.CheckConstraint(
                condition=Q(amount_per_person__gte=0), name="programmes_round_amount"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("proposed_by")),
                name="programmes_round_maker_checker",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RoundQuota(models.Model):
    """How many people of one commune union a round may support."""

    round = models.ForeignKey(
        Round, verbose_name=_("đợt"), on_delete=models.CASCADE, related_name="quotas"
    )
    unit = models.ForeignKey(
        "org.UnionUnit", verbose_name=_("Hội xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField(_("chỉ tiêu"), null=True, blank=True)
    eligible = models.PositiveIntegerField(_("số người đủ điều kiện"), default=0)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("chỉ tiêu của xã/phường")
        verbose_name_plural = _("chỉ tiêu của xã/phường")
        ordering = ["unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="programmes_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"


class Entitlement(models.Model):
    """A person on a round's list: candidate, removed, approved or delivered."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Trong danh sách đề xuất")
        REMOVED = "removed", _("Đã đưa ra")
        APPROVED = "approved", _("Đã duyệt")
        DELIVERED = "delivered", _("Đã trao")

    class Origin(models.TextChoices):
        RULE = "rule", _("Theo điều kiện")
        ADDED = "added", _("Xã/phường bổ sung")

    round = models.ForeignKey(
        Round, verbose_name=_("đợt"), on_delete=models.CASCADE, related_name="entitlements"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("người được hỗ trợ"),
        on_delete=models.PROTECT,
        related_name="entitlements",
    )
    commune_unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("Hội xã/phường"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rank = models.PositiveIntegerField(_("thứ tự trong xã/phường"), default=0)
    amount = models.BigIntegerField(_("mức hỗ trợ (đồng)"), default=0)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.CANDIDATE
    )
    origin = models.CharField(_("nguồn"), max_length=6, choices=Origin.choices, default=Origin.RULE)
    reason = models.CharField(_("lý do đưa ra/bổ sung"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người bổ sung/đưa ra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("suất hỗ trợ")
        verbose_name_plural = _("suất hỗ trợ")
        ordering = ["commune_unit_id", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person"], name="programmes_entitlement_once_per_round"
            ),
            models.CheckConstraint(
                condition=~Q(status="removed") | ~Q(reason=""),
                name="programmes_entitlement_removed_reason",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="programmes_ent_person")]

    def __str__(self) -> str:
        return f"{self.round} · {self.person_id}"


class Delivery(models.Model):
    """What was handed over for one entitlement (at most one), with its evidence."""

    class Acknowledgement(models.TextChoices):
        SIGNATURE = "signature", _("Ký nhận")
        FINGERPRINT = "fingerprint", _("Điểm chỉ")
        PHOTO = "photo", _("Ảnh chụp khi trao")
        REPRESENTATIVE = "proxy", _("Người thân nhận thay")
        NONE = "none", _("Chưa có xác nhận")

    entitlement = models.OneToOneField(
        Entitlement,
        verbose_name=_("suất hỗ trợ"),
        on_delete=models.PROTECT,
        related_name="delivery",
    )
    # Copies of entitlement.person and entitlement.round.programme (set by the service, moved
    # by the merge hook): "who was reached when, by what" without joining three tables.
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("người nhận"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    delivered_on = models.DateField(_("ngày trao"), db_index=True)
    deliverer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trao"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.BigIntegerField(_("số tiền (đồng)"), default=0)
    items = models.CharField(_("hiện vật"), max_length=255, blank=True)
    evidence = models.FileField(
        _("minh chứng (ảnh, danh sách ký nhận)"),
        upload_to="programmes/evidence/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    acknowledged = models.BooleanField(_("người nhận đã xác nhận"), default=False)
    acknowledged_how = models.CharField(
        _("hình thức xác nhận"),
        max_length=12,
        choices=Acknowledgement.choices,
        default=Acknowledgement.NONE,
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("lần trao hỗ trợ")
        verbose_name_plural = _("lần trao hỗ trợ")
        ordering = ["-delivered_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="programmes_delivery_amount"),
        ]
        indexes = [
            models.Index(fields=["person", "delivered_on"], name="programmes_dlv_person"),
            models.Index(
                fields=["programme", "delivered_on", "person"], name="programmes_dlv_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement} · {self.delivered_on}"


class PersonReach(models.Model):
    """When a person was first and last reached by any delivery, and how many times.

    Maintained in the delivery's transaction (`reach_add` in services), re-derived for the two
    records of a merge and rebuilt from `Delivery` in one statement (`reach_rebuild`, command
    `ansinh reach-rebuild`) after bulk loads: the "who has been left behind" view joins this
    one-row-per-person table instead of probing the deliveries of every vulnerable person.
    Scope comes from the person (the view starts from the scoped people), so a person who moves
    needs no update here."""

    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("người"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="reach",
    )
    first_reached_on = models.DateField(_("lần đầu được hỗ trợ"))
    last_reached_on = models.DateField(_("lần gần nhất được hỗ trợ"), db_index=True)
    times = models.PositiveIntegerField(_("số lần được hỗ trợ"), default=0)

    class Meta:
        verbose_name = _("mức độ được hỗ trợ")
        verbose_name_plural = _("mức độ được hỗ trợ")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.last_reached_on}"


class ProgrammeReach(models.Model):
    """The same per (person, programme): the by-programme breakdown of the left-behind view
    counts rows here (one per person and programme, so no DISTINCT over deliveries)."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("người"),
        on_delete=models.CASCADE,
        related_name="programme_reach",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    first_reached_on = models.DateField(_("lần đầu được hỗ trợ"))
    last_reached_on = models.DateField(_("lần gần nhất được hỗ trợ"))
    times = models.PositiveIntegerField(_("số lần được hỗ trợ"), default=0)

    class Meta:
        verbose_name = _("mức độ được hỗ trợ theo chương trình")
        verbose_name_plural = _("mức độ được hỗ trợ theo chương trình")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme"], name="programmes_reach_person_programme"
            )
        ]
        indexes = [
            models.Index(fields=["programme", "last_reached_on"], name="programmes_reach_programme")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.programme_id} · {self.last_reached_on}"


EMPLOYED_OUTCOMES = ("employed", "self_employed")


class LoanFacilitation(models.Model):
    """A loan the union helped a person get (mostly from the Ngân hàng Chính sách xã hội
    through a savings-and-loan group). The union does not lend: this records the help, the
    disbursement and how repayment goes (status changes kept in `LoanStatusChange`)."""

    class Bank(models.TextChoices):
        POLICY_BANK = "nhcsxh", _("Ngân hàng Chính sách xã hội")
        AGRIBANK = "agribank", _("Agribank")
        OTHER = "other", _("Ngân hàng khác")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Đã nộp hồ sơ")
        CURRENT = "current", _("Đang vay, trả đúng hạn")
        OVERDUE = "overdue", _("Quá hạn")
        REPAID = "repaid", _("Đã trả hết")
        REFUSED = "refused", _("Không được vay")

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("người vay"),
        on_delete=models.PROTECT,
        related_name="loans",
    )
    bank = models.CharField(
        _("ngân hàng"), max_length=10, choices=Bank.choices, default=Bank.POLICY_BANK
    )
    bank_name = models.CharField(_("tên ngân hàng khác"), max_length=120, blank=True)
    group_name = models.CharField(_("tổ tiết kiệm và vay vốn"), max_length=200, blank=True)
    amount = models.BigIntegerField(_("số tiền vay (đồng)"))
    purpose = models.CharField(_("mục đích vay"), max_length=255)
    applied_on = models.DateField(_("ngày nộp hồ sơ"))
    disbursed_on = models.DateField(_("ngày giải ngân"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("thời hạn (tháng)"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("hỗ trợ vay vốn")
        verbose_name_plural = _("hỗ trợ vay vốn")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="programmes_loan_amount"),
            models.CheckConstraint(
                condition=Q(status__in=["applied", "refused"]) | Q(disbursed_on__isnull=False),
                name="programmes_loan_disbursed_date",
            ),
            models.CheckConstraint(
                condition=Q(disbursed_on__isnull=True)
                | Q(disbursed_on__gte=models.F("applied_on")),
                name="programmes_loan_dates",
            ),
        ]
        indexes = [models.Index(fields=["disbursed_on"], name="programmes_loan_disbursed")]

    def __str__(self) -> str:
        return f"{self.get_bank_display()} · {self.amount} · {self.person_id}"

    @property
    def bank_label(self) -> str:
        return (
            self.bank_name
            if self.bank == self.Bank.OTHER and self.bank_name
            else self.get_bank_display()
        )


class LoanStatusChange(models.Model):
    """One change of a loan's status (the history of repayment)."""

    loan = models.ForeignKey(
        LoanFacilitation,
        verbose_name=_("khoản vay"),
        on_delete=models.CASCADE,
        related_name="history",
    )
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=LoanFacilitation.Status.choices
    )
    changed_on = models.DateField(_("ngày"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "loan__person__scope_path"

    class Meta:
        verbose_name = _("thay đổi tình trạng khoản vay")
        verbose_name_plural = _("thay đổi tình trạng khoản vay")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.loan_id} · {self.status} · {self.changed_on}"


class TrainingCourse(models.Model):
    """A vocational training course (lớp dạy nghề) organised or brokered by a union unit."""

    title = models.CharField(_("tên lớp"), max_length=200)
    provider = models.CharField(_("cơ sở đào tạo"), max_length=200)
    occupation = models.CharField(_("nghề đào tạo"), max_length=200)
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="training_courses",
    )
    starts_on = models.DateField(_("ngày khai giảng"))
    ends_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("lớp dạy nghề")
        verbose_name_plural = _("lớp dạy nghề")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programmes_course_dates",
            )
        ]

    def __str__(self) -> str:
        return self.title


class JobOutcome(models.TextChoices):
    EMPLOYED = "employed", _("Có việc làm")
    SELF_EMPLOYED = "self_employed", _("Tự tạo việc làm")
    NOT_EMPLOYED = "not_employed", _("Chưa có việc làm")
    UNKNOWN = "unknown", _("Chưa rõ")


class TrainingEnrolment(models.Model):
    """A person in a course: completion, certificate and the job outcome 3 and 6 months on."""

    course = models.ForeignKey(
        TrainingCourse,
        verbose_name=_("lớp"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("học viên"),
        on_delete=models.PROTECT,
        related_name="training_enrolments",
    )
    completed = models.BooleanField(_("đã hoàn thành"), default=False)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    certificate = models.CharField(_("chứng chỉ (số, loại)"), max_length=200, blank=True)
    outcome_3m = models.CharField(
        _("việc làm sau 3 tháng"),
        max_length=14,
        choices=JobOutcome.choices,
        default=JobOutcome.UNKNOWN,
    )
    outcome_3m_checked_on = models.DateField(_("ngày kiểm tra (3 tháng)"), null=True, blank=True)
    outcome_6m = models.CharField(
        _("việc làm sau 6 tháng"),
        max_length=14,
        choices=JobOutcome.choices,
        default=JobOutcome.UNKNOWN,
    )
    outcome_6m_checked_on = models.DateField(_("ngày kiểm tra (6 tháng)"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("học viên lớp nghề")
        verbose_name_plural = _("học viên lớp nghề")
        ordering = ["course_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person"], name="programmes_enrolment_once_per_course"
            ),
            models.CheckConstraint(
                condition=Q(completed=False) | Q(completed_on__isnull=False),
                name="programmes_enrolment_completed_on",
            ),
            models.CheckConstraint(
                condition=Q(outcome_3m="unknown") | Q(outcome_3m_checked_on__isnull=False),
                name="programmes_enrolment_3m_checked",
            ),
            models.CheckConstraint(
                condition=Q(outcome_6m="unknown") | Q(outcome_6m_checked_on__isnull=False),
                name="programmes_enrolment_6m_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.person_id}"


class JobReferral(models.Model):
    """A person introduced to an employer for a job, and what came of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Đang chờ kết quả")
        HIRED = "hired", _("Được tuyển")
        NOT_HIRED = "not_hired", _("Không được tuyển")

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("người được giới thiệu"),
        on_delete=models.PROTECT,
        related_name="job_referrals",
    )
    employer = models.CharField(_("nơi tuyển dụng"), max_length=200)
    position = models.CharField(_("vị trí việc làm"), max_length=200)
    referred_on = models.DateField(_("ngày giới thiệu"))
    outcome = models.CharField(
        _("kết quả"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    starts_on = models.DateField(_("ngày bắt đầu làm việc"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("giới thiệu việc làm")
        verbose_name_plural = _("giới thiệu việc làm")
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="hired") | Q(starts_on__isnull=False),
                name="programmes_referral_hired_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.position} · {self.person_id}"


class Sponsorship(models.Model):
    """A sponsor (mẹ đỡ đầu: a donor of the funds module, a person or an organisation) who
    supports one child every month from `starts_on` until `ends_on`. Each month's support is
    logged as a `SponsorshipPayment`; a logged month reaches the child (the reach tables)."""

    class EndReason(models.TextChoices):
        AGED_OUT = "aged_out", _("Trẻ đã trưởng thành, hết tuổi đỡ đầu")
        SPONSOR_STOPPED = "sponsor_stopped", _("Nhà tài trợ dừng hỗ trợ")
        CHILD_MOVED = "child_moved", _("Trẻ chuyển nơi ở")
        STABLE = "stable", _("Hoàn cảnh gia đình đã ổn định")
        OTHER = "other", _("Lý do khác")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.PROTECT,
        related_name="sponsorships",
    )
    sponsor = models.ForeignKey(
        "funds.Donor",
        verbose_name=_("mẹ đỡ đầu, nhà tài trợ"),
        on_delete=models.PROTECT,
        related_name="sponsorships",
    )
    child = models.ForeignKey(
        "registry.Person",
        verbose_name=_("trẻ được đỡ đầu"),
        on_delete=models.PROTECT,
        related_name="sponsorships",
    )
    monthly_amount = models.BigIntegerField(_("mức hỗ trợ hằng tháng (đồng)"))
    starts_on = models.DateField(_("bắt đầu từ ngày"))
    ends_on = models.DateField(_("kết thúc ngày"), null=True, blank=True)
    end_reason = models.CharField(
        _("lý do kết thúc"), max_length=16, choices=EndReason.choices, blank=True
    )
    end_note = models.CharField(_("ghi chú khi kết thúc"), max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "child__scope_path"

    class Meta:
        verbose_name = _("nhận đỡ đầu")
        verbose_name_plural = _("nhận đỡ đầu")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0), name="programmes_sponsorship_amount"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programmes_sponsorship_dates",
            ),
            models.CheckConstraint(
                condition=(Q(ends_on__isnull=True) & Q(end_reason=""))
                | (Q(ends_on__isnull=False) & ~Q(end_reason="")),
                name="programmes_sponsorship_end_reason",
            ),
            # One open sponsorship of a child by the same sponsor.
            models.UniqueConstraint(
                fields=["sponsor", "child"],
                condition=Q(ends_on__isnull=True),
                name="programmes_sponsorship_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor_id} → {self.child_id}"

    @property
    def is_active(self) -> bool:
        return self.ends_on is None


class SponsorshipPayment(models.Model):
    """One month's support logged for a sponsorship. Money is never edited in place: a line
    logged by mistake is cancelled by a reversing line (`reverses`, the opposite amount)."""

    class Means(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        TRANSFER = "transfer", _("Chuyển khoản")
        IN_KIND = "in_kind", _("Hiện vật quy đổi")

    sponsorship = models.ForeignKey(
        Sponsorship,
        verbose_name=_("nhận đỡ đầu"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    month = models.DateField(_("tháng hỗ trợ"), help_text=_("Ngày đầu tháng."))
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    paid_on = models.DateField(_("ngày trao"))
    means = models.CharField(_("hình thức"), max_length=10, choices=Means.choices)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("hủy dòng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "sponsorship__child__scope_path"

    class Meta:
        verbose_name = _("lần hỗ trợ hằng tháng")
        verbose_name_plural = _("lần hỗ trợ hằng tháng")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="programmes_sponsorship_payment_sign",
            ),
        ]
        indexes = [
            models.Index(fields=["sponsorship", "month"], name="programmes_sponsorpay_month")
        ]

    def __str__(self) -> str:
        return f"{self.sponsorship_id} · {self.month:%m/%Y} · {self.amount}"
