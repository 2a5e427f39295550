"""People with known facts for the person-rule suites."""

import datetime as dt
from dataclasses import dataclass

import pytest

from ansinh.registry.models import (
    Household,
    Need,
    NeedCategory,
    Person,
    PersonVulnerability,
    VulnerabilityCategory,
)
from tests.registry.factories import HouseholdFactory, PersonFactory

TODAY = dt.date(2026, 3, 10)


@dataclass
class Village:
    grandmother: Person  # 66, poor household head, HO_NGHEO open, needs VON
    daughter: Person  # 40, same household, no own vulnerability
    unknown_age: Person  # no birth date nor year, same household
    year_only: Person  # born 1966 (birth year only), Đông Anh, union member
    turns_60_tomorrow: Person  # born 11/03/1966, Đông Anh
    moved: Person  # moved away from the grandmother's household, HO_NGHEO open


def vulnerability(person: Person, code: str, **dates) -> PersonVulnerability:
    return PersonVulnerability.objects.create(
        person=person, category=VulnerabilityCategory.objects.get(code=code), **dates
    )


def need(person: Person, code: str, status: str = Need.Status.OPEN) -> Need:
    return Need.objects.create(
        person=person,
        category=NeedCategory.objects.get(code=code),
        status=status,
        opened_on=TODAY - dt.timedelta(days=30),
        met_on=TODAY if status == Need.Status.MET else None,
    )


@pytest.fixture
def village(personas) -> Village:
    poor = HouseholdFactory(unit=personas.hoankiem, poverty_status=Household.Poverty.POOR)
    other = HouseholdFactory(unit=personas.donganh)
    grandmother = PersonFactory(household=poor, birth_date=dt.date(1959, 6, 1))
    daughter = PersonFactory(
        household=poor, birth_date=dt.date(1985, 12, 31), relation=Person.Relation.CHILD
    )
    unknown_age = PersonFactory(
        household=poor, birth_date=None, birth_year=None, relation=Person.Relation.GRANDCHILD
    )
    moved = PersonFactory(
        household=poor,
        birth_date=dt.date(1990, 1, 1),
        relation=Person.Relation.OTHER,
        status=Person.Status.MOVED,
    )
    year_only = PersonFactory(
        household=other, birth_date=None, birth_year=1966, is_union_member=True
    )
    turns_60 = PersonFactory(
        household=other,
        birth_date=dt.date(1966, 3, 11),
        relation=Person.Relation.SPOUSE,
        sex=Person.Sex.MALE,
    )
    vulnerability(grandmother, "HO_NGHEO", since=dt.date(2020, 1, 1))
    vulnerability(grandmother, "PN_KHUYET_TAT", since=dt.date(2020, 1, 1), until=TODAY)
    vulnerability(moved, "LD_NU_DI_CU")
    vulnerability(year_only, "PN_CAO_TUOI_CO_DON", since=TODAY + dt.timedelta(days=1))
    need(grandmother, "VON")
    need(daughter, "HOC_NGHE", Need.Status.MET)
    return Village(grandmother, daughter, unknown_age, year_only, turns_60, moved)
