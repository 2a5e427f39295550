"""Pages of the reports module: submissions (list, fill in, check, submit, approve, return,
unlock), the city report, the dashboard and the official downloads. Everything is fetched
through the user's scope; outside it a page answers 404 and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ansinh.accounts.permissions import has_permission
from ansinh.core.audit import audit_export
from ansinh.core.listing import XLSX_MIME, paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.scoping import OutOfScope
from ansinh.org.models import UnionUnit

from . import building, figures, selectors, services
from .models import ReportSubmission, ReportTemplate
from .periods import PeriodError, current_period, parse_period, recent_periods

DIMENSION_LABELS = {
    "category": _lazy("Theo diện đối tượng"),
    "age_band": _lazy("Theo nhóm tuổi"),
    "programme": _lazy("Theo chương trình"),
}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _require(user, permission: str) -> None:
    if not has_permission(user, permission):
        raise Http404


def _can(user, submission: ReportSubmission, action: str) -> bool:
    return ReportSubmission.objects.restrict(user, action).filter(pk=submission.pk).exists()


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def _default_period(template: ReportTemplate) -> str:
    """The last finished period of the template's kind (the one being reported now)."""
    return current_period(template.period_type, timezone.localdate()).previous().code


# --- submissions -------------------------------------------------------------------------


@login_required
def submission_list(request):
    _require(request.user, "reports.view_reportsubmission")
    filters = {
        key: request.GET.get(key, "").strip() for key in ("template", "period", "status", "q")
    }
    submissions = selectors.submission_list(user=request.user, filters=filters)
    if wants_export(request):
        rows = list(submissions)
        audit_export(
            actor=request.user,
            object_type="reports.reportsubmission",
            count=len(rows),
            filters=filters,
        )
        return xlsx_response(
            filename="bao-cao",
            sheet_title=_("Báo cáo"),
            headers=[
                _("Mẫu"),
                _("Kỳ"),
                _("Mã đơn vị"),
                _("Đơn vị"),
                _("Trạng thái"),
                _("Hạn nộp"),
                _("Nộp lúc"),
                _("Đúng hạn"),
                _("Duyệt lúc"),
            ],
            rows=[
                [
                    s.period.template.code,
                    s.period.code,
                    s.unit.code,
                    s.unit.name,
                    s.get_status_display(),
                    s.period.deadline,
                    s.submitted_at,
                    {True: _("Có"), False: _("Không"), None: ""}[s.is_on_time],
                    s.approved_at,
                ]
                for s in rows
            ],
        )
    return render(
        request,
        "reports/submission_list.html",
        {
            "page": paginate(request, submissions),
            "query": query_without_page(request),
            "filters": filters,
            "templates": ReportTemplate.objects.order_by("code"),
            "statuses": ReportSubmission.Status.choices,
            "can_open": has_permission(request.user, "reports.add_reportsubmission"),
            "can_city": has_permission(request.user, "reports.view_reportingperiod"),
        },
    )


@login_required
def submission_open(request):
    """Open (or find) a unit's report for a period, pre-filled with the computed values."""
    _require(request.user, "reports.add_reportsubmission")
    templates = list(ReportTemplate.objects.order_by("code"))
    city = figures.city_union()
    chosen = (
        request.POST.get("template")
        or request.GET.get("template")
        or (templates[0].code if templates else "")
    )
    template = next((t for t in templates if t.code == chosen), None)
    period_code = (
        request.POST.get("period")
        or request.GET.get("period")
        or (_default_period(template) if template else "")
    )
    errors = []
    units = []
    if template is not None and city is not None:
        try:
            period = parse_period(period_code, kind=template.period_type)
        except PeriodError as error:
            errors.append(str(error))
        else:
            units = selectors.units_for_user(user=request.user, city=city, period=period)
    if request.method == "POST" and not errors:
        if template is None:
            errors.append(_("Hãy chọn mẫu báo cáo."))
        else:
            unit = next((u for u in units if str(u.pk) == request.POST.get("unit", "")), None)
            if unit is None and len(units) == 1 and not request.POST.get("unit"):
                unit = units[0]
            if unit is None:
                raise Http404
            submission = services.submission_open(
                user=request.user, template=template, code=period_code, unit=unit
            )
            return redirect("reports:submission_detail", submission.pk)
    return render(
        request,
        "reports/submission_open.html",
        {
            "templates": templates,
            "template": template,
            "period_code": period_code,
            "units": units,
            "errors": errors,
        },
    )


