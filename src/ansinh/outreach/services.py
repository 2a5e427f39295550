"""Writes of the outreach module: keyword-only, atomic, audited in the same transaction, and
re-checked against the user's scope after writing (a write out of scope rolls back)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_create, audit_update, snapshot
from ansinh.core.files import DOCUMENT_EXTENSIONS, IMAGE_EXTENSIONS, validate_upload
from ansinh.core.scoping import OutOfScope, ensure_in_scope

from .models import (
    Commendation,
    CommunicationActivity,
    CommunicationMaterial,
    CommunicationTopic,
    CommunityModel,
    CommunityModelKind,
    CommunityModelPhoto,
    CommunityModelResult,
    CommunityModelStatusChange,
)

ACTIVITY_FIELDS = [
    "held_on",
    "unit",
    "topic",
    "channel",
    "title",
    "participants",
    "reach",
    "materials",
    "notes",
]
MODEL_FIELDS = [
    "kind",
    "name",
    "unit",
    "established_on",
    "members_count",
    "description",
    "copied_from",
]
COMMENDATION_FIELDS = [
    "recipient_person",
    "recipient_unit",
    "recipient_model",
    "unit",
    "level",
    "form",
    "reason",
    "awarded_on",
    "decision_number",
]
MATERIAL_EXTENSIONS = DOCUMENT_EXTENSIONS | IMAGE_EXTENSIONS
MATERIAL_MAX_BYTES = 20 * 1024 * 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_AUDIENCE = 50_000_000  # more than any channel of a city union can reach


# --- communication activities -----------------------------------------------------------


def validate_activity(*, channel, held_on, participants, reach, unit=None) -> None:
    """The rules of an activity's audience, in Vietnamese: a meeting counts the people
    present, an online post its reach; every activity counts someone."""
    errors: dict[str, str] = {}
    if held_on and held_on > timezone.localdate():
        errors["held_on"] = _("Ngày tổ chức không được sau hôm nay.")
    if channel in CommunicationActivity.IN_PERSON and not participants:
        errors["participants"] = _("Hội nghị, sinh hoạt phải ghi số người tham dự.")
    if channel in CommunicationActivity.ONLINE and not reach:
        errors["reach"] = _(
            "Tuyên truyền trực tuyến phải ghi lượt tiếp cận (lượt xem, thành viên)."
        )
    if participants is None and reach is None and not errors:
        errors["participants"] = _("Vui lòng ghi số người tham dự hoặc lượt tiếp cận.")
    for field, value in (("participants", participants), ("reach", reach)):
        if value is not None and (value < 0 or value > MAX_AUDIENCE):
            errors[field] = _("Con số không hợp lệ.")
    if unit is not None and unit.valid_to is not None:
        errors["unit"] = _("Đơn vị đã ngừng hoạt động.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(*, user, **data) -> CommunicationActivity:
    validate_activity(
        channel=data.get("channel"),
        held_on=data.get("held_on"),
        participants=data.get("participants"),
        reach=data.get("reach"),
        unit=data.get("unit"),
    )
    activity = CommunicationActivity(**data, created_by=user)
    activity.full_clean()
    activity.save()
    ensure_in_scope(activity, user, "add")
    audit_create(actor=user, obj=activity, fields=ACTIVITY_FIELDS)
    return activity


@transaction.atomic
def activity_update(*, user, activity: CommunicationActivity, **data) -> CommunicationActivity:
    ensure_in_scope(activity, user, "change")
    before = snapshot(activity, ACTIVITY_FIELDS)
    for name, value in data.items():
        setattr(activity, name, value)
    validate_activity(
        channel=activity.channel,
        held_on=activity.held_on,
        participants=activity.participants,
        reach=activity.reach,
        unit=activity.unit if "unit" in data else None,
    )
    activity.full_clean()
    activity.save()
    ensure_in_scope(activity, user, "change")  # not moved out of one's own scope
    audit_update(actor=user, obj=activity, before=before, fields=ACTIVITY_FIELDS)
    return activity


@transaction.atomic
def activity_add_material(*, user, activity, file, title: str = "") -> CommunicationMaterial:
    ensure_in_scope(activity, user, "change")
    validate_upload(file, extensions=MATERIAL_EXTENSIONS, max_bytes=MATERIAL_MAX_BYTES)
    material = CommunicationMaterial.objects.create(activity=activity, file=file, title=title)
    audit_create(actor=user, obj=material, fields=["title", "file"])
    return material


# --- community models -------------------------------------------------------------------


def _validate_copy(*, unit, copied_from) -> None:
    if copied_from is None:
        return
    if unit is not None and copied_from.unit_id == unit.pk:
        raise ValidationError(
            {"copied_from": _("Mô hình gốc phải của đơn vị khác (nhân rộng sang đơn vị mới).")}
        )


@transaction.atomic
def community_model_create(*, user, **data) -> CommunityModel:
    _validate_copy(unit=data.get("unit"), copied_from=data.get("copied_from"))
    established = data.get("established_on")
    if established and established > timezone.localdate():
        raise ValidationError({"established_on": _("Ngày thành lập không được sau hôm nay.")})
    model = CommunityModel(**data)
    model.status = CommunityModel.Status.ACTIVE
    model.full_clean()
    model.save()
    ensure_in_scope(model, user, "add")
    CommunityModelStatusChange.objects.create(
        model=model,
        from_status="",
        to_status=model.status,
        changed_on=model.established_on,
        reason=_("Thành lập"),
        actor=user,
    )
    audit_create(actor=user, obj=model, fields=[*MODEL_FIELDS, "status"])
    return model


@transaction.atomic
def community_model_update(*, user, model: CommunityModel, **data) -> CommunityModel:
    """Edit a model's description fields; its status changes only through
    `community_model_change_status` (so the history stays whole)."""
    ensure_in_scope(model, user, "change")
    data.pop("status", None)
    before = snapshot(model, MODEL_FIELDS)
    for name, value in data.items():
        setattr(model, name, value)
    _validate_copy(unit=model.unit, copied_from=model.copied_from)
    if model.copied_from_id and model.copied_from_id == model.pk:
        raise ValidationError({"copied_from": _("Mô hình không thể nhân rộng từ chính nó.")})
    model.full_clean()
    model.save()
    ensure_in_scope(model, user, "change")
    audit_update(actor=user, obj=model, before=before, fields=MODEL_FIELDS)
    return model


@transaction.atomic
def community_model_change_status(
    *, user, model: CommunityModel, status: str, changed_on: dt.date, reason: str = ""
) -> CommunityModelStatusChange:
    ensure_in_scope(model, user, "change")
    model = CommunityModel.objects.select_for_update().get(pk=model.pk)
    if status not in CommunityModel.Status.values:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    if status == model.status:
        raise ValidationError({"status": _("Mô hình đang ở tình trạng này.")})
    if model.status == CommunityModel.Status.DISSOLVED:
        raise ValidationError({"status": _("Mô hình đã giải thể, không thể đổi tình trạng.")})
    if changed_on > timezone.localdate() or changed_on < model.established_on:
        raise ValidationError(
            {"changed_on": _("Ngày thay đổi phải từ ngày thành lập đến hôm nay.")}
        )
    if status != CommunityModel.Status.ACTIVE and not (reason or "").strip():
        raise ValidationError({"reason": _("Vui lòng ghi lý do tạm dừng hoặc giải thể.")})
    before = snapshot(model, ["status"])
    change = CommunityModelStatusChange.objects.create(
        model=model,
        from_status=model.status,
        to_status=status,
        changed_on=changed_on,
        reason=(reason or "").strip()[:500],
        actor=user,
    )
    model.status = status
    model.save(update_fields=["status"])
    audit_update(actor=user, obj=model, before=before, fields=["status"])
    return change


@transaction.atomic
def community_model_add_result(
    *, user, model: CommunityModel, reported_on: dt.date, text: str, members_count=None
) -> CommunityModelResult:
    ensure_in_scope(model, user, "change")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Vui lòng ghi kết quả.")})
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("Ngày không được sau hôm nay.")})
    result = CommunityModelResult(
        model=model, reported_on=reported_on, text=text, members_count=members_count, actor=user
    )
    result.full_clean()
    result.save()
    audit_create(actor=user, obj=result, fields=["reported_on", "text", "members_count"])
    if members_count is not None and members_count != model.members_count:
        before = snapshot(model, ["members_count"])
        model.members_count = members_count
        model.save(update_fields=["members_count"])
        audit_update(actor=user, obj=model, before=before, fields=["members_count"])
    return result


@transaction.atomic
def community_model_add_photo(*, user, model, file, caption: str = "") -> CommunityModelPhoto:
    ensure_in_scope(model, user, "change")
    validate_upload(file, extensions=IMAGE_EXTENSIONS, max_bytes=PHOTO_MAX_BYTES)
    photo = CommunityModelPhoto.objects.create(model=model, file=file, caption=caption)
    audit_create(actor=user, obj=photo, fields=["caption", "file"])
    return photo


# --- commendations ----------------------------------------------------------------------


def _recipient_unit(*, user, recipient_person, recipient_unit, recipient_model):
    """The unit a commendation is filed under, after checking the user may see the recipient
    (a person through the registry's scope, a unit or model through their own)."""
    from ansinh.org.models import UnionUnit
    from ansinh.registry.models import Person

    given = [r for r in (recipient_person, recipient_unit, recipient_model) if r is not None]
    if len(given) != 1:
        raise ValidationError(
            _(
                "Mỗi quyết định khen thưởng ghi cho đúng một đối tượng: cá nhân, tập thể hoặc mô hình."
            )
        )
    if recipient_person is not None:
        if not Person.objects.restrict(user, "view").filter(pk=recipient_person.pk).exists():
            raise OutOfScope("The person is outside the user's scope.")
        return recipient_person.unit
    if recipient_unit is not None:
        if not UnionUnit.objects.restrict(user, "view").filter(pk=recipient_unit.pk).exists():
            raise OutOfScope("The unit is outside the user's scope.")
        return recipient_unit
    if not CommunityModel.objects.restrict(user, "view").filter(pk=recipient_model.pk).exists():
        raise OutOfScope("The model is outside the user's scope.")
    return recipient_model.unit


def _validate_commendation(commendation: Commendation) -> None:
    if commendation.awarded_on and commendation.awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": _("Ngày khen không được sau hôm nay.")})
    if not (commendation.reason or "").strip():
        raise ValidationError({"reason": _("Vui lòng ghi thành tích, lý do khen thưởng.")})


@transaction.atomic
def commendation_create(
    *,
    user,
    level: str,
    form: str,
    reason: str,
    awarded_on: dt.date,
    decision_number: str = "",
    recipient_person=None,
    recipient_unit=None,
    recipient_model=None,
) -> Commendation:
    unit = _recipient_unit(
        user=user,
        recipient_person=recipient_person,
        recipient_unit=recipient_unit,
        recipient_model=recipient_model,
    )
    commendation = Commendation(
        recipient_person=recipient_person,
        recipient_unit=recipient_unit,
        recipient_model=recipient_model,
        unit=unit,
        level=level,
        form=form,
        reason=(reason or "").strip(),
        awarded_on=awarded_on,
        decision_number=(decision_number or "").strip(),
        created_by=user,
    )
    _validate_commendation(commendation)
    commendation.full_clean()
    commendation.save()
    ensure_in_scope(commendation, user, "add")
    audit_create(actor=user, obj=commendation, fields=COMMENDATION_FIELDS)
    return commendation


@transaction.atomic
def commendation_update(*, user, commendation: Commendation, **data) -> Commendation:
    """Edit level, form, reason, date, decision number, or move it to another recipient."""
    ensure_in_scope(commendation, user, "change")
    before = snapshot(commendation, COMMENDATION_FIELDS)
    recipients = {"recipient_person", "recipient_unit", "recipient_model"}
    if recipients & set(data):
        for name in recipients:
            setattr(commendation, name, data.pop(name, None))
        commendation.unit = _recipient_unit(
            user=user,
            recipient_person=commendation.recipient_person,
            recipient_unit=commendation.recipient_unit,
            recipient_model=commendation.recipient_model,
        )
    for name, value in data.items():
        setattr(commendation, name, value)
    _validate_commendation(commendation)
    commendation.full_clean()
    commendation.save()
    ensure_in_scope(commendation, user, "change")
    audit_update(actor=user, obj=commendation, before=before, fields=COMMENDATION_FIELDS)
    return commendation


# --- configurable lists -----------------------------------------------------------------

CONFIGURE_LISTS = "outreach.configure_lists"  # city staff (outreach.*), not commune officers
LIST_FIELDS = ["code", "name", "is_active", "order"]


@transaction.atomic
def list_item_save(*, user, model, item=None, code: str, name: str, is_active: bool, order: int):
    """Add or edit a topic (`CommunicationTopic`) or a model kind (`CommunityModelKind`).
    Items in use are never deleted: they are switched off (`is_active`) instead."""
    from ansinh.accounts.permissions import has_permission

    if model not in (CommunicationTopic, CommunityModelKind):
        raise ValueError(model)
    if not has_permission(user, CONFIGURE_LISTS):
        raise OutOfScope("The user may not configure the lists.")
    code = (code or "").strip().lower()
    name = (name or "").strip()
    errors = {}
    if not code or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in code):
        errors["code"] = _("Mã chỉ gồm chữ không dấu, chữ số và dấu gạch ngang.")
    elif model.objects.filter(code=code).exclude(pk=getattr(item, "pk", None)).exists():
        errors["code"] = _("Mã này đã có.")
    if not name:
        errors["name"] = _("Vui lòng nhập tên.")
    if errors:
        raise ValidationError(errors)
    creating = item is None
    item = item or model()
    before = {} if creating else snapshot(item, LIST_FIELDS)
    item.code, item.name, item.is_active, item.order = code, name, bool(is_active), order
    item.full_clean()
    item.save()
    if creating:
        audit_create(actor=user, obj=item, fields=LIST_FIELDS)
    else:
        audit_update(actor=user, obj=item, before=before, fields=LIST_FIELDS)
    return item


