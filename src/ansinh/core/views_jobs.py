"""Pages of background jobs: the list, a job's page with its live progress bar, JSON for scripts.

A user sees the jobs inside her scope (`core.view_job`) and always the ones she started.
Anything else answers 404.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import audit_export, user_scope_path
from .listing import paginate, query_without_page, wants_export, xlsx_response
from .models import Job

EXPORT_LIMIT = 100_000


def visible_jobs(*, user):
    """Jobs `user` may see: those in her scope plus those she started."""
    if user is None or not user.is_authenticated:
        return Job.objects.none()
    return (
        Job.objects.restrict(user, "view") | Job.objects.filter(created_by=user)
    ).select_related("created_by")


class JobFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Tìm theo tiêu đề"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"),
        required=False,
        choices=[("", gettext_lazy("Tất cả"))] + list(Job.Status.choices),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), required=False)
    mine = forms.BooleanField(label=gettext_lazy("Chỉ việc tôi tạo"), required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Tất cả"))] + [(k, k) for k in kinds]


def _filtered(request):
    jobs = visible_jobs(user=request.user)
    kinds = sorted(set(jobs.order_by().values_list("kind", flat=True).distinct()))
    form = JobFilterForm(request.GET or None, kinds=kinds)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            jobs = jobs.filter(title__icontains=data["q"].strip())
        if data["status"]:
            jobs = jobs.filter(status=data["status"])
        if data["kind"]:
            jobs = jobs.filter(kind=data["kind"])
        if data["mine"]:
            jobs = jobs.filter(created_by=request.user)
    return form, jobs


def job_payload(job: Job) -> dict:
    """What scripts read (`?format=json`)."""

    def when(value):
        return value.isoformat() if value else None

    return {
        "id": job.pk,
        "kind": job.kind,
        "title": job.title,
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "is_finished": job.is_finished,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error_count": job.error_count,
        "errors": job.errors,
        "result": job.result,
        "message": job.message,
        "created_by": job.created_by.username if job.created_by else None,
        "created_at": when(job.created_at),
        "started_at": when(job.started_at),
        "finished_at": when(job.finished_at),
    }


@login_required
def job_list(request):
    form, jobs = _filtered(request)
    if request.GET.get("format") == "json":
        page = paginate(request, jobs)
        return JsonResponse(
            {
                "count": page.paginator.count,
                "page": page.number,
                "num_pages": page.paginator.num_pages,
                "results": [job_payload(job) for job in page],
            }
        )
    if wants_export(request):
        rows = list(jobs[:EXPORT_LIMIT])
        audit_export(
            actor=request.user,
            object_type="core.job",
            count=len(rows),
            filters={k: v for k, v in request.GET.items() if k != "export"},
            scope_path=user_scope_path(request.user),
        )
        return xlsx_response(
            filename="cong-viec-nen",
            sheet_title=_("Công việc nền"),
            headers=[
                _("Mã"),
                _("Tiêu đề"),
                _("Loại"),
                _("Trạng thái"),
                _("Đã xử lý"),
                _("Tổng số"),
                _("Số lỗi"),
                _("Người tạo"),
                _("Tạo lúc"),
                _("Bắt đầu"),
                _("Kết thúc"),
                _("Thông báo"),
            ],
            rows=(
                [
                    job.pk,
                    job.title,
                    job.kind,
                    str(job.get_status_display()),
                    job.done,
                    job.total,
                    job.error_count,
                    job.created_by.username if job.created_by else "",
                    job.created_at,
                    job.started_at,
                    job.finished_at,
                    job.message,
                ]
                for job in rows
            ),
        )
    return render(
        request,
        "core/job_list.html",
        {"form": form, "page": paginate(request, jobs), "query": query_without_page(request)},
    )


def _get_job(request, pk: int) -> Job:
    job = visible_jobs(user=request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("Không tìm thấy công việc."))
    return job


def _display(value) -> str:
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def result_rows(job: Job) -> list[tuple[str, str]]:
    """The result as (label, shown value) rows: `result["summary"]` pairs when the handler
    gives them (`[["Đã tạo", 120], ...]`, labels in Vietnamese), else the result's items."""
    result = job.result or {}
    summary = result.get("summary")
    if isinstance(summary, list) and all(
        isinstance(item, (list, tuple)) and len(item) == 2 for item in summary
    ):
        return [(str(label), _display(value)) for label, value in summary]
    return [(str(key), _display(value)) for key, value in result.items()]


def _status_context(job: Job) -> dict:
    errors = job.errors or []
    return {
        "job": job,
        "result_rows": result_rows(job) if job.is_finished else [],
        # While running, only the latest errors; the whole list once finished.
        "shown_errors": errors if job.is_finished else errors[-10:],
    }


@login_required
def job_detail(request, pk: int):
    job = _get_job(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(job_payload(job))
    return render(request, "core/job_detail.html", _status_context(job))


@login_required
def job_progress(request, pk: int):
    """The status block alone, polled by htmx every second until the job ends."""
    job = _get_job(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(job_payload(job))
    return render(request, "core/_job_status.html", _status_context(job))


__all__ = ["job_detail", "job_list", "job_payload", "job_progress", "visible_jobs"]
