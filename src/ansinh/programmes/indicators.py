"""Report figures computed from the programmes data (see ansinh.core.indicators).

Every figure is one grouped query keyed by the union-unit path of the person concerned
(`Person.scope_path`); with `by="programme"` the keys are (path, programme code) pairs.
Periods are inclusive dates. People are counted once per key (distinct)."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from ansinh.core.indicators import indicator
from ansinh.registry.models import Person

from .models import (
    EMPLOYED_OUTCOMES,
    Delivery,
    LoanFacilitation,
    Sponsorship,
    TrainingEnrolment,
)

HOUSING_PROGRAMME = "MAI_AM"  # Mái ấm tình thương


def _deliveries(start, end):
    return Delivery.objects.filter(delivered_on__gte=start, delivered_on__lte=end)


def _grouped(rows, by, value) -> dict:
    """Group `rows` by the person's path (and the programme code when `by` asks) into
    {key: value}; zero rows are left out."""
    if by == "programme":
        result = rows.values("person__scope_path", "programme__code").annotate(n=value).order_by()
        return {(r["person__scope_path"], r["programme__code"]): r["n"] for r in result if r["n"]}
    result = rows.values("person__scope_path").annotate(n=value).order_by()
    return {r["person__scope_path"]: r["n"] for r in result if r["n"]}


@indicator(
    code="PEOPLE_SUPPORTED",
    name=_("Số người được hỗ trợ"),
    unit=_("người"),
    dimensions=("programme",),
)
def people_supported(*, start, end, by=None) -> dict:
    """Distinct people who received a delivery in the period."""
    if by is None:
        # A semi-join (people having a delivery in the period) grouped by path: the same
        # figure as COUNT(DISTINCT person) over the deliveries, without sorting them.
        people = Person.objects.filter(pk__in=_deliveries(start, end).values("person_id"))
        rows = people.values("scope_path").annotate(n=Count("pk")).order_by()
        return {r["scope_path"]: r["n"] for r in rows}
    return _grouped(_deliveries(start, end), by, Count("person", distinct=True))


@indicator(
    code="SUPPORT_AMOUNT",
    name=_("Số tiền hỗ trợ đã trao"),
    unit=_("đồng"),
    dimensions=("programme",),
)
def support_amount(*, start, end, by=None) -> dict:
    """Đồng handed over in deliveries made in the period."""
    return _grouped(_deliveries(start, end), by, Sum("amount"))


def _policy_bank_loans_to_women(start, end):
    return LoanFacilitation.objects.filter(
        bank=LoanFacilitation.Bank.POLICY_BANK,
        person__sex=Person.Sex.FEMALE,
        disbursed_on__gte=start,
        disbursed_on__lte=end,
    )


@indicator(
    code="LOAN_WOMEN",
    name=_("Số phụ nữ được hỗ trợ vay vốn Ngân hàng Chính sách xã hội"),
    unit=_("người"),
)
def loan_women(*, start, end, by=None) -> dict:
    """Distinct women whose policy-bank loan the union helped with was disbursed in the
    period."""
    return _grouped(_policy_bank_loans_to_women(start, end), None, Count("person", distinct=True))


@indicator(
    code="LOAN_AMOUNT",
    name=_("Số tiền phụ nữ được vay từ Ngân hàng Chính sách xã hội"),
    unit=_("đồng"),
)
def loan_amount(*, start, end, by=None) -> dict:
    """Đồng disbursed in the period on those loans."""
    return _grouped(_policy_bank_loans_to_women(start, end), None, Sum("amount"))


@indicator(code="TRAINED", name=_("Số người hoàn thành học nghề"), unit=_("người"))
def trained(*, start, end, by=None) -> dict:
    """Distinct people who completed a vocational course in the period."""
    rows = TrainingEnrolment.objects.filter(
        completed=True, completed_on__gte=start, completed_on__lte=end
    )
    return _grouped(rows, None, Count("person", distinct=True))


@indicator(
    code="EMPLOYED_AFTER_TRAINING",
    name=_("Số người có việc làm sau học nghề"),
    unit=_("người"),
)
def employed_after_training(*, start, end, by=None) -> dict:
    """Distinct trained people found employed or self-employed at a 3- or 6-month check
    made in the period."""
    at_3 = Q(
        outcome_3m__in=EMPLOYED_OUTCOMES,
        outcome_3m_checked_on__gte=start,
        outcome_3m_checked_on__lte=end,
    )
    at_6 = Q(
        outcome_6m__in=EMPLOYED_OUTCOMES,
        outcome_6m_checked_on__gte=start,
        outcome_6m_checked_on__lte=end,
    )
    rows = TrainingEnrolment.objects.filter(completed=True).filter(at_3 | at_6)
    return _grouped(rows, None, Count("person", distinct=True))


@indicator(
    code="HOUSES",
    name=_("Số nhà Mái ấm tình thương được xây, sửa"),
    unit=_("nhà"),
)
def houses(*, start, end, by=None) -> dict:
    """Deliveries of the Mái ấm tình thương programme made in the period (one per house)."""
    rows = _deliveries(start, end).filter(programme__code=HOUSING_PROGRAMME)
    return _grouped(rows, None, Count("pk"))


@indicator(code="CHILDREN_SPONSORED", name=_("Số trẻ em được nhận đỡ đầu"), unit=_("trẻ em"))
def children_sponsored(*, start, end, by=None) -> dict:
    """Distinct children with a sponsorship (Mẹ đỡ đầu) running at some time in the period."""
    rows = (
        Sponsorship.objects.filter(starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .values("child__scope_path")
        .annotate(n=Count("child", distinct=True))
        .order_by()
    )
    return {r["child__scope_path"]: r["n"] for r in rows}