TOPICS = [
    ("nq42", "Nghị quyết 42-NQ/TW về chính sách xã hội"),
    ("an-sinh", "Chính sách an sinh xã hội, trợ giúp xã hội của Thủ đô"),
    ("bhxh-tu-nguyen", "Chính sách BHXH tự nguyện"),
    ("bhyt", "Bảo hiểm y tế"),
    ("bao-luc-gia-dinh", "Phòng, chống bạo lực gia đình, bạo lực trên cơ sở giới"),
    ("mua-ban-nguoi", "Phòng, chống mua bán người"),
    ("binh-dang-gioi", "Bình đẳng giới"),
    ("chuyen-doi-so", "Chuyển đổi số"),
    ("viec-lam", "Thị trường lao động, học nghề, việc làm"),
    ("khoi-nghiep", "Phụ nữ khởi nghiệp, kinh tế tập thể"),
    ("moi-truong", "Bảo vệ môi trường, giảm thiểu rác thải nhựa"),
    ("uong-nuoc-nho-nguon", "Giáo dục truyền thống, đền ơn đáp nghĩa"),
    ("khac", "Khác"),
]

MODEL_KINDS = [
    ("dia-chi-tin-cay", "Địa chỉ tin cậy tại cộng đồng"),
    ("to-dan-pho-an-toan", "Tổ dân phố an toàn / Thôn an toàn"),
    ("ngoi-nha-xanh", "Ngôi nhà xanh"),
    ("bien-rac-thanh-tien", "Biến rác thành tiền"),
    ("giam-rac-thai-nhua", "Khu dân cư giảm thiểu rác thải nhựa"),
    ("clb-nu-doanh-nhan", "CLB nữ doanh nhân"),
    ("htx-phu-nu", "Tổ hợp tác / HTX do phụ nữ làm chủ"),
    ("clb-phong-chong-bao-luc", "CLB phòng chống bạo lực gia đình"),
    ("to-tiet-kiem", "Tổ tiết kiệm và vay vốn"),
    ("to-tu-van", "Tổ tư vấn bảo vệ quyền, lợi ích hợp pháp của phụ nữ, trẻ em"),
    ("nha-tro-an-toan", "Chủ nhà trọ thân thiện, an toàn với phụ nữ và trẻ em"),
    ("gia-dinh-5-co-3-sach", "Gia đình 5 có, 3 sạch"),
    ("khac", "Khác"),
]


def lists_seed() -> int:
    """Idempotent: the topics and model kinds the data migration seeds (for flushed test
    databases and the demo). Existing rows keep their edited names."""
    created = 0
    for order, (code, name) in enumerate(TOPICS):
        _obj, was_created = CommunicationTopic.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10}
        )
        created += was_created
    for order, (code, name) in enumerate(MODEL_KINDS):
        _obj, was_created = CommunityModelKind.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10}
        )
        created += was_created
    return created
