"""Supervision and social criticism (giám sát, phản biện xã hội), their recommendations, and
feedback from members and the public (góp ý, tâm tư nguyện vọng, khiếu nại)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O/1/I
TRACKING_LENGTH = 10
REOPEN_DAYS = 30


class SupervisionActivity(models.Model):
    class Kind(models.TextChoices):
        SUPERVISION = "supervision", _("Giám sát")
        CRITICISM = "criticism", _("Phản biện xã hội")

    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    topic = models.CharField(_("chủ đề"), max_length=300)
    policy_area = models.CharField(_("lĩnh vực chính sách"), max_length=200, blank=True)
    subject_body = models.CharField(_("đối tượng giám sát"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị chủ trì"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    members = models.TextField(_("thành phần đoàn"), blank=True)
    starts_on = models.DateField(_("ngày bắt đầu"))
    ends_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    findings = models.TextField(_("kết quả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("hoạt động giám sát")
        verbose_name_plural = _("hoạt động giám sát")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.topic


class SupervisionDocument(models.Model):
    activity = models.ForeignKey(
        SupervisionActivity, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(_("tệp"), upload_to="oversight/%Y/%m/")
    title = models.CharField(_("tên tài liệu"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_field = "activity__unit__path"

    def __str__(self) -> str:
        return self.title or self.file.name


class Recommendation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ trả lời")
        ANSWERED = "answered", _("Đã trả lời")
        IMPLEMENTED = "implemented", _("Đã thực hiện")
        NOT_ACCEPTED = "not_accepted", _("Không tiếp thu")

    DONE = (Status.IMPLEMENTED, Status.NOT_ACCEPTED)

    activity = models.ForeignKey(
        SupervisionActivity, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(_("nội dung kiến nghị"))
    addressed_to = models.CharField(_("cơ quan nhận kiến nghị"), max_length=300)
    deadline = models.DateField(_("hạn trả lời"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    published = models.BooleanField(_("đã thông báo kết quả đến hội viên"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope_field = "activity__unit__path"

    class Meta:
        verbose_name = _("kiến nghị")
        verbose_name_plural = _("kiến nghị")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PENDING and self.deadline < timezone.localdate()


class RecommendationResponse(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="responses"
    )
    received_on = models.DateField(_("ngày nhận"))
    text = models.TextField(_("nội dung trả lời"))

    objects = ScopedManager()
    scope_field = "recommendation__activity__unit__path"

    def __str__(self) -> str:
        return f"{self.received_on:%d/%m/%Y}"


class FeedbackCategory(models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    response_hours = models.PositiveIntegerField(_("thời hạn xử lý (giờ)"))
    is_sensitive = models.BooleanField(_("nhạy cảm"), default=False)

    class Meta:
        verbose_name = _("loại góp ý")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    class Channel(models.TextChoices):
        OFFICER = "officer", _("Cán bộ tiếp nhận")
        MEETING = "meeting", _("Sinh hoạt chi hội")
        PUBLIC = "public", _("Biểu mẫu công khai")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        RESOLVED = "resolved", _("Đã giải quyết")
        REOPENED = "reopened", _("Mở lại")

    OPEN = (Status.RECEIVED, Status.IN_PROGRESS, Status.REOPENED)

    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(FeedbackCategory, on_delete=models.PROTECT, verbose_name=_("loại"))
    text = models.TextField(_("nội dung"), max_length=5000)
    sender_name = models.CharField(_("họ tên người gửi"), max_length=120, blank=True)
    sender_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị xử lý"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    tracking_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    deadline = models.DateTimeField(_("hạn xử lý"))
    escalation_level = models.PositiveSmallIntegerField(default=0)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("mức độ hài lòng"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("góp ý")
        verbose_name_plural = _("góp ý")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.category} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN and self.deadline < timezone.now()


class FeedbackEvent(models.Model):
    """One step in a feedback's history (shown to the sender without officer names)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        ESCALATED = "escalated", _("Chuyển lên cấp trên do quá hạn")
        RESOLVED = "resolved", _("Đã giải quyết")
        REOPENED = "reopened", _("Người gửi mở lại")
        RATED = "rated", _("Người gửi đánh giá")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(blank=True)
    from_unit = models.ForeignKey(
        "org.UnionUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()
    scope_field = "feedback__unit__path"

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
