"""Reading report figures: who reports for a period, computed values for all of them at once,
approved values, and figures of the old (pre-01/07/2025) units shown on today's communes.

Computed values: one call per computed indicator (one grouped query, keyed by union-unit
path, see `ansinh.core.indicators`) serves every reporting unit; each key is given to the
reporting unit whose path is a prefix of it. Never a query per unit.

Old units on today's communes (`redistribute`): a closed commune union that went wholly
into one new commune — or in part into several, one of which took its whole population
("nhận toàn bộ dân số") — has its figures *carried whole* to that commune. One split between
several new communes without such a flag has its figures *split* in equal shares between
them. A district union (the level that reported before the reform) is spread over the new
communes that received its old communes, in proportion to how many of its old communes (or
parts of them, each part counting 1/number of parts) each received. Shares become whole
numbers by the largest-remainder method, so the split figures add up exactly to the old
unit's figure and the city total is unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Q
from django.utils.translation import gettext as _

from ansinh.core.indicators import get_computed
from ansinh.org.models import UnionUnit, UnionUnitSuccession

from .models import ReportSubmission, SubmissionValue
from .periods import Period

REPORTING_KINDS = (UnionUnit.Kind.COMMUNE, UnionUnit.Kind.DISTRICT)

WHOLE = "whole"
SPLIT = "split"


def city_union(*, code: str = "") -> UnionUnit | None:
    """The province/city union (by official code, or the only one)."""
    queryset = UnionUnit.objects.filter(kind=UnionUnit.Kind.CITY, valid_to__isnull=True)
    if code:
        queryset = queryset.filter(code=code)
    return queryset.order_by("pk").first()


def open_on(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def reporting_units(*, city: UnionUnit, period: Period) -> list[UnionUnit]:
    """The units that report to the city for `period`: its district or commune unions open
    on the period's last day (the old districts before 01/07/2025, the communes after)."""
    return list(
        UnionUnit.objects.filter(parent=city, kind__in=REPORTING_KINDS)
        .filter(open_on(period.end))
        .order_by("code", "pk")
    )


def _owner_of(paths: dict[str, int]):
    """A function giving, for a record's path, the reporting unit whose path prefixes it."""

    def owner(key: str) -> int | None:
        position = 1
        while True:
            position = key.find("/", position)
            if position < 0:
                return None
            unit_id = paths.get(key[: position + 1])
            if unit_id is not None:
                return unit_id
            position += 1

    return owner


def computed_values(
    *, codes: list[str], period: Period, units: list[UnionUnit]
) -> dict[int, dict[str, int]]:
    """{unit pk: {code: value}} for the codes with a registered computed indicator; a unit
    with no record gets 0. One compute call per indicator, whatever the number of units."""
    owner = _owner_of({unit.path: unit.pk for unit in units})
    result: dict[int, dict[str, int]] = {unit.pk: {} for unit in units}
    for code in codes:
        computed = get_computed(code)
        if computed is None:
            continue
        totals: dict[int, int] = defaultdict(int)
        for key, value in computed.values(start=period.start, end=period.end).items():
            unit_id = owner(key) if isinstance(key, str) else None
            if unit_id is not None and value:
                totals[unit_id] += int(value)
        for unit in units:
            result[unit.pk][code] = totals.get(unit.pk, 0)
    return result


def approved_values(*, template, period: Period) -> dict[int, dict[str, int | None]]:
    """{unit pk: {code: value}} of the approved submissions of a template's period (one
    query)."""
    rows = SubmissionValue.objects.filter(
        submission__period__template=template,
        submission__period__code=period.code,
        submission__status=ReportSubmission.Status.APPROVED,
    ).values_list("submission__unit_id", "indicator__code", "value")
    result: dict[int, dict[str, int | None]] = defaultdict(dict)
    for unit_id, code, value in rows:
        result[unit_id][code] = value
    return dict(result)


@dataclass
class Share:
    """How an old unit's figures reach one current unit."""

    target: int  # current unit pk
    fraction: Fraction
    mode: str  # WHOLE or SPLIT


@dataclass
class Carry:
    """Where one current unit's figures for an old period came from."""

    sources: list[tuple[str, str]] = field(default_factory=list)  # (old unit name, mode)

    @property
    def mode(self) -> str:
        if not self.sources:
            return ""
        return SPLIT if any(mode == SPLIT for _name, mode in self.sources) else WHOLE


