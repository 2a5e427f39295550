"""Periodic reports (plan section III: "định kỳ báo cáo kết quả ... 6 tháng, 1 năm").

An `Indicator` is a figure a report carries: *computed* from the other modules' data through
the indicator contract (`ansinh.core.indicators`) or *entered* by the unit. A
`ReportTemplate` (the 6-month and annual report on the plan) lists its indicators, its
narrative sections and its validation rules (the rule language, `ansinh.rules.values`). Each
reporting unit files one `ReportSubmission` per `ReportingPeriod`, pre-filled with the
computed values; changing a computed value needs a reason and keeps both. Submissions move
draft → submitted → approved (locked) or returned with a comment; every move is a
`SubmissionEvent`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager

from . import periods


class Indicator(models.Model):
    """A figure reports carry (code, name, unit of measure), computed or entered."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("Tính từ dữ liệu")
        ENTERED = "entered", _("Đơn vị nhập")

    code = models.CharField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=255)
    unit = models.CharField(_("đơn vị tính"), max_length=40)
    kind = models.CharField(_("cách lấy số liệu"), max_length=10, choices=Kind.choices)
    module = models.CharField(
        _("phân hệ tính"),
        max_length=40,
        blank=True,
        help_text=_("Phân hệ tính chỉ tiêu này (khi phân hệ chưa có, đơn vị nhập tay)."),
    )
    dimensions = models.JSONField(_("chiều phân tổ"), default=list, blank=True)
    is_snapshot = models.BooleanField(_("số tại thời điểm cuối kỳ"), default=False)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class ReportTemplate(models.Model):
    """A kind of periodic report: its period type, figures, narrative sections, rules."""

    class PeriodType(models.TextChoices):
        MONTH = periods.MONTH, _("Tháng")
        QUARTER = periods.QUARTER, _("Quý")
        HALF = periods.HALF, _("6 tháng")
        YEAR = periods.YEAR, _("Năm")

    code = models.CharField(_("mã mẫu"), max_length=40, unique=True)
    name = models.CharField(_("tên mẫu"), max_length=255)
    period_type = models.CharField(_("loại kỳ"), max_length=8, choices=PeriodType.choices)
    title = models.CharField(
        _("trích yếu"),
        max_length=500,
        help_text=_("{period} được thay bằng tên kỳ, ví dụ “6 tháng đầu năm 2026”."),
    )
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_templates",
    )
    deadline_days = models.SmallIntegerField(
        _("hạn nộp (số ngày sau cuối kỳ)"),
        default=10,
        help_text=_("Hạn nộp mặc định của mỗi kỳ; có thể sửa riêng từng kỳ."),
    )
    number_suffix = models.CharField(_("ký hiệu văn bản"), max_length=40, default="BC-HPN")
    recipients = models.TextField(_("nơi nhận (mỗi dòng một nơi)"), blank=True)
    indicators = models.ManyToManyField(
        Indicator, through="TemplateIndicator", verbose_name=_("chỉ tiêu")
    )

    class Meta:
        verbose_name = _("mẫu báo cáo")
        verbose_name_plural = _("mẫu báo cáo")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class TemplateIndicator(models.Model):
    """An indicator's place in a template's figures table."""

    template = models.ForeignKey(
        ReportTemplate, on_delete=models.CASCADE, related_name="template_indicators"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    plan_section_code = models.CharField(
        _("mục kế hoạch"), max_length=32, blank=True, help_text=_("Ví dụ II.2")
    )

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "indicator"], name="reports_template_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.indicator_id}"


