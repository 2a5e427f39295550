"""Reading plans and their tasks.

Plans are official documents, not personal data: any signed-in user reads them, no scoping.
Tasks are scoped (`Task.objects.restrict`): a unit sees its own and its subtree's tasks.
"""

from __future__ import annotations

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ansinh.core.scoping import get_scoped_or_404
from ansinh.core.text import accent_insensitive_regex, fold
from ansinh.org.models import Department, UnionUnit

from .models import Plan, PlanAssignment, PlanSection, Task, TaskEvidence, TaskProgress


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


# ---------------------------------------------------------------------------------------------
# Tasks (scoped: a user sees the tasks of her units, department staff those of her department)

TASK_FILTERS = ("plan", "department", "unit", "status", "overdue", "section", "q")
TASK_STATUS_FILTERS = (
    (Task.Status.NOT_STARTED, Task.Status.NOT_STARTED.label),
    (Task.Status.IN_PROGRESS, Task.Status.IN_PROGRESS.label),
    (Task.Status.DONE, Task.Status.DONE.label),
    (Task.OVERDUE, Task.OVERDUE_LABEL),
)


def parse_id(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def task_list(*, user, filters: dict | None = None, action: str = "view") -> QuerySet[Task]:
    """Tasks visible to `user`, in deadline order. Filters: `plan`, `department` (leading or
    cooperating), `unit` (the unit and the units under it), `status` (a stored status, or
    "overdue"), `overdue` (truthy: only overdue ones), `section` (code prefix: "III.2"),
    `q` (accent-insensitive words of the title)."""
    filters = filters or {}
    queryset = Task.objects.restrict(user, action).select_related(
        "plan", "section", "unit", "lead_department"
    )
    plan = parse_id(filters.get("plan"))
    if plan:
        queryset = queryset.filter(plan_id=plan)
    department = parse_id(filters.get("department"))
    if department:
        cooperating = Task.cooperating_departments.through.objects.filter(
            department_id=department
        ).values("task_id")
        queryset = queryset.filter(Q(lead_department_id=department) | Q(pk__in=cooperating))
    unit = parse_id(filters.get("unit"))
    if unit:
        path = UnionUnit.objects.filter(pk=unit).values_list("path", flat=True).first()
        queryset = queryset.filter(unit__path__startswith=path) if path else queryset.none()
    today = timezone.localdate()
    status = str(filters.get("status") or "")
    if status == Task.OVERDUE:
        queryset = queryset.overdue(today)
    elif status in Task.Status.values:
        queryset = queryset.filter(status=status)
    if str(filters.get("overdue") or "") in ("1", "true", "on", "yes"):
        queryset = queryset.overdue(today)
    section = str(filters.get("section") or "").strip()
    if section:
        queryset = queryset.filter(
            Q(section__code=section) | Q(section__code__startswith=section + ".")
        )
    query = fold(filters.get("q"))
    if query:
        regex_words = [word for word in query.split() if word]
        for word in regex_words:
            queryset = queryset.filter(title__iregex=accent_insensitive_regex(word))
    return queryset.order_by(
        "deadline", "section__order", "unit__path", "lead_department__order", "pk"
    )


def task_get(*, user, pk: int, action: str = "view") -> Task:
    """One task of the user's scope, or 404."""
    return get_scoped_or_404(
        Task.objects.select_related("plan", "section", "unit", "lead_department", "assignment"),
        user,
        action,
        pk=pk,
    )


def task_progress_history(*, task: Task) -> list[TaskProgress]:
    """The task's progress reports, newest first, each with its `evidence_list`."""
    return list(
        task.progress.select_related("author")
        .prefetch_related(
            Prefetch(
                "evidence", queryset=TaskEvidence.objects.order_by("pk"), to_attr="evidence_list"
            )
        )
        .order_by("-reported_on", "-pk")
    )


def _status_counts(queryset, today) -> dict:
    overdue = Q(deadline__lt=today) & ~Q(status=Task.Status.DONE)
    return queryset.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=Task.Status.DONE)),
        overdue=Count("pk", filter=overdue),
        in_progress=Count("pk", filter=Q(status=Task.Status.IN_PROGRESS) & ~overdue),
        not_started=Count("pk", filter=Q(status=Task.Status.NOT_STARTED) & ~overdue),
        percent_sum=Sum("percent"),
    )


