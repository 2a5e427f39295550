"""Writes of the oversight module: keyword-only, atomic, audited, scope re-checked."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_create, audit_update, snapshot
from ansinh.core.scoping import ensure_in_scope

from .models import (
    REOPEN_DAYS,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Feedback,
    FeedbackEvent,
    Recommendation,
    RecommendationResponse,
    SupervisionActivity,
)

PHONE_RE = re.compile(r"^0\d{9,10}$")
MAX_TEXT = 5000
ACTIVITY_FIELDS = ["kind", "topic", "policy_area", "subject_body", "unit", "starts_on", "ends_on"]
FEEDBACK_FIELDS = ["channel", "category", "unit", "status", "deadline", "escalation_level"]


def tracking_hash(code: str) -> str:
    """Codes are stored hashed (keyed by SECRET_KEY): a database leak gives no usable codes."""
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    key = settings.SECRET_KEY.encode()
    return hashlib.blake2b(normal.encode(), key=key[:64], digest_size=32).hexdigest()


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


@transaction.atomic
def activity_create(*, user, **data) -> SupervisionActivity:
    activity = SupervisionActivity(**data)
    activity.full_clean()
    activity.save()
    ensure_in_scope(activity, user, "add")
    audit_create(actor=user, obj=activity, fields=ACTIVITY_FIELDS)
    return activity


@transaction.atomic
def recommendation_create(*, user, activity, text, addressed_to, deadline) -> Recommendation:
    ensure_in_scope(activity, user, "change")
    rec = Recommendation(activity=activity, text=text, addressed_to=addressed_to, deadline=deadline)
    rec.full_clean()
    rec.save()
    audit_create(actor=user, obj=rec, fields=["text", "addressed_to", "deadline", "status"])
    return rec


@transaction.atomic
def recommendation_respond(*, user, rec, received_on, text) -> RecommendationResponse:
    ensure_in_scope(rec, user, "change")
    response = RecommendationResponse.objects.create(
        recommendation=rec, received_on=received_on, text=text
    )
    before = snapshot(rec, ["status"])
    if rec.status == Recommendation.Status.PENDING:
        rec.status = Recommendation.Status.ANSWERED
        rec.save(update_fields=["status"])
    audit_create(actor=user, obj=response, fields=["received_on", "text"])
    audit_update(actor=user, obj=rec, before=before, fields=["status"])
    return response


@transaction.atomic
def recommendation_decide(*, user, rec, status, publish=True) -> Recommendation:
    ensure_in_scope(rec, user, "change")
    if status not in Recommendation.DONE:
        raise ValidationError(_("Kết quả không hợp lệ."))
    before = snapshot(rec, ["status", "published"])
    rec.status = status
    if publish:
        rec.published = True
        rec.published_at = timezone.now()
    rec.save()
    audit_update(actor=user, obj=rec, before=before, fields=["status", "published"])
    return rec


def unit_follow_up(unit) -> dict:
    """Recommendations of activities led by `unit`: open, overdue, done."""
    recs = list(Recommendation.objects.filter(activity__unit=unit).select_related("activity"))
    return {
        "open": [r for r in recs if r.status not in Recommendation.DONE and not r.is_overdue],
        "overdue": [r for r in recs if r.is_overdue],
        "done": [r for r in recs if r.status in Recommendation.DONE],
    }


def validate_feedback(*, category, unit, text, sender_phone="", sender_name="") -> None:
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Vui lòng nhập nội dung góp ý.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Nội dung quá dài (tối đa 5000 ký tự).")
    if sender_phone and not PHONE_RE.match(sender_phone):
        errors["sender_phone"] = _(
            "Số điện thoại không hợp lệ (10 hoặc 11 chữ số, bắt đầu bằng 0)."
        )
    if len(sender_name or "") > 120:
        errors["sender_name"] = _("Họ tên quá dài.")
    if unit is None or unit.kind != "commune":
        errors["unit"] = _("Vui lòng chọn xã/phường hợp lệ.")
    if category is None:
        errors["category"] = _("Vui lòng chọn loại góp ý.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def feedback_submit(
    *, user=None, channel, category, unit, text, sender_name="", sender_phone=""
) -> tuple[Feedback, str]:
    """Store a feedback; return it with the tracking code (shown once, stored hashed)."""
    validate_feedback(
        category=category, unit=unit, text=text, sender_phone=sender_phone, sender_name=sender_name
    )
    code = new_tracking_code()
    now = timezone.now()
    feedback = Feedback.objects.create(
        channel=channel,
        category=category,
        unit=unit,
        text=text.strip(),
        sender_name=sender_name.strip(),
        sender_phone=sender_phone,
        tracking_hash=tracking_hash(code),
        deadline=now + dt.timedelta(hours=category.response_hours),
        created_at=now,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if user is not None and user.is_authenticated:
        ensure_in_scope(feedback, user, "add")
    FeedbackEvent.objects.create(feedback=feedback, kind=FeedbackEvent.Kind.RECEIVED, at=now)
    audit_create(actor=user if feedback.created_by else None, obj=feedback, fields=FEEDBACK_FIELDS)
    return feedback, code


def feedback_by_code(code: str) -> Feedback | None:
    return Feedback.objects.filter(tracking_hash=tracking_hash(code or "")).first()


@transaction.atomic
def feedback_resolve(*, user, feedback, resolution) -> Feedback:
    ensure_in_scope(feedback, user, "change")
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Vui lòng nhập kết quả giải quyết.")})
    before = snapshot(feedback, ["status"])
    feedback.status = Feedback.Status.RESOLVED
    feedback.resolution = resolution.strip()
    feedback.resolved_at = timezone.now()
    feedback.save()
    FeedbackEvent.objects.create(feedback=feedback, kind=FeedbackEvent.Kind.RESOLVED, actor=user)
    audit_update(actor=user, obj=feedback, before=before, fields=["status"])
    return feedback


@transaction.atomic
def feedback_reopen(*, feedback, reason="") -> Feedback:
    """The sender reopens a resolved case within REOPEN_DAYS."""
    if feedback.status != Feedback.Status.RESOLVED:
        raise ValidationError(_("Chỉ mở lại được góp ý đã giải quyết."))
    if timezone.now() - feedback.resolved_at > dt.timedelta(days=REOPEN_DAYS):
        raise ValidationError(
            _("Đã quá %(days)s ngày kể từ khi giải quyết.") % {"days": REOPEN_DAYS}
        )
    before = snapshot(feedback, ["status", "deadline"])
    feedback.status = Feedback.Status.REOPENED
    feedback.deadline = timezone.now() + dt.timedelta(hours=feedback.category.response_hours)
    feedback.save()
    FeedbackEvent.objects.create(
        feedback=feedback, kind=FeedbackEvent.Kind.REOPENED, note=(reason or "")[:2000]
    )
    audit_update(actor=None, obj=feedback, before=before, fields=["status", "deadline"])
    return feedback


@transaction.atomic
def feedback_rate(*, feedback, satisfaction: int) -> Feedback:
    if feedback.status != Feedback.Status.RESOLVED or satisfaction not in range(1, 6):
        raise ValidationError(_("Đánh giá không hợp lệ."))
    feedback.satisfaction = satisfaction
    feedback.save(update_fields=["satisfaction"])
    FeedbackEvent.objects.create(feedback=feedback, kind=FeedbackEvent.Kind.RATED)
    return feedback


def escalate_overdue(*, now=None) -> int:
    """Move every overdue open feedback to the parent unit (idempotent: a new deadline is set,
    so a second run at the same moment does nothing). Returns how many were escalated."""
    now = now or timezone.now()
    count = 0
    overdue = Feedback.objects.filter(
        status__in=Feedback.OPEN, deadline__lt=now, unit__parent__isnull=False
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            fb = (
                Feedback.objects.select_for_update(of=("self",))
                .select_related("unit__parent")
                .get(pk=pk)
            )
            if fb.status not in Feedback.OPEN or fb.deadline >= now or fb.unit.parent is None:
                continue
            before = snapshot(fb, ["unit", "deadline", "escalation_level"])
            old_unit = fb.unit
            fb.unit = old_unit.parent
            fb.escalation_level += 1
            fb.deadline = now + dt.timedelta(hours=fb.category.response_hours)
            fb.save()
            FeedbackEvent.objects.create(
                feedback=fb, kind=FeedbackEvent.Kind.ESCALATED, at=now, from_unit=old_unit
            )
            audit_update(
                actor=None, obj=fb, before=before, fields=["unit", "deadline", "escalation_level"]
            )
            count += 1
    return count


DOCUMENT_EXTENSIONS = {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def activity_add_document(*, user, activity, file, title=""):
    from .models import SupervisionDocument

    ensure_in_scope(activity, user, "change")
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError({"file": _("Định dạng tệp không được chấp nhận.")})
    if file.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": _("Tệp quá lớn (tối đa 20 MB).")})
    document = SupervisionDocument.objects.create(activity=activity, file=file, title=title)
    audit_create(actor=user, obj=document, fields=["title", "file"])
    return document


@transaction.atomic
def feedback_start(*, user, feedback) -> Feedback:
    ensure_in_scope(feedback, user, "change")
    if feedback.status not in (Feedback.Status.RECEIVED, Feedback.Status.REOPENED):
        raise ValidationError(_("Góp ý không ở trạng thái chờ xử lý."))
    before = snapshot(feedback, ["status"])
    feedback.status = Feedback.Status.IN_PROGRESS
    feedback.save(update_fields=["status"])
    FeedbackEvent.objects.create(feedback=feedback, kind=FeedbackEvent.Kind.IN_PROGRESS, actor=user)
    audit_update(actor=user, obj=feedback, before=before, fields=["status"])
    return feedback


CATEGORIES = [
    ("bao-luc", "Bạo lực gia đình, xâm hại, mua bán người", 24, True),
    ("khieu-nai", "Khiếu nại, tố cáo", 240, False),
    ("chinh-sach", "Chính sách an sinh xã hội", 240, False),
    ("tam-tu", "Tâm tư, nguyện vọng", 240, False),
    ("gop-y", "Góp ý hoạt động của Hội", 240, False),
]


def categories_seed() -> int:
    """Idempotent: the categories the data migration seeds (for flushed test databases and
    the demo). Existing rows keep their edited response times."""
    from .models import FeedbackCategory

    created = 0
    for code, name, hours, sensitive in CATEGORIES:
        _obj, was_created = FeedbackCategory.objects.get_or_create(
            code=code,
            defaults={"name": name, "response_hours": hours, "is_sensitive": sensitive},
        )
        created += was_created
    return created
