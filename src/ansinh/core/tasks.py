"""Tasks of the core app for the Django Tasks API (`django-tasks` backport).

One generic task runs every kind of job: the `Job` row says what to do (`core.jobs`).
"""

from django_tasks import task

from .jobs import job_run
from .models import Job


class JobFailed(Exception):
    """The job's handler failed; its message is on the job row."""


@task()
def run_job(job_id: int) -> dict:
    """Run job `job_id`; the task fails too when the job does, so the worker log shows it."""
    job = job_run(job_id)
    if job is None:
        return {"job_id": job_id, "status": "skipped"}
    if job.status == Job.Status.FAILED:
        raise JobFailed(f"Job {job_id} ({job.kind}) failed: {job.message}")
    return {"job_id": job_id, "status": job.status}
