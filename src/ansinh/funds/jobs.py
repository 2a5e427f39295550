"""Background job of the funds app: import an uploaded bank statement with progress."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from ansinh.core.jobs import Progress, job_handler

from .models import Campaign
from .statements import StatementRefused, statement_import

STATEMENT_JOB = "funds.statement_import"


@job_handler(STATEMENT_JOB)
def statement_import_job(job, progress: Progress) -> dict:
    """`params = {"campaign_id", "storage_name", "file_name", "bank"}`."""
    campaign = Campaign.objects.get(pk=job.params["campaign_id"])
    storage_name = job.params["storage_name"]
    with default_storage.open(storage_name, "rb") as stored:
        data = stored.read()
    try:
        result = statement_import(
            campaign=campaign,
            path=Path(job.params["file_name"]),
            data=data,
            actor=job.created_by,
            bank=job.params.get("bank", "VCB"),
            progress=progress,
        )
    except StatementRefused as refused:
        for error in refused.errors:
            progress.error(error.message, row=error.row, column=error.column)
        raise ValidationError(_("Tệp bị từ chối: không có dòng nào được lưu.")) from None
    finally:
        default_storage.delete(storage_name)
    return {
        "campaign": campaign.slug,
        "summary": [
            [_("Số dòng đọc"), result.lines_read],
            [_("Khoản ủng hộ mới"), result.lines_added],
            [_("Số tiền mới (đồng)"), result.amount_added],
            [_("Chờ xác định người ủng hộ"), result.lines_to_review],
        ],
    }
