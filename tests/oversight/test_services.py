import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.oversight import services
from ansinh.oversight.models import (
    TRACKING_ALPHABET,
    Feedback,
    FeedbackCategory,
    FeedbackEvent,
    Recommendation,
    SupervisionActivity,
)
from ansinh.oversight.selectors import feedback_get_or_404, feedback_visible

pytestmark = pytest.mark.django_db


def submit(unit, code="tam-tu", text="Đề nghị hỗ trợ", **kw):
    return services.feedback_submit(
        channel=Feedback.Channel.PUBLIC,
        category=FeedbackCategory.objects.get(code=code),
        unit=unit,
        text=text,
        **kw,
    )


def test_categories_seeded():
    violence = FeedbackCategory.objects.get(code="bao-luc")
    assert violence.response_hours == 24 and violence.is_sensitive
    assert FeedbackCategory.objects.filter(is_sensitive=False).count() == 4


def test_submit_gives_code_stored_hashed(personas):
    fb, code = submit(personas.hoankiem, sender_phone="0912345678")
    assert len(code) == 10 and set(code) <= set(TRACKING_ALPHABET)
    assert code not in fb.tracking_hash
    assert services.feedback_by_code(code.lower()) == fb
    assert services.feedback_by_code("ABCDEFGHJK") is None
    assert fb.events.get().kind == FeedbackEvent.Kind.RECEIVED
    assert AuditEvent.objects.filter(object_type__icontains="feedback").count() >= 1


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"sender_phone": "12ab"}, "sender_phone"),
    ],
)
def test_submit_refuses_bad_input_and_stores_nothing(personas, kw, field):
    with pytest.raises(ValidationError) as err:
        submit(personas.hoankiem, **kw)
    assert field in err.value.message_dict
    assert Feedback.objects.count() == 0


def test_submit_refuses_non_commune(personas):
    with pytest.raises(ValidationError) as err:
        submit(personas.city)
    assert "xã/phường" in err.value.message_dict["unit"][0]
    assert Feedback.objects.count() == 0


def test_escalation_is_idempotent_and_audited(personas):
    fb, _code = submit(personas.hoankiem)
    Feedback.objects.filter(pk=fb.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    before = AuditEvent.objects.count()
    assert services.escalate_overdue() == 1
    assert services.escalate_overdue() == 0
    fb.refresh_from_db()
    assert fb.unit == personas.city and fb.escalation_level == 1
    assert fb.deadline > timezone.now()
    event = fb.events.get(kind=FeedbackEvent.Kind.ESCALATED)
    assert event.from_unit == personas.hoankiem
    assert AuditEvent.objects.count() == before + 1
    # the city has no parent: an overdue case there stays put
    Feedback.objects.filter(pk=fb.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    call_command("escalate_feedback")
    fb.refresh_from_db()
    assert fb.unit == personas.city and fb.escalation_level == 1


def test_resolved_not_escalated(personas):
    fb, _code = submit(personas.hoankiem)
    services.feedback_resolve(user=personas.officer_hoankiem, feedback=fb, resolution="Đã hỗ trợ")
    Feedback.objects.filter(pk=fb.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    assert services.escalate_overdue() == 0


def test_resolve_out_of_scope_rolls_back(personas):
    fb, _code = submit(personas.hoankiem)
    with pytest.raises(OutOfScope):
        services.feedback_resolve(user=personas.officer_donganh, feedback=fb, resolution="x")
    fb.refresh_from_db()
    assert fb.status == Feedback.Status.RECEIVED and fb.resolution == ""


def test_reopen_and_rate(personas):
    fb, _code = submit(personas.hoankiem)
    with pytest.raises(ValidationError):
        services.feedback_reopen(feedback=fb)
    services.feedback_resolve(user=personas.officer_hoankiem, feedback=fb, resolution="Xong")
    services.feedback_rate(feedback=fb, satisfaction=2)
    with pytest.raises(ValidationError):
        services.feedback_rate(feedback=fb, satisfaction=9)
    services.feedback_reopen(feedback=fb, reason="Chưa thỏa đáng")
    assert fb.status == Feedback.Status.REOPENED
    fb2, _ = submit(personas.hoankiem)
    services.feedback_resolve(user=personas.officer_hoankiem, feedback=fb2, resolution="Xong")
    Feedback.objects.filter(pk=fb2.pk).update(resolved_at=timezone.now() - dt.timedelta(days=31))
    fb2.refresh_from_db()
    with pytest.raises(ValidationError):
        services.feedback_reopen(feedback=fb2)


def test_sensitive_feedback_hidden_without_permission(personas):
    fb, _code = submit(personas.hoankiem, code="bao-luc")
    plain, _ = submit(personas.hoankiem)
    officer = personas.officer_hoankiem
    assert list(feedback_visible(officer)) == [plain]
    with pytest.raises(OutOfScope):
        feedback_get_or_404(officer, fb.pk)
    assert feedback_get_or_404(personas.city_admin, fb.pk) == fb
    assert list(feedback_visible(personas.officer_donganh)) == []


def test_recommendations_follow_up(personas):
    user = personas.officer_hoankiem
    today = timezone.localdate()
    activity = services.activity_create(
        user=user,
        kind=SupervisionActivity.Kind.SUPERVISION,
        topic="Thực hiện chính sách hỗ trợ phụ nữ",
        unit=personas.hoankiem,
        starts_on=today,
    )
    late = services.recommendation_create(
        user=user,
        activity=activity,
        text="A",
        addressed_to="UBND",
        deadline=today - dt.timedelta(days=1),
    )
    ok = services.recommendation_create(
        user=user,
        activity=activity,
        text="B",
        addressed_to="UBND",
        deadline=today + dt.timedelta(days=5),
    )
    done = services.recommendation_create(
        user=user,
        activity=activity,
        text="C",
        addressed_to="UBND",
        deadline=today - dt.timedelta(days=3),
    )
    services.recommendation_respond(user=user, rec=done, received_on=today, text="Đã tiếp thu")
    assert done.status == Recommendation.Status.ANSWERED
    services.recommendation_decide(user=user, rec=done, status=Recommendation.Status.IMPLEMENTED)
    assert done.published and done.published_at
    follow = services.unit_follow_up(personas.hoankiem)
    assert follow["overdue"] == [late] and follow["open"] == [ok] and follow["done"] == [done]
    with pytest.raises(OutOfScope):
        services.recommendation_create(
            user=personas.officer_donganh,
            activity=activity,
            text="X",
            addressed_to="Y",
            deadline=today,
        )
    assert Recommendation.objects.count() == 3


def test_activity_out_of_scope_not_created(personas):
    with pytest.raises(OutOfScope):
        services.activity_create(
            user=personas.officer_donganh,
            kind="supervision",
            topic="T",
            unit=personas.hoankiem,
            starts_on=timezone.localdate(),
        )
    assert SupervisionActivity.objects.count() == 0
