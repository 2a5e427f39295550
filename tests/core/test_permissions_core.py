"""The shared permission suite for the core records: background jobs and audit events.

Neither has an API of its own: a job's JSON form (`?format=json`) is a page behind the login,
so it is checked as a page (anonymous → login), like the progress fragment htmx polls.
"""

from django.urls import reverse

from ansinh.accounts.permissions import Role, forget_roles
from ansinh.core.audit import audit_record
from ansinh.core.models import AuditEvent, Job

from ..factories import RoleAssignmentFactory
from ..permission_suite import ScopedPermissionSuite


def make_job(unit, title: str) -> Job:
    # No creator: a job is also visible to whoever started it, which is not what is tested.
    return Job.objects.create(
        kind="tests.count",
        title=title,
        status=Job.Status.RUNNING,
        done=3,
        total=10,
        scope_path=unit.path,
    )


class TestJobPermissions(ScopedPermissionSuite):
    model = Job

    def make_objects(self, personas):
        return (
            make_job(personas.hoankiem, "Nhập danh sách Hoàn Kiếm"),
            make_job(personas.donganh, "Nhập danh sách Đông Anh"),
        )

    def page_url(self, obj):
        return reverse("core:job_detail", args=[obj.pk])


class TestJobJsonPermissions(TestJobPermissions):
    """The job's JSON form, read by scripts."""

    def page_url(self, obj):
        return reverse("core:job_detail", args=[obj.pk]) + "?format=json"


class TestJobProgressPermissions(TestJobPermissions):
    """The progress fragment htmx polls every second."""

    def page_url(self, obj):
        return reverse("core:job_progress", args=[obj.pk])


def test_job_json_in_scope_carries_the_job(personas, client_for):
    job = make_job(personas.hoankiem, "Nhập danh sách Hoàn Kiếm")
    response = client_for(personas.officer_hoankiem).get(
        reverse("core:job_detail", args=[job.pk]), {"format": "json"}
    )
    assert response.status_code == 200
    payload = response.json()
    assert (payload["id"], payload["title"], payload["done"], payload["total"]) == (
        job.pk,
        "Nhập danh sách Hoàn Kiếm",
        3,
        10,
    )


def test_job_list_shows_only_the_job_in_scope(personas, client_for):
    inside = make_job(personas.hoankiem, "Nhập danh sách Hoàn Kiếm")
    make_job(personas.donganh, "Nhập danh sách Đông Anh")
    response = client_for(personas.officer_hoankiem).get(reverse("core:job_list"))
    assert [job.pk for job in response.context["page"].object_list] == [inside.pk]


class TestAuditEventPermissions(ScopedPermissionSuite):
    """The Hoàn Kiếm officer is also made inspector of her commune (officers do not read the
    audit log by default); the events are filed under each commune."""

    model = AuditEvent

    def make_objects(self, personas):
        RoleAssignmentFactory(
            user=personas.officer_hoankiem, role=Role.INSPECTOR, unit=personas.hoankiem
        )
        forget_roles(personas.officer_hoankiem)
        return (
            audit_record(
                action=AuditEvent.Action.UPDATE,
                actor=personas.officer_hoankiem,
                object_type="registry.person",
                object_id="17",
                object_repr="Nguyễn Thị Hoà",
                changes={"phone": ["", "+84912345678"]},
                scope_path=personas.hoankiem.path,
            ),
            audit_record(
                action=AuditEvent.Action.UPDATE,
                actor=personas.officer_donganh,
                object_type="registry.person",
                object_id="18",
                object_repr="Lê Thị Lan",
                changes={"phone": ["", "+84987654321"]},
                scope_path=personas.donganh.path,
            ),
        )

    def page_url(self, obj):
        return reverse("core:audit_detail", args=[obj.pk])


def test_audit_list_of_a_commune_inspector_holds_only_her_commune(personas, client_for):
    suite = TestAuditEventPermissions()
    inside, _outside = suite.make_objects(personas)
    response = client_for(personas.officer_hoankiem).get(reverse("core:audit_list"))
    assert response.status_code == 200
    shown = [event.pk for event in response.context["page"].object_list]
    assert inside.pk in shown
    assert set(AuditEvent.objects.filter(pk__in=shown).values_list("scope_path", flat=True)) == {
        personas.hoankiem.path
    }
