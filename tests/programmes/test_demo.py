"""The programmes demo data is written through the services and loads once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ansinh.programmes.demo import demo_load
from ansinh.programmes.models import Delivery, LoanFacilitation, Round, Sponsorship
from tests.registry.factories import HouseholdFactory, PersonFactory


def test_demo_load_writes_through_the_services_once(personas, staff, world):
    year = timezone.localdate().year
    for index in range(2):
        PersonFactory(
            household=HouseholdFactory(unit=personas.hoankiem),
            full_name=f"Cháu Demo {index}",
            birth_date=dt.date(year - 10, 3, 1),
        )
    users = {
        "hoankiem": personas.officer_hoankiem,
        "giadinh": staff,
        "thanhpho": personas.city_admin,
    }
    loaded = demo_load(world={"city": personas.city, "users": users}, say=lambda *_: None)
    round_ = loaded["round"]
    round_.refresh_from_db()
    assert round_.status == Round.Status.DELIVERING
    # Three elders in Hoàn Kiếm are listed; the first half of them (one) was delivered.
    assert Delivery.objects.filter(entitlement__round=round_).count() == 1
    assert LoanFacilitation.objects.count() == 1  # the one woman aged 26–56 in the world
    assert Sponsorship.objects.count() == 2
    assert all(s.payments.count() == 3 for s in Sponsorship.objects.all())
    assert demo_load(world={"city": personas.city, "users": users}, say=lambda *_: None) == {}
