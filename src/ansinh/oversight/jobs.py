"""Background job of the oversight app. There is no periodic scheduler in the worker: a
cron entry / systemd timer runs `ansinh escalate_feedback` every 15 minutes (idempotent);
the same work can be queued as a job (kind "oversight.escalate_feedback")."""

from __future__ import annotations

from ansinh.core.jobs import Progress, job_handler

from .services import escalate_overdue


@job_handler("oversight.escalate_feedback")
def escalate_feedback(job, progress: Progress) -> dict:
    progress(0, total=1)
    count = escalate_overdue()
    progress(1)
    return {"escalated": count}