class TemplateSection(models.Model):
    """A narrative part of the report the unit writes (results per task, shortcomings, …)."""

    class Kind(models.TextChoices):
        TASK_RESULTS = "task_results", _("Kết quả thực hiện nhiệm vụ")
        FIGURES = "figures", _("Bảng số liệu")
        DIFFICULTIES = "difficulties", _("Khó khăn, bất cập, hạn chế")
        PROPOSALS = "proposals", _("Đề xuất, kiến nghị")
        TEXT = "text", _("Nội dung khác")

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("mã"), max_length=32)
    heading = models.CharField(_("tiêu đề"), max_length=300)
    kind = models.CharField(_("loại"), max_length=14, choices=Kind.choices)
    plan_section_code = models.CharField(_("mục kế hoạch"), max_length=32, blank=True)
    guidance = models.TextField(_("hướng dẫn viết"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("phần báo cáo")
        verbose_name_plural = _("phần báo cáo")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="reports_section_code")
        ]

    def __str__(self) -> str:
        return self.heading


class TemplateRule(models.Model):
    """A validation rule over the figures, in the rule language (`TRAINED >= 0`)."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="rules")
    expression = models.CharField(_("quy tắc"), max_length=500)
    message = models.CharField(_("thông báo khi sai"), max_length=300)
    order = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")
        ordering = ["template", "order"]

    def __str__(self) -> str:
        return self.expression


class ReportingPeriod(models.Model):
    """One period of a template (2026H1 of BC-NQ42-6THANG) and its submission deadline."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="periods")
    code = models.CharField(_("kỳ"), max_length=10)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    deadline = models.DateField(_("hạn nộp"))

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["template", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="reports_period_code"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="reports_period_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.code} {self.code}"

    @property
    def period(self) -> periods.Period:
        return periods.parse_period(self.code)

    @property
    def label(self) -> str:
        return self.period.label


class ReportSubmission(models.Model):
    """One unit's report for one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã nộp, chờ duyệt")
        RETURNED = "returned", _("Trả lại để sửa")
        APPROVED = "approved", _("Đã duyệt")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("kỳ"), on_delete=models.PROTECT, related_name="submissions"
    )
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị báo cáo"),
        on_delete=models.PROTECT,
        related_name="report_submissions",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_locked = models.BooleanField(_("đã khóa"), default=False)
    sections = models.JSONField(_("nội dung các phần"), default=dict, blank=True)
    first_submitted_at = models.DateTimeField(_("nộp lần đầu lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_comment = models.TextField(_("ý kiến trả lại"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("báo cáo của đơn vị")
        verbose_name_plural = _("báo cáo của đơn vị")
        ordering = ["period", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="reports_submission_unit"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(is_locked=True),
                name="reports_submission_approved_locked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE and not self.is_locked

    @property
    def is_on_time(self) -> bool | None:
        """Submitted by the deadline the first time (None: not submitted yet)."""
        if self.first_submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localtime(self.first_submitted_at).date() <= self.period.deadline


class SubmissionValue(models.Model):
    """A figure of a submission: the computed value (kept) and the value the unit reports.

    `value` differs from `computed_value` only with a `reason`; both stay stored.
    """

    submission = models.ForeignKey(
        ReportSubmission, on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    computed_value = models.BigIntegerField(_("giá trị tính từ dữ liệu"), null=True, blank=True)
    value = models.BigIntegerField(_("giá trị báo cáo"), null=True, blank=True)
    reason = models.TextField(_("lý do điều chỉnh"), blank=True)

    objects = ScopedManager()
    scope_field = "submission__unit__path"

    class Meta:
        verbose_name = _("số liệu báo cáo")
        verbose_name_plural = _("số liệu báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator"], name="reports_value_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=0),
                name="reports_value_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"

    @property
    def is_corrected(self) -> bool:
        return self.computed_value is not None and self.value != self.computed_value


class SubmissionEvent(models.Model):
    """A step in a submission's life, with who took it and the comment given."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Mở báo cáo")
        SUBMITTED = "submitted", _("Nộp")
        RETURNED = "returned", _("Trả lại")
        APPROVED = "approved", _("Duyệt")
        UNLOCKED = "unlocked", _("Mở khóa")

    submission = models.ForeignKey(
        ReportSubmission, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("sự kiện"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("ý kiến"), blank=True)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "submission__unit__path"

    class Meta:
        verbose_name = _("lịch sử báo cáo")
        verbose_name_plural = _("lịch sử báo cáo")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
