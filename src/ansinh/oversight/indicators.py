"""Report figures computed from the oversight data (see ansinh.core.indicators).
Feedback counts go to the unit currently handling the case (after an escalation: the parent)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ansinh.core.indicators import indicator

from .models import Feedback, Recommendation, SupervisionActivity


def _grouped(queryset, path: str, by_field: str | None) -> dict:
    fields = [path] + ([by_field] if by_field else [])
    rows = queryset.values(*fields).annotate(n=Count("pk")).order_by()
    if by_field:
        return {(row[path], row[by_field]): row["n"] for row in rows}
    return {row[path]: row["n"] for row in rows}


@indicator(code="SUPERVISIONS", name=_("Số cuộc giám sát, phản biện xã hội"), unit=_("cuộc"))
def supervisions(*, start, end, by=None) -> dict:
    qs = SupervisionActivity.objects.filter(starts_on__gte=start, starts_on__lte=end)
    return _grouped(qs, "unit__path", None)


@indicator(code="RECOMMENDATIONS_MADE", name=_("Số kiến nghị sau giám sát"), unit=_("kiến nghị"))
def recommendations_made(*, start, end, by=None) -> dict:
    qs = Recommendation.objects.filter(activity__starts_on__gte=start, activity__starts_on__lte=end)
    return _grouped(qs, "activity__unit__path", None)


@indicator(
    code="RECOMMENDATIONS_IMPLEMENTED",
    name=_("Số kiến nghị được tiếp thu, thực hiện"),
    unit=_("kiến nghị"),
)
def recommendations_implemented(*, start, end, by=None) -> dict:
    qs = Recommendation.objects.filter(
        status=Recommendation.Status.IMPLEMENTED,
        published_at__date__gte=start,
        published_at__date__lte=end,
    )
    return _grouped(qs, "activity__unit__path", None)


@indicator(
    code="FEEDBACK_RECEIVED",
    name=_("Số ý kiến, kiến nghị của hội viên, phụ nữ tiếp nhận"),
    unit=_("ý kiến"),
    dimensions=("category",),
)
def feedback_received(*, start, end, by=None) -> dict:
    qs = Feedback.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    return _grouped(qs, "unit__path", "category__code" if by == "category" else None)


@indicator(
    code="FEEDBACK_RESOLVED",
    name=_("Số ý kiến, kiến nghị đã giải quyết"),
    unit=_("ý kiến"),
    dimensions=("category",),
)
def feedback_resolved(*, start, end, by=None) -> dict:
    qs = Feedback.objects.filter(
        status=Feedback.Status.RESOLVED,
        resolved_at__date__gte=start,
        resolved_at__date__lte=end,
    )
    return _grouped(qs, "unit__path", "category__code" if by == "category" else None)
