"""The registry of vulnerable women and children (plan II.4: "dữ liệu địa chỉ phụ nữ, trẻ em
khó khăn, yếu thế").

A `Household` sits in a current commune (and optionally a thôn/tổ dân phố) and is looked after
by a union unit (the commune union or one of its branches). Its `Person`s carry
vulnerabilities, needs, consents and a status history. `scope_path` (the union unit's path) is
copied onto households and people so that scoping a million rows is one indexed prefix match
without joins; union-unit paths never change (ADR 0002), so the copy never goes stale.

Nothing is deleted in normal work: people move, die, exit poverty or are merged into another
record, and each of those is a status change kept in history. Only a data-subject deletion
request de-identifies a person (names, IDs and contact data blanked; counts survive).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager

from .reference import ETHNICITIES, ETHNICITY_KINH


class VulnerabilityCategory(models.Model):
    """A configurable kind of vulnerability; sensitive ones need their own permission."""

    class AppliesTo(models.TextChoices):
        WOMAN = "woman", _("Phụ nữ")
        CHILD = "child", _("Trẻ em")
        HOUSEHOLD = "household", _("Hộ gia đình")
        ANY = "any", _("Mọi đối tượng")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    applies_to = models.CharField(
        _("áp dụng cho"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ANY
    )
    is_sensitive = models.BooleanField(
        _("nhạy cảm"),
        default=False,
        help_text=_("Chỉ người có quyền xem dữ liệu nhạy cảm mới thấy."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("diện đối tượng")
        verbose_name_plural = _("diện đối tượng")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class NeedCategory(models.Model):
    """A configurable kind of need (vốn, học nghề, việc làm, nhà ở, ...)."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("loại nhu cầu")
        verbose_name_plural = _("loại nhu cầu")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household at an address in a current commune, with its poverty status."""

    class Poverty(models.TextChoices):
        POOR = "poor", _("Hộ nghèo")
        NEAR_POOR = "near_poor", _("Hộ cận nghèo")
        NONE = "none", _("Không")

    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("cơ sở Hội quản lý"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    # Indexed by `registry_household_scope` (Meta), for prefix matches in any collation.
    scope_path = models.CharField(_("phạm vi"), max_length=255, editable=False)
    commune = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("xã/phường"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # (commune, poverty_status) serves it
    )
    locality = models.ForeignKey(
        "geo.Locality",
        verbose_name=_("thôn, tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    address_line = models.CharField(_("số nhà, đường phố"), max_length=255, blank=True)
    poverty_status = models.CharField(
        _("hộ nghèo/cận nghèo"), max_length=10, choices=Poverty.choices, default=Poverty.NONE
    )
    poverty_standard = models.CharField(
        _("chuẩn nghèo giai đoạn"), max_length=20, blank=True, help_text=_("Ví dụ: 2022-2025")
    )
    poverty_year = models.PositiveSmallIntegerField(_("năm công nhận"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_field = "scope_path"

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["commune", "poverty_status"]),
            # Scoping is `scope_path LIKE 'path%'`: the pattern operator class answers it
            # whatever the database's collation (PostgreSQL; ignored elsewhere).
            models.Index(
                fields=["scope_path"],
                opclasses=["varchar_pattern_ops"],
                name="registry_household_scope",
            ),
        ]

    def __str__(self) -> str:
        head = next((p for p in self.members.all() if p.relation == Person.Relation.HEAD), None)
        where = self.address_line or str(self.locality or "")
        return f"{_('Hộ')} {head.full_name if head else self.pk} — {where}".strip(" —")


class Person(models.Model):
    """A woman, child or other household member registered for support."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("Nữ")
        MALE = "M", _("Nam")

    class Relation(models.TextChoices):
        HEAD = "head", _("Chủ hộ")
        SPOUSE = "spouse", _("Vợ/chồng")
        CHILD = "child", _("Con")
        GRANDCHILD = "grandchild", _("Cháu")
        PARENT = "parent", _("Bố/mẹ")
        SIBLING = "sibling", _("Anh/chị/em")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang quản lý")
        MOVED = "moved", _("Chuyển đi")
        DECEASED = "deceased", _("Đã mất")
        EXITED_POVERTY = "exited_poverty", _("Đã thoát nghèo")
        MERGED = "merged", _("Đã gộp vào hồ sơ khác")

    household = models.ForeignKey(
        Household, verbose_name=_("hộ gia đình"), on_delete=models.PROTECT, related_name="members"
    )
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("cơ sở Hội quản lý"),
        on_delete=models.PROTECT,
        related_name="people",
        # Not indexed alone: people of a unit are found by `scope_path`, and a record number
        # within a unit by the partial unique (unit, record_number) (ADR 0006).
        db_index=False,
    )
    # Indexed with the status by `registry_person_scope` (Meta).
    scope_path = models.CharField(_("phạm vi"), max_length=255, editable=False)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_folded = models.CharField(_("họ tên không dấu"), max_length=150, db_index=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("năm sinh"), null=True, blank=True, db_index=True
    )
    citizen_id = models.CharField(
        _("số định danh (CCCD)"), max_length=12, null=True, blank=True, unique=True
    )
    phone = models.CharField(_("điện thoại"), max_length=16, blank=True, db_index=True)
    ethnicity = models.CharField(
        _("dân tộc"), max_length=2, choices=ETHNICITIES, default=ETHNICITY_KINH
    )
    relation = models.CharField(
        _("quan hệ với chủ hộ"), max_length=10, choices=Relation.choices, default=Relation.HEAD
    )
    is_union_member = models.BooleanField(_("hội viên"), default=False)
    occupation = models.CharField(_("nghề nghiệp"), max_length=120, blank=True)
    # Not indexed alone: every query filters on "active", nearly every row (with a scope it is
    # the second column of `registry_person_scope`).
    status = models.CharField(
        _("tình trạng"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    record_number = models.CharField(
        _("mã hồ sơ"),
        max_length=40,
        blank=True,
        help_text=_("Mã hồ sơ riêng của đơn vị; dùng làm khóa khi nhập lại tệp."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("đã gộp vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        db_index=False,  # a partial index (Meta): nearly every row is NULL
    )
    is_deidentified = models.BooleanField(_("đã khử định danh"), default=False)
    import_batch = models.ForeignKey(
        "registry.ImportBatch",
        verbose_name=_("đợt nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        # Not indexed: nothing reads a batch's people but a (never used) batch deletion;
        # an index would cost every imported row (ADR 0006).
        db_index=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = ScopedManager()
    scope_field = "scope_path"

    class Meta:
        verbose_name = _("đối tượng")
        verbose_name_plural = _("đối tượng")
        ordering = ["name_folded", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "record_number"],
                condition=~Q(record_number=""),
                name="registry_person_unit_record_number",
            ),
            models.CheckConstraint(
                condition=Q(citizen_id__isnull=True) | Q(citizen_id__regex=r"^[0-9]{12}$"),
                name="registry_person_citizen_id_12_digits",
            ),
        ]
        indexes = [
            # Scoping (`scope_path LIKE 'path%'`, any collation: pattern operator class on
            # PostgreSQL, ignored elsewhere) and scope + status.
            models.Index(
                fields=["scope_path", "status"],
                opclasses=["varchar_pattern_ops", "varchar_ops"],
                name="registry_person_scope",
            ),
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="registry_person_merged_into",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class PersonStatusChange(models.Model):
    """One step of a person's status history (append-only)."""

    person = models.ForeignKey(
        Person, verbose_name=_("đối tượng"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("tình trạng"), max_length=16, choices=Person.Status.choices)
    effective = models.DateField(_("ngày"))
    moved_to = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("chuyển đến xã/phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("lịch sử tình trạng")
        verbose_name_plural = _("lịch sử tình trạng")
        ordering = ["-effective", "-id"]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"


class PersonVulnerability(models.Model):
    """A person belongs to a vulnerability category, from `since` until `until`."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("đối tượng"),
        on_delete=models.CASCADE,
        related_name="vulnerabilities",
    )
    category = models.ForeignKey(
        VulnerabilityCategory,
        verbose_name=_("diện"),
        on_delete=models.PROTECT,
        related_name="person_links",
    )
    since = models.DateField(_("từ ngày"), null=True, blank=True)
    until = models.DateField(_("đến ngày"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác minh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateField(_("ngày xác minh"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("diện đối tượng của người")
        verbose_name_plural = _("diện đối tượng của người")
        ordering = ["category__order", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(until__isnull=True),
                name="registry_vulnerability_one_open_per_category",
            )
        ]
        indexes = [models.Index(fields=["category", "until"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.category}"


class Need(models.Model):
    """A need of a person, open until it is met."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa đáp ứng")
        MET = "met", _("Đã đáp ứng")

    person = models.ForeignKey(
        Person, verbose_name=_("đối tượng"), on_delete=models.CASCADE, related_name="needs"
    )
    category = models.ForeignKey(
        NeedCategory, verbose_name=_("nhu cầu"), on_delete=models.PROTECT, related_name="needs"
    )
    status = models.CharField(
        _("trạng thái"), max_length=4, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    opened_on = models.DateField(_("ngày ghi nhận"))
    met_on = models.DateField(_("ngày đáp ứng"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("nhu cầu")
        verbose_name_plural = _("nhu cầu")
        ordering = ["status", "-opened_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", met_on__isnull=True)
                | Q(status="met", met_on__isnull=False),
                name="registry_need_met_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.category}"


class Consent(models.Model):
    """Consent to process a person's data for a purpose (Decree 13/2023/NĐ-CP).

    A child under 7: her guardian consents; a child of 7 or more: both the child and the
    guardian. Withdrawal is recorded, never deleted.
    """

    class Purpose(models.TextChoices):
        REGISTRY = "registry", _("Quản lý thông tin để hỗ trợ")
        SUPPORT = "support", _("Nhận hỗ trợ từ các chương trình")
        SHARING = "sharing", _("Chia sẻ với cơ quan, tổ chức phối hợp")
        CONTACT = "contact", _("Liên hệ, thông tin tuyên truyền")

    class GivenBy(models.TextChoices):
        SELF = "self", _("Bản thân")
        GUARDIAN = "guardian", _("Người giám hộ")
        BOTH = "both", _("Bản thân và người giám hộ")

    class Form(models.TextChoices):
        PAPER = "paper", _("Văn bản có chữ ký")
        ELECTRONIC = "electronic", _("Điện tử")
        VERBAL = "verbal", _("Bằng lời, có người làm chứng")

    person = models.ForeignKey(
        Person, verbose_name=_("đối tượng"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("mục đích"), max_length=10, choices=Purpose.choices)
    given_by = models.CharField(_("người đồng ý"), max_length=8, choices=GivenBy.choices)
    guardian_name = models.CharField(_("họ tên người giám hộ"), max_length=150, blank=True)
    form = models.CharField(_("hình thức"), max_length=10, choices=Form.choices)
    given_on = models.DateField(_("ngày đồng ý"))
    withdrawn_on = models.DateField(_("ngày rút lại"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("đồng ý xử lý dữ liệu")
        verbose_name_plural = _("đồng ý xử lý dữ liệu")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_purpose_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class DataSubjectRequest(models.Model):
    """A person's request about her own data: a copy, a correction, or erasure."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Cung cấp bản sao dữ liệu")
        CORRECT = "correct", _("Chỉnh sửa dữ liệu")
        DELETE = "delete", _("Xóa / khử định danh dữ liệu")

    person = models.ForeignKey(
        Person, verbose_name=_("đối tượng"), on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=8, choices=Kind.choices)
    received_on = models.DateField(_("ngày nhận"))
    handled_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)

    objects = ScopedManager()
    scope_field = "person__scope_path"

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person_id}"


class ImportBatch(models.Model):
    """One uploaded registry file: validated, then committed all-or-nothing."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Đang kiểm tra")
        INVALID = "invalid", _("Có lỗi")
        READY = "ready", _("Sẵn sàng ghi")
        COMMITTED = "committed", _("Đã ghi")
        FAILED = "failed", _("Lỗi hệ thống")

    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    scope_path = models.CharField(_("phạm vi"), max_length=255, db_index=True, editable=False)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_sha256 = models.CharField(_("mã băm tệp"), max_length=64, db_index=True)
    stored_file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.VALIDATING
    )
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    rows_valid = models.PositiveIntegerField(_("dòng hợp lệ"), default=0)
    rows_created = models.PositiveIntegerField(_("đã tạo mới"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("đã có, không đổi"), default=0)
    job = models.ForeignKey(
        "core.Job",
        verbose_name=_("công việc nền"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    committed_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)

    objects = ScopedManager()
    scope_field = "scope_path"

    class Meta:
        verbose_name = _("đợt nhập dữ liệu")
        verbose_name_plural = _("đợt nhập dữ liệu")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class DuplicateCandidate(models.Model):
    """A pair of records that may be the same person, waiting for a decision.

    `person_a` has the smaller id. A pair decided "not the same person" stays, so it is never
    proposed again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xem xét")
        MERGED = "merged", _("Đã gộp")
        DISTINCT = "distinct", _("Không phải cùng người")

    person_a = models.ForeignKey(
        Person, verbose_name=_("hồ sơ A"), on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        Person, verbose_name=_("hồ sơ B"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("điểm giống nhau"))
    reasons = models.JSONField(_("lý do"), default=list, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    found_at = models.DateTimeField(_("phát hiện lúc"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)

    objects = ScopedManager()
    # Both records must be in scope: a pair never reveals a person outside it.
    scope_field = ("person_a__scope_path", "person_b__scope_path")

    class Meta:
        verbose_name = _("nghi trùng")
        verbose_name_plural = _("nghi trùng")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="registry_pair_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="registry_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.score:.2f})"


class PersonMerge(models.Model):
    """Record of a merge: `merged` was folded into `kept`; its snapshot is kept here."""

    kept = models.ForeignKey(
        Person, verbose_name=_("hồ sơ giữ lại"), on_delete=models.PROTECT, related_name="merges"
    )
    merged = models.ForeignKey(
        Person, verbose_name=_("hồ sơ đã gộp"), on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(_("bản lưu hồ sơ đã gộp"), default=dict)
    moved = models.JSONField(_("liên kết đã chuyển"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gộp"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("gộp lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "kept__scope_path"

    class Meta:
        verbose_name = _("gộp hồ sơ")
        verbose_name_plural = _("gộp hồ sơ")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"
