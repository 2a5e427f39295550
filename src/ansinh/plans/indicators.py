"""Report figures computed from the plan's tasks (see ansinh.core.indicators): tasks
completed within the period, and tasks overdue at its end, per responsible unit (the city
union for its departments' tasks, each commune union for its own)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ansinh.core.indicators import indicator

from .models import Task


def _by_unit_path(queryset) -> dict:
    rows = queryset.values("unit__path").annotate(n=Count("pk")).order_by()
    return {row["unit__path"]: row["n"] for row in rows}


@indicator(
    code="PLAN_TASKS_DONE", name=_("Số nhiệm vụ của kế hoạch hoàn thành"), unit=_("nhiệm vụ")
)
def plan_tasks_done(*, start, end, by=None) -> dict:
    return _by_unit_path(Task.objects.filter(completed_on__gte=start, completed_on__lte=end))


@indicator(
    code="PLAN_TASKS_OVERDUE",
    name=_("Số nhiệm vụ của kế hoạch quá hạn"),
    unit=_("nhiệm vụ"),
    snapshot=True,
)
def plan_tasks_overdue(*, start, end, by=None) -> dict:
    """Tasks whose deadline had passed at `end` without being completed by then."""
    not_done_then = Q(completed_on__isnull=True) | Q(completed_on__gt=end)
    return _by_unit_path(Task.objects.filter(Q(deadline__lt=end) & not_done_then))
