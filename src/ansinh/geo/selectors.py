"""Reads of administrative units: lists, details, and the old ↔ new lookup.

Units are reference data, the same for every user: nothing here is scoped by the union tree.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from ansinh.core.text import fold, normalize_text

from .models import AdminUnit, AdminUnitSuccession

DATA_FILE = Path(__file__).resolve().parent / "data" / "units.json.gz"
LEVEL_ORDER = Case(
    When(level=AdminUnit.Level.PROVINCE, then=Value(0)),
    When(level=AdminUnit.Level.DISTRICT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@lru_cache(maxsize=1)
def units_data() -> dict:
    """The shipped data file, parsed once per process (it does not change at run time)."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def units_data_provinces() -> list[tuple[str, str]]:
    """(code, name) of every post-2025 province the data file can load."""
    return [(code, p["name"]) for code, p in units_data()["provinces"].items()]


def unit_list(
    *,
    era: str = "",
    level: str = "",
    province_code: str = "",
    parent_id: int | None = None,
    query: str = "",
) -> QuerySet[AdminUnit]:
    """Units filtered as the list page and the API ask; empty filters are ignored."""
    units = AdminUnit.objects.select_related("parent")
    if era:
        units = units.filter(era=era)
    if level:
        units = units.filter(level=level)
    if province_code:
        units = units.filter(province_code=province_code)
    if parent_id:
        units = units.filter(parent_id=parent_id)
    query = normalize_text(query)
    if query:
        condition = Q(name_folded__contains=fold(query))
        if query.isdigit():
            condition |= Q(code=query)
        units = units.filter(condition)
    return units.annotate(level_order=LEVEL_ORDER).order_by("era", "level_order", "code")


def unit_provinces(*, era: str = "") -> QuerySet[AdminUnit]:
    """Loaded provinces (for filters)."""
    provinces = AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE)
    if era:
        provinces = provinces.filter(era=era)
    return provinces.order_by("era", "code")


def unit_children(*, unit: AdminUnit) -> QuerySet[AdminUnit]:
    return unit.children.order_by("code")


def _successions_queryset() -> QuerySet[AdminUnitSuccession]:
    return AdminUnitSuccession.objects.select_related("new").order_by(
        "-takes_population", "new__code"
    )


def _predecessions_queryset() -> QuerySet[AdminUnitSuccession]:
    # `old_successor_count` > 1: the old commune was split, only part of it came here.
    return (
        AdminUnitSuccession.objects.select_related("old__parent__parent")
        .annotate(old_successor_count=Count("old__successions"))
        .order_by("old__parent__code", "old__code")
    )


def unit_successions(*, unit: AdminUnit) -> list[AdminUnitSuccession]:
    """Where an old unit went: the new communes, the one that took its population first."""
    return list(_successions_queryset().filter(old=unit))


def unit_predecessions(*, unit: AdminUnit) -> list[AdminUnitSuccession]:
    """Which old units formed a new commune, with their old district and province."""
    return list(_predecessions_queryset().filter(new=unit))


@dataclass
class LookupAnswer:
    """One unit matching the lookup, with where it went (old) or where it came from (new)."""

    unit: AdminUnit
    successions: list[AdminUnitSuccession] = field(default_factory=list)
    predecessions: list[AdminUnitSuccession] = field(default_factory=list)

    @property
    def is_split(self) -> bool:
        return len(self.successions) > 1


def unit_lookup(*, query: str, limit: int = 30) -> tuple[list[LookupAnswer], list[LookupAnswer]]:
    """Answer "what became of old commune X?" and the reverse, accent-insensitively.

    Returns (old units with their successors, new communes with their predecessors), each at
    most `limit` long. A 5-digit code matches that code exactly.
    """
    query = normalize_text(query)
    if not query:
        return [], []
    condition = Q(code=query) if query.isdigit() else Q(name_folded__contains=fold(query))
    old_units = (
        AdminUnit.objects.filter(condition, era=AdminUnit.Era.PRE_2025)
        .exclude(level=AdminUnit.Level.PROVINCE)
        .filter(Q(level=AdminUnit.Level.COMMUNE) | Q(successions__isnull=False))
        .distinct()
        .select_related("parent__parent")
        .prefetch_related(Prefetch("successions", queryset=_successions_queryset()))
        .order_by("province_code", "code")[:limit]
    )
    new_units = (
        AdminUnit.objects.filter(
            condition, era=AdminUnit.Era.POST_2025, level=AdminUnit.Level.COMMUNE
        )
        .select_related("parent")
        .prefetch_related(Prefetch("predecessions", queryset=_predecessions_queryset()))
        .order_by("province_code", "code")[:limit]
    )
    old_answers = [
        LookupAnswer(unit=unit, successions=list(unit.successions.all())) for unit in old_units
    ]
    new_answers = [
        LookupAnswer(unit=unit, predecessions=list(unit.predecessions.all())) for unit in new_units
    ]
    return old_answers, new_answers
