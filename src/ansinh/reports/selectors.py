"""Reads of the reports module: submissions through `restrict()`, and the city report (totals
over approved submissions, beside the previous period and the same period last year,
completeness and timeliness).

Reports hold figures, never names: an aggregate viewer reads them like anyone in scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.org.models import UnionUnit

from . import figures
from .models import ReportingPeriod, ReportSubmission, ReportTemplate
from .periods import Period, parse_period


def submission_list(*, user, filters: dict | None = None) -> QuerySet[ReportSubmission]:
    """Submissions the user may see; filters: template, period, status, q (unit name)."""
    filters = filters or {}
    queryset = ReportSubmission.objects.restrict(user, "view").select_related(
        "unit", "period", "period__template"
    )
    if filters.get("template"):
        queryset = queryset.filter(period__template__code=filters["template"])
    if filters.get("period"):
        queryset = queryset.filter(period__code=str(filters["period"]).upper())
    if filters.get("status") in ReportSubmission.Status.values:
        queryset = queryset.filter(status=filters["status"])
    query = (filters.get("q") or "").strip()
    if query:
        from ansinh.core.text import fold

        for word in fold(query).split():
            queryset = queryset.filter(unit__name_folded__contains=word)
    return queryset.order_by("-period__starts_on", "period__template__code", "unit__code")


def submission_get(*, user, pk: int, action: str = "view") -> ReportSubmission:
    from ansinh.core.scoping import get_scoped_or_404

    return get_scoped_or_404(
        ReportSubmission.objects.select_related("unit", "period", "period__template"),
        user,
        action,
        pk=pk,
    )


def submission_rows(submission: ReportSubmission) -> list:
    """The submission's values in the template's order, each with its indicator."""
    order = dict(
        submission.period.template.template_indicators.values_list("indicator_id", "order")
    )
    rows = list(submission.values.select_related("indicator"))
    rows.sort(key=lambda row: order.get(row.indicator_id, 0))
    return rows


def units_for_user(*, user, city: UnionUnit, period: Period) -> list[UnionUnit]:
    """The reporting units of the period inside the user's scope for adding a submission."""
    units = figures.reporting_units(city=city, period=period)
    allowed = set(
        UnionUnit.objects.restrict(user, "view")
        .filter(pk__in=[u.pk for u in units])
        .values_list("pk", flat=True)
    )
    from ansinh.accounts.permissions import ALL, scope_paths

    paths = scope_paths(user, "reports.add_reportsubmission")
    if paths is ALL:
        return [u for u in units if u.pk in allowed]
    return [u for u in units if u.pk in allowed and any(u.path.startswith(p) for p in paths)]


@dataclass
class UnitLine:
    """One reporting unit in the city report."""

    unit: UnionUnit
    submission: ReportSubmission | None
    values: dict[str, int | None]  # approved values (empty when not approved)
    previous: dict[str, int] = field(default_factory=dict)
    last_year: dict[str, int] = field(default_factory=dict)
    previous_carry: figures.Carry | None = None
    last_year_carry: figures.Carry | None = None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else ""

    @property
    def status_label(self) -> str:
        if self.submission is None:
            return _("Chưa mở")
        return str(self.submission.get_status_display())

    @property
    def on_time(self) -> bool | None:
        return self.submission.is_on_time if self.submission else None

    @property
    def carry_note(self) -> str:
        """Where this unit's figures of periods before 01/07/2025 came from."""
        notes = []
        for carry in (self.previous_carry, self.last_year_carry):
            text = figures.carry_text(carry)
            if text and text not in notes:
                notes.append(text)
        return "; ".join(notes)


@dataclass
class IndicatorLine:
    code: str
    name: str
    unit: str
    kind: str
    total: int | None
    previous: int | None
    last_year: int | None


@dataclass
class CityReport:
    template: ReportTemplate
    period: Period
    period_row: ReportingPeriod | None
    city: UnionUnit
    deadline: object
    lines: list[UnitLine]
    indicators: list[IndicatorLine]
    previous_period: Period
    last_year_period: Period
    previous_redistributed: bool
    last_year_redistributed: bool

    @property
    def expected(self) -> int:
        return len(self.lines)

    def count(self, *statuses) -> int:
        return sum(1 for line in self.lines if line.status in statuses)

    @property
    def approved(self) -> int:
        return self.count(ReportSubmission.Status.APPROVED)

    @property
    def submitted(self) -> int:
        """Submitted at least once and not sent back (waiting or approved)."""
        return self.count(ReportSubmission.Status.SUBMITTED, ReportSubmission.Status.APPROVED)

    @property
    def on_time(self) -> int:
        return sum(1 for line in self.lines if line.on_time)

    @property
    def late(self) -> int:
        return sum(1 for line in self.lines if line.on_time is False)

    @property
    def completeness(self) -> float:
        return self.approved / self.expected if self.expected else 0.0

    @property
    def overdue_missing(self) -> int:
        """Units that have not submitted although the deadline has passed."""
        if self.deadline is None or timezone.localdate() <= self.deadline:
            return 0
        return sum(
            1
            for line in self.lines
            if line.submission is None or line.submission.first_submitted_at is None
        )


