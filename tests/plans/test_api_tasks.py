"""/api/v1/plan-tasks/: scoped list with the page's filters, detail with progress, and the
progress action (JSON or multipart with evidence)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ansinh.plans.models import Task, TaskEvidence, TaskProgress
from ansinh.plans.services import plan_load, plan_tasks_generate

TODAY = dt.date.today()


@pytest.fixture
def plan(personas, departments, plan_file):
    plan = plan_load(path=plan_file, city=personas.city)
    plan_tasks_generate(plan=plan)
    return plan


def hoankiem_task(plan, personas):
    return Task.objects.filter(plan=plan, unit=personas.hoankiem).order_by("pk").first()


def test_list_is_scoped_and_filtered(personas, plan, client_for):
    client = client_for(personas.officer_hoankiem)
    data = client.get(reverse("plantask-list")).json()
    assert data["count"] == 2
    assert {row["unit_code"] for row in data["results"]} == {"00070"}
    row = data["results"][0]
    assert row["display_status"] == "not_started"
    assert row["is_overdue"] is False
    assert row["section_code"] == "III.2"

    admin = client_for(personas.city_admin)
    Task.objects.filter(unit=personas.donganh).update(deadline=TODAY - dt.timedelta(days=1))
    overdue = admin.get(reverse("plantask-list"), {"status": "overdue"}).json()
    assert overdue["count"] == 2
    assert {row["display_status"] for row in overdue["results"]} == {"overdue"}
    assert admin.get(reverse("plantask-list"), {"unit": personas.hoankiem.pk}).json()["count"] == 2


def test_progress_by_json_then_detail_shows_it(personas, plan, client_for):
    task = hoankiem_task(plan, personas)
    client = client_for(personas.officer_hoankiem)

    response = client.post(
        reverse("plantask-progress", args=[task.pk]),
        {"text": "Đã tổ chức hội nghị", "percent": 100, "reported_on": TODAY.isoformat()},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "done"
    detail = client.get(reverse("plantask-detail", args=[task.pk])).json()
    assert detail["status"] == "done" and detail["percent"] == 100
    assert [p["text"] for p in detail["progress"]] == ["Đã tổ chức hội nghị"]


def test_progress_multipart_with_evidence(personas, plan, client_for):
    task = hoankiem_task(plan, personas)
    client = client_for(personas.officer_hoankiem)

    response = client.post(
        reverse("plantask-progress", args=[task.pk]),
        {
            "text": "Ảnh hội nghị",
            "percent": "30",
            "evidence": [SimpleUploadedFile("anh.png", b"\x89PNG anh")],
        },
    )

    assert response.status_code == 201, response.content
    evidence = response.json()["evidence"]
    assert [e["original_name"] for e in evidence] == ["anh.png"]
    assert evidence[0]["download_url"] == reverse(
        "plans:task_evidence", args=[TaskEvidence.objects.get().pk]
    )


def test_bad_progress_is_400_in_vietnamese_and_nothing_saved(personas, plan, client_for):
    task = hoankiem_task(plan, personas)
    client = client_for(personas.officer_hoankiem)

    response = client.post(
        reverse("plantask-progress", args=[task.pk]),
        {"text": "Quá", "percent": 140},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"percent": ["Tiến độ phải là một số từ 0 đến 100."]}
    task.refresh_from_db()
    assert task.percent == 0
    assert TaskProgress.objects.count() == 0


def test_progress_out_of_scope_is_404(personas, plan, client_for):
    task = Task.objects.filter(plan=plan, unit=personas.donganh).first()
    response = client_for(personas.officer_hoankiem).post(
        reverse("plantask-progress", args=[task.pk]),
        {"text": "Không", "percent": 10},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert TaskProgress.objects.count() == 0


def test_viewer_may_read_but_not_report(personas, plan, client_for):
    task = hoankiem_task(plan, personas)
    client = client_for(personas.aggregate_viewer)
    assert client.get(reverse("plantask-detail", args=[task.pk])).status_code == 200
    response = client.post(
        reverse("plantask-progress", args=[task.pk]),
        {"text": "Không", "percent": 10},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert TaskProgress.objects.count() == 0


def test_demo_load_is_idempotent(personas, departments, plan):
    from ansinh.accounts.permissions import Role
    from ansinh.plans.demo import DEMO_TASK_TITLE, demo_load

    from ..factories import RoleAssignmentFactory, UserFactory

    staff = UserFactory(username="giadinh")
    RoleAssignmentFactory(
        user=staff,
        role=Role.DEPARTMENT_STAFF,
        unit=personas.city,
        department=departments["gia-dinh-xa-hoi"],
    )
    users = {
        "thanhpho": personas.city_admin,
        "hoankiem": personas.officer_hoankiem,
        "donganh": personas.officer_donganh,
        "giadinh": staff,
    }
    world = {"city": personas.city, "users": users}

    assert demo_load(world=world, say=lambda *_: None) == {"plan_tasks": 8}
    assert Task.objects.filter(title=DEMO_TASK_TITLE).count() == 2
    assert TaskProgress.objects.count() == 4
    overdue = Task.objects.overdue()
    assert [task.unit.code for task in overdue] == ["00454"]

    assert demo_load(world=world, say=lambda *_: None) == {"plan_tasks": 8}
    assert Task.objects.count() == 8
    assert TaskProgress.objects.count() == 4
