from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from ansinh.core.jobs import job_enqueue
from ansinh.core.models import Job

from . import jobs_for_tests  # noqa: F401 - registers the test handlers

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_worker_runs_queued_jobs_from_the_database(personas):
    from django_tasks_db.models import DBTaskResult

    job = job_enqueue(
        kind="tests.count",
        title="Đếm",
        user=personas.officer_hoankiem,
        scope_path=personas.hoankiem.path,
        params={"rows": ["An", "", "Bình"]},
    )
    job.refresh_from_db()
    # Queued in the database, not run yet.
    assert job.status == Job.Status.QUEUED
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"

    output = StringIO()
    call_command("worker", "--batch", "--no-startup-delay", stdout=output)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.error_count) == (3, 3, 1)
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert "ansinh worker: hàng đợi default" in output.getvalue()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_worker_marks_the_task_failed_when_the_job_fails(personas):
    from django_tasks_db.models import DBTaskResult

    job = job_enqueue(kind="tests.fail", title="Hỏng", user=personas.officer_hoankiem)
    job.refresh_from_db()
    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO())
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "Tệp bị hỏng ở dòng 4"
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
