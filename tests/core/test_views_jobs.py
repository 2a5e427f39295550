from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent, Job


def make_job(unit, *, creator=None, **fields):
    values = {"kind": "tests.count", "title": "Nhập danh sách", "scope_path": unit.path}
    values.update(fields)
    return Job.objects.create(created_by=creator, **values)


def test_progress_fragment_polls_while_running(personas, client_for):
    job = make_job(personas.hoankiem, status=Job.Status.RUNNING, done=12345, total=200364)
    response = client_for(personas.officer_hoankiem).get(
        reverse("core:job_progress", args=[job.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="job-status"')
    assert f'hx-get="{reverse("core:job_progress", args=[job.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "12.345 / 200.364 (6%)" in html
    assert 'aria-valuenow="6"' in html


def test_progress_fragment_stops_polling_when_finished(personas, client_for):
    job = make_job(
        personas.hoankiem,
        status=Job.Status.SUCCEEDED,
        done=4,
        total=4,
        error_count=1,
        errors=[{"message": "Dòng trống", "row": 2, "column": "Họ và tên"}],
        result={"summary": [["Đã tạo", 1200]]},
    )
    html = (
        client_for(personas.officer_hoankiem)
        .get(reverse("core:job_progress", args=[job.pk]))
        .content.decode()
    )
    assert "hx-trigger" not in html
    assert 'data-status="succeeded"' in html
    assert '<td class="num">2</td><td>Họ và tên</td><td>Dòng trống</td>' in html
    assert '<th scope="row" class="fw-normal">Đã tạo</th><td class="num">1.200</td>' in html


def test_failed_job_shows_its_message(personas, client_for):
    job = make_job(personas.hoankiem, status=Job.Status.FAILED, message="Tệp bị hỏng ở dòng 4")
    response = client_for(personas.officer_hoankiem).get(reverse("core:job_detail", args=[job.pk]))
    assert response.status_code == 200
    assert "Tệp bị hỏng ở dòng 4" in response.content.decode()


def test_out_of_scope_job_is_404_everywhere(personas, client_for):
    job = make_job(personas.donganh, creator=personas.officer_donganh)
    client = client_for(personas.officer_hoankiem)
    for name in ("core:job_detail", "core:job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.get(reverse(name, args=[job.pk]), {"format": "json"}).status_code == 404
    listing = client.get(reverse("core:job_list")).content.decode()
    assert reverse("core:job_detail", args=[job.pk]) not in listing


def test_creator_sees_her_job_without_the_permission(personas, client_for):
    # The case worker holds no core.view_job, and the job has no scope.
    job = make_job(personas.city, creator=personas.case_worker, scope_path="")
    other = make_job(personas.city, scope_path="")
    client = client_for(personas.case_worker)
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("core:job_detail", args=[other.pk])).status_code == 404


def test_anonymous_is_sent_to_login(personas, client):
    job = make_job(personas.hoankiem)
    response = client.get(reverse("core:job_detail", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_json_for_scripts(personas, client_for):
    job = make_job(personas.hoankiem, status=Job.Status.RUNNING, done=5, total=20)
    data = (
        client_for(personas.officer_hoankiem)
        .get(reverse("core:job_detail", args=[job.pk]), {"format": "json"})
        .json()
    )
    assert {k: data[k] for k in ("id", "status", "done", "total", "percent", "is_finished")} == {
        "id": job.pk,
        "status": "running",
        "done": 5,
        "total": 20,
        "percent": 25,
        "is_finished": False,
    }


def test_list_filters_and_scopes(personas, client_for):
    running = make_job(personas.hoankiem, title="Nhập hộ nghèo", status=Job.Status.RUNNING)
    failed = make_job(personas.hoankiem, title="Tìm trùng", status=Job.Status.FAILED)
    outside = make_job(personas.donganh, title="Nhập Đông Anh", status=Job.Status.RUNNING)
    client = client_for(personas.officer_hoankiem)
    data = client.get(reverse("core:job_list"), {"format": "json"}).json()
    assert sorted(item["id"] for item in data["results"]) == sorted([running.pk, failed.pk])
    data = client.get(reverse("core:job_list"), {"format": "json", "status": "failed"}).json()
    assert [item["id"] for item in data["results"]] == [failed.pk]
    data = client.get(reverse("core:job_list"), {"format": "json", "q": "hộ nghèo"}).json()
    assert [item["id"] for item in data["results"]] == [running.pk]
    admin = client_for(personas.city_admin).get(reverse("core:job_list"), {"format": "json"})
    assert admin.json()["count"] == 3
    page = client.get(reverse("core:job_list"))
    assert page.status_code == 200
    assert "Nhập hộ nghèo" in page.content.decode()
    assert outside.title not in page.content.decode()


def test_list_export_is_audited(personas, client_for):
    make_job(personas.hoankiem, title="Nhập hộ nghèo")
    make_job(personas.donganh, title="Nhập Đông Anh")
    response = client_for(personas.officer_hoankiem).get(
        reverse("core:job_list"), {"export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "Nhập hộ nghèo"
    event = AuditEvent.objects.get(action="export", object_type="core.job")
    assert event.changes["count"] == 1
    assert event.actor_username == "hoankiem"
