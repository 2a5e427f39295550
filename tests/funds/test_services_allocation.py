"""Allocation: campaign money to rounds, never beyond the balance, also when two race."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse

from ansinh.funds.models import Allocation, Donation, JournalEntry
from ansinh.funds.selectors import campaign_totals, ledger_verify_database, round_funding
from ansinh.funds.services import BalanceError, allocation_create, donation_record
from ansinh.programmes import services as programme_services
from ansinh.programmes.models import Programme

DAY = dt.date(2024, 9, 10)


def _round(personas):
    return programme_services.round_create(
        user=personas.city_admin,
        # get_or_create: transactional tests run after a flush of the seeded catalogue.
        programme=Programme.objects.get_or_create(
            code="QUA_TET", defaults={"name": "Quà Tết", "benefit_kind": "in_kind"}
        )[0],
        unit=personas.city,
        title="Quà Tết 2027",
        budget=10_000_000,
        amount_per_person=500_000,
        rule="age >= 60",
    )


def _fund(campaign, amount):
    donation_record(
        actor=None, campaign=campaign, kind=Donation.Kind.BANK, amount=amount, received_on=DAY
    )


@pytest.mark.django_db
def test_allocation_moves_the_balance_and_posts_an_entry(campaign, personas):
    _fund(campaign, 1_000_000)
    round_ = _round(personas)

    allocation_create(actor=personas.city_admin, campaign=campaign, round=round_, amount=600_000)

    totals = campaign_totals(campaign)
    assert (totals.received, totals.allocated, totals.balance) == (1_000_000, 600_000, 400_000)
    assert JournalEntry.objects.filter(allocation__isnull=False).count() == 1
    assert ledger_verify_database().ok


@pytest.mark.django_db
def test_round_page_shows_the_campaigns_that_fund_it(campaign, personas, client_for):
    _fund(campaign, 1_000_000)
    round_ = _round(personas)
    allocation_create(actor=personas.city_admin, campaign=campaign, round=round_, amount=250_000)
    allocation_create(actor=personas.city_admin, campaign=campaign, round=round_, amount=50_000)

    assert round_funding(round_id=round_.pk) == [
        {"slug": campaign.slug, "title": campaign.title, "amount": 300_000}
    ]
    page = client_for(personas.city_admin).get(reverse("programmes:round_detail", args=[round_.pk]))
    assert "300.000 ₫" in page.content.decode()


@pytest.mark.django_db
def test_allocation_beyond_the_balance_is_refused_and_nothing_written(campaign, personas):
    _fund(campaign, 1_000_000)
    round_ = _round(personas)
    entries = JournalEntry.objects.count()

    with pytest.raises(BalanceError, match="1.000.000"):
        allocation_create(
            actor=personas.city_admin, campaign=campaign, round=round_, amount=1_000_001
        )

    assert Allocation.objects.count() == 0
    assert JournalEntry.objects.count() == entries


@pytest.mark.django_db
def test_an_officer_cannot_allocate_a_campaign_outside_her_scope(campaign, personas):
    from ansinh.core.scoping import OutOfScope

    _fund(campaign, 1_000_000)
    round_ = _round(personas)

    with pytest.raises(OutOfScope):
        allocation_create(
            actor=personas.officer_hoankiem, campaign=campaign, round=round_, amount=100_000
        )
    assert Allocation.objects.count() == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_two_racing_allocations_never_overdraw(campaign, personas):
    _fund(campaign, 1_000_000)
    round_ = _round(personas)
    barrier = threading.Barrier(2)
    outcomes = []

    def allocate():
        try:
            barrier.wait()
            allocation_create(
                actor=personas.city_admin, campaign=campaign, round=round_, amount=700_000
            )
            outcomes.append("ok")
        except BalanceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused"]
    assert campaign_totals(campaign).balance == 300_000