def _totals(values: dict[int, dict[str, int | None]], code: str) -> int | None:
    numbers = [unit_values.get(code) for unit_values in values.values()]
    numbers = [n for n in numbers if n is not None]
    return sum(numbers) if numbers else None


def _by_unit(*, template, period: Period, city, targets: list[UnionUnit]):
    """Approved values of `period` on `targets` (redistributed when reported by old units),
    their carries, the totals source, and whether a redistribution happened."""
    values = figures.approved_values(template=template, period=period)
    reporters = figures.reporting_units(city=city, period=period)
    reporter_ids = {unit.pk for unit in reporters}
    values = {pk: v for pk, v in values.items() if pk in reporter_ids}
    target_ids = {unit.pk for unit in targets}
    units = {unit.pk: unit for unit in reporters}
    if not any(units[pk].valid_to is not None for pk in values):
        return {pk: v for pk, v in values.items() if pk in target_ids}, {}, values, False
    on_targets, carries = figures.redistribute(values=values, units=units, targets=targets)
    return on_targets, carries, values, True


def city_report(*, template: ReportTemplate, period_code: str, city: UnionUnit) -> CityReport:
    """The city's figures for a period over approved submissions, with completeness and
    timeliness; previous and last-year figures shown on today's reporting units."""
    period = parse_period(period_code, kind=template.period_type)
    period_row = ReportingPeriod.objects.filter(template=template, code=period.code).first()
    units = figures.reporting_units(city=city, period=period)
    submissions = {}
    if period_row is not None:
        submissions = {
            s.unit_id: s
            for s in ReportSubmission.objects.filter(
                period=period_row, unit__in=units
            ).select_related("period", "unit")
        }
    current = figures.approved_values(template=template, period=period)
    previous_period, last_year_period = period.previous(), period.same_period_last_year()
    previous, previous_carries, previous_source, previous_moved = _by_unit(
        template=template, period=previous_period, city=city, targets=units
    )
    last_year, last_year_carries, last_year_source, last_year_moved = _by_unit(
        template=template, period=last_year_period, city=city, targets=units
    )
    lines = [
        UnitLine(
            unit=unit,
            submission=submissions.get(unit.pk),
            values=current.get(unit.pk, {}),
            previous=previous.get(unit.pk, {}),
            last_year=last_year.get(unit.pk, {}),
            previous_carry=previous_carries.get(unit.pk),
            last_year_carry=last_year_carries.get(unit.pk),
        )
        for unit in units
    ]
    unit_ids = {unit.pk for unit in units}
    current_here = {pk: v for pk, v in current.items() if pk in unit_ids}
    indicators = [
        IndicatorLine(
            code=row.indicator.code,
            name=row.indicator.name,
            unit=row.indicator.unit,
            kind=row.indicator.kind,
            total=_totals(current_here, row.indicator.code),
            previous=_totals(previous_source, row.indicator.code),
            last_year=_totals(last_year_source, row.indicator.code),
        )
        for row in template.template_indicators.select_related("indicator").order_by("order")
    ]
    from .services import default_deadline

    return CityReport(
        template=template,
        period=period,
        period_row=period_row,
        city=city,
        deadline=period_row.deadline if period_row else default_deadline(template, period),
        lines=lines,
        indicators=indicators,
        previous_period=previous_period,
        last_year_period=last_year_period,
        previous_redistributed=previous_moved,
        last_year_redistributed=last_year_moved,
    )


def unit_history(*, template: ReportTemplate, unit: UnionUnit, city: UnionUnit, periods: list):
    """{period code: {code: value}} of one current unit's approved figures over `periods`,
    older periods shown through the succession table."""
    result = {}
    for period in periods:
        values, _carries, _source, _moved = _by_unit(
            template=template, period=period, city=city, targets=[unit]
        )
        result[period.code] = values.get(unit.pk, {})
    return result


def live_breakdown(*, user, code: str, period: Period) -> dict[str, list[tuple[str, int]]]:
    """A computed indicator's figure for the period straight from the data, broken down by
    each of its dimensions (category, age band, programme, …), inside the user's scope:
    {dimension: [(value, count), …]} largest first. Empty for entered indicators."""
    from ansinh.accounts.permissions import ALL, scope_paths
    from ansinh.core.indicators import get_computed

    computed = get_computed(code)
    if computed is None:
        return {}
    paths = scope_paths(user, "reports.view_reportsubmission")
    if paths is not ALL and not paths:
        return {}
    result = {}
    for dimension in computed.dimensions:
        totals: dict[str, int] = {}
        rows = computed.values(start=period.start, end=period.end, by=dimension)
        for (path, value), count in rows.items():
            if paths is ALL or any(str(path).startswith(p) for p in paths):
                key = str(value) if value not in (None, "") else "—"
                totals[key] = totals.get(key, 0) + int(count or 0)
        result[dimension] = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return result
