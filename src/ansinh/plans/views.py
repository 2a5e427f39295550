"""Plan pages: the list (filter, paginate, export) and one plan with its sections and tasks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_export
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response

from . import selectors


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
