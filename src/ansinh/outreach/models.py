"""Outreach (plan II.1): communication activities and their reach, community models (mô hình)
and their replication to other communes, commendations (khen thưởng, tôn vinh).

Every record belongs to a union unit (`unit`) and is scoped through its path. A commendation's
unit is the unit of its recipient (the person's managing unit, the unit itself, the model's
unit), so it is seen where the recipient is. A recipient who is a registered person is shown
only to users who may see that person in the registry (see `selectors`).

Replication ("nhân rộng"): a community model may record the model it was copied from, usually
in another commune. The source's name and unit are shown on the copy and the copies' names and
units on the source even across scopes (spreading good models between communes is the point);
nothing else of an out-of-scope model is shown, and its page answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager


class CommunicationTopic(models.Model):
    """A topic communication activities are about (configurable list, seeded)."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        verbose_name = _("chủ đề tuyên truyền")
        verbose_name_plural = _("chủ đề tuyên truyền")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CommunicationActivity(models.Model):
    """One communication session or post: a meeting, a loudspeaker broadcast, a Zalo/Facebook
    post, an article; with the people reached in person and/or online."""

    class Channel(models.TextChoices):
        MEETING = "meeting", _("Hội nghị, sinh hoạt")
        LOUDSPEAKER = "loudspeaker", _("Loa truyền thanh")
        ZALO = "zalo", _("Nhóm Zalo")
        FACEBOOK = "facebook", _("Fanpage Facebook")
        WEBSITE = "website", _("Trang thông tin điện tử")
        NEWSPAPER = "newspaper", _("Báo chí")
        OTHER = "other", _("Khác")

    IN_PERSON = (Channel.MEETING,)
    ONLINE = (Channel.ZALO, Channel.FACEBOOK, Channel.WEBSITE)

    held_on = models.DateField(_("ngày"))
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="communication_activities",
    )
    topic = models.ForeignKey(
        CommunicationTopic,
        verbose_name=_("chủ đề"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    channel = models.CharField(_("hình thức"), max_length=12, choices=Channel.choices)
    title = models.CharField(_("tên hoạt động, bài viết"), max_length=300)
    participants = models.PositiveIntegerField(
        _("số người tham dự trực tiếp"), null=True, blank=True
    )
    reach = models.PositiveIntegerField(
        _("lượt tiếp cận trực tuyến"),
        null=True,
        blank=True,
        help_text=_("Lượt xem, thành viên nhóm, lượt nghe, số phát hành..."),
    )
    materials = models.TextField(_("tài liệu, nội dung tuyên truyền"), blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("hoạt động tuyên truyền")
        verbose_name_plural = _("hoạt động tuyên truyền")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on", "channel"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__isnull=False) | Q(reach__isnull=False),
                name="outreach_activity_has_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def people_reached(self) -> int:
        return (self.participants or 0) + (self.reach or 0)


class CommunicationMaterial(models.Model):
    """An uploaded file of an activity (leaflet, slides, poster); served by a scoped view."""

    activity = models.ForeignKey(
        CommunicationActivity, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("tệp"), upload_to="outreach/materials/%Y/%m/")
    title = models.CharField(_("tên tài liệu"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_field = "activity__unit__path"

    class Meta:
        verbose_name = _("tệp tài liệu tuyên truyền")
        verbose_name_plural = _("tệp tài liệu tuyên truyền")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]


class CommunityModelKind(models.Model):
    """A kind of community model (Địa chỉ tin cậy, Ngôi nhà xanh, ...; configurable, seeded)."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        verbose_name = _("loại mô hình")
        verbose_name_plural = _("loại mô hình")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CommunityModel(models.Model):
    """A community model run by a union unit (mô hình), possibly copied from another one."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        PAUSED = "paused", _("Tạm dừng")
        DISSOLVED = "dissolved", _("Đã giải thể")

    kind = models.ForeignKey(
        CommunityModelKind, verbose_name=_("loại mô hình"), on_delete=models.PROTECT
    )
    name = models.CharField(_("tên mô hình"), max_length=300)
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="community_models",
    )
    established_on = models.DateField(_("ngày thành lập"))
    members_count = models.PositiveIntegerField(_("số thành viên"), default=0)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    description = models.TextField(_("mô tả, cách làm"), blank=True)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("nhân rộng từ mô hình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("mô hình")
        verbose_name_plural = _("mô hình")
        ordering = ["-established_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(copied_from=models.F("pk")), name="outreach_model_not_own_copy"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommunityModelStatusChange(models.Model):
    """One change of a model's status (history is kept, never overwritten)."""

    model = models.ForeignKey(
        CommunityModel, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("từ"), max_length=10, choices=CommunityModel.Status.choices, blank=True
    )
    to_status = models.CharField(_("sang"), max_length=10, choices=CommunityModel.Status.choices)
    changed_on = models.DateField(_("ngày"))
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_field = "model__unit__path"

    class Meta:
        verbose_name = _("thay đổi tình trạng mô hình")
        verbose_name_plural = _("thay đổi tình trạng mô hình")
        ordering = ["changed_on", "pk"]
        # the status standing at a date: the latest change on or before it, per model
        indexes = [
            models.Index(fields=["model", "-changed_on", "-id"], name="outreach_status_latest")
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CommunityModelResult(models.Model):
    """A report of what a model achieved, written over time."""

    model = models.ForeignKey(CommunityModel, on_delete=models.CASCADE, related_name="results")
    reported_on = models.DateField(_("ngày"))
    text = models.TextField(_("kết quả"), max_length=5000)
    members_count = models.PositiveIntegerField(_("số thành viên lúc đó"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_field = "model__unit__path"

    class Meta:
        verbose_name = _("kết quả mô hình")
        verbose_name_plural = _("kết quả mô hình")
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return self.text[:80]


class CommunityModelPhoto(models.Model):
    """A photo of a model's activity; served only through a scoped view."""

    model = models.ForeignKey(CommunityModel, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("ảnh"), upload_to="outreach/photos/%Y/%m/")
    caption = models.CharField(_("chú thích"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_field = "model__unit__path"

    class Meta:
        verbose_name = _("ảnh mô hình")
        verbose_name_plural = _("ảnh mô hình")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.caption or self.file.name.rsplit("/", 1)[-1]


class Commendation(models.Model):
    """A commendation (khen thưởng) to exactly one recipient: a registered person, a union
    unit, or a community model (a database check enforces it)."""

    class Level(models.TextChoices):
        CENTRAL_UNION = "central_union", _("Trung ương Hội LHPN Việt Nam")
        CITY = "city", _("Thành phố (Thành ủy, HĐND)")
        CITY_COMMITTEE = "city_committee", _("UBND Thành phố")
        CITY_UNION = "city_union", _("Hội LHPN Thành phố")
        COMMUNE = "commune", _("Xã/phường (Đảng ủy, UBND)")
        COMMUNE_UNION = "commune_union", _("Hội LHPN xã/phường")
        OTHER = "other", _("Khác")

    class Form(models.TextChoices):
        CERTIFICATE_OF_MERIT = "bang_khen", _("Bằng khen")
        CERTIFICATE = "giay_khen", _("Giấy khen")
        MEDAL = "ky_niem_chuong", _("Kỷ niệm chương")
        TITLE = "danh_hieu", _("Danh hiệu thi đua")
        LETTER = "thu_khen", _("Thư khen")
        OTHER = "other", _("Khác")

    class RecipientKind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        UNIT = "unit", _("Tập thể (cơ sở Hội)")
        MODEL = "model", _("Mô hình")

    recipient_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("cá nhân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commendations",
    )
    recipient_unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("tập thể"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commendations_received",
    )
    recipient_model = models.ForeignKey(
        CommunityModel,
        verbose_name=_("mô hình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commendations",
    )
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="commendations",
        editable=False,
    )
    level = models.CharField(_("cấp khen"), max_length=16, choices=Level.choices)
    form = models.CharField(_("hình thức"), max_length=16, choices=Form.choices)
    reason = models.TextField(_("thành tích, lý do"), max_length=2000)
    awarded_on = models.DateField(_("ngày khen"))
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        recipient_person__isnull=False,
                        recipient_unit__isnull=True,
                        recipient_model__isnull=True,
                    )
                    | Q(
                        recipient_person__isnull=True,
                        recipient_unit__isnull=False,
                        recipient_model__isnull=True,
                    )
                    | Q(
                        recipient_person__isnull=True,
                        recipient_unit__isnull=True,
                        recipient_model__isnull=False,
                    )
                ),
                name="outreach_commendation_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.awarded_on:%d/%m/%Y}"

    @property
    def recipient_kind(self) -> str:
        if self.recipient_person_id:
            return self.RecipientKind.PERSON
        if self.recipient_unit_id:
            return self.RecipientKind.UNIT
        return self.RecipientKind.MODEL

    @property
    def recipient_kind_label(self) -> str:
        return self.RecipientKind(self.recipient_kind).label