def _posted_values(request, rows) -> dict:
    return {
        row.indicator.code: (
            request.POST.get(f"value_{row.indicator.code}", ""),
            request.POST.get(f"reason_{row.indicator.code}", ""),
        )
        for row in rows
        if f"value_{row.indicator.code}" in request.POST
    }


def _posted_sections(request, template) -> dict:
    return {
        section.code: request.POST.get(f"section_{section.code}", "")
        for section in template.sections.all()
        if f"section_{section.code}" in request.POST
    }


@login_required
def submission_detail(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk)
    template = submission.period.template
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    posted = {}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if not _can(request.user, submission, "change"):
            raise Http404
        rows = selectors.submission_rows(submission)
        try:
            if action == "refresh":
                services.submission_refresh(user=request.user, submission=submission)
                messages.success(request, _("Đã cập nhật số liệu tính từ dữ liệu."))
                return redirect("reports:submission_detail", pk)
            services.submission_save(
                user=request.user,
                submission=submission,
                values=_posted_values(request, rows),
                sections=_posted_sections(request, template),
            )
            if action == "submit":
                services.submission_submit(user=request.user, submission=submission)
                messages.success(request, _("Đã nộp báo cáo, chờ Hội LHPN Thành phố duyệt."))
            else:
                messages.success(request, _("Đã lưu báo cáo."))
            return redirect("reports:submission_detail", pk)
        except OutOfScope:
            raise
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = error.message_dict
            else:
                general = list(error.messages)
            posted = request.POST
            submission.refresh_from_db()
    rows = selectors.submission_rows(submission)
    lines = []
    for row in rows:
        code = row.indicator.code
        lines.append(
            {
                "row": row,
                "value": posted.get(f"value_{code}", row.value if row.value is not None else "")
                if posted
                else (row.value if row.value is not None else ""),
                "reason": posted.get(f"reason_{code}", row.reason) if posted else row.reason,
                "value_errors": errors.get(f"value_{code}", []),
                "reason_errors": errors.get(f"reason_{code}", []),
            }
        )
    headings = building._plan_headings(template)
    sections = [
        {
            "section": section,
            "heading": headings.get(section.plan_section_code) or section.heading
            if section.kind == "task_results"
            else section.heading,
            "text": posted.get(f"section_{section.code}", "")
            if posted
            else submission.sections.get(section.code, ""),
            "errors": errors.get(f"section_{section.code}", []),
        }
        for section in template.sections.order_by("order")
        if section.kind != "figures"
    ]
    return render(
        request,
        "reports/submission_detail.html",
        {
            "submission": submission,
            "template": template,
            "lines": lines,
            "sections": sections,
            "checks": services.submission_check(submission=submission),
            "general_errors": general,
            "events": submission.events.select_related("actor"),
            "can_edit": submission.is_editable and _can(request.user, submission, "change"),
            "can_submit": submission.is_editable and _can(request.user, submission, "submit"),
            "can_review": submission.status == ReportSubmission.Status.SUBMITTED
            and _can(request.user, submission, "approve"),
            "can_unlock": submission.is_locked and _can(request.user, submission, "unlock"),
        },
    )


@login_required
@require_POST
def submission_review(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk, action="approve")
    action = request.POST.get("action")
    try:
        if action == "approve":
            services.submission_approve(user=request.user, submission=submission)
            messages.success(request, _("Đã duyệt báo cáo."))
        elif action == "return":
            services.submission_return(
                user=request.user, submission=submission, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("Đã trả lại báo cáo cho đơn vị."))
        else:
            raise Http404
    except ValidationError as error:
        for message in _messages(error):
            messages.error(request, message)
    return redirect("reports:submission_detail", pk)


