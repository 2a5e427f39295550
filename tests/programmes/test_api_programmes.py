"""/api/v1/ programmes, rounds, entitlements and deliveries: scoped reads, delivery create."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ansinh.programmes.models import Delivery

from .helpers import approved_round


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_programmes_listed(personas):
    response = _api(personas.officer_hoankiem).get(reverse("programme-list"))
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert "QUA_TET" in codes and "MAI_AM" in codes and len(codes) == 11


def test_entitlements_scoped_to_the_officer(personas, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    response = _api(personas.officer_hoankiem).get(
        reverse("entitlement-list"), {"round": round_.pk}
    )
    names = [row["person_name"] for row in response.json()["results"]]
    assert names == ["Cụ Hoàn Kiếm 0", "Cụ Hoàn Kiếm 1", "Cụ Hoàn Kiếm 2"]
    rounds = _api(personas.officer_hoankiem).get(reverse("programme-round-list")).json()
    assert [row["id"] for row in rounds["results"]] == [round_.pk]


def test_delivery_create_is_idempotent_and_scoped(personas, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    inside = round_.entitlements.get(person=world.hk_old[0])
    outside = round_.entitlements.get(person=world.da_old[0])
    client = _api(personas.officer_hoankiem)
    body = {"entitlement": inside.pk, "delivered_on": timezone.localdate().isoformat()}
    first = client.post(reverse("delivery-list"), body, format="json")
    again = client.post(reverse("delivery-list"), body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["amount"] == 500_000
    refused = client.post(
        reverse("delivery-list"),
        {"entitlement": outside.pk, "delivered_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert refused.status_code == 404
    assert Delivery.objects.count() == 1
    listed = client.get(reverse("delivery-list")).json()
    assert [row["entitlement"] for row in listed["results"]] == [inside.pk]


def test_delivery_create_refused_to_aggregate_viewer(personas, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    response = _api(personas.aggregate_viewer).post(
        reverse("delivery-list"),
        {"entitlement": entitlement.pk, "delivered_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code in (400, 404)
    assert Delivery.objects.count() == 0
