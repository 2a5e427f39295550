"""Background jobs with progress (DESIGN §2).

A *job* is a long piece of work (an import, a deduplication run, a report build) that the
worker runs while the user watches a progress bar. Each app declares its job kinds in its own
`jobs.py` (imported at start-up by `CoreConfig.ready()`):

    from ansinh.core.jobs import Progress, job_handler

    @job_handler("registry.import")
    def import_registry(job, progress: Progress) -> dict:
        rows = read_rows(job.params["path"])
        progress(0, total=len(rows))
        for number, row in enumerate(rows, start=1):
            if problem := check(row):
                progress.error(problem, row=number, column="CCCD")
            progress(number)
        return {"created": 120, "skipped": 3}

and starts one from a service, inside the transaction that records the request:

    job = job_enqueue(kind="registry.import", title="Nhập danh sách ...", user=user,
                      scope_path=unit.path, params={"path": stored_path})

The job row is written at once; the task is handed to the queue only when that transaction
commits (`transaction.on_commit`), so a worker never looks for a row that does not exist yet.
The Django Tasks API carries the job id; the `Job` row carries status, progress, errors and
result, and is what pages, the API and the CLI read.

Progress is written through the default connection. Work inside a handler's own
`transaction.atomic()` block therefore shows on the bar when that block commits; a handler
that wants a live bar over a long all-or-nothing write validates first (outside the
transaction, reporting progress) and then writes. Whatever happens, the final state (done,
total, every reported error) is written once more after the handler returns or fails.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .audit import audit_create
from .models import Job

logger = logging.getLogger("ansinh.jobs")

JobHandler = Callable[[Job, "Progress"], dict | None]

# kind → handler; filled by @job_handler in each app's jobs.py.
JOB_HANDLERS: dict[str, JobHandler] = {}

# Errors kept on the job row; the count keeps growing past it (`Job.error_count`).
MAX_STORED_ERRORS = 1000


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register `handler(job, progress) -> dict` as the code that runs jobs of `kind`."""

    def register(handler: JobHandler) -> JobHandler:
        existing = JOB_HANDLERS.get(kind)
        if existing is not None and (existing.__module__, existing.__qualname__) != (
            handler.__module__,
            handler.__qualname__,
        ):
            raise ImproperlyConfigured(
                f"Job kind {kind!r} is already handled by "
                f"{existing.__module__}.{existing.__qualname__}"
            )
        JOB_HANDLERS[kind] = handler
        return handler

    return register


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class Progress:
    """What a handler reports: `progress(done, total=None)` and `progress.error(message, ...)`.

    Writes to the job row are throttled: at most once per `interval` seconds (and when the
    total changes or the last item is done), or every `every` items when given. `echo` (e.g. a
    `ProgressLine`) also receives every `(done, total)` when a command runs a job in-process.
    """

    def __init__(
        self,
        job: Job,
        *,
        interval: float = 0.5,
        every: int | None = None,
        echo: Callable[..., Any] | None = None,
    ):
        self.job = job
        self.done = job.done
        self.total = job.total
        self.errors: list[dict] = list(job.errors)
        self.error_count = job.error_count
        self.interval = interval
        self.every = every
        self.echo = echo
        self._written_at = time.monotonic()
        self._written_done = self.done
        self._dirty = False

    def __call__(self, done: int, total: int | None = None) -> None:
        total_changed = total is not None and total != self.total
        if total is not None:
            self.total = total
        self.done = done
        self._dirty = True
        if self.echo is not None:
            self.echo(done, self.total or None)
        self._maybe_flush(force=total_changed or bool(self.total and done >= self.total))

    def advance(self, step: int = 1) -> None:
        """One more item (or `step` more) done."""
        self(self.done + step)

    def error(self, message: str, **detail: Any) -> None:
        """Record a problem, e.g. `progress.error("Thiếu họ tên", row=12, column="Họ và tên")`."""
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(_json_safe({"message": str(message), **detail}))
        self._dirty = True
        self._maybe_flush()

    def _maybe_flush(self, *, force: bool = False) -> None:
        due = time.monotonic() - self._written_at >= self.interval
        if self.every:
            due = due or self.done - self._written_done >= self.every
        if force or due:
            self.flush()

    def flush(self, *, force: bool = False) -> None:
        """Write done/total/errors now (the runner forces it when the handler ends)."""
        if not (self._dirty or force):
            return
        Job.objects.filter(pk=self.job.pk).update(
            done=max(0, self.done),
            total=max(0, self.total),
            errors=self.errors,
            error_count=self.error_count,
        )
        self.job.done, self.job.total = self.done, self.total
        self.job.errors, self.job.error_count = self.errors, self.error_count
        self._written_at = time.monotonic()
        self._written_done = self.done
        self._dirty = False


def job_enqueue(
    *,
    kind: str,
    title: str,
    user,
    scope_path: str = "",
    params: dict | None = None,
) -> Job:
    """Create the job row and hand `run_job` to the queue once the transaction commits."""
    if kind not in JOB_HANDLERS:
        raise ValueError(f"Unknown job kind {kind!r}; known: {sorted(JOB_HANDLERS)}")
    creator = user if user is not None and getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=title[:255],
            created_by=creator,
            scope_path=scope_path,
            params=_json_safe(params or {}),
        )
        audit_create(actor=creator, obj=job, fields=["kind", "title", "params"])
    transaction.on_commit(lambda: _hand_to_queue(job.pk))
    return job


def _hand_to_queue(job_id: int) -> None:
    from .tasks import run_job

    try:
        result = run_job.enqueue(job_id)
    except Exception as exc:
        logger.exception("Could not enqueue job %s", job_id)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            message=f"Không đưa được công việc vào hàng đợi: {exc}",
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or type(exc).__name__


def job_run(job_id: int, *, echo: Callable[..., Any] | None = None) -> Job | None:
    """Run a queued job in this process (the worker's task, or a command that waits for it).

    Claims the row (queued → running) so a job is never run twice; returns the finished job,
    or None when there was nothing to run.
    """
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.warning("Job %s is missing or not queued; nothing to run", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    progress = Progress(job, echo=echo)
    handler = JOB_HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"Không có bộ xử lý cho loại công việc “{job.kind}”.")
        result = handler(job, progress)
        result = _json_safe(result or {})
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        progress.flush(force=True)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            message=_failure_message(exc),
            finished_at=timezone.now(),
        )
    else:
        progress.flush(force=True)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, result=result, finished_at=timezone.now()
        )
        logger.info("Job %s (%s) succeeded", job.pk, job.kind)
    job.refresh_from_db()
    return job


__all__ = [
    "JOB_HANDLERS",
    "MAX_STORED_ERRORS",
    "Progress",
    "job_enqueue",
    "job_handler",
    "job_run",
]
