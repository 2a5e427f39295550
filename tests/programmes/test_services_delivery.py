"""Deliveries: recorded once per entitlement, with evidence; two officers at the same moment
end with one delivery (PostgreSQL, two connections)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from ansinh.core.scoping import OutOfScope
from ansinh.programmes import services
from ansinh.programmes.models import Delivery, Entitlement, Round

from .helpers import approved_round, deliver, tet


def test_delivery_recorded_with_evidence(personas, staff, leader, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    round_ = approved_round(personas, staff, leader)
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    photo = SimpleUploadedFile("trao-qua.jpg", b"\xff\xd8\xff fake jpeg", "image/jpeg")
    delivery, created = services.delivery_record(
        user=personas.officer_hoankiem,
        entitlement=entitlement,
        delivered_on=timezone.localdate(),
        evidence=photo,
        acknowledged=True,
        acknowledged_how=Delivery.Acknowledgement.SIGNATURE,
    )
    assert created is True
    assert delivery.amount == 500_000
    assert delivery.evidence.name.startswith("programmes/evidence/")
    entitlement.refresh_from_db()
    round_.refresh_from_db()
    assert entitlement.status == Entitlement.Status.DELIVERED
    assert round_.status == Round.Status.DELIVERING


def test_second_record_returns_the_first(personas, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    first, created = deliver(personas.officer_hoankiem, entitlement)
    again, created_again = deliver(personas.officer_hoankiem, entitlement)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("virus.exe", 10, "Minh chứng phải là ảnh (JPG, PNG, WEBP, HEIC) hoặc tệp PDF."),
        ("lon.pdf", 10 * 1024 * 1024 + 1, "Tệp minh chứng lớn hơn 10 MB."),
    ],
)
def test_bad_evidence_is_refused_and_nothing_written(
    personas, staff, leader, world, name, size, message
):
    round_ = approved_round(personas, staff, leader)
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    upload = SimpleUploadedFile(name, b"x" * size)
    with pytest.raises(ValidationError) as caught:
        services.delivery_record(
            user=personas.officer_hoankiem,
            entitlement=entitlement,
            delivered_on=timezone.localdate(),
            evidence=upload,
        )
    assert caught.value.message_dict == {"evidence": [message]}
    assert Delivery.objects.count() == 0


def test_delivery_refused_before_approval_and_in_future(personas, staff, world):
    round_ = services.round_create(
        user=staff,
        programme=tet(),
        unit=personas.city,
        title="Chưa duyệt",
        rule='household_has("HO_NGHEO")',
    )
    services.round_generate_candidates(user=staff, round=round_)
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    with pytest.raises(ValidationError) as caught:
        deliver(personas.officer_hoankiem, entitlement)
    assert caught.value.messages == ["Đợt chưa được phê duyệt hoặc đã kết thúc."]
    with pytest.raises(ValidationError):
        deliver(
            personas.officer_hoankiem, entitlement, on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert Delivery.objects.count() == 0


def test_delivery_out_of_scope_is_404_and_nothing_written(personas, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    entitlement = round_.entitlements.get(person=world.da_old[0])
    with pytest.raises(OutOfScope):
        deliver(personas.officer_hoankiem, entitlement)
    assert Delivery.objects.count() == 0
    entitlement.refresh_from_db()
    assert entitlement.status == Entitlement.Status.APPROVED


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="SQLite serialises writers (no row locks); the race is tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_end_with_one_delivery(reference_rows, personas, staff, leader, world):
    from ansinh.accounts.permissions import Role
    from tests.factories import RoleAssignmentFactory, UserFactory

    second = UserFactory(username="hoankiem2")
    RoleAssignmentFactory(user=second, role=Role.COMMUNE_OFFICER, unit=personas.hoankiem)
    round_ = approved_round(personas, staff, leader)
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def record(user):
        try:
            barrier.wait(timeout=10)
            results.append(deliver(user, Entitlement.objects.get(pk=entitlement.pk)))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=record, args=(user,))
        for user in (personas.officer_hoankiem, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(created for _delivery, created in results) == [False, True]
    assert len({delivery.pk for delivery, _created in results}) == 1
    assert Delivery.objects.filter(entitlement=entitlement).count() == 1
