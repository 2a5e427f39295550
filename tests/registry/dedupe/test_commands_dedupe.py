"""`ansinh dedupe [--unit CODE] [--export pairs.csv]`."""

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ansinh.registry.models import DuplicateCandidate


@pytest.fixture
def two_pairs(make_person):
    a = make_person("Nguyễn Thị Hoà", birth_date=dt.date(1985, 3, 12))
    b = make_person("Nguyen Thi Hoa", birth_date=dt.date(1985, 3, 12))
    c = make_person("Trần Thị Lan", unit="donganh", birth_date=dt.date(1970, 1, 2))
    d = make_person("Tran Thi Lan", unit="donganh", birth_date=dt.date(1970, 1, 2))
    return (a.pk, b.pk), (c.pk, d.pk)


def test_export_csv_has_exactly_the_columns(two_pairs, tmp_path):
    target = tmp_path / "pairs.csv"
    out, err = StringIO(), StringIO()
    call_command("dedupe", export=str(target), stdout=out, stderr=err)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["person_id_a", "person_id_b", "score"]
    assert [(int(r[0]), int(r[1])) for r in rows[1:]] == sorted(two_pairs)
    assert all(0.5 <= float(r[2]) <= 1.0 for r in rows[1:])
    assert "Tìm hồ sơ trùng" in err.getvalue()
    assert "2 cặp nghi trùng; thêm mới 2" in out.getvalue()
    assert DuplicateCandidate.objects.count() == 2


def test_unit_code_limits_the_run(two_pairs, tmp_path):
    target = tmp_path / "pairs.csv"
    call_command("dedupe", unit="00454", export=str(target), stdout=StringIO(), stderr=StringIO())
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert [(int(r[0]), int(r[1])) for r in rows[1:]] == [two_pairs[1]]
    call_command("dedupe", unit="01", stdout=StringIO(), stderr=StringIO())
    assert DuplicateCandidate.objects.count() == 2


def test_bad_unit_code_fails_in_vietnamese_and_writes_nothing(two_pairs):
    with pytest.raises(CommandError) as error:
        call_command("dedupe", unit="99999", stdout=StringIO(), stderr=StringIO())
    assert str(error.value).startswith("Không tìm thấy đơn vị có mã “99999”")
    assert DuplicateCandidate.objects.count() == 0


def test_job_handler_runs_the_batch(two_pairs, personas):
    from ansinh.core.jobs import job_run
    from ansinh.registry.dedupe_jobs import dedupe_enqueue

    job = dedupe_enqueue(user=personas.officer_hoankiem, unit=personas.hoankiem)
    job.refresh_from_db()
    if job.status == "queued":
        job = job_run(job.pk)
    assert job.status == "succeeded"
    assert job.result == {"pairs": 1, "created": 1, "updated": 0, "skipped": 0}
    assert DuplicateCandidate.objects.get().person_a_id == two_pairs[0][0]


def test_job_out_of_scope_is_refused(two_pairs, personas):
    from django.http import Http404

    from ansinh.registry.dedupe_jobs import dedupe_enqueue

    with pytest.raises(Http404):
        dedupe_enqueue(user=personas.officer_hoankiem, unit=personas.donganh)
