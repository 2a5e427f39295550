import pytest

from ansinh.core.jobs import JOB_HANDLERS, MAX_STORED_ERRORS, Progress, job_enqueue, job_run
from ansinh.core.models import AuditEvent, Job

from . import jobs_for_tests  # noqa: F401 - registers the test handlers


def test_test_handlers_are_registered():
    assert JOB_HANDLERS["tests.count"] is jobs_for_tests.count_rows


def test_enqueue_runs_the_handler_after_commit(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_enqueue(
            kind="tests.count",
            title="Đếm dòng",
            user=personas.officer_hoankiem,
            scope_path=personas.hoankiem.path,
            params={"rows": ["An", "", "Bình", ""]},
        )
        # Nothing runs before the transaction commits.
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (4, 4, 100)
    assert job.error_count == 2
    assert job.errors == [
        {"message": "Dòng trống", "row": 2, "column": "Họ và tên"},
        {"message": "Dòng trống", "row": 4, "column": "Họ và tên"},
    ]
    assert job.result == {"summary": [["Đã đọc", 4], ["Dòng trống", 2]]}
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert job.task_id != ""
    assert job.created_by == personas.officer_hoankiem
    event = AuditEvent.objects.get(object_type="core.job", object_id=str(job.pk))
    assert (event.action, event.actor_username, event.scope_path) == (
        "create",
        "hoankiem",
        personas.hoankiem.path,
    )


def test_failure_is_stored_with_its_message_and_progress(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="tests.fail", title="Hỏng", user=personas.officer_hoankiem)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "Tệp bị hỏng ở dòng 4"
    assert (job.done, job.total) == (3, 10)
    assert job.errors == [{"message": "Thiếu họ tên", "row": 2, "column": "Họ và tên"}]
    assert job.result == {}
    assert job.finished_at is not None


def test_unknown_kind_is_refused_and_nothing_written(personas):
    with pytest.raises(ValueError):
        job_enqueue(kind="tests.nope", title="?", user=personas.officer_hoankiem)
    assert Job.objects.count() == 0


def test_a_job_runs_only_once(personas):
    job = Job.objects.create(kind="tests.count", title="x", params={"rows": ["a"]})
    assert job_run(job.pk).status == Job.Status.SUCCEEDED
    assert job_run(job.pk) is None


def test_progress_writes_are_throttled_until_flushed(personas):
    job = Job.objects.create(kind="tests.slow", title="x", status=Job.Status.RUNNING)
    progress = Progress(job, interval=3600)
    progress(0, total=100)  # a new total is written at once
    progress(40)
    progress.error("Sai ngày sinh", row=7)
    job.refresh_from_db()
    assert (job.done, job.total, job.errors) == (0, 100, [])
    progress.flush()
    job.refresh_from_db()
    assert (job.done, job.total, job.error_count) == (40, 100, 1)
    assert job.errors == [{"message": "Sai ngày sinh", "row": 7}]


def test_progress_every_n_items(personas):
    job = Job.objects.create(kind="tests.slow", title="x", status=Job.Status.RUNNING)
    progress = Progress(job, interval=3600, every=10)
    progress(0, total=100)
    progress(9)
    assert Job.objects.get(pk=job.pk).done == 0
    progress(10)
    assert Job.objects.get(pk=job.pk).done == 10


def test_only_the_first_errors_are_kept_but_all_counted(personas):
    job = Job.objects.create(kind="tests.slow", title="x", status=Job.Status.RUNNING)
    progress = Progress(job, interval=3600)
    for row in range(MAX_STORED_ERRORS + 5):
        progress.error("Lỗi", row=row)
    progress.flush()
    job.refresh_from_db()
    assert job.error_count == MAX_STORED_ERRORS + 5
    assert len(job.errors) == MAX_STORED_ERRORS


def test_progress_echoes_to_a_command_line(personas):
    seen = []
    job = Job.objects.create(kind="tests.count", title="x", params={"rows": ["a", "b"]})
    job_run(job.pk, echo=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
