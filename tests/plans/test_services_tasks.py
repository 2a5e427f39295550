"""Plan tasks: generation from the plan's assignments, progress reports, scope, plan_progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from ansinh.accounts.permissions import Role
from ansinh.core.models import AuditEvent
from ansinh.org.models import UnionUnit
from ansinh.plans.models import Task, TaskEvidence, TaskProgress
from ansinh.plans.selectors import plan_progress, task_list
from ansinh.plans.services import plan_load, plan_tasks_generate, task_create, task_progress_add

from ..factories import RoleAssignmentFactory, UnionUnitFactory, UserFactory

TODAY = dt.date.today()


@pytest.fixture
def plan(personas, departments, plan_file):
    return plan_load(path=plan_file, city=personas.city)


@pytest.fixture
def tasks(plan):
    plan_tasks_generate(plan=plan)
    return plan


def pdf(name="bien-ban.pdf", size=2000):
    return SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * size, content_type="application/pdf")


def commune_task(plan, unit, order=1):
    return Task.objects.get(plan=plan, unit=unit, assignment__order=order)


# --- generation ---------------------------------------------------------------------------------


def test_generation_makes_department_tasks_and_one_task_per_commune_per_bullet(
    personas, departments, plan
):
    created = plan_tasks_generate(plan=plan)

    # III.1: two of the three named departments exist (no "Ban Đối ngoại"); III.2: two bullets
    # for each of the two commune unions.
    assert created == 6
    department_tasks = Task.objects.filter(plan=plan, lead_department__isnull=False)
    assert sorted(department_tasks.values_list("lead_department__code", flat=True)) == [
        "gia-dinh-xa-hoi",
        "trung-tam-gdnn",
    ]
    assert set(department_tasks.values_list("unit", flat=True)) == {personas.city.pk}
    assert set(department_tasks.values_list("section__code", flat=True)) == {"III.1"}
    commune_tasks = Task.objects.filter(plan=plan, lead_department__isnull=True)
    assert sorted(commune_tasks.values_list("unit__code", "assignment__order")) == [
        ("00070", 1),
        ("00070", 2),
        ("00454", 1),
        ("00454", 2),
    ]
    task = commune_task(plan, personas.hoankiem, order=2)
    assert task.title == "Định kỳ báo cáo 6 tháng, 1 năm"
    assert task.starts_on == dt.date(2025, 3, 15)
    assert task.status == Task.Status.NOT_STARTED and task.percent == 0
    event = AuditEvent.objects.get(object_type="plans.task")
    assert event.changes == {"plan": plan.pk, "count": 6, "source": "plan_assignments"}


def test_generation_is_idempotent_and_keeps_progress(personas, tasks, plan, plan_file):
    task = commune_task(plan, personas.hoankiem)
    task_progress_add(user=personas.officer_hoankiem, task=task, text="Đã làm", percent=30)

    plan_load(path=plan_file, city=personas.city)  # reload the file
    assert plan_tasks_generate(plan=plan) == 0

    assert Task.objects.filter(plan=plan).count() == 6
    task.refresh_from_db()
    assert task.percent == 30 and task.progress.count() == 1
    assert AuditEvent.objects.filter(object_type="plans.task", action="create").count() == 1


def test_a_new_commune_gets_its_tasks_on_the_next_generation(personas, tasks, plan):
    UnionUnitFactory(
        kind=UnionUnit.Kind.COMMUNE,
        code="00118",
        name="Hội LHPN Phường Ba Đình",
        parent=personas.city,
    )
    assert plan_tasks_generate(plan=plan) == 2
    assert Task.objects.filter(plan=plan, unit__code="00118").count() == 2


def test_closed_communes_get_no_tasks(personas, departments, plan):
    UnionUnitFactory(
        kind=UnionUnit.Kind.COMMUNE,
        code="00001",
        name="Hội LHPN Phường cũ",
        parent=personas.city,
        valid_to=dt.date(2025, 6, 30),
    )
    assert plan_tasks_generate(plan=plan) == 6
    assert not Task.objects.filter(unit__code="00001").exists()


# --- progress -----------------------------------------------------------------------------------


def test_progress_report_updates_status_percent_and_keeps_history(personas, tasks, plan):
    task = commune_task(plan, personas.hoankiem)
    officer = personas.officer_hoankiem

    first = task_progress_add(
        user=officer, task=task, text="Đã xây dựng kế hoạch", percent=40, files=[pdf()]
    )
    task.refresh_from_db()
    assert (task.status, task.percent, task.completed_on) == (Task.Status.IN_PROGRESS, 40, None)
    assert first.author == officer and first.status == Task.Status.IN_PROGRESS

    task_progress_add(user=officer, task=task, text="Hoàn thành", percent=100, reported_on=TODAY)
    task.refresh_from_db()
    assert (task.status, task.percent, task.completed_on) == (Task.Status.DONE, 100, TODAY)
    assert list(task.progress.order_by("pk").values_list("percent", flat=True)) == [40, 100]

    evidence = TaskEvidence.objects.get()
    assert evidence.original_name == "bien-ban.pdf"
    assert evidence.size == 2009
    assert evidence.file.name.startswith("plans/evidence/")
    assert "bien-ban" not in evidence.file.name  # stored under a random name
    assert len(evidence.sha256) == 64
    updates = AuditEvent.objects.filter(object_type="plans.task", action="update")
    assert updates.count() == 2
    assert updates.order_by("pk").last().changes["status"] == ["in_progress", "done"]
    assert AuditEvent.objects.filter(object_type="plans.taskprogress").count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "   "}, "text"),
        ({"percent": 101}, "percent"),
        ({"percent": -1}, "percent"),
        ({"percent": "nhiều"}, "percent"),
        ({"reported_on": TODAY + dt.timedelta(days=1)}, "reported_on"),
        ({"reported_on": dt.date(2025, 1, 1)}, "reported_on"),
        ({"files": [SimpleUploadedFile("virus.exe", b"MZ")]}, "evidence"),
        ({"files": [SimpleUploadedFile("rong.pdf", b"")]}, "evidence"),
        ({"files": [pdf(f"{n}.pdf") for n in range(11)]}, "evidence"),
    ],
)
def test_bad_progress_is_refused_in_vietnamese_and_nothing_is_saved(
    personas, tasks, plan, changes, field
):
    task = commune_task(plan, personas.hoankiem)
    values = {"text": "Đã làm", "percent": 50, **changes}

    with pytest.raises(ValidationError) as raised:
        task_progress_add(user=personas.officer_hoankiem, task=task, **values)

    assert field in raised.value.message_dict
    message = " ".join(raised.value.message_dict[field])
    assert any(word in message for word in ("Chưa", "Tiến độ", "Ngày", "Tệp", "tệp"))
    task.refresh_from_db()
    assert (task.status, task.percent) == (Task.Status.NOT_STARTED, 0)
    assert TaskProgress.objects.count() == 0
    assert TaskEvidence.objects.count() == 0


def test_a_large_file_is_refused(personas, tasks, plan):
    task = commune_task(plan, personas.hoankiem)
    big = SimpleUploadedFile("anh.jpg", b"\xff" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="lớn hơn 10 MB"):
        task_progress_add(
            user=personas.officer_hoankiem, task=task, text="Ảnh", percent=10, files=[big]
        )
    assert TaskProgress.objects.count() == 0


def test_officer_cannot_report_on_another_communes_task(personas, tasks, plan):
    task = commune_task(plan, personas.donganh)

    with pytest.raises(Http404):
        task_progress_add(user=personas.officer_hoankiem, task=task, text="Không", percent=90)

    task.refresh_from_db()
    assert (task.status, task.percent) == (Task.Status.NOT_STARTED, 0)
    assert TaskProgress.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="plans.taskprogress").exists()


def test_viewers_cannot_report(personas, tasks, plan):
    task = commune_task(plan, personas.hoankiem)
    for user in (personas.aggregate_viewer, personas.inspector, personas.case_worker):
        with pytest.raises(Http404):
            task_progress_add(user=user, task=task, text="Không", percent=90)
    assert TaskProgress.objects.count() == 0


# --- scope --------------------------------------------------------------------------------------


def test_department_staff_see_and_report_on_their_departments_tasks_only(
    personas, departments, tasks, plan
):
    staff = UserFactory(username="giadinh")
    RoleAssignmentFactory(
        user=staff,
        role=Role.DEPARTMENT_STAFF,
        unit=personas.city,
        department=departments["gia-dinh-xa-hoi"],
    )
    visible = Task.objects.restrict(staff, "view")
    assert list(visible.values_list("lead_department__code", flat=True)) == ["gia-dinh-xa-hoi"]

    centre_task = Task.objects.get(plan=plan, lead_department__code="trung-tam-gdnn")
    with pytest.raises(Http404):
        task_progress_add(user=staff, task=centre_task, text="Không phải ban mình", percent=50)
    assert TaskProgress.objects.count() == 0

    # Made a cooperating department, she sees it and may report on it.
    centre_task.cooperating_departments.add(departments["gia-dinh-xa-hoi"])
    assert Task.objects.restrict(staff, "view").count() == 2
    task_progress_add(user=staff, task=centre_task, text="Phối hợp mở lớp", percent=20)
    assert TaskProgress.objects.count() == 1


def test_scope_of_officers_and_city_roles(personas, tasks, plan):
    assert set(
        Task.objects.restrict(personas.officer_hoankiem, "view").values_list(
            "unit__code", flat=True
        )
    ) == {"00070"}
    assert Task.objects.restrict(personas.city_admin, "view").count() == 6
    assert Task.objects.restrict(personas.aggregate_viewer, "view").count() == 6
    assert Task.objects.restrict(personas.case_worker, "view").count() == 0


def test_task_list_filters(personas, departments, tasks, plan):
    admin = personas.city_admin
    hoankiem_task = commune_task(plan, personas.hoankiem)
    task_progress_add(user=admin, task=hoankiem_task, text="Xong", percent=100)
    late = commune_task(plan, personas.donganh)
    Task.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=1))

    def pks(**filters):
        return set(task_list(user=admin, filters=filters).values_list("pk", flat=True))

    assert len(pks()) == 6
    assert pks(department=departments["gia-dinh-xa-hoi"].pk) == set(
        Task.objects.filter(lead_department__code="gia-dinh-xa-hoi").values_list("pk", flat=True)
    )
    assert pks(unit=personas.donganh.pk) == set(
        Task.objects.filter(unit=personas.donganh).values_list("pk", flat=True)
    )
    assert pks(status="done") == {hoankiem_task.pk}
    assert pks(status="overdue") == {late.pk}
    assert pks(overdue="1") == {late.pk}
    assert len(pks(status="not_started")) == 5  # the overdue one keeps its stored status
    assert len(pks(section="III.2")) == 4
    assert pks(q="dinh ky bao cao") == set(
        Task.objects.filter(assignment__order=2, lead_department__isnull=True).values_list(
            "pk", flat=True
        )
    )
    assert len(pks(unit="abc", status="nonsense")) == 6  # unknown values are ignored


# --- plan_progress ------------------------------------------------------------------------------


def test_plan_progress_counts_by_status_and_percent_done(personas, tasks, plan):
    admin = personas.city_admin
    done = commune_task(plan, personas.hoankiem, order=1)
    task_progress_add(user=admin, task=done, text="Xong", percent=100)
    going = commune_task(plan, personas.hoankiem, order=2)
    task_progress_add(user=admin, task=going, text="Đang làm", percent=50)
    late = commune_task(plan, personas.donganh, order=1)
    Task.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=2))

    assert plan_progress(plan=plan) == {
        "total": 6,
        "not_started": 3,
        "in_progress": 1,
        "done": 1,
        "overdue": 1,
        "percent_done": 16.7,
        "average_progress": 25.0,
    }
    assert plan_progress(plan=plan, unit_path=personas.hoankiem.path) == {
        "total": 2,
        "not_started": 0,
        "in_progress": 1,
        "done": 1,
        "overdue": 0,
        "percent_done": 50.0,
        "average_progress": 75.0,
    }


def test_plan_progress_of_a_plan_without_tasks(plan):
    assert plan_progress(plan=plan) == {
        "total": 0,
        "not_started": 0,
        "in_progress": 0,
        "done": 0,
        "overdue": 0,
        "percent_done": 0.0,
        "average_progress": 0.0,
    }


# --- manual tasks -------------------------------------------------------------------------------


def test_task_create_checks_dates_and_scope(personas, plan):
    section = plan.sections.get(code="III.2")
    with pytest.raises(ValidationError) as raised:
        task_create(
            user=personas.city_admin,
            section=section,
            unit=personas.hoankiem,
            title="Hội nghị",
            starts_on=dt.date(2026, 5, 1),
            deadline=dt.date(2026, 4, 1),
        )
    assert raised.value.message_dict == {"deadline": ["Thời hạn phải sau ngày bắt đầu."]}

    # A commune officer may report progress but not create tasks.
    with pytest.raises(Http404):
        task_create(
            user=personas.officer_hoankiem,
            section=section,
            unit=personas.hoankiem,
            title="Hội nghị",
            starts_on=dt.date(2026, 4, 1),
            deadline=dt.date(2026, 5, 1),
        )
    assert Task.objects.count() == 0

    task = task_create(
        user=personas.city_admin,
        section=section,
        unit=personas.hoankiem,
        title="  Hội nghị   quán triệt ",
        starts_on=dt.date(2026, 4, 1),
        deadline=dt.date(2026, 5, 1),
    )
    assert task.title == "Hội nghị quán triệt"
    assert task.plan == plan
    assert AuditEvent.objects.filter(object_type="plans.task", object_id=str(task.pk)).count() == 1


# --- computed indicators ------------------------------------------------------------------------


def test_indicators_count_done_in_period_and_overdue_at_its_end(personas, tasks, plan):
    from ansinh.core.indicators import get_computed, sum_under

    admin = personas.city_admin
    done = commune_task(plan, personas.hoankiem, order=1)
    task_progress_add(user=admin, task=done, text="Xong", percent=100, reported_on=TODAY)
    late = commune_task(plan, personas.donganh, order=1)
    Task.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=5))

    done_values = get_computed("PLAN_TASKS_DONE").values(start=TODAY, end=TODAY)
    assert done_values == {personas.hoankiem.path: 1}
    assert (
        get_computed("PLAN_TASKS_DONE").values(
            start=TODAY - dt.timedelta(days=30), end=TODAY - dt.timedelta(days=1)
        )
        == {}
    )
    overdue = get_computed("PLAN_TASKS_OVERDUE").values(start=TODAY, end=TODAY)
    assert overdue == {personas.donganh.path: 1}
    assert sum_under(overdue, personas.city.path) == 1
    # Ten days ago the deadline had not passed yet.
    ten_days_ago = TODAY - dt.timedelta(days=10)
    assert get_computed("PLAN_TASKS_OVERDUE").values(start=ten_days_ago, end=ten_days_ago) == {}
