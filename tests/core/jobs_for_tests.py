"""Job handlers used by the core tests (registered on import)."""

from ansinh.core.jobs import job_handler


@job_handler("tests.count")
def count_rows(job, progress):
    rows = job.params["rows"]
    progress(0, total=len(rows))
    for number, row in enumerate(rows, start=1):
        if not row:
            progress.error("Dòng trống", row=number, column="Họ và tên")
        progress(number)
    return {"summary": [["Đã đọc", len(rows)], ["Dòng trống", rows.count("")]]}


@job_handler("tests.fail")
def fail(job, progress):
    progress(3, total=10)
    progress.error("Thiếu họ tên", row=2, column="Họ và tên")
    raise RuntimeError("Tệp bị hỏng ở dòng 4")


@job_handler("tests.slow")
def slow(job, progress):
    """Leaves the job running-looking: used to watch intermediate progress."""
    progress(1, total=job.params.get("total", 100))
    return {}
