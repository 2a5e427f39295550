import datetime as dt

import pytest

from ansinh.core.indicators import get_computed, sum_under
from ansinh.outreach import services
from ansinh.outreach.models import Commendation, CommunicationActivity

from .conftest import TODAY, make_activity, make_model, make_person, topic

pytestmark = pytest.mark.django_db


def test_communication_indicators(personas):
    hk, da = personas.hoankiem.path, personas.donganh.path
    make_activity(personas.officer_hoankiem, personas.hoankiem, participants=100)
    make_activity(
        personas.officer_hoankiem,
        personas.hoankiem,
        channel="zalo",
        participants=None,
        reach=850,
        topic=topic("bhyt"),
    )
    make_activity(personas.officer_donganh, personas.donganh, participants=40, reach=60)
    make_activity(
        personas.officer_donganh,
        personas.donganh,
        participants=999,
        held_on=TODAY() - dt.timedelta(days=60),
    )
    period = {"start": TODAY() - dt.timedelta(days=7), "end": TODAY()}
    sessions = get_computed("COMMUNICATION_SESSIONS")
    reached = get_computed("COMMUNICATION_REACHED")
    assert sessions.values(**period) == {hk: 2, da: 1}
    assert sessions.values(**period, by="channel") == {
        (hk, "meeting"): 1,
        (hk, "zalo"): 1,
        (da, "meeting"): 1,
    }
    assert sessions.values(**period, by="topic") == {
        (hk, "nq42"): 1,
        (hk, "bhyt"): 1,
        (da, "nq42"): 1,
    }
    assert reached.values(**period) == {hk: 950, da: 100}
    assert reached.values(**period, by="channel")[(hk, "zalo")] == 850
    assert sum_under(reached.values(**period), personas.city.path) == 1050
    assert CommunicationActivity.objects.count() == 4


def test_models_active_at_the_end_of_the_period(personas):
    user = personas.officer_hoankiem
    hk = personas.hoankiem.path
    old = make_model(user, personas.hoankiem, established_on=TODAY() - dt.timedelta(days=300))
    make_model(user, personas.hoankiem, established_on=TODAY() - dt.timedelta(days=10))
    services.community_model_change_status(
        user=user,
        model=old,
        status="paused",
        changed_on=TODAY() - dt.timedelta(days=100),
        reason="Tạm dừng",
    )
    services.community_model_change_status(
        user=user, model=old, status="active", changed_on=TODAY() - dt.timedelta(days=5)
    )
    active = get_computed("COMMUNITY_MODELS_ACTIVE")
    assert active.snapshot is True
    # 200 days ago: only the old one existed, and it was active
    then = TODAY() - dt.timedelta(days=200)
    assert active.values(start=then, end=then) == {hk: 1}
    # 50 days ago: the old one was paused, the new one did not exist yet
    then = TODAY() - dt.timedelta(days=50)
    assert active.values(start=then, end=then) == {}
    assert active.values(start=TODAY(), end=TODAY()) == {hk: 2}
    assert active.values(start=TODAY(), end=TODAY(), by="kind") == {(hk, "dia-chi-tin-cay"): 2}


def test_replicated_and_commendations(personas):
    source = make_model(personas.officer_hoankiem, personas.hoankiem)
    copy = make_model(
        personas.officer_donganh,
        personas.donganh,
        copied_from=source,
        established_on=TODAY() - dt.timedelta(days=3),
    )
    period = {"start": TODAY() - dt.timedelta(days=7), "end": TODAY()}
    assert get_computed("COMMUNITY_MODELS_REPLICATED").values(**period) == {
        personas.donganh.path: 1
    }
    admin = personas.city_admin
    base = {"form": "giay_khen", "reason": "x", "awarded_on": TODAY()}
    services.commendation_create(user=admin, recipient_model=copy, level="city_union", **base)
    services.commendation_create(
        user=admin, recipient_unit=personas.hoankiem, level="city_union", **base
    )
    services.commendation_create(
        user=admin,
        recipient_person=make_person(personas.hoankiem),
        level=Commendation.Level.COMMUNE_UNION,
        **base,
    )
    commendations = get_computed("COMMENDATIONS")
    hk, da = personas.hoankiem.path, personas.donganh.path
    assert commendations.values(**period) == {hk: 2, da: 1}
    assert commendations.values(**period, by="level") == {
        (hk, "city_union"): 1,
        (hk, "commune_union"): 1,
        (da, "city_union"): 1,
    }
    assert commendations.values(**period, by="recipient_kind") == {
        (hk, "unit"): 1,
        (hk, "person"): 1,
        (da, "model"): 1,
    }
    with pytest.raises(ValueError):
        commendations.values(**period, by="colour")


def test_demo_load_idempotent(personas):
    from ansinh.outreach.demo import demo_load

    member = make_person(personas.hoankiem, "Vũ Thị Hội Viên")
    world = {"city": personas.city}
    first = demo_load(world=world, say=lambda *_: None)
    assert first == {"communication_activities": 18, "community_models": 3, "commendations": 3}
    assert Commendation.objects.get(recipient_person__isnull=False).recipient_person == member
    assert demo_load(world=world, say=lambda *_: None) == {}
    assert CommunicationActivity.objects.count() == 18
    copy = Commendation.objects.get(recipient_unit=personas.donganh)
    assert copy.unit == personas.donganh
