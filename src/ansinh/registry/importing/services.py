"""Import services: upload a file (→ validation job), commit it (→ commit job), or run both at
once from the command line. Pages, the job handlers and the command all call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import ALL, scope_paths
from ansinh.core.audit import audit_create
from ansinh.core.jobs import job_enqueue
from ansinh.core.scoping import OutOfScope
from ansinh.org.models import UnionUnit

from ..models import ImportBatch
from .commit import CommitRefused, already_committed, bulk_begin, commit_validation
from .streaming import PersonStream
from .validation import Validation, collector_paused, file_sha256, validate_file

IMPORT_PERMISSION = "registry.import_person"
VALIDATE_JOB = "registry.import_validate"
COMMIT_JOB = "registry.import_commit"
MAX_FILE_BYTES = 200 * 1024 * 1024


def import_units(*, user) -> QuerySet[UnionUnit]:
    """Units `user` may import into: current city/province and commune unions in her scope."""
    units = UnionUnit.objects.filter(
        kind__in=[UnionUnit.Kind.CITY, UnionUnit.Kind.COMMUNE], valid_to__isnull=True
    ).order_by("path")
    paths = scope_paths(user, IMPORT_PERMISSION)
    if paths is ALL:
        return units
    if not paths:
        return units.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def may_import(*, user, path: str) -> bool:
    paths = scope_paths(user, IMPORT_PERMISSION)
    return paths is ALL or any(path.startswith(p) for p in paths)


def unit_for_code(code: str) -> UnionUnit | None:
    """The current union of an official unit code: a commune (00070) or the province (01)."""
    return (
        UnionUnit.objects.filter(
            code=code.strip(),
            kind__in=[UnionUnit.Kind.CITY, UnionUnit.Kind.COMMUNE],
            valid_to__isnull=True,
        )
        .select_related("admin_unit", "parent__admin_unit")
        .order_by("-valid_from")
        .first()
    )


def import_batch_create(
    *, user, unit: UnionUnit, file_name: str, content: bytes
) -> tuple[ImportBatch | None, ImportBatch | None]:
    """Store an uploaded file and start its validation job.

    Returns (new batch, None), or (None, earlier batch) when this exact file was already
    committed for this unit: nothing is written then.
    """
    if not may_import(user=user, path=unit.path):
        raise OutOfScope("The unit is outside the user's import scope.")
    sha256 = file_sha256(content)
    earlier = already_committed(unit=unit, sha256=sha256)
    if earlier is not None:
        return None, earlier
    with transaction.atomic():
        batch = ImportBatch(
            unit=unit,
            scope_path=unit.path,
            file_name=file_name[:255],
            file_sha256=sha256,
            created_by=user,
        )
        batch.stored_file.save(file_name[:100], ContentFile(content), save=False)
        batch.save()
        audit_create(actor=user, obj=batch, fields=["unit", "file_name", "file_sha256"])
        batch.job = job_enqueue(
            kind=VALIDATE_JOB,
            title=_("Kiểm tra tệp %(name)s") % {"name": file_name},
            user=user,
            scope_path=unit.path,
            params={"batch_id": batch.pk},
        )
        batch.save(update_fields=["job"])
    return batch, None


def import_batch_commit(*, user, batch: ImportBatch, choices: dict[str, int]):
    """Start writing a validated batch (with the communes chosen for split old communes)."""
    if not may_import(user=user, path=batch.scope_path):
        raise OutOfScope("The batch is outside the user's import scope.")
    if batch.status != ImportBatch.Status.READY:
        raise CommitRefused(
            _("Đợt nhập đang ở trạng thái “%(status)s”: chỉ ghi được khi sẵn sàng.")
            % {"status": batch.get_status_display()}
        )
    return job_enqueue(
        kind=COMMIT_JOB,
        title=_("Ghi dữ liệu từ tệp %(name)s") % {"name": batch.file_name},
        user=user,
        scope_path=batch.scope_path,
        params={"batch_id": batch.pk, "choices": {str(k): int(v) for k, v in choices.items()}},
    )


def batch_content(batch: ImportBatch) -> bytes:
    with batch.stored_file.open("rb") as handle:
        return handle.read()


@dataclass
class FileImport:
    """What the command line reports."""

    validation: Validation | None = None
    earlier: ImportBatch | None = None
    batch: ImportBatch | None = None
    counts: dict[str, int] = field(default_factory=dict)


@collector_paused()
def import_file_run(
    *,
    content: bytes,
    file_name: str,
    unit: UnionUnit,
    user=None,
    dry_run: bool = False,
    choices: dict | None = None,
    progress=None,
) -> FileImport:
    """Validate and (unless `dry_run` or anything is wrong) commit a file in this process.

    Nothing at all is written on errors or with `dry_run`.
    """
    sha256 = file_sha256(content)
    earlier = already_committed(unit=unit, sha256=sha256)
    if earlier is not None:
        return FileImport(earlier=earlier)
    if connection.vendor == "postgresql" and not dry_run:
        return _import_streaming(
            content=content,
            file_name=file_name,
            sha256=sha256,
            unit=unit,
            user=user,
            choices=choices,
            progress=progress,
        )
    validation = validate_file(
        content, file_name=file_name, unit=unit, user=user, choices=choices, progress=progress
    )
    outcome = FileImport(validation=validation)
    if validation.errors or dry_run:
        return outcome
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            unit=unit,
            scope_path=unit.path,
            file_name=file_name[:255],
            file_sha256=sha256,
            status=ImportBatch.Status.READY,
            created_by=user,
        )
        outcome.counts = commit_validation(validation, batch=batch, actor=user)
    outcome.batch = batch
    return outcome


class _Refused(Exception):
    """Leaves the import's transaction: the file has errors, nothing is kept."""


def _import_streaming(*, content, file_name, sha256, unit, user, choices, progress) -> FileImport:
    """`import_file_run` on PostgreSQL: checking and writing overlap (`streaming`); the
    same outcome, all or nothing."""
    outcome = FileImport()
    try:
        with transaction.atomic():
            bulk_begin()  # before the stream writes its first person
            batch = ImportBatch.objects.create(
                unit=unit,
                scope_path=unit.path,
                file_name=file_name[:255],
                file_sha256=sha256,
                status=ImportBatch.Status.READY,
                created_by=user,
            )
            stream = PersonStream(batch=batch)
            outcome.validation = validate_file(
                content,
                file_name=file_name,
                unit=unit,
                user=user,
                choices=choices,
                progress=progress,
                stream=stream,
            )
            kept = stream.keep(outcome.validation)
            if outcome.validation.errors:
                raise _Refused
            outcome.counts = commit_validation(
                outcome.validation,
                batch=batch,
                actor=user,
                written=stream.written if kept else None,
                written_links=stream.links if kept else None,
                written_unchecked=kept and stream.unchecked,
            )
    except _Refused:
        return outcome
    outcome.batch = batch
    return outcome