def _commune_shares(successions: list[UnionUnitSuccession], targets: set[int]) -> dict:
    """{new unit pk: Fraction} for one old commune union."""
    kept = [s for s in successions if s.new_id in targets]
    if not kept:
        return {}
    taking = [s for s in kept if s.takes_population]
    if len(kept) == 1 or len(taking) == 1:
        chosen = taking[0] if taking else kept[0]
        return {chosen.new_id: Fraction(1)}
    return {s.new_id: Fraction(1, len(kept)) for s in kept}


def succession_shares(
    *, old_units: list[UnionUnit], targets: list[UnionUnit]
) -> dict[int, list[Share]]:
    """{old unit pk: shares over `targets`} following the succession table (see module doc).
    A unit that is itself a target keeps its figures whole."""
    target_ids = {unit.pk for unit in targets}
    old_ids = [unit.pk for unit in old_units if unit.pk not in target_ids]
    children: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in UnionUnit.objects.filter(
        parent_id__in=old_ids, kind=UnionUnit.Kind.COMMUNE
    ).values_list("pk", "parent_id"):
        children[parent_id].append(child_id)
    wanted = set(old_ids) | {c for ids in children.values() for c in ids}
    successions: dict[int, list[UnionUnitSuccession]] = defaultdict(list)
    for succession in UnionUnitSuccession.objects.filter(old_id__in=wanted):
        successions[succession.old_id].append(succession)

    result: dict[int, list[Share]] = {}
    for unit in old_units:
        if unit.pk in target_ids:
            result[unit.pk] = [Share(unit.pk, Fraction(1), WHOLE)]
            continue
        if unit.pk in successions:
            weights = _commune_shares(successions[unit.pk], target_ids)
        else:  # a district: spread over its old communes' successors
            weights: dict[int, Fraction] = defaultdict(Fraction)
            parts = [_commune_shares(successions[child], target_ids) for child in children[unit.pk]]
            parts = [part for part in parts if part]
            for part in parts:
                for target, fraction in part.items():
                    weights[target] += fraction / len(parts)
        mode = WHOLE if len(weights) == 1 else SPLIT
        result[unit.pk] = [
            Share(target, fraction, mode) for target, fraction in sorted(weights.items())
        ]
    return result


def apportion(value: int, shares: list[Share]) -> dict[int, int]:
    """Whole-number parts of `value` by the largest-remainder method (they add up)."""
    if not shares:
        return {}
    exact = [(share.target, share.fraction * value) for share in shares]
    parts = {target: int(amount) for target, amount in exact}  # floor (value >= 0)
    left = value - sum(parts.values())
    by_remainder = sorted(exact, key=lambda item: (-(item[1] - int(item[1])), item[0]))
    for target, _amount in by_remainder[:left]:
        parts[target] += 1
    return parts


def redistribute(
    *,
    values: dict[int, dict[str, int | None]],
    units: dict[int, UnionUnit],
    targets: list[UnionUnit],
) -> tuple[dict[int, dict[str, int]], dict[int, Carry]]:
    """Figures of the units in `values` ({unit pk: {code: value}}) shown on `targets`; also
    where each target's figures came from."""
    shares = succession_shares(old_units=[units[pk] for pk in values], targets=targets)
    result: dict[int, dict[str, int]] = {unit.pk: {} for unit in targets}
    carries: dict[int, Carry] = {unit.pk: Carry() for unit in targets}
    for unit_id, codes in values.items():
        unit_shares = shares.get(unit_id, [])
        for share in unit_shares:
            if share.target != unit_id:
                carries[share.target].sources.append((units[unit_id].name, share.mode))
        for code, value in codes.items():
            if value is None:
                continue
            for target, part in apportion(value, unit_shares).items():
                result[target][code] = result[target].get(code, 0) + part
    return result, carries


def carry_text(carry: Carry | None) -> str:
    """ "chuyển nguyên từ …" / "chia theo tỷ lệ từ …" for one unit's old-period figures."""
    if carry is None or not carry.sources:
        return ""
    whole = sorted({name for name, mode in carry.sources if mode == WHOLE})
    split = sorted({name for name, mode in carry.sources if mode == SPLIT})
    parts = []
    if whole:
        parts.append(_("chuyển nguyên từ %(units)s") % {"units": ", ".join(whole)})
    if split:
        parts.append(_("chia theo tỷ lệ từ %(units)s") % {"units": ", ".join(split)})
    return "; ".join(parts)
