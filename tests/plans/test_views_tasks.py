"""Task pages: lists per department and unit, overdue, overview, a task with its progress form,
evidence download; the permission suite for tasks, their API and their evidence files."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ansinh.accounts.permissions import Role
from ansinh.core.models import AuditEvent
from ansinh.plans.models import Task, TaskEvidence, TaskProgress
from ansinh.plans.services import plan_load, plan_tasks_generate, task_progress_add

from ..factories import RoleAssignmentFactory, UserFactory
from ..permission_suite import ScopedPermissionSuite
from .conftest import DEPARTMENTS, SYNTHETIC_PLAN

TODAY = dt.date.today()


def load_tasks(personas):
    """The synthetic plan and its tasks, for suites whose make_objects has no fixtures."""
    import tempfile
    from pathlib import Path

    from ansinh.org.models import Department

    for index, (code, name, kind) in enumerate(DEPARTMENTS):
        Department.objects.get_or_create(
            union=personas.city, code=code, defaults={"name": name, "kind": kind, "order": index}
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ke-hoach.txt"
        path.write_text(SYNTHETIC_PLAN, encoding="utf-8")
        plan = plan_load(path=path, city=personas.city)
    plan_tasks_generate(plan=plan)
    return plan


def first_task(plan, unit):
    return Task.objects.filter(plan=plan, unit=unit).order_by("assignment__order").first()


@pytest.fixture
def plan(personas, departments, plan_file):
    plan = plan_load(path=plan_file, city=personas.city)
    plan_tasks_generate(plan=plan)
    return plan


def progress_post(**changes):
    return {
        "reported_on": TODAY.strftime("%d/%m/%Y"),
        "percent": "50",
        "text": "Đã triển khai tới các chi hội",
        **changes,
    }


# --- the permission suite -----------------------------------------------------------------------


class TestTaskPagePermissions(ScopedPermissionSuite):
    model = Task

    def make_objects(self, personas):
        plan = load_tasks(personas)
        return first_task(plan, personas.hoankiem), first_task(plan, personas.donganh)

    def page_url(self, obj):
        return reverse("plans:task_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("plantask-detail", args=[obj.pk])

    def write_request(self, obj):
        return ("post", reverse("plans:task_progress_add", args=[obj.pk]), progress_post())


class TestTaskApiPermissions(TestTaskPagePermissions):
    def page_url(self, obj):
        return None

    def write_request(self, obj):
        return (
            "post",
            reverse("plantask-progress", args=[obj.pk]),
            {"text": "Đã làm", "percent": 20},
        )


class TestTaskEvidencePermissions(ScopedPermissionSuite):
    model = TaskEvidence

    def make_objects(self, personas):
        plan = load_tasks(personas)
        files = []
        for unit in (personas.hoankiem, personas.donganh):
            progress = task_progress_add(
                user=personas.city_admin,
                task=first_task(plan, unit),
                text="Biên bản",
                percent=10,
                files=[SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 noi dung")],
            )
            files.append(progress.evidence.get())
        return tuple(files)

    def page_url(self, obj):
        return reverse("plans:task_evidence", args=[obj.pk])


# --- lists --------------------------------------------------------------------------------------


def test_officer_lists_only_her_communes_tasks(personas, plan, client_for):
    response = client_for(personas.officer_hoankiem).get(reverse("plans:task_list"))

    assert response.status_code == 200
    tasks = list(response.context["page"])
    assert {task.unit.code for task in tasks} == {"00070"}
    assert len(tasks) == 2
    assert "Định kỳ báo cáo 6 tháng, 1 năm" in response.content.decode()


def test_list_filters_by_department_and_unit_for_the_city(personas, departments, plan, client_for):
    client = client_for(personas.city_admin)
    department = departments["gia-dinh-xa-hoi"]

    by_department = client.get(reverse("plans:task_list"), {"department": department.pk})
    assert [t.lead_department_id for t in by_department.context["page"]] == [department.pk]

    by_unit = client.get(reverse("plans:task_list"), {"unit": personas.donganh.pk})
    assert {t.unit_id for t in by_unit.context["page"]} == {personas.donganh.pk}
    assert len(by_unit.context["page"]) == 2


def test_list_paginates(personas, plan, client_for, settings):
    client = client_for(personas.city_admin)
    response = client.get(reverse("plans:task_list"), {"page": 1})
    assert response.context["page"].paginator.count == 6


def test_export_xlsx_is_scoped_and_audited(personas, plan, client_for):
    response = client_for(personas.officer_hoankiem).get(
        reverse("plans:task_list"), {"export": "xlsx"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(BytesIO(response.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert rows[0][:4] == ["Mục", "Nhiệm vụ", "Ban, đơn vị chủ trì", "Đơn vị thực hiện"]
    assert len(rows) == 3
    assert {row[3] for row in rows[1:]} == {"Hội LHPN Phường Hoàn Kiếm"}
    assert {row[6] for row in rows[1:]} == {"Chưa thực hiện"}
    event = AuditEvent.objects.get(action="export", object_type="plans.task")
    assert event.changes["count"] == 2


def test_overdue_page_lists_only_overdue_tasks_with_counts(personas, plan, client_for):
    late = first_task(plan, personas.donganh)
    Task.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=3))
    done_late = first_task(plan, personas.hoankiem)
    Task.objects.filter(pk=done_late.pk).update(
        deadline=TODAY - dt.timedelta(days=3), status=Task.Status.DONE, percent=100
    )

    response = client_for(personas.city_admin).get(reverse("plans:task_overdue"))

    assert response.status_code == 200
    assert [task.pk for task in response.context["page"]] == [late.pk]
    assert response.context["overdue_counts"] == [
        {
            "unit": personas.donganh.pk,
            "department": None,
            "name": "Hội LHPN Xã Đông Anh",
            "count": 1,
            "oldest": TODAY - dt.timedelta(days=3),
        }
    ]
    assert "Quá hạn" in response.content.decode()
    # The Hoàn Kiếm officer has nothing overdue.
    mine = client_for(personas.officer_hoankiem).get(reverse("plans:task_overdue"))
    assert list(mine.context["page"]) == []
    assert "Không có nhiệm vụ quá hạn." in mine.content.decode()


def test_overview_per_department_and_per_unit(personas, plan, client_for):
    task_progress_add(
        user=personas.city_admin, task=first_task(plan, personas.hoankiem), text="Xong", percent=100
    )
    response = client_for(personas.city_admin).get(reverse("plans:task_overview"))

    assert response.status_code == 200
    departments = {row["name"]: row for row in response.context["by_department"]}
    assert set(departments) == {
        "Ban Gia đình xã hội",
        "Trung tâm GDNN và hỗ trợ phát triển phụ nữ",
    }
    units = {row["name"]: row for row in response.context["by_unit"]}
    assert units["Hội LHPN Phường Hoàn Kiếm"]["done"] == 1
    assert units["Hội LHPN Phường Hoàn Kiếm"]["percent_done"] == 50.0
    assert units["Hội LHPN Xã Đông Anh"]["not_started"] == 2

    officer = client_for(personas.officer_hoankiem).get(reverse("plans:task_overview"))
    assert officer.context["by_department"] == []
    assert [row["name"] for row in officer.context["by_unit"]] == ["Hội LHPN Phường Hoàn Kiếm"]


# --- one task: progress form, evidence ----------------------------------------------------------


def test_officer_reports_progress_with_evidence_and_downloads_it(personas, plan, client_for):
    task = first_task(plan, personas.hoankiem)
    client = client_for(personas.officer_hoankiem)
    page = client.get(reverse("plans:task_detail", args=[task.pk]))
    assert page.context["form"] is not None

    response = client.post(
        reverse("plans:task_progress_add", args=[task.pk]),
        progress_post(
            percent="100",
            evidence=[
                SimpleUploadedFile("Biên bản hội nghị.pdf", b"%PDF-1.4 bien ban"),
                SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff anh"),
            ],
        ),
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent, task.completed_on) == (Task.Status.DONE, 100, TODAY)
    progress = TaskProgress.objects.get()
    assert progress.author == personas.officer_hoankiem
    files = list(progress.evidence.order_by("pk"))
    assert [f.original_name for f in files] == ["Biên bản hội nghị.pdf", "anh.jpg"]

    detail = client.get(reverse("plans:task_detail", args=[task.pk])).content.decode()
    assert "Đã triển khai tới các chi hội" in detail
    assert reverse("plans:task_evidence", args=[files[0].pk]) in detail
    assert "/media/" not in detail

    download = client.get(reverse("plans:task_evidence", args=[files[0].pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 bien ban"
    assert download["Content-Disposition"].startswith("attachment;")

    other = client_for(personas.officer_donganh).get(
        reverse("plans:task_evidence", args=[files[0].pk])
    )
    assert other.status_code == 404


def test_bad_progress_shows_vietnamese_errors_and_saves_nothing(personas, plan, client_for):
    task = first_task(plan, personas.hoankiem)
    client = client_for(personas.officer_hoankiem)

    response = client.post(
        reverse("plans:task_progress_add", args=[task.pk]),
        progress_post(percent="150", text=""),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["percent"] == ["Tiến độ phải là một số từ 0 đến 100."]
    assert "text" in errors

    response = client.post(
        reverse("plans:task_progress_add", args=[task.pk]),
        progress_post(evidence=[SimpleUploadedFile("chuong-trinh.exe", b"MZ")]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["evidence"] == [
        "Tệp “chuong-trinh.exe”: chỉ nhận ảnh, PDF, Word hoặc Excel."
    ]
    assert "chỉ nhận ảnh, PDF, Word hoặc Excel" in response.content.decode()

    task.refresh_from_db()
    assert (task.status, task.percent) == (Task.Status.NOT_STARTED, 0)
    assert TaskProgress.objects.count() == 0
    assert TaskEvidence.objects.count() == 0


def test_viewer_sees_the_task_without_the_form_and_cannot_post(personas, plan, client_for):
    task = first_task(plan, personas.hoankiem)
    client = client_for(personas.aggregate_viewer)

    page = client.get(reverse("plans:task_detail", args=[task.pk]))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert 'data-testid="progress-form"' not in page.content.decode()

    for data in (progress_post(), progress_post(percent="500")):
        response = client.post(reverse("plans:task_progress_add", args=[task.pk]), data)
        assert response.status_code == 404
    assert TaskProgress.objects.count() == 0


def test_department_staff_pages_show_their_department(personas, departments, plan, client_for):
    staff = UserFactory(username="giadinh")
    RoleAssignmentFactory(
        user=staff,
        role=Role.DEPARTMENT_STAFF,
        unit=personas.city,
        department=departments["gia-dinh-xa-hoi"],
    )
    client = client_for(staff)
    tasks = list(client.get(reverse("plans:task_list")).context["page"])
    assert [task.lead_department.code for task in tasks] == ["gia-dinh-xa-hoi"]

    other = Task.objects.get(plan=plan, lead_department__code="trung-tam-gdnn")
    assert client.get(reverse("plans:task_detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("plans:task_progress_add", args=[other.pk]), progress_post())
    assert response.status_code == 404
    assert TaskProgress.objects.count() == 0

    own = tasks[0]
    response = client.post(reverse("plans:task_progress_add", args=[own.pk]), progress_post())
    assert response.status_code == 302
    assert TaskProgress.objects.get().task == own


def test_anonymous_is_sent_to_login_from_every_task_page(client, plan):
    for name in ("plans:task_list", "plans:task_overdue", "plans:task_overview"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login" in response.url or "dang-nhap" in response.url


def test_task_list_query_count_does_not_grow_with_rows(
    personas, plan, client_for, django_assert_max_num_queries
):
    client = client_for(personas.city_admin)
    with django_assert_max_num_queries(14):
        client.get(reverse("plans:task_list"))


# --- editing a task -----------------------------------------------------------------------------


def edit_post(task, **changes):
    return {
        "title": task.title,
        "description": task.description,
        "starts_on": task.starts_on.strftime("%d/%m/%Y"),
        "deadline": "30/06/2026",
        **changes,
    }


def test_city_edits_deadline_and_cooperating_departments_with_audit(
    personas, departments, plan, client_for
):
    task = Task.objects.get(plan=plan, lead_department__code="gia-dinh-xa-hoi")
    client = client_for(personas.city_admin)
    assert client.get(reverse("plans:task_edit", args=[task.pk])).status_code == 200
    cooperating = [departments["tuyen-giao"].pk, departments["bao-phu-nu-thu-do"].pk]

    response = client.post(
        reverse("plans:task_edit", args=[task.pk]),
        edit_post(
            task, cooperating_departments=cooperating, cooperating_units=[personas.hoankiem.pk]
        ),
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2026, 6, 30)
    assert sorted(task.cooperating_departments.values_list("pk", flat=True)) == sorted(cooperating)
    assert list(task.cooperating_units.all()) == [personas.hoankiem]
    event = AuditEvent.objects.get(action="update", object_type="plans.task")
    assert event.changes["deadline"] == ["2030-12-31", "2026-06-30"]
    assert event.changes["cooperating_departments"] == [[], sorted(cooperating)]
    # A cooperating department now sees the task in its list.
    staff = UserFactory(username="tuyengiao")
    RoleAssignmentFactory(
        user=staff,
        role=Role.DEPARTMENT_STAFF,
        unit=personas.city,
        department=departments["tuyen-giao"],
    )
    listed = client_for(staff).get(reverse("plans:task_list")).context["page"]
    assert task.pk in {t.pk for t in listed}


def test_bad_dates_are_refused_and_nothing_changes(personas, plan, client_for):
    task = first_task(plan, personas.hoankiem)
    response = client_for(personas.city_admin).post(
        reverse("plans:task_edit", args=[task.pk]), edit_post(task, deadline="01/01/2020")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == ["Thời hạn phải sau ngày bắt đầu."]
    task.refresh_from_db()
    assert task.deadline == dt.date(2030, 12, 31)
    assert not AuditEvent.objects.filter(action="update", object_type="plans.task").exists()


def test_commune_officer_cannot_edit_tasks(personas, plan, client_for):
    task = first_task(plan, personas.hoankiem)
    client = client_for(personas.officer_hoankiem)
    assert client.get(reverse("plans:task_edit", args=[task.pk])).status_code == 404
    response = client.post(reverse("plans:task_edit", args=[task.pk]), edit_post(task))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.deadline == dt.date(2030, 12, 31)
    page = client.get(reverse("plans:task_detail", args=[task.pk]))
    assert page.context["can_change"] is False


def test_overview_and_overdue_exports(personas, plan, client_for):
    late = first_task(plan, personas.donganh)
    Task.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=1))
    client = client_for(personas.city_admin)

    overview = client.get(reverse("plans:task_overview"), {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(BytesIO(overview.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert rows[0][0] == "Ban, đơn vị"
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["Hội LHPN Xã Đông Anh"] == [2, 1, 0, 0, 1, 0]
    assert by_name["Ban Gia đình xã hội"] == [1, 1, 0, 0, 0, 0]

    overdue = client.get(reverse("plans:task_overdue"), {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(BytesIO(overdue.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert len(rows) == 2
    assert rows[1][3] == "Hội LHPN Xã Đông Anh" and rows[1][6] == "Quá hạn"
    assert AuditEvent.objects.filter(action="export").count() == 2