@login_required
@require_POST
def submission_unlock(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk, action="unlock")
    try:
        services.submission_unlock(
            user=request.user, submission=submission, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Đã mở khóa báo cáo: đơn vị sửa và nộp lại."))
    except ValidationError as error:
        for message in _messages(error):
            messages.error(request, message)
    return redirect("reports:submission_detail", pk)


def _file_response(content: bytes, *, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_MIME if fmt == "docx" else XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def submission_download(request, pk: int, fmt: str):
    from .documents import render_docx, render_xlsx

    submission = selectors.submission_get(user=request.user, pk=pk)
    if fmt not in ("docx", "xlsx"):
        raise Http404
    city = figures.city_union()
    document = building.submission_document(submission=submission, city=city)
    content = render_docx(document) if fmt == "docx" else render_xlsx(document)
    audit_export(
        actor=request.user,
        object_type="reports.reportsubmission",
        count=1,
        filters={"submission": submission.pk, "format": fmt},
        scope_path=submission.unit.path,
    )
    filename = f"{submission.period.template.code}-{submission.period.code}-{submission.unit.code}"
    return _file_response(content, filename=filename, fmt=fmt)


# --- the city report ------------------------------------------------------------------


def _template_and_period(request):
    templates = list(ReportTemplate.objects.order_by("code"))
    if not templates:
        raise Http404
    code = request.GET.get("template") or templates[0].code
    template = next((t for t in templates if t.code == code), None)
    if template is None:
        raise Http404
    period_code = request.GET.get("period") or _default_period(template)
    return templates, template, period_code


@login_required
def city_report(request):
    _require(request.user, "reports.view_reportingperiod")
    templates, template, period_code = _template_and_period(request)
    city = figures.city_union()
    if city is None:
        raise Http404
    # Figures of the whole city: only for those whose scope is the whole city.
    if not UnionUnit.objects.restrict(request.user, "view").filter(pk=city.pk).exists():
        raise Http404
    try:
        report = selectors.city_report(template=template, period_code=period_code, city=city)
    except PeriodError as error:
        return render(
            request,
            "reports/city_report.html",
            {
                "templates": templates,
                "template": template,
                "period_code": period_code,
                "error": str(error),
            },
        )
    fmt = request.GET.get("format")
    if fmt in ("docx", "xlsx"):
        from .documents import render_docx, render_xlsx

        document = building.city_document(report=report)
        content = render_docx(document) if fmt == "docx" else render_xlsx(document)
        audit_export(
            actor=request.user,
            object_type="reports.cityreport",
            count=report.expected,
            filters={"template": template.code, "period": report.period.code, "format": fmt},
            scope_path=city.path,
        )
        return _file_response(
            content, filename=f"{template.code}-{report.period.code}-{city.code}", fmt=fmt
        )
    return render(
        request,
        "reports/city_report.html",
        {
            "templates": templates,
            "template": template,
            "period_code": report.period.code,
            "report": report,
            "percent": f"{report.completeness * 100:.1f}".replace(".", ","),
            "can_approve": has_permission(request.user, "reports.approve_reportsubmission"),
        },
    )


@login_required
@require_POST
def period_manage(request):
    """City union: open every unit's report of a period at once (pre-filled), or set the
    period's deadline."""
    _require(request.user, "reports.approve_reportsubmission")
    city = figures.city_union()
    template = ReportTemplate.objects.filter(code=request.POST.get("template", "")).first()
    if city is None or template is None:
        raise Http404
    if not UnionUnit.objects.restrict(request.user, "view").filter(pk=city.pk).exists():
        raise Http404
    code = request.POST.get("period", "")
    back = f"{reverse('reports:city_report')}?template={template.code}&period={code}"
    try:
        period = parse_period(code, kind=template.period_type)
        if request.POST.get("action") == "open_all":
            units = figures.reporting_units(city=city, period=period)
            services.submissions_open(
                user=request.user, template=template, code=period.code, units=units
            )
            messages.success(
                request,
                _("Đã mở báo cáo kỳ %(period)s cho %(count)d đơn vị.")
                % {"period": period.code, "count": len(units)},
            )
        elif request.POST.get("action") == "deadline":
            deadline = parse_vn_date(request.POST.get("deadline", ""))
            row = services.period_open(user=request.user, template=template, code=period.code)
            services.period_deadline_set(user=request.user, period=row, deadline=deadline)
            messages.success(
                request, _("Đã đặt hạn nộp %(date)s.") % {"date": deadline.strftime("%d/%m/%Y")}
            )
        else:
            raise Http404
    except (PeriodError, ValidationError) as error:
        messages_ = [str(error)] if isinstance(error, PeriodError) else _messages(error)
        for message in messages_:
            messages.error(request, message)
    return redirect(back)


def parse_vn_date(text: str):
    """dd/mm/yyyy (or yyyy-mm-dd from a date input) → date; ValidationError otherwise."""
    import datetime as dt

    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        {"deadline": _("Ngày “%(text)s” không hợp lệ (dd/mm/yyyy).") % {"text": text}}
    )


# --- dashboard ----------------------------------------------------------------------------


@login_required
def dashboard(request):
    _require(request.user, "reports.view_reportingperiod")
    templates, template, period_code = _template_and_period(request)
    city = figures.city_union()
    if city is None:
        raise Http404
    try:
        period = parse_period(period_code, kind=template.period_type)
    except PeriodError:
        period = parse_period(_default_period(template))
    rows = list(template.template_indicators.select_related("indicator").order_by("order"))
    code = request.GET.get("indicator") or (rows[0].indicator.code if rows else "")
    chosen = next((row.indicator for row in rows if row.indicator.code == code), None)
    if chosen is None and rows:
        chosen = rows[0].indicator
    series = []
    by_unit = []
    if chosen is not None:
        visible = set(UnionUnit.objects.restrict(request.user, "view").values_list("pk", flat=True))
        for each in recent_periods(template.period_type, until=period, count=6):
            values = figures.approved_values(template=template, period=each)
            total = sum(v.get(chosen.code) or 0 for pk, v in values.items() if pk in visible)
            series.append({"period": each.label, "value": total})
        report = selectors.city_report(template=template, period_code=period.code, city=city)
        by_unit = sorted(
            (
                {"unit": line.unit.name, "value": line.values.get(chosen.code) or 0}
                for line in report.lines
                if line.unit.pk in visible and line.values
            ),
            key=lambda item: -item["value"],
        )[:30]
    progress = _plan_progress(template=template, period=period, user=request.user)
    tasks = _task_progress(template=template, period=period)
    breakdown = (
        selectors.live_breakdown(user=request.user, code=chosen.code, period=period)
        if chosen is not None
        else {}
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "templates": templates,
            "template": template,
            "period_code": period.code,
            "period": period,
            "rows": rows,
            "chosen": chosen,
            "series": series,
            "by_unit": by_unit,
            "progress": progress,
            "tasks": tasks,
            "breakdown": breakdown,
            "dimension_labels": DIMENSION_LABELS,
        },
    )


