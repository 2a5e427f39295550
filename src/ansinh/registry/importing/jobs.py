"""Background jobs of the import: validate an uploaded file, then commit it.

Validation reports every error through `progress.error(message, row=..., column=...)` (split
old communes also carry `kind="split"` and the candidate communes), so the job page and the
preview list them all. The commit job validates again (with the communes chosen for split
rows) and writes everything in one transaction, or fails and writes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ansinh.core.jobs import Progress, job_handler

from ..models import ImportBatch
from .commit import commit_atomically
from .services import COMMIT_JOB, VALIDATE_JOB, batch_content
from .validation import collector_paused, validate_file


def _batch(job) -> ImportBatch:
    return ImportBatch.objects.select_related("unit__admin_unit", "unit__parent__admin_unit").get(
        pk=job.params["batch_id"]
    )


def _validate(batch: ImportBatch, job, progress: Progress, choices=None):
    return validate_file(
        batch_content(batch),
        file_name=batch.file_name,
        unit=batch.unit,
        user=job.created_by,
        choices=choices,
        progress=progress,
    )


@job_handler(VALIDATE_JOB)
def import_validate(job, progress: Progress) -> dict:
    """Check every row of the batch's file; `params = {"batch_id": ...}`."""
    batch = _batch(job)
    try:
        validation = _validate(batch, job, progress)
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
        raise
    for item in validation.errors:
        progress.error(item["message"], **{k: v for k, v in item.items() if k != "message"})
    hard_errors = [e for e in validation.errors if e.get("kind") != "split"]
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.INVALID if hard_errors else ImportBatch.Status.READY,
        rows_total=validation.rows_total,
        rows_valid=validation.rows_valid,
    )
    return validation.result()


@job_handler(COMMIT_JOB)
@collector_paused()
def import_commit(job, progress: Progress) -> dict:
    """Validate again and write; `params = {"batch_id": ..., "choices": {row: commune_id}}`."""
    batch = _batch(job)
    validation = _validate(batch, job, progress, choices=job.params.get("choices") or {})
    if validation.errors:
        for item in validation.errors:
            progress.error(item["message"], **{k: v for k, v in item.items() if k != "message"})
        raise ValidationError(
            _("Tệp còn %(count)d lỗi: chưa ghi gì.") % {"count": len(validation.errors)}
        )
    counts = commit_atomically(validation, batch=batch, actor=job.created_by)
    return {
        "summary": [
            [_("Hộ đã thêm"), counts["households_created"]],
            [_("Người đã thêm"), counts["people_created"]],
            [_("Người đã có (bỏ qua)"), counts["people_existing"]],
            [_("Diện đối tượng đã ghi"), counts["vulnerabilities_created"]],
            [_("Nhu cầu đã ghi"), counts["needs_created"]],
            [_("Thôn, tổ dân phố đã thêm"), counts["localities_created"]],
        ],
        "counts": counts,
    }
