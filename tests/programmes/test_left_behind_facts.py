"""The left-behind figures the view reads (`left_behind_for`, `unreached_rows`: the maintained
facts table on PostgreSQL, ADR 0007) equal the live computation on random data — for the
city, for a commune officer, for several windows — and stay equal after new deliveries, a
vulnerability that ends, one that starts later, a move, a category turned sensitive, a
commune renamed, a reach rebuild, and as `today` moves on. On SQLite both are the live
computation (the comparison still checks the plumbing)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.utils import timezone

from ansinh.geo.models import AdminUnit
from ansinh.programmes.models import Programme
from ansinh.programmes.reach import reach_add, reach_rebuild
from ansinh.programmes.selectors import (
    left_behind,
    left_behind_for,
    unreached_people,
    unreached_rows,
)
from ansinh.registry.models import Person, PersonVulnerability, VulnerabilityCategory
from tests.factories import UserFactory

from .conftest import _person, add_category
from .helpers import approved_round, deliver

CODES = ["HO_NGHEO", "PN_KHUYET_TAT", "PN_CAO_TUOI_CO_DON", "NGUOI_NHIEM_HIV"]


@pytest.fixture
def city_admin(db):
    return UserFactory(username="quantri", is_superuser=True, is_staff=True)


@pytest.fixture
def random_world(personas):
    rng = random.Random(7)
    today = timezone.localdate()
    programmes = list(Programme.objects.order_by("pk"))
    people = []
    for index in range(40):
        unit = personas.hoankiem if index % 3 else personas.donganh
        person = _person(
            unit, born=dt.date(1940 + index, 1, 1), poor=rng.random() < 0.5, name=f"Người {index}"
        )
        for code in rng.sample(CODES, rng.randrange(0, 3)):
            roll = rng.random()
            since = today - dt.timedelta(days=rng.randrange(1, 900))
            until = None
            if roll < 0.15:  # ended
                until = today - dt.timedelta(days=rng.randrange(1, 100))
            elif roll < 0.25:  # ends later: counted until then
                until = today + dt.timedelta(days=rng.randrange(1, 20))
            elif roll < 0.3:  # starts later
                since = today + dt.timedelta(days=rng.randrange(1, 20))
            if (
                code == "HO_NGHEO"
                and PersonVulnerability.objects.filter(person=person, category__code=code).exists()
            ):
                continue
            add_category(person, code, since=since, until=until)
        if rng.random() < 0.1:
            person.status = Person.Status.MOVED
            person.save(update_fields=["status"])
        for _ in range(rng.randrange(0, 4)):
            reach_add(
                person_id=person.pk,
                programme_id=rng.choice(programmes).pk,
                delivered_on=today - dt.timedelta(days=rng.randrange(0, 1000)),
            )
        people.append(person)
    return people


def _same(users, today=None):
    today = today or timezone.localdate()
    for user in users:
        for months in (0, 3, 12):
            fast = left_behind_for(user=user, today=today, months=months)
            live = left_behind(
                people=Person.objects.restrict(user, "count"), today=today, months=months
            )
            assert fast == live, (user.username, months)
            rows = unreached_rows(user=user, today=today, months=months, figures=fast)
            expected = list(
                unreached_people(
                    people=Person.objects.restrict(user, "view"), today=today, months=months
                ).values_list("pk", flat=True)
            )
            assert rows.count() == len(expected)
            # Without the figures the count is asked of the table itself.
            alone = unreached_rows(user=user, today=today, months=months)
            assert alone.count() == len(expected)
            assert [p.pk for p in rows[0 : len(expected) + 5]] == expected
            assert [p.pk for p in rows[2:5]] == expected[2:5]


def test_equal_to_the_live_figures_on_random_data(
    personas, random_world, city_admin, staff, leader
):
    users = [city_admin, personas.officer_hoankiem, personas.officer_donganh]
    figures = left_behind_for(user=city_admin, today=timezone.localdate(), months=12)
    assert figures.total > 10  # the data set is not trivially empty
    _same(users)

    # New deliveries through the service, one of them to a person never reached.
    round_ = approved_round(personas, staff, leader, rule='household_has("HO_NGHEO")')
    for entitlement in round_.entitlements.select_related("person")[:4]:
        officer = (
            personas.officer_donganh
            if entitlement.person.scope_path.startswith(personas.donganh.path)
            else personas.officer_hoankiem
        )
        deliver(officer, entitlement)
    _same(users)

    # A vulnerability ends; another one starts later; a person moves away.
    link = PersonVulnerability.objects.filter(until__isnull=True).first()
    link.until = timezone.localdate() - dt.timedelta(days=1)
    link.save(update_fields=["until"])
    later = random_world[5]
    add_category(later, "PN_CAO_TUOI_CO_DON", since=timezone.localdate() + dt.timedelta(days=3))
    mover = random_world[1]
    mover.status = Person.Status.MOVED
    mover.save(update_fields=["status"])
    PersonVulnerability.objects.filter(person=random_world[2]).delete()
    _same(users)

    # As today moves on, links that end or start meanwhile are counted on the right days.
    for days in (2, 5, 15, 30):
        _same(users, today=timezone.localdate() + dt.timedelta(days=days))


def test_equal_after_category_and_commune_changes_and_rebuild(personas, random_world, city_admin):
    users = [city_admin, personas.officer_hoankiem]
    category = VulnerabilityCategory.objects.get(code="PN_KHUYET_TAT")
    category.is_sensitive = True
    category.save(update_fields=["is_sensitive"])
    _same(users)
    commune = AdminUnit.objects.get(pk=random_world[0].household.commune_id)
    commune.name = "Phường A Đổi Tên"
    commune.save(update_fields=["name"])
    _same(users)
    household = random_world[3].household
    household.commune = (
        AdminUnit.objects.exclude(pk=household.commune_id).filter(level=commune.level).first()
        or household.commune
    )
    household.save(update_fields=["commune"])
    _same(users)
    reach_rebuild()
    _same(users)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the facts table is PostgreSQL's")
def test_facts_follow_the_writes(personas, random_world):
    """The table itself is kept: a person's row appears with her first open category, carries
    her reach, and goes when she is no longer counted."""
    person = _person(personas.hoankiem, born=dt.date(1950, 1, 1), poor=False, name="Mới")

    def row():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT cats, volatile, last_reached_on, prog_ids FROM "
                "programmes_leftbehindfact WHERE person_id = %s",
                [person.pk],
            )
            return cursor.fetchone()

    assert row() is None
    link = add_category(person, "PN_KHUYET_TAT", since=dt.date(2020, 1, 1))
    category = link.category_id
    assert row() == ([category], False, None, [])
    today = timezone.localdate()
    tet = Programme.objects.get(code="QUA_TET")
    reach_add(person_id=person.pk, programme_id=tet.pk, delivered_on=today)
    assert row() == ([category], False, today, [tet.pk])
    add_category(person, "HO_NGHEO", until=today + dt.timedelta(days=3))
    assert row()[1] is True
    person.status = Person.Status.DECEASED
    person.save(update_fields=["status"])
    assert row() is None
