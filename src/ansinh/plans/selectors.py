"""Reading plans. Plans are official documents, not personal data: no scoping."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from ansinh.core.text import fold

from .models import Plan, PlanAssignment, PlanSection


def plan_list(*, filters: dict | None = None) -> QuerySet[Plan]:
    """Plans, newest first; filters: `q` (accent-insensitive, number/title/issuer), `year`."""
    filters = filters or {}
    queryset = Plan.objects.annotate(section_count=Count("sections", distinct=True))
    query = fold(filters.get("q"))
    if query:
        for word in query.split():
            queryset = queryset.filter(title_folded__contains=word)
    year = str(filters.get("year") or "").strip()
    if year.isdigit():
        queryset = queryset.filter(issued_on__year=int(year))
    return queryset.order_by("-issued_on", "-id")


def plan_years() -> list[int]:
    return sorted({d.year for d in Plan.objects.dates("issued_on", "year")}, reverse=True)


def plan_get(*, pk: int) -> Plan:
    return get_object_or_404(Plan.objects.select_related("union"), pk=pk)


def plan_section_tree(*, plan: Plan) -> list[PlanSection]:
    """Top-level sections, each with `subsections` (recursively) and its `task_list`."""
    sections = list(
        plan.sections.order_by("order").prefetch_related(
            Prefetch(
                "assignments",
                queryset=PlanAssignment.objects.select_related("department").order_by("order"),
                to_attr="task_list",
            )
        )
    )
    by_id = {section.pk: section for section in sections}
    roots = []
    for section in sections:
        section.subsections = []
    for section in sections:
        if section.parent_id and section.parent_id in by_id:
            by_id[section.parent_id].subsections.append(section)
        else:
            roots.append(section)
    return roots


def plan_assignments(*, plan: Plan) -> QuerySet[PlanAssignment]:
    """Every task the plan assigns, in document order."""
    return (
        PlanAssignment.objects.filter(section__plan=plan)
        .select_related("section", "department")
        .order_by("section__order", "order")
    )
