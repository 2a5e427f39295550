import datetime as dt

import pytest
from django.utils import timezone

from ansinh.outreach import services
from ansinh.outreach.models import CommunicationTopic, CommunityModelKind
from tests.registry.factories import HouseholdFactory, PersonFactory

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def lists(db):
    """Topics and model kinds (flushed by transactional tests: seed again)."""
    services.lists_seed()


def topic(code="nq42"):
    return CommunicationTopic.objects.get(code=code)


def kind(code="dia-chi-tin-cay"):
    return CommunityModelKind.objects.get(code=code)


def make_activity(user, unit, **overrides):
    data = {
        "held_on": TODAY() - dt.timedelta(days=1),
        "unit": unit,
        "topic": topic(),
        "channel": "meeting",
        "title": "Hội nghị quán triệt Nghị quyết 42",
        "participants": 50,
        "reach": None,
    }
    data.update(overrides)
    return services.activity_create(user=user, **data)


def make_model(user, unit, **overrides):
    data = {
        "kind": kind(),
        "name": "Địa chỉ tin cậy",
        "unit": unit,
        "established_on": TODAY() - dt.timedelta(days=100),
        "members_count": 10,
    }
    data.update(overrides)
    return services.community_model_create(user=user, **data)


def make_person(unit, full_name="Nguyễn Thị Hòa", **fields):
    household = HouseholdFactory(unit=unit)
    return PersonFactory(household=household, full_name=full_name, **fields)
