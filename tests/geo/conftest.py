import pytest

from ansinh.geo.services import units_load


@pytest.fixture
def hanoi_units(db) -> dict:
    """Hanoi's units loaded from the shipped data file; returns the loader's counts."""
    return units_load(province_code="01")
