"""Fixtures of the programmes tests: a department officer and a
city leader, and a small world of people in Hoàn Kiếm and Đông Anh."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from ansinh.accounts.permissions import Role
from ansinh.registry.models import Household, Person, PersonVulnerability, VulnerabilityCategory
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.registry.factories import HouseholdFactory, PersonFactory


@pytest.fixture
def staff(personas):
    """giadinh: department staff at the city (proposes rounds)."""
    user = UserFactory(username="giadinh", full_name="Giadinh")
    RoleAssignmentFactory(user=user, role=Role.DEPARTMENT_STAFF, unit=personas.city)
    return user


@pytest.fixture
def leader(personas):
    """lanhdao: city leader (approves rounds)."""
    user = UserFactory(username="lanhdao", full_name="Lanhdao")
    RoleAssignmentFactory(user=user, role=Role.CITY_LEADER, unit=personas.city)
    return user


def add_category(person, code, since=None, until=None):
    return PersonVulnerability.objects.create(
        person=person,
        category=VulnerabilityCategory.objects.get(code=code),
        since=since,
        until=until,
    )


@dataclass
class World:
    hk_old: list  # Hoàn Kiếm, poor household, over 60 (oldest first)
    hk_young: Person  # Hoàn Kiếm, poor household, 40
    hk_other: Person  # Hoàn Kiếm, not poor, over 60, disabled
    da_old: list  # Đông Anh, poor household, over 60


def _person(unit, *, born, poor=True, name=None):
    household = HouseholdFactory(
        unit=unit,
        poverty_status=Household.Poverty.POOR if poor else Household.Poverty.NONE,
    )
    kwargs = {"household": household, "birth_date": born}
    if name:
        kwargs["full_name"] = name
    person = PersonFactory(**kwargs)
    if poor:
        add_category(person, "HO_NGHEO")
    return person


@pytest.fixture
def world(personas) -> World:
    hk_old = [
        _person(personas.hoankiem, born=dt.date(1940 + i, 1, 1), name=f"Cụ Hoàn Kiếm {i}")
        for i in range(3)
    ]
    hk_young = _person(personas.hoankiem, born=dt.date(1985, 5, 5), name="Chị Trẻ")
    hk_other = _person(personas.hoankiem, born=dt.date(1950, 1, 1), poor=False, name="Bà Khá")
    add_category(hk_other, "PN_KHUYET_TAT")
    da_old = [
        _person(personas.donganh, born=dt.date(1945 + i, 6, 1), name=f"Cụ Đông Anh {i}")
        for i in range(2)
    ]
    return World(hk_old=hk_old, hk_young=hk_young, hk_other=hk_other, da_old=da_old)


TET_RULE = 'age >= 60 and household_has("HO_NGHEO") and not received("QUA_TET", within_months=12)'
