"""The reach tables behind "Ai chưa được hỗ trợ": kept up to date by the delivery service and
the merge hook, rebuilt from the deliveries (command `reach-rebuild`) with the same result,
and read by the left-behind figures."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from ansinh.programmes.hooks import months_before
from ansinh.programmes.models import Delivery, Entitlement, PersonReach, Programme, ProgrammeReach
from ansinh.programmes.reach import reach_rebuild, reach_refresh
from ansinh.programmes.selectors import left_behind, unreached_people
from ansinh.registry.merging import person_merge
from ansinh.registry.models import Person

from .helpers import approved_round, deliver

POOR = 'household_has("HO_NGHEO")'


def _tables():
    people = sorted(
        PersonReach.objects.values_list("person_id", "first_reached_on", "last_reached_on", "times")
    )
    programmes = sorted(
        ProgrammeReach.objects.values_list(
            "person_id", "programme_id", "first_reached_on", "last_reached_on", "times"
        )
    )
    return people, programmes


@pytest.fixture
def two_rounds(personas, staff, leader, world):
    """Two approved rounds (Tết, then another Tết) listing every poor person."""
    first = approved_round(personas, staff, leader, rule=POOR)
    second = approved_round(personas, staff, leader, rule=POOR)
    return first, second


def test_delivery_creates_then_updates_the_reach_rows(personas, two_rounds, world):
    first, second = two_rounds
    today = timezone.localdate()
    person = world.hk_old[0]
    assert not PersonReach.objects.filter(person=person).exists()

    deliver(personas.officer_hoankiem, first.entitlements.get(person=person), on=today)
    reach = PersonReach.objects.get(person=person)
    assert (reach.first_reached_on, reach.last_reached_on, reach.times) == (today, today, 1)

    earlier = today - dt.timedelta(days=40)
    deliver(personas.officer_hoankiem, second.entitlements.get(person=person), on=earlier)
    reach.refresh_from_db()
    assert (reach.first_reached_on, reach.last_reached_on, reach.times) == (earlier, today, 2)
    row = ProgrammeReach.objects.get(person=person)
    assert (row.programme.code, row.first_reached_on, row.last_reached_on, row.times) == (
        "QUA_TET",
        earlier,
        today,
        2,
    )
    # Recording the same delivery again changes nothing.
    deliver(personas.officer_hoankiem, second.entitlements.get(person=person), on=today)
    reach.refresh_from_db()
    assert reach.times == 2
    assert PersonReach.objects.count() == 1


def test_refused_delivery_leaves_no_reach(personas, two_rounds, world):
    first, _second = two_rounds
    from ansinh.core.scoping import OutOfScope

    with pytest.raises(OutOfScope):
        deliver(personas.officer_hoankiem, first.entitlements.get(person=world.da_old[0]))
    assert PersonReach.objects.count() == ProgrammeReach.objects.count() == 0


def test_rebuild_equals_incremental(personas, two_rounds, world):
    first, second = two_rounds
    today = timezone.localdate()
    deliver(personas.officer_hoankiem, first.entitlements.get(person=world.hk_old[0]), on=today)
    deliver(
        personas.officer_hoankiem,
        second.entitlements.get(person=world.hk_old[0]),
        on=months_before(today, 3),
    )
    deliver(personas.officer_hoankiem, first.entitlements.get(person=world.hk_old[1]))
    deliver(
        personas.officer_donganh,
        second.entitlements.get(person=world.da_old[1]),
        on=months_before(today, 20),
    )
    incremental = _tables()
    assert len(incremental[0]) == 3
    assert reach_rebuild() == {"people": 3, "programme_rows": 3}
    assert _tables() == incremental
    # Emptied and rebuilt by the command: the same again.
    PersonReach.objects.all().delete()
    ProgrammeReach.objects.all().delete()
    out = io.StringIO()
    call_command("reach_rebuild", stdout=out)
    assert "3 người, 3 dòng theo chương trình" in out.getvalue()
    assert _tables() == incremental


def test_bulk_loaded_deliveries_count_after_rebuild(personas, two_rounds, world):
    """Rows written without the service (as a bulk load does) are not seen by the
    left-behind figures until the reach tables are rebuilt."""
    first, _second = two_rounds
    entitlement = first.entitlements.get(person=world.da_old[0])
    Delivery.objects.create(
        entitlement=entitlement,
        person=entitlement.person,
        programme=first.programme,
        delivered_on=timezone.localdate(),
        deliverer=personas.officer_donganh,
    )
    Entitlement.objects.filter(pk=entitlement.pk).update(status="delivered")
    today = timezone.localdate()
    assert left_behind(people=Person.objects.all(), today=today, months=12).reached == 0
    reach_rebuild()
    figures = left_behind(people=Person.objects.all(), today=today, months=12)
    assert (figures.total, figures.reached) == (7, 1)
    assert world.da_old[0] not in set(
        unreached_people(people=Person.objects.all(), today=today, months=12)
    )


def test_past_day_reads_the_deliveries(personas, two_rounds, world):
    """Asked about a past day, the figures come from the deliveries themselves: a delivery
    made after that day does not count."""
    first, _second = two_rounds
    today = timezone.localdate()
    deliver(personas.officer_hoankiem, first.entitlements.get(person=world.hk_old[0]), on=today)
    now = left_behind(people=Person.objects.all(), today=today, months=12)
    yesterday = left_behind(
        people=Person.objects.all(), today=today - dt.timedelta(days=1), months=12
    )
    assert (now.reached, yesterday.reached) == (1, 0)
    tet = next(r for r in now.by_programme if r["code"] == "QUA_TET")
    assert tet["reached"] == 1


def test_merge_refreshes_both_records(personas, two_rounds, world):
    first, second = two_rounds
    today = timezone.localdate()
    merged, kept = world.hk_old[0], world.hk_young
    deliver(personas.officer_hoankiem, first.entitlements.get(person=merged), on=today)
    earlier = months_before(today, 2)
    deliver(personas.officer_hoankiem, second.entitlements.get(person=kept), on=earlier)
    person_merge(user=personas.officer_hoankiem, kept=kept, merged=merged)
    assert not PersonReach.objects.filter(person=merged).exists()
    reach = PersonReach.objects.get(person=kept)
    assert (reach.first_reached_on, reach.last_reached_on, reach.times) == (earlier, today, 2)
    incremental = _tables()
    reach_rebuild()
    assert _tables() == incremental


def test_refresh_of_someone_without_deliveries_removes_the_rows(personas, two_rounds, world):
    first, _second = two_rounds
    person = world.hk_old[0]
    PersonReach.objects.create(
        person=person,
        first_reached_on=timezone.localdate(),
        last_reached_on=timezone.localdate(),
        times=1,
    )
    ProgrammeReach.objects.create(
        person=person,
        programme=Programme.objects.get(code="QUA_TET"),
        first_reached_on=timezone.localdate(),
        last_reached_on=timezone.localdate(),
        times=1,
    )
    reach_refresh(person_ids=[person.pk])
    assert PersonReach.objects.count() == ProgrammeReach.objects.count() == 0


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="SQLite serialises writers; the upsert race is tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_to_one_person_at_once_count_twice(
    reference_rows, personas, staff, leader, world
):
    """Two officers deliver two different rounds to the same person at the same moment: both
    deliveries land and the reach row counts two (the upsert waits, then updates)."""
    from ansinh.accounts.permissions import Role
    from tests.factories import RoleAssignmentFactory, UserFactory

    second_officer = UserFactory(username="hoankiem2")
    RoleAssignmentFactory(user=second_officer, role=Role.COMMUNE_OFFICER, unit=personas.hoankiem)
    first = approved_round(personas, staff, leader, rule=POOR)
    second = approved_round(personas, staff, leader, rule=POOR)
    person = world.hk_old[0]
    jobs = [
        (personas.officer_hoankiem, first.entitlements.get(person=person).pk),
        (second_officer, second.entitlements.get(person=person).pk),
    ]
    barrier = threading.Barrier(2)
    errors = []

    def record(user, pk):
        try:
            barrier.wait(timeout=10)
            deliver(user, Entitlement.objects.get(pk=pk))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Delivery.objects.filter(person=person).count() == 2
    assert PersonReach.objects.get(person=person).times == 2
    assert ProgrammeReach.objects.get(person=person).times == 2
