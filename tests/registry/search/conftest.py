import datetime as dt

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


def make_person(unit, full_name, **fields):
    household = fields.pop("household", None) or HouseholdFactory(
        unit=unit, poverty_status=fields.pop("poverty", Household.Poverty.NONE)
    )
    return PersonFactory(household=household, full_name=full_name, **fields)


@pytest.fixture
def people(personas):
    """A few people in both communes; Hòa is the one every spelling must find."""
    hoa = make_person(
        personas.hoankiem,
        "Nguyễn Thị Hòa",
        citizen_id="001185012345",
        phone="+84912345678",
        poverty=Household.Poverty.POOR,
    )
    lan = make_person(personas.hoankiem, "Nguyễn Thị Lan", birth_date=dt.date(1990, 5, 1))
    nam = make_person(personas.hoankiem, "Trần Văn Nam", sex=Person.Sex.MALE)
    child = make_person(
        personas.hoankiem, "Lê Minh Anh", birth_date=None, birth_year=dt.date.today().year - 4
    )
    far = make_person(personas.donganh, "Nguyễn Thị Hoà", phone="+84987654321")
    gbv = VulnerabilityCategory.objects.get(code="PN_BI_BAO_LUC_GIOI")
    single = VulnerabilityCategory.objects.get(code="PN_DON_THAN_NUOI_CON")
    PersonVulnerability.objects.create(person=hoa, category=single)
    PersonVulnerability.objects.create(person=lan, category=gbv)
    Need.objects.create(
        person=lan, category=NeedCategory.objects.get(code="VON"), opened_on=dt.date(2025, 1, 1)
    )
    return {"hoa": hoa, "lan": lan, "nam": nam, "child": child, "far": far}
