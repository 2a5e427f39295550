"""The programmes' report figures: exact values by union-unit path (and by programme), for
a period that leaves out what happened before and after it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ansinh.core.indicators import get_computed, sum_under
from ansinh.programmes import livelihood, services
from ansinh.programmes.models import Programme
from ansinh.registry.models import Person

from .helpers import approved_round, deliver
from .livelihood_helpers import course, grant_writes, loan

POOR = 'household_has("HO_NGHEO")'


def _values(code, start, end, by=None):
    return get_computed(code).values(start=start, end=end, by=by)


@pytest.fixture
def period():
    today = timezone.localdate()
    return today - dt.timedelta(days=90), today


def _house_round(personas, staff, leader):
    round_ = services.round_create(
        user=staff,
        programme=Programme.objects.get(code="MAI_AM"),
        unit=personas.city,
        title="Mái ấm 2026",
        rule=POOR,
        amount_per_person=50_000_000,
    )
    services.round_generate_candidates(user=staff, round=round_)
    services.round_submit(user=staff, round=round_)
    services.round_approve(user=leader, round=round_)
    return round_


def test_people_supported_support_amount_and_houses(personas, staff, leader, world, period):
    start, end = period
    tet_round = approved_round(personas, staff, leader, rule=POOR, amount=500_000)
    house_round = _house_round(personas, staff, leader)
    hk, da = personas.officer_hoankiem, personas.officer_donganh
    # Hoàn Kiếm: one person gets both a Tết gift and a house, another only a gift.
    deliver(hk, tet_round.entitlements.get(person=world.hk_old[0]), on=end)
    deliver(hk, house_round.entitlements.get(person=world.hk_old[0]), on=start)
    deliver(hk, tet_round.entitlements.get(person=world.hk_old[1]), on=end)
    # Đông Anh: one gift in the period, one house before it (not counted).
    deliver(da, tet_round.entitlements.get(person=world.da_old[0]), on=end)
    deliver(
        da, house_round.entitlements.get(person=world.da_old[1]), on=start - dt.timedelta(days=1)
    )
    hk_path, da_path = personas.hoankiem.path, personas.donganh.path

    people = _values("PEOPLE_SUPPORTED", start, end)
    assert (sum_under(people, hk_path), sum_under(people, da_path)) == (2, 1)
    assert sum_under(people, personas.city.path) == 3
    by_programme = _values("PEOPLE_SUPPORTED", start, end, by="programme")
    assert {key: n for key, n in by_programme.items() if key[0].startswith(hk_path)} == {
        (world.hk_old[0].scope_path, "QUA_TET"): 2,
        (world.hk_old[0].scope_path, "MAI_AM"): 1,
    }

    amount = _values("SUPPORT_AMOUNT", start, end)
    assert sum_under(amount, hk_path) == 500_000 * 2 + 50_000_000
    assert sum_under(amount, da_path) == 500_000
    amount_by = _values("SUPPORT_AMOUNT", start, end, by="programme")
    assert sum(v for (path, code), v in amount_by.items() if code == "MAI_AM") == 50_000_000

    houses = _values("HOUSES", start, end)
    assert (sum_under(houses, hk_path), sum_under(houses, da_path)) == (1, 0)
    everything = _values("HOUSES", start - dt.timedelta(days=5), end)
    assert sum_under(everything, personas.city.path) == 2


def test_loan_figures_count_women_and_policy_bank_only(personas, world, period):
    start, end = period
    officer = personas.officer_hoankiem
    grant_writes(officer, personas.hoankiem)
    inside = start + dt.timedelta(days=10)
    loan(officer, world.hk_young, amount=30_000_000, applied_on=inside, disbursed_on=inside)
    loan(officer, world.hk_young, amount=20_000_000, applied_on=inside, disbursed_on=end)
    loan(officer, world.hk_old[0], amount=10_000_000, applied_on=inside)  # not disbursed
    loan(  # another bank
        officer,
        world.hk_old[1],
        amount=15_000_000,
        bank="agribank",
        applied_on=inside,
        disbursed_on=inside,
    )
    man = world.hk_old[2]
    Person.objects.filter(pk=man.pk).update(sex=Person.Sex.MALE)
    loan(officer, man, amount=40_000_000, applied_on=inside, disbursed_on=inside)
    before = start - dt.timedelta(days=1)
    loan(personas.city_admin, world.da_old[0], amount=5_000_000, applied_on=before,
         disbursed_on=before)  # fmt: skip

    women = _values("LOAN_WOMEN", start, end)
    assert sum_under(women, personas.hoankiem.path) == 1
    assert sum_under(women, personas.donganh.path) == 0
    amount = _values("LOAN_AMOUNT", start, end)
    assert sum_under(amount, personas.city.path) == 50_000_000


def test_training_figures(personas, world, period):
    start, end = period
    officer = personas.officer_hoankiem
    grant_writes(officer, personas.hoankiem)
    lop = course(officer, personas.hoankiem, starts_on=start - dt.timedelta(days=200))

    def record(person, **fields):
        enrolment = livelihood.enrolment_create(user=officer, course=lop, person=person)
        if fields:
            livelihood.enrolment_update(user=officer, enrolment=enrolment, **fields)

    done_in = start + dt.timedelta(days=5)
    done_before = start - dt.timedelta(days=100)
    record(
        world.hk_young,
        completed=True,
        completed_on=done_in,
        outcome_3m="employed",
        outcome_3m_checked_on=end,
    )
    record(
        world.hk_old[0],
        completed=True,
        completed_on=done_before,
        outcome_3m="not_employed",
        outcome_3m_checked_on=done_before + dt.timedelta(days=90),
        outcome_6m="self_employed",
        outcome_6m_checked_on=start + dt.timedelta(days=1),
    )
    record(
        world.hk_old[1],
        completed=True,
        completed_on=done_before,
        outcome_3m="employed",
        outcome_3m_checked_on=done_before + dt.timedelta(days=1),  # checked before the period
    )
    record(world.hk_old[2])  # still learning

    trained = _values("TRAINED", start, end)
    assert sum_under(trained, personas.city.path) == 1
    employed = _values("EMPLOYED_AFTER_TRAINING", start, end)
    assert sum_under(employed, personas.hoankiem.path) == 2
    assert sum_under(employed, personas.donganh.path) == 0


def test_one_grouped_query_each(django_assert_num_queries, period, db):
    start, end = period
    for code in (
        "PEOPLE_SUPPORTED",
        "SUPPORT_AMOUNT",
        "LOAN_WOMEN",
        "LOAN_AMOUNT",
        "TRAINED",
        "EMPLOYED_AFTER_TRAINING",
        "HOUSES",
    ):
        with django_assert_num_queries(1):
            _values(code, start, end)


def test_children_sponsored_counts_sponsorships_running_in_the_period(personas):
    import datetime as dt

    from ansinh.core.indicators import get_computed as indicator_get
    from ansinh.funds.services import donor_create
    from ansinh.programmes import sponsorship
    from tests.registry.factories import HouseholdFactory, PersonFactory

    sponsor = donor_create(actor=None, unit=personas.hoankiem, name="Bà Mẹ Đỡ Đầu")
    officer = personas.officer_hoankiem
    children = [
        PersonFactory(
            household=HouseholdFactory(unit=personas.hoankiem), birth_date=dt.date(2015, 1, 1)
        )
        for _ in range(3)
    ]
    sponsorship.sponsorship_create(
        user=officer,
        sponsor=sponsor,
        child=children[0],
        monthly_amount=1,
        starts_on=dt.date(2026, 2, 1),
    )
    ended = sponsorship.sponsorship_create(
        user=officer,
        sponsor=sponsor,
        child=children[1],
        monthly_amount=1,
        starts_on=dt.date(2025, 1, 1),
    )
    sponsorship.sponsorship_end(
        user=officer, sponsorship=ended, ends_on=dt.date(2025, 12, 31), reason="stable"
    )
    sponsorship.sponsorship_create(
        user=officer,
        sponsor=sponsor,
        child=children[2],
        monthly_amount=1,
        starts_on=dt.date(2026, 8, 1),
    )
    figure = indicator_get("CHILDREN_SPONSORED")
    assert figure.values(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30)) == {
        personas.hoankiem.path: 1
    }
    assert figure.values(start=dt.date(2025, 7, 1), end=dt.date(2025, 12, 31)) == {
        personas.hoankiem.path: 1
    }
