import datetime as dt

import pytest
from django.utils import timezone

from ansinh.core.indicators import get_computed as indicator_get
from ansinh.oversight import services
from ansinh.oversight.models import FeedbackCategory, SupervisionActivity

pytestmark = pytest.mark.django_db


def test_feedback_and_supervision_indicators(personas):
    today = timezone.localdate()
    for code, unit in [
        ("tam-tu", personas.hoankiem),
        ("tam-tu", personas.hoankiem),
        ("khieu-nai", personas.donganh),
    ]:
        fb, _ = services.feedback_submit(
            channel="officer", text="N", unit=unit, category=FeedbackCategory.objects.get(code=code)
        )
    services.feedback_resolve(user=personas.city_admin, feedback=fb, resolution="Xong")
    activity = SupervisionActivity.objects.create(
        kind="supervision", topic="T", unit=personas.hoankiem, starts_on=today
    )
    rec = services.recommendation_create(
        user=personas.city_admin, activity=activity, text="A", addressed_to="B", deadline=today
    )
    services.recommendation_create(
        user=personas.city_admin, activity=activity, text="C", addressed_to="B", deadline=today
    )
    services.recommendation_decide(user=personas.city_admin, rec=rec, status="implemented")
    period = {"start": today - dt.timedelta(days=1), "end": today}
    hk, da = personas.hoankiem.path, personas.donganh.path
    assert indicator_get("FEEDBACK_RECEIVED").values(**period) == {hk: 2, da: 1}
    assert indicator_get("FEEDBACK_RECEIVED").values(**period, by="category") == {
        (hk, "tam-tu"): 2,
        (da, "khieu-nai"): 1,
    }
    assert indicator_get("FEEDBACK_RESOLVED").values(**period) == {da: 1}
    assert indicator_get("SUPERVISIONS").values(**period) == {hk: 1}
    assert indicator_get("RECOMMENDATIONS_MADE").values(**period) == {hk: 2}
    assert indicator_get("RECOMMENDATIONS_IMPLEMENTED").values(**period) == {hk: 1}
    old = {"start": today - dt.timedelta(days=30), "end": today - dt.timedelta(days=2)}
    assert indicator_get("FEEDBACK_RECEIVED").values(**old) == {}


def test_demo_load_idempotent(personas):
    from ansinh.oversight.demo import demo_load

    world = {"city": personas.city}
    first = demo_load(world=world, say=lambda *_: None)
    assert first == {"supervisions": 2, "recommendations": 3, "feedback": 4}
    assert demo_load(world=world, say=lambda *_: None) == {}
    assert SupervisionActivity.objects.count() == 2
