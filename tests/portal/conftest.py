"""Fixtures of the public pages' tests: a public campaign with donations from a donor who
shows her name, one who asked not to be named, an in-kind gift, and money allocated to a
round whose delivery went to a named person (whose name must never be published)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from ansinh.accounts.permissions import Role
from ansinh.funds import services as funds
from ansinh.funds.models import Campaign, Donation, Donor
from ansinh.programmes import services as programmes
from ansinh.programmes.models import Programme
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.registry.factories import HouseholdFactory, PersonFactory

HIDDEN_NAME = "Trần Thị Kín Đáo"
BENEFICIARY_NAME = "Phạm Thị Bí Mật"


@pytest.fixture(autouse=True)
def empty_cache():
    """Public pages and the rate limiter keep state in the cache: every test starts empty."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    campaign: Campaign
    hidden: Donor
    round: object
    delivery: object


def _bank(campaign, amount, day, name, memo):
    return funds.donation_record(
        actor=None,
        campaign=campaign,
        kind=Donation.Kind.BANK,
        amount=amount,
        received_on=day,
        donor_name=name,
        memo=memo,
    )


@pytest.fixture
def world(personas) -> World:
    campaign = funds.campaign_create(
        actor=None,
        slug="bao-yagi",
        title="Ủng hộ đồng bào bị ảnh hưởng bão Yagi",
        unit=personas.city,
        receive_from=dt.date(2024, 9, 1),
        receive_until=dt.date(2024, 9, 30),
        bank_account="0011001932418",
    )
    _bank(
        campaign,
        50_000,
        dt.date(2024, 9, 10),
        "Nguyễn Văn Hòa",
        "MBVCB.6916176124.NGUYỄN VĂN HÒA chuyen tien.CT tu 0101001222009",
    )
    _bank(campaign, 200_000, dt.date(2024, 9, 10), "Lê Thị Mai", "LE THI MAI ung ho 0912345678")
    _bank(campaign, 1_000_000, dt.date(2024, 9, 11), "", "=HYPERLINK(chuc binh an)")
    hidden = funds.donor_create(
        actor=None, unit=personas.city, name=HIDDEN_NAME, shows_name_publicly=False
    )
    funds.donation_record(
        actor=None,
        campaign=campaign,
        kind=Donation.Kind.CASH,
        amount=300_000,
        received_on=dt.date(2024, 9, 12),
        donor=hidden,
        memo="TRAN THI KIN DAO ung ho",
    )
    gift = funds.donation_record(
        actor=None,
        campaign=campaign,
        kind=Donation.Kind.IN_KIND,
        amount=0,
        received_on=dt.date(2024, 9, 12),
        donor_name="Công ty Gạo Ngon",
        items=[
            {"item": "Gạo", "quantity": 100, "unit_of_measure": "kg", "estimated_value": 2_000_000}
        ],
    )

    staff = UserFactory(username="giadinh")
    RoleAssignmentFactory(user=staff, role=Role.DEPARTMENT_STAFF, unit=personas.city)
    leader = UserFactory(username="lanhdao")
    RoleAssignmentFactory(user=leader, role=Role.CITY_LEADER, unit=personas.city)
    PersonFactory(
        household=HouseholdFactory(unit=personas.hoankiem),
        full_name=BENEFICIARY_NAME,
        birth_date=dt.date(1950, 1, 1),
    )
    round_ = programmes.round_create(
        user=staff,
        programme=Programme.objects.get_or_create(
            code="QUA_TET", defaults={"name": "Quà Tết", "benefit_kind": "in_kind"}
        )[0],
        unit=personas.city,
        title="Quà Tết 2027",
        budget=10_000_000,
        amount_per_person=500_000,
        rule="age >= 60",
    )
    programmes.round_generate_candidates(user=staff, round=round_)
    programmes.round_submit(user=staff, round=round_)
    programmes.round_approve(user=leader, round=round_)
    round_.refresh_from_db()
    entitlement = round_.entitlements.get()
    delivery, _created = programmes.delivery_record(
        user=personas.city_admin, entitlement=entitlement, delivered_on=dt.date(2024, 9, 20)
    )
    funds.allocation_create(actor=staff, campaign=campaign, round=round_, amount=400_000)
    funds.allocation_create(
        actor=staff, campaign=campaign, round=round_, amount=500_000, delivery=delivery
    )
    funds.allocation_create(
        actor=staff,
        campaign=campaign,
        round=round_,
        delivery=delivery,
        item=gift.items.get(),
        quantity=10,
    )
    return World(campaign=campaign, hidden=hidden, round=round_, delivery=delivery)