def _with_percent(counts: dict) -> dict:
    total = counts["total"] or 0
    percent_sum = counts.pop("percent_sum", None) or 0
    counts["percent_done"] = round(100 * counts["done"] / total, 1) if total else 0.0
    counts["average_progress"] = round(percent_sum / total, 1) if total else 0.0
    return counts


def plan_progress(*, plan: Plan, unit_path: str | None = None, today=None) -> dict:
    """How far the plan's tasks are: for the reports dashboard (not scoped: counts only).

    Returns {"total", "not_started", "in_progress", "done", "overdue", "percent_done",
    "average_progress"}; the four status counts are exclusive and add up to `total`
    ("overdue" is any task past its deadline and not done). `unit_path` limits the count
    to the tasks of that unit and the units under it (e.g. one commune union's tasks).
    """
    today = today or timezone.localdate()
    queryset = Task.objects.filter(plan=plan)
    if unit_path:
        queryset = queryset.filter(unit__path__startswith=unit_path)
    return _with_percent(_status_counts(queryset, today))


def task_summary_by_department(*, user, plan: Plan | None = None) -> list[dict]:
    """One row per department leading visible tasks: counts by status and % done."""
    return _summary(user=user, plan=plan, key="lead_department")


def task_summary_by_unit(*, user, plan: Plan | None = None) -> list[dict]:
    """One row per union unit with visible tasks of its own (not of a department)."""
    return _summary(user=user, plan=plan, key="unit")


def _summary(*, user, plan, key: str) -> list[dict]:
    today = timezone.localdate()
    queryset = Task.objects.restrict(user, "view")
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    if key == "lead_department":
        queryset = queryset.filter(lead_department__isnull=False)
        names = ("lead_department", "lead_department__name", "lead_department__order")
        order = ("lead_department__order", "lead_department__name")
    else:
        queryset = queryset.filter(lead_department__isnull=True)
        names = ("unit", "unit__name", "unit__path")
        order = ("unit__name", "unit__path")
    overdue = Q(deadline__lt=today) & ~Q(status=Task.Status.DONE)
    rows = (
        queryset.values(*names)
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Task.Status.DONE)),
            overdue=Count("pk", filter=overdue),
            in_progress=Count("pk", filter=Q(status=Task.Status.IN_PROGRESS) & ~overdue),
            not_started=Count("pk", filter=Q(status=Task.Status.NOT_STARTED) & ~overdue),
            percent_sum=Sum("percent"),
        )
        .order_by(*order)
    )
    result = []
    for row in rows:
        row = dict(row)
        row["id"] = row.pop(names[0])
        row["name"] = row.pop(names[1])
        row.pop(names[2], None)
        result.append(_with_percent(row))
    return result


def task_overdue_by_unit(*, user, plan: Plan | None = None) -> list[dict]:
    """Overdue tasks counted per responsible (department or unit), most overdue first."""
    today = timezone.localdate()
    queryset = Task.objects.restrict(user, "view").overdue(today)
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    rows = queryset.values(
        "unit", "unit__name", "lead_department", "lead_department__name"
    ).annotate(count=Count("pk"), oldest=Min("deadline"))
    return sorted(
        (
            {
                "unit": row["unit"],
                "department": row["lead_department"],
                "name": row["lead_department__name"] or row["unit__name"],
                "count": row["count"],
                "oldest": row["oldest"],
            }
            for row in rows
        ),
        key=lambda row: (-row["count"], row["name"]),
    )


def task_departments(*, user) -> QuerySet[Department]:
    """Departments to filter the task list by: those of the units the user can see."""
    return Department.objects.restrict(user, "view").order_by("union__path", "order", "name")


def task_units(*, user) -> QuerySet[UnionUnit]:
    """Current city and commune unions the user can see, to filter the task list by."""
    return (
        UnionUnit.objects.restrict(user, "view")
        .filter(valid_to__isnull=True, kind__in=[UnionUnit.Kind.CITY, UnionUnit.Kind.COMMUNE])
        .order_by("path")
    )
