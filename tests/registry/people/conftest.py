"""Fixtures of the household and people suites: a registered family in each commune."""

import datetime as dt

import pytest

from ansinh.registry.models import Person
from ansinh.registry.services import MemberData, household_register

# Valid citizen IDs (province 001 Hà Nội): digit 4 is century+sex, digits 5–6 the birth year.
MOTHER_CCCD = "001190012345"  # woman born 1990
DAUGHTER_CCCD = "001318000001"  # girl born 2018
SON_CCCD = "001216000002"  # boy born 2016


def family_members(**mother_overrides) -> list[MemberData]:
    """A single mother and her two children."""
    mother = {
        "full_name": "Nguyễn Thị Hoà",
        "sex": Person.Sex.FEMALE,
        "birth_date": dt.date(1990, 5, 12),
        "citizen_id": MOTHER_CCCD,
        "phone": "091 234 5678",
        "relation": Person.Relation.HEAD,
        "occupation": "Công nhân",
        "vulnerabilities": ["PN_DON_THAN_NUOI_CON"],
        "needs": ["VON"],
    }
    mother.update(mother_overrides)
    return [
        MemberData(**mother),
        MemberData(
            full_name="Trần Thị Mai",
            sex=Person.Sex.FEMALE,
            birth_date=dt.date(2018, 9, 1),
            relation=Person.Relation.CHILD,
        ),
        MemberData(
            full_name="Trần Văn Nam",
            sex=Person.Sex.MALE,
            birth_year=2016,
            relation=Person.Relation.CHILD,
        ),
    ]


@pytest.fixture
def family(personas):
    """The single mother's household in Phường Hoàn Kiếm, registered by its officer."""
    return household_register(
        user=personas.officer_hoankiem,
        unit=personas.hoankiem,
        address_line="Số 5 phố Hàng Bạc",
        poverty_status="near_poor",
        poverty_standard="2022-2025",
        poverty_year=2024,
        members=family_members(),
    )


@pytest.fixture
def mother(family) -> Person:
    return family.members.get(relation=Person.Relation.HEAD)


@pytest.fixture
def donganh_person(personas) -> Person:
    household = household_register(
        user=personas.officer_donganh,
        unit=personas.donganh,
        address_line="Thôn Đoài",
        poverty_status="poor",
        members=[
            MemberData(
                full_name="Lê Thị Lan",
                sex=Person.Sex.FEMALE,
                birth_year=1975,
                relation=Person.Relation.HEAD,
            )
        ],
    )
    return household.members.get()
