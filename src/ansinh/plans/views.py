"""Plan pages: the list (filter, paginate, export), one plan with its sections, and the
plan's tasks: lists per department and per unit, overdue tasks, one task with its progress
reports and the form to add one. Tasks are read through the user's scope: a task outside it
answers 404, and so does a progress report posted to it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ansinh.core.audit import audit_export
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.scoping import get_scoped_or_404

from . import selectors, services
from .forms import TaskEditForm, TaskProgressForm
from .models import Plan, Task, TaskEvidence


@login_required
def plan_list(request):
    filters = {"q": request.GET.get("q", ""), "year": request.GET.get("year", "")}
    plans = selectors.plan_list(filters=filters)
    if wants_export(request):
        rows = [
            (
                plan.number,
                plan.issued_on,
                plan.issuer,
                plan.title,
                plan.section_count,
                plan.source_name,
                plan.loaded_at,
            )
            for plan in plans
        ]
        audit_export(
            actor=request.user,
            object_type="plans.plan",
            count=len(rows),
            filters={k: v for k, v in filters.items() if v},
        )
        return xlsx_response(
            filename="ke-hoach",
            sheet_title=_("Kế hoạch"),
            headers=[
                _("Số, ký hiệu"),
                _("Ngày ban hành"),
                _("Cơ quan ban hành"),
                _("Trích yếu"),
                _("Số mục"),
                _("Tệp nguồn"),
                _("Nạp lúc"),
            ],
            rows=rows,
        )
    return render(
        request,
        "plans/plan_list.html",
        {
            "page": paginate(request, plans),
            "query": query_without_page(request),
            "filters": filters,
            "years": selectors.plan_years(),
        },
    )


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_get(pk=pk)
    sections = selectors.plan_section_tree(plan=plan)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "sections": sections,
            "assignments": selectors.plan_assignments(plan=plan),
        },
    )


# ---------------------------------------------------------------------------------------------
# Tasks

TASK_FILTERS = selectors.TASK_FILTERS
SUMMARY_PER_PAGE = 200


def _task_filters(request) -> dict:
    return {name: request.GET.get(name, "") for name in TASK_FILTERS}


def _task_export(request, tasks, filters, filename):
    rows = [
        (
            task.section.code,
            task.title,
            task.lead_department.name if task.lead_department_id else "",
            task.unit.name,
            task.starts_on,
            task.deadline,
            task.display_status,
            task.percent,
            task.completed_on,
        )
        for task in tasks.iterator(chunk_size=2000)
    ]
    audit_export(
        actor=request.user,
        object_type="plans.task",
        count=len(rows),
        filters={k: v for k, v in filters.items() if v},
    )
    return xlsx_response(
        filename=filename,
        sheet_title=_("Nhiệm vụ"),
        headers=[
            _("Mục"),
            _("Nhiệm vụ"),
            _("Ban, đơn vị chủ trì"),
            _("Đơn vị thực hiện"),
            _("Ngày bắt đầu"),
            _("Thời hạn"),
            _("Trạng thái"),
            _("Tiến độ (%)"),
            _("Ngày hoàn thành"),
        ],
        rows=rows,
    )


def _list_context(request, filters) -> dict:
    return {
        "filters": filters,
        "plans": Plan.objects.order_by("-issued_on", "-id"),
        "departments": selectors.task_departments(user=request.user),
        "units": selectors.task_units(user=request.user),
        "statuses": selectors.TASK_STATUS_FILTERS,
    }


@login_required
def task_list(request):
    """Tasks of the user's scope; filter by plan, department, unit, status, overdue."""
    filters = _task_filters(request)
    tasks = selectors.task_list(user=request.user, filters=filters)
    if wants_export(request):
        return _task_export(request, tasks, filters, "nhiem-vu")
    context = _list_context(request, filters)
    context.update(
        page=paginate(request, tasks.prefetch_related("cooperating_departments")),
        query=query_without_page(request),
        title=_("Nhiệm vụ thực hiện kế hoạch"),
    )
    return render(request, "plans/task_list.html", context)


