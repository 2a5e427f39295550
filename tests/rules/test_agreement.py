"""The compiled query and the explainer agree, person by person, on random rules.

A fixed seed draws people (with missing birth dates, leap-day birthdays, vulnerabilities
that open or close around the day, moved members, needs met and open) and a few hundred
rules from the whole language; for each rule the people on the query's *true* rail must be
exactly those the explainer finds true, and those on the *false* rail exactly those it finds
false (the rest are unknown). Decimals in the rules are dyadic (0,5; 0,25) so SQLite's
binary floating point and PostgreSQL's exact numerics give the same answers.
"""

import datetime as dt
import random

import pytest

from ansinh.registry.models import Household, Need, Person
from ansinh.rules.compiler import compile_person_rails
from ansinh.rules.evaluate import evaluate
from ansinh.rules.person import (
    PersonEnvironment,
    evaluate_facts,
    explain_person,
    iter_person_facts,
)
from ansinh.rules.services import rule_parse
from tests.registry.factories import HouseholdFactory, PersonFactory

from .conftest import need, vulnerability

SEED = 20250701
DAYS = [dt.date(2028, 2, 29), dt.date(2026, 3, 10)]
VULNERABILITIES = ["HO_NGHEO", "PN_KHUYET_TAT", "TE_MO_COI"]
NEEDS = ["VON", "HOC_NGHE"]


def make_people(personas, rng: random.Random) -> None:
    units = [personas.hoankiem, personas.donganh]
    for _ in range(14):
        household = HouseholdFactory(
            unit=rng.choice(units), poverty_status=rng.choice(list(Household.Poverty.values))
        )
        for index in range(rng.randint(1, 4)):
            kind = rng.random()
            if kind < 0.15:
                birth_date, birth_year = None, None
            elif kind < 0.3:
                birth_date, birth_year = None, rng.randint(1930, 2027)
            elif kind < 0.4:
                birth_date = dt.date(rng.choice([1960, 1964, 1968, 2000]), 2, 29)
                birth_year = birth_date.year
            elif kind < 0.5:  # birthday around one of the days
                day = rng.choice(DAYS) + dt.timedelta(days=rng.choice([-1, 0, 1]))
                year = day.year - rng.choice([17, 18, 59, 60, 61])
                birth_date = day.replace(year=year, day=min(day.day, 28 if year % 4 else 29))
                birth_year = birth_date.year
            else:
                birth_date = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 35000))
                birth_year = birth_date.year
            person = PersonFactory(
                household=household,
                birth_date=birth_date,
                birth_year=birth_year,
                sex=rng.choice(["F", "M"]),
                ethnicity=rng.choice(["01", "02"]),
                is_union_member=rng.random() < 0.3,
                relation="head" if index == 0 else rng.choice(["spouse", "child", "parent"]),
                status=rng.choices(["active", "moved", "exited_poverty", "deceased"], [6, 1, 1, 1])[
                    0
                ],
            )
            for code in rng.sample(VULNERABILITIES, rng.randint(0, 2)):
                day = rng.choice(DAYS)
                vulnerability(
                    person,
                    code,
                    since=rng.choice(
                        [None, day - dt.timedelta(days=300), day, day + dt.timedelta(days=1)]
                    ),
                    until=rng.choice([None, None, day, day + dt.timedelta(days=1)]),
                )
            for code in rng.sample(NEEDS, rng.randint(0, 2)):
                need(person, code, rng.choice([Need.Status.OPEN, Need.Status.MET]))


def number(rng: random.Random) -> str:
    atoms = [
        "age",
        "birth_year",
        "household_size",
        str(rng.choice([0, 1, 2, 3, 17, 18, 59, 60, 61, 1960, 2000, -3])),
        rng.choice(["0.5", "17.5", "60.5", "59.75"]),
    ]
    atom = rng.choice(atoms)
    draw = rng.random()
    if draw < 0.5:
        return atom
    if draw < 0.6:
        return f"abs({atom} - 60)"
    if draw < 0.7:
        return f"-{atom}"
    op = rng.choice(["+", "-", "*", "/"])
    other = rng.choice(["age", "household_size", "2", "4", "(household_size - 2)", "0.5"])
    return f"({atom} {op} {other})"


def condition(rng: random.Random, depth: int = 0) -> str:
    draw = rng.random()
    if depth < 3 and draw < 0.3:
        op = rng.choice(["and", "or", "và", "hoặc"])
        parts = [condition(rng, depth + 1) for _ in range(rng.randint(2, 3))]
        return "(" + f" {op} ".join(parts) + ")"
    if depth < 3 and draw < 0.4:
        return f"not {condition(rng, depth + 1)}"
    if depth < 3 and draw < 0.45:
        left, right = condition(rng, depth + 1), condition(rng, depth + 1)
        return f"(({left}) {rng.choice(['=', '!='])} ({right}))"
    compare = rng.choice(["<", "<=", ">", ">=", "=", "!="])
    atoms = [
        lambda: (
            f"age {compare} {rng.choice(['0', '17.5', '18', '59', '60', '60.5', '61', '200', '-1'])}"
        ),
        lambda: f"{rng.choice(['18', '60', '60.5'])} {compare} age",
        lambda: f"{number(rng)} {compare} {number(rng)}",
        lambda: f'has("{rng.choice(VULNERABILITIES)}")',
        lambda: f'household_has("{rng.choice(VULNERABILITIES)}")',
        lambda: f'need("{rng.choice(NEEDS)}")',
        lambda: f'sex {rng.choice(["=", "!="])} "{rng.choice(["nu", "nam"])}"',
        lambda: (
            f'poverty {rng.choice(["in", "not in"])} ["ngheo", "{rng.choice(["can_ngheo", "khong"])}"]'
        ),
        lambda: (
            f"age {rng.choice(['in', 'not in'])} [59, 60, {rng.choice(['61', 'birth_year', 'household_size'])}]"
        ),
        lambda: "is_union_member",
        lambda: "is_head",
        lambda: (
            f'status {rng.choice(["=", "!="])} "{rng.choice(["active", "moved", "exited_poverty"])}"'
        ),
        lambda: f'ethnicity = "{rng.choice(["Kinh", "Tày"])}"',
        lambda: f'commune {rng.choice(["=", "!="])} "{rng.choice(["00070", "00454"])}"',
        lambda: (
            f'birth_date {compare} date("{rng.choice(["29/02/1964", "01/03/1966", "10/03/2008"])}")'
        ),
        lambda: f"birth_date {compare} today()",
        lambda: f"household_size {compare} {rng.randint(0, 4)}",
        lambda: rng.choice(["true", "false", "1 < 2"]),
    ]
    return rng.choice(atoms)()


@pytest.mark.parametrize("today", DAYS)
def test_query_and_explainer_agree_on_random_rules(personas, today):
    rng = random.Random(SEED)
    make_people(personas, rng)
    facts = list(iter_person_facts(Person.objects.all(), today=today, chunk=7))
    everyone = {fact.person_id for fact in facts}
    assert len(everyone) >= 30
    seen = {"true": 0, "false": 0, "unknown": 0}
    for _ in range(250):
        text = condition(rng)
        rule = rule_parse(text)
        rails = compile_person_rails(rule, today=today)
        values = {fact.person_id: evaluate_facts(rule, fact, today=today) for fact in facts}
        explained = {
            fact.person_id: evaluate(rule, PersonEnvironment(fact, today)).value for fact in facts
        }
        assert explained == values, text
        expected_true = {pk for pk, value in values.items() if value is True}
        expected_false = {pk for pk, value in values.items() if value is False}
        got_true = set(Person.objects.filter(rails.true).values_list("pk", flat=True))
        got_false = set(Person.objects.filter(rails.false).values_list("pk", flat=True))
        assert got_true == expected_true, text
        assert got_false == expected_false, text
        assert not got_true & got_false, text
        seen["true"] += len(expected_true)
        seen["false"] += len(expected_false)
        seen["unknown"] += len(everyone - expected_true - expected_false)
    # the draw exercised all three outcomes
    assert all(count > 100 for count in seen.values()), seen


def test_bulk_facts_and_single_explanation_agree(personas):
    rng = random.Random(SEED + 1)
    make_people(personas, rng)
    today = DAYS[1]
    people = {person.pk: person for person in Person.objects.all()}
    facts = {
        fact.person_id: fact
        for fact in iter_person_facts(Person.objects.all(), today=today, chunk=5)
    }
    for _ in range(40):
        rule = rule_parse(condition(rng))
        for pk, person in list(people.items())[:12]:
            assert explain_person(rule, person, today=today).value == evaluate_facts(
                rule, facts[pk], today=today
            ), rule.text
