"""`received(code, within_months=12)` in eligibility rules, and the merge hook."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ansinh.programmes.hooks import months_before
from ansinh.programmes.models import Delivery, Entitlement
from ansinh.registry.merging import person_merge
from ansinh.registry.models import Person
from ansinh.rules.errors import RuleError
from ansinh.rules.person import explain_person
from ansinh.rules.selectors import person_select
from ansinh.rules.services import rule_parse

from .helpers import approved_round, deliver


@pytest.mark.parametrize(
    ("today", "months", "expected"),
    [
        (dt.date(2026, 11, 29), 12, dt.date(2025, 11, 29)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 3, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 15), 13, dt.date(2024, 12, 15)),
        (dt.date(2026, 1, 15), 0, dt.date(2026, 1, 15)),
    ],
)
def test_months_before(today, months, expected):
    assert months_before(today, months) == expected


def _delivered(personas, staff, leader, world, on):
    round_ = approved_round(personas, staff, leader)
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    deliver(personas.officer_hoankiem, entitlement, on=on)
    return round_


def test_received_compiles_to_one_query_and_agrees_with_explain(
    personas, staff, leader, world, django_assert_num_queries
):
    today = timezone.localdate()
    _delivered(personas, staff, leader, world, on=months_before(today, 5))
    rule = rule_parse('received("QUA_TET", within_months=6)')
    people = Person.objects.filter(status=Person.Status.ACTIVE)
    with django_assert_num_queries(1):
        selected = list(person_select(rule=rule, people=people, today=today))
    assert selected == [world.hk_old[0]]
    short = rule_parse('received("QUA_TET", within_months=4)')
    assert list(person_select(rule=short, people=people, today=today)) == []
    default = rule_parse('not received("QUA_TET")')
    assert world.hk_old[0] not in person_select(rule=default, people=people, today=today)
    assert world.hk_old[1] in person_select(rule=default, people=people, today=today)
    for person in people:
        for r in (rule, short, default):
            expected = person in person_select(rule=r, people=people, today=today)
            assert explain_person(r, person, today=today).value is expected, (person, r.text)


def test_received_explains_in_vietnamese(personas, staff, leader, world):
    today = timezone.localdate()
    on = months_before(today, 2)
    _delivered(personas, staff, leader, world, on=on)
    rule = rule_parse('received("QUA_TET", within_months=12)')
    yes = explain_person(rule, world.hk_old[0], today=today)
    assert yes.value is True
    assert yes.sentence == (
        f"Đã nhận Quà Tết, quà dịp lễ trong 12 tháng gần đây (lần gần nhất {on:%d/%m/%Y}): đúng"
    )
    no = explain_person(rule, world.hk_old[1], today=today)
    assert no.value is False
    assert (
        no.sentence == "Đã nhận Quà Tết, quà dịp lễ trong 12 tháng gần đây (không có lần nào): sai"
    )


def test_received_with_unknown_programme_is_refused(db):
    with pytest.raises(RuleError) as caught:
        rule_parse('received("QUA_TETT")')
    assert "QUA_TET" in caught.value.message


def test_tet_rule_excludes_those_who_received(personas, staff, leader, world):
    """The seeded Tết rule leaves out a person given a Tết gift in the window."""
    today = timezone.localdate()
    _delivered(personas, staff, leader, world, on=today)
    from .conftest import TET_RULE

    people = Person.objects.filter(status=Person.Status.ACTIVE)
    selected = set(person_select(rule=rule_parse(TET_RULE), people=people, today=today))
    assert selected == {world.hk_old[1], world.hk_old[2], *world.da_old}


def test_merge_moves_entitlements_to_the_kept_person(personas, staff, leader, world):
    round_ = _delivered(personas, staff, leader, world, on=timezone.localdate())
    merged, kept = world.hk_old[0], world.hk_young  # hk_young is not on the round
    person_merge(user=personas.officer_hoankiem, kept=kept, merged=merged)
    entitlement = round_.entitlements.get(person=kept)
    assert entitlement.status == Entitlement.Status.DELIVERED
    assert Delivery.objects.get().entitlement == entitlement
    assert not Entitlement.objects.filter(person=merged).exists()


def test_merge_keeps_one_entitlement_per_round(personas, staff, leader, world):
    round_ = _delivered(personas, staff, leader, world, on=timezone.localdate())
    # Both on the round; the merged one was delivered, the kept one not yet.
    merged, kept = world.hk_old[0], world.hk_old[1]
    person_merge(user=personas.officer_hoankiem, kept=kept, merged=merged)
    rows = list(
        round_.entitlements.filter(person__in=[kept, merged]).values_list("person", "status")
    )
    assert rows == [(kept.pk, Entitlement.Status.DELIVERED)]
