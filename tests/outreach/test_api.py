"""The outreach API: scoped lists and details, person recipients only where visible."""

import pytest
from django.urls import reverse

from ansinh.core.models import AuditEvent
from ansinh.outreach import services

from .conftest import TODAY, make_activity, make_model, make_person

pytestmark = pytest.mark.django_db


def test_activity_list_scoped_and_filtered(personas, client_for):
    make_activity(personas.officer_hoankiem, personas.hoankiem, title="HK họp")
    make_activity(
        personas.officer_hoankiem,
        personas.hoankiem,
        title="HK Zalo",
        channel="zalo",
        participants=None,
        reach=300,
    )
    make_activity(personas.officer_donganh, personas.donganh, title="ĐA")
    client = client_for(personas.officer_hoankiem)
    data = client.get(reverse("communicationactivity-list")).json()
    assert data["count"] == 2
    assert {row["title"] for row in data["results"]} == {"HK họp", "HK Zalo"}
    zalo = client.get(reverse("communicationactivity-list"), {"channel": "zalo"}).json()
    assert [(r["title"], r["reach"], r["people_reached"]) for r in zalo["results"]] == [
        ("HK Zalo", 300, 300)
    ]
    assert (
        client_for(personas.aggregate_viewer)
        .get(reverse("communicationactivity-list"))
        .json()["count"]
        == 0
    )


def test_models_with_copies(personas, client_for):
    source = make_model(personas.officer_hoankiem, personas.hoankiem)
    make_model(personas.officer_donganh, personas.donganh, copied_from=source)
    row = (
        client_for(personas.officer_hoankiem)
        .get(reverse("communitymodel-detail", args=[source.pk]))
        .json()
    )
    assert row["copies_count"] == 1 and row["status"] == "active"
    assert row["kind_code"] == "dia-chi-tin-cay"


def test_commendation_person_in_api_is_audited(personas, client_for):
    person = make_person(personas.hoankiem, "Đỗ Thị Hiền")
    commendation = services.commendation_create(
        user=personas.city_admin,
        recipient_person=person,
        level="city_union",
        form="giay_khen",
        reason="Thành tích",
        awarded_on=TODAY(),
    )
    client = client_for(personas.officer_hoankiem)
    row = client.get(reverse("commendation-detail", args=[commendation.pk])).json()
    assert row["recipient_kind"] == "person"
    assert row["recipient_person"] == person.pk and row["recipient_name"] == "Đỗ Thị Hiền"
    listing = client.get(reverse("commendation-list")).json()
    assert listing["count"] == 1
    assert (
        AuditEvent.objects.filter(
            action="view", object_type="registry.person", object_id=str(person.pk)
        ).count()
        == 2
    )
    assert (
        client_for(personas.officer_donganh)
        .get(reverse("commendation-detail", args=[commendation.pk]))
        .status_code
        == 404
    )


def test_topics_listed(personas, client_for):
    data = client_for(personas.officer_hoankiem).get(reverse("communicationtopic-list")).json()
    assert "nq42" in {row["code"] for row in data["results"]}
