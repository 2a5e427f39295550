"""Report figures computed from the registry (see ansinh.core.indicators).

VULNERABLE_REGISTERED is the count standing at the period's end: people registered by then,
still managed (status active today: the registry keeps status history, but a person who left
after the period's end is rare enough in a 6-month report that the current status is used),
with an open, non-sensitive vulnerability on that day. Sensitive categories (GBV, HIV) never
enter report figures. Keys are the union-unit path of the person (`Person.scope_path`)."""

from __future__ import annotations

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from ansinh.core.indicators import indicator

from .models import Person, PersonVulnerability
from .search import AGE_BANDS, age_band_condition


def _open_links(day):
    return (
        PersonVulnerability.objects.filter(category__is_sensitive=False)
        .filter(Q(since__isnull=True) | Q(since__lte=day))
        .filter(Q(until__isnull=True) | Q(until__gte=day))
    )


def _registered(day):
    return Person.objects.filter(status=Person.Status.ACTIVE, created_at__date__lte=day)


@indicator(
    code="VULNERABLE_REGISTERED",
    name=_("Phụ nữ, trẻ em khó khăn, yếu thế được lập dữ liệu"),
    unit=_("người"),
    snapshot=True,
    dimensions=("category", "age_band"),
)
def vulnerable_registered(*, start, end, by=None) -> dict:
    if by == "category":
        rows = (
            _open_links(end)
            .filter(person__in=_registered(end))
            .values("person__scope_path", "category__code")
            .annotate(n=Count("person", distinct=True))
            .order_by()
        )
        return {(r["person__scope_path"], r["category__code"]): r["n"] for r in rows}
    people = _registered(end).filter(Exists(_open_links(end).filter(person=OuterRef("pk"))))
    if by == "age_band":
        band = Case(
            *(When(age_band_condition(code, today=end), then=Value(code)) for code in AGE_BANDS),
            default=Value(""),
            output_field=CharField(),
        )
        rows = people.annotate(band=band).values("scope_path", "band").annotate(n=Count("pk"))
        return {(r["scope_path"], r["band"]): r["n"] for r in rows.order_by() if r["band"]}
    rows = people.values("scope_path").annotate(n=Count("pk")).order_by()
    return {r["scope_path"]: r["n"] for r in rows}
