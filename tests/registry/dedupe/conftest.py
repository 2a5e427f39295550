import datetime as dt

import pytest

from ansinh.core.text import fold
from tests.registry.factories import HouseholdFactory, PersonFactory


@pytest.fixture
def make_person(personas):
    """make_person(name, unit="hoankiem", **fields) → a Person in a new household."""

    def make(full_name: str, unit: str = "hoankiem", household=None, **fields):
        if household is None:
            household = HouseholdFactory(unit=getattr(personas, unit))
        birth_date = fields.pop("birth_date", dt.date(1985, 3, 12))
        birth_year = fields.pop("birth_year", birth_date.year if birth_date else None)
        return PersonFactory(
            household=household,
            full_name=full_name,
            name_folded=fold(full_name),
            birth_date=birth_date,
            birth_year=birth_year,
            **fields,
        )

    return make
