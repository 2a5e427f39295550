"""VULNERABLE_REGISTERED: people standing in the registry at the period's end with an open,
non-sensitive vulnerability, by path, by category and by age band."""

from __future__ import annotations

import datetime as dt

from ansinh.core.indicators import get_computed as indicator_get
from ansinh.registry.models import Person, PersonVulnerability, VulnerabilityCategory
from tests.registry.factories import HouseholdFactory, PersonFactory

END = dt.date(2026, 6, 30)


def _link(person, code, **dates):
    category = VulnerabilityCategory.objects.get(code=code)
    return PersonVulnerability.objects.create(person=person, category=category, **dates)


def test_counts_open_non_sensitive_vulnerabilities_at_the_end(personas):
    hk, da = personas.hoankiem, personas.donganh
    mother = PersonFactory(household=HouseholdFactory(unit=hk), birth_date=dt.date(1990, 1, 1))
    _link(mother, "PN_DON_THAN_NUOI_CON")
    _link(mother, "HO_NGHEO")
    child = PersonFactory(household=mother.household, birth_date=dt.date(2022, 1, 1))
    _link(child, "TE_MO_COI")
    closed = PersonFactory(household=HouseholdFactory(unit=hk))
    _link(closed, "HO_NGHEO", until=dt.date(2026, 3, 1))  # ended before the period's end
    sensitive = PersonFactory(household=HouseholdFactory(unit=da))
    _link(sensitive, "PN_BI_BAO_LUC_GIOI")  # never in report figures
    moved = PersonFactory(household=HouseholdFactory(unit=da), status=Person.Status.MOVED)
    _link(moved, "HO_NGHEO")
    elder = PersonFactory(household=HouseholdFactory(unit=da), birth_date=dt.date(1950, 5, 5))
    _link(elder, "PN_CAO_TUOI_CO_DON")

    late = PersonFactory(household=HouseholdFactory(unit=da))
    _link(late, "HO_NGHEO")
    # Registered in January, except the last one (after the period: not yet standing).
    Person.objects.exclude(pk=late.pk).update(
        created_at=dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)
    )
    figure = indicator_get("VULNERABLE_REGISTERED")
    period = {"start": dt.date(2026, 1, 1), "end": END}
    assert figure.values(**period) == {hk.path: 2, da.path: 1}
    assert figure.values(**period, by="category") == {
        (hk.path, "PN_DON_THAN_NUOI_CON"): 1,
        (hk.path, "HO_NGHEO"): 1,
        (hk.path, "TE_MO_COI"): 1,
        (da.path, "PN_CAO_TUOI_CO_DON"): 1,
    }
    assert figure.values(**period, by="age_band") == {
        (hk.path, "18-59"): 1,
        (hk.path, "0-5"): 1,
        (da.path, "60+"): 1,
    }