@login_required
def task_overdue(request):
    """Tasks past their deadline and not done, with the count per department or unit."""
    filters = {**_task_filters(request), "overdue": "1"}
    tasks = selectors.task_list(user=request.user, filters=filters)
    if wants_export(request):
        return _task_export(request, tasks, filters, "nhiem-vu-qua-han")
    plan = Plan.objects.filter(pk=selectors.parse_id(filters["plan"])).first()
    context = _list_context(request, filters)
    context.update(
        page=paginate(request, tasks.prefetch_related("cooperating_departments")),
        query=query_without_page(request),
        title=_("Nhiệm vụ quá hạn"),
        overdue_page=True,
        overdue_counts=selectors.task_overdue_by_unit(user=request.user, plan=plan),
    )
    return render(request, "plans/task_list.html", context)


@login_required
def task_overview(request):
    """Progress per department and per unit, each row linking to its task list."""
    plans = list(Plan.objects.order_by("-issued_on", "-id"))
    wanted = selectors.parse_id(request.GET.get("plan"))
    plan = next((p for p in plans if p.pk == wanted), plans[0] if plans else None)
    by_department = selectors.task_summary_by_department(user=request.user, plan=plan)
    by_unit = selectors.task_summary_by_unit(user=request.user, plan=plan)
    if wants_export(request):
        rows = [
            (
                row["name"],
                row["total"],
                row["not_started"],
                row["in_progress"],
                row["done"],
                row["overdue"],
                row["percent_done"],
            )
            for row in [*by_department, *by_unit]
        ]
        audit_export(
            actor=request.user,
            object_type="plans.task_summary",
            count=len(rows),
            filters={"plan": plan.pk if plan else None},
        )
        return xlsx_response(
            filename="tien-do-nhiem-vu",
            sheet_title=_("Tiến độ"),
            headers=[
                _("Ban, đơn vị"),
                _("Tổng số nhiệm vụ"),
                _("Chưa thực hiện"),
                _("Đang thực hiện"),
                _("Hoàn thành"),
                _("Quá hạn"),
                _("Tỷ lệ hoàn thành (%)"),
            ],
            rows=rows,
        )
    return render(
        request,
        "plans/task_overview.html",
        {
            "plans": plans,
            "plan": plan,
            "by_department": by_department,
            # One row per commune union: the city's 126 fit on one page.
            "by_unit": paginate(request, by_unit, per_page=SUMMARY_PER_PAGE),
            "query": query_without_page(request),
        },
    )


def _task_page(request, task, form, status=200):
    can_report = (
        Task.objects.restrict(request.user, permission="plans.add_taskprogress")
        .filter(pk=task.pk)
        .exists()
    )
    can_change = Task.objects.restrict(request.user, "change").filter(pk=task.pk).exists()
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "history": selectors.task_progress_history(task=task),
            "cooperating_departments": list(task.cooperating_departments.all()),
            "cooperating_units": list(task.cooperating_units.all()),
            "form": form if can_report else None,
            "can_change": can_change,
        },
        status=status,
    )


@login_required
def task_detail(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    return _task_page(request, task, TaskProgressForm(task=task))


@login_required
@require_POST
def task_progress_add(request, pk: int):
    """Add a progress report; 404 when the task is not the user's to report on."""
    task = selectors.task_get(user=request.user, pk=pk)
    form = TaskProgressForm(request.POST, request.FILES, task=task)
    if form.is_valid():
        try:
            services.task_progress_add(
                user=request.user,
                task=task,
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
                reported_on=form.cleaned_data["reported_on"],
                files=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Đã ghi nhận tiến độ nhiệm vụ."))
            return redirect("plans:task_detail", pk=task.pk)
    elif (
        not Task.objects.restrict(request.user, permission="plans.add_taskprogress")
        .filter(pk=task.pk)
        .exists()
    ):
        raise Http404
    return _task_page(request, task, form)


@login_required
def task_edit(request, pk: int):
    """Change a task's wording, dates, lead and cooperating departments or units (404 for
    a user who may not change it)."""
    task = selectors.task_get(user=request.user, pk=pk, action="change")
    if request.method == "POST":
        form = TaskEditForm(request.POST, task=task, user=request.user)
        if form.is_valid():
            try:
                services.task_update(user=request.user, task=task, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Đã lưu nhiệm vụ."))
                return redirect("plans:task_detail", pk=task.pk)
    else:
        form = TaskEditForm(task=task, user=request.user)
    return render(request, "plans/task_form.html", {"task": task, "form": form})


@login_required
def task_evidence(request, pk: int):
    """An evidence file, only through the user's scope (never a public media URL)."""
    evidence = get_scoped_or_404(TaskEvidence.objects, request.user, "view", pk=pk)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )
