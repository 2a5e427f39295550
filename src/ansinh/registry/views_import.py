"""Import pages: upload a file, watch its validation, preview the result, commit it.

A user sees and commits only batches of units where she holds `registry.import_person`;
anything else answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.core.listing import XLSX_MIME
from ansinh.core.models import Job
from ansinh.core.scoping import get_scoped_or_404

from .importing.commit import CommitRefused
from .importing.reading import SPREADSHEET_SUFFIXES
from .importing.services import (
    COMMIT_JOB,
    MAX_FILE_BYTES,
    import_batch_commit,
    import_batch_create,
    import_units,
    may_import,
)
from .importing.template import template_bytes
from .models import ImportBatch

ACCEPTED = (*SPREADSHEET_SUFFIXES, ".csv", ".txt")


class UploadForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Nhập cho đơn vị"), queryset=None)
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = import_units(user=user)
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(ACCEPTED):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Tệp lớn quá 200 MB: hãy chia thành nhiều tệp."))
        return upload


def _require_import_permission(user) -> None:
    if not import_units(user=user).exists():
        raise Http404(_("Không có trang này."))


@login_required
def import_upload(request):
    _require_import_permission(request.user)
    if request.method == "POST":
        # An out-of-scope unit is not among the choices: answer 404, as everywhere else.
        unit_id = request.POST.get("unit")
        if unit_id and not import_units(user=request.user).filter(pk=unit_id).exists():
            raise Http404(_("Không có đơn vị này."))
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch, earlier = import_batch_create(
                user=request.user,
                unit=form.cleaned_data["unit"],
                file_name=upload.name,
                content=upload.read(),
            )
            if earlier is not None:
                messages.info(
                    request,
                    _("Tệp này đã được nhập (đợt #%(pk)d): không có gì để làm.")
                    % {"pk": earlier.pk},
                )
                return redirect("registry:import_detail", pk=earlier.pk)
            return redirect("registry:import_detail", pk=batch.pk)
    else:
        form = UploadForm(user=request.user)
    batches = (
        ImportBatch.objects.restrict(request.user, "view")
        .select_related("unit", "created_by")
        .order_by("-created_at", "-id")[:20]
    )
    return render(request, "registry/import/upload.html", {"form": form, "batches": batches})


@login_required
def import_template(request):
    _require_import_permission(request.user)
    response = HttpResponse(template_bytes(), content_type=XLSX_MIME)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-doi-tuong.xlsx"'
    return response


def _get_batch(request, pk: int) -> ImportBatch:
    batch = get_scoped_or_404(
        ImportBatch.objects.select_related("unit", "job", "created_by"), request.user, pk=pk
    )
    if not may_import(user=request.user, path=batch.scope_path):
        raise Http404(_("Không có đợt nhập này."))
    return batch


def _commit_job(batch: ImportBatch) -> Job | None:
    return Job.objects.filter(kind=COMMIT_JOB, params__batch_id=batch.pk).order_by("-id").first()


def _context(batch: ImportBatch) -> dict:
    job = batch.job
    commit_job = _commit_job(batch)
    result = (job.result or {}) if job else {}
    errors = list(job.errors or []) if job else []
    splits = result.get("splits") or []
    hard_errors = [e for e in errors if e.get("kind") != "split"]
    running = commit_job if commit_job and not commit_job.is_finished else job
    return {
        "batch": batch,
        "job": job,
        "commit_job": commit_job,
        "is_running": running is not None and not running.is_finished,
        "running_job": running,
        "counts": result.get("counts") or {},
        "errors": errors,
        "error_count": job.error_count if job else 0,
        "hard_error_count": len(hard_errors),
        "splits": splits,
        "new_localities": result.get("new_localities") or [],
        "can_commit": batch.status == ImportBatch.Status.READY
        and (commit_job is None or commit_job.status == Job.Status.FAILED),
    }


@login_required
def import_detail(request, pk: int):
    batch = _get_batch(request, pk)
    template = (
        "registry/import/_status.html"
        if request.GET.get("partial")
        else "registry/import/detail.html"
    )
    return render(request, template, _context(batch))


@login_required
@require_POST
def import_commit(request, pk: int):
    batch = _get_batch(request, pk)
    context = _context(batch)
    choices = {}
    for split in context["splits"]:
        value = request.POST.get(f"choice_{split['row']}", "")
        allowed = {str(candidate) for candidate, _name in split.get("candidates", [])}
        if value in allowed:
            choices[str(split["row"])] = int(value)
    missing = [s["row"] for s in context["splits"] if str(s["row"]) not in choices]
    if missing:
        messages.error(
            request,
            _("Chưa chọn xã/phường cho dòng %(rows)s.") % {"rows": ", ".join(map(str, missing))},
        )
        return redirect("registry:import_detail", pk=batch.pk)
    try:
        import_batch_commit(user=request.user, batch=batch, choices=choices)
    except CommitRefused as exc:
        messages.error(request, str(exc))
    return redirect("registry:import_detail", pk=batch.pk)