def _task_progress(*, template, period) -> dict | None:
    """The plan's tracked tasks (plans module) as they stood at the period's end."""
    from ansinh.plans.models import Plan
    from ansinh.plans.selectors import plan_progress

    plan = Plan.objects.filter(pk=building.plan_of(template)).first()
    if plan is None:
        return None
    return plan_progress(plan=plan, today=min(period.end, timezone.localdate()))


def _plan_progress(*, template, period, user) -> list[dict]:
    """For each group of tasks of the plan (II.1–II.4): how many tasks it lists, and how many
    units reported results on it in their approved reports of the period."""
    from django.db.models import Q

    from ansinh.plans.models import PlanSection

    headings = building._plan_headings(template)
    plan_id = building.plan_of(template)
    approved = list(
        ReportSubmission.objects.restrict(user, "view")
        .filter(
            period__template=template,
            period__code=period.code,
            status=ReportSubmission.Status.APPROVED,
        )
        .values_list("sections", flat=True)
    )
    rows = []
    for section in template.sections.filter(kind="task_results").order_by("order"):
        code = section.plan_section_code
        # The plan writes each task of a group as a "- " bullet of its section.
        bodies = PlanSection.objects.filter(
            Q(code=code) | Q(code__startswith=f"{code}."), plan_id=plan_id
        ).values_list("body", flat=True)
        tasks = sum(
            1 for body in bodies for line in body.splitlines() if line.lstrip().startswith("- ")
        )
        reported = sum(1 for texts in approved if (texts or {}).get(section.code, "").strip())
        rows.append(
            {
                "code": code,
                "heading": headings.get(code) or section.heading,
                "tasks": tasks,
                "reported": reported,
                "approved": len(approved),
                "percent": round(100 * reported / len(approved)) if approved else 0,
            }
        )
    return rows


@login_required
def indicator_list(request):
    from .models import Indicator

    _require(request.user, "reports.view_indicator")
    return render(
        request,
        "reports/indicator_list.html",
        {"indicators": Indicator.objects.order_by("code")},
    )
