"""User and role services: audited, scoped, and refusing what would break the rules."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ansinh.accounts import services
from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.permissions import ROLE_PERMISSIONS, Role, forget_roles
from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.org.models import Department
from tests.factories import RoleAssignmentFactory, UserFactory

Action = AuditEvent.Action
PASSWORD = "Hoa-sen-nở-2026"


@pytest.fixture
def commune_admin(personas, monkeypatch):
    """A user managing accounts inside Hoàn Kiếm only.

    No shipped role manages accounts below the city (the system admin is city-wide), so the
    branch-head role is configured to do it here; the scoping under test is the real one.
    """
    granted = ROLE_PERMISSIONS[Role.BRANCH_HEAD] | {"accounts.*"}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.BRANCH_HEAD, granted)
    user = UserFactory(username="quantri.hk")
    RoleAssignmentFactory(user=user, role=Role.BRANCH_HEAD, unit=personas.hoankiem)
    return user


def create(actor, unit, **overrides):
    values = {
        "actor": actor,
        "username": "canbo.moi",
        "full_name": "  Nguyễn   Thị Hoà ",
        "phone": "+84912345678",
        "password": PASSWORD,
        "role": Role.COMMUNE_OFFICER,
        "unit": unit,
    }
    values.update(overrides)
    return services.user_create(**values)


def test_user_create_writes_user_role_and_audit(personas):
    user = create(personas.city_admin, personas.hoankiem)
    assert user.full_name == "Nguyễn Thị Hoà"
    assert user.full_name_folded == "nguyen thi hoa"
    assert user.check_password(PASSWORD)
    assert list(user.roles.values_list("role", "unit")) == [
        (Role.COMMUNE_OFFICER, personas.hoankiem.pk)
    ]
    created = AuditEvent.objects.filter(action=Action.CREATE).order_by("id")
    assert [e.object_type for e in created] == ["accounts.roleassignment", "accounts.user"]
    assert all(e.actor_id == personas.city_admin.pk for e in created)
    assert all(e.scope_path == personas.hoankiem.path for e in created)
    assert created[1].changes["username"] == [None, "canbo.moi"]


def test_user_create_refuses_weak_password_and_writes_nothing(personas):
    before = (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        create(personas.city_admin, personas.hoankiem, password="12345678")
    assert (
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_commune_admin_cannot_create_a_user_city_wide(personas, commune_admin):
    before = (User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(OutOfScope):
        create(commune_admin, personas.city)
    with pytest.raises(OutOfScope):
        create(commune_admin, personas.donganh)
    assert (
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    assert create(commune_admin, personas.hoankiem).roles.get().unit == personas.hoankiem


def test_commune_admin_cannot_grant_a_city_wide_role(personas, commune_admin):
    member = UserFactory(username="hoivien")
    RoleAssignmentFactory(user=member, role=Role.BRANCH_HEAD, unit=personas.hoankiem)
    before = (RoleAssignment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(OutOfScope):
        services.role_assign(
            actor=commune_admin, user=member, role=Role.CITY_LEADER, unit=personas.city
        )
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before
    forget_roles(member)
    assert list(member.roles.values_list("role", flat=True)) == [Role.BRANCH_HEAD]


def test_commune_admin_cannot_touch_a_user_who_also_works_elsewhere(personas, commune_admin):
    # The Đông Anh officer also helps in Hoàn Kiếm: visible, but not hers to manage.
    RoleAssignmentFactory(
        user=personas.officer_donganh, role=Role.CASE_WORKER, unit=personas.hoankiem
    )
    with pytest.raises(OutOfScope):
        services.user_update(
            actor=commune_admin,
            user=personas.officer_donganh,
            full_name="Đổi tên",
            phone="",
            is_active=False,
        )
    with pytest.raises(OutOfScope):
        services.role_assign(
            actor=commune_admin,
            user=personas.officer_donganh,
            role=Role.BRANCH_HEAD,
            unit=personas.hoankiem,
        )
    officer = User.objects.get(pk=personas.officer_donganh.pk)
    assert (officer.full_name, officer.is_active) == ("Donganh", True)


def test_only_a_city_wide_admin_grants_system_admin(personas, commune_admin):
    member = UserFactory(username="hoivien")
    RoleAssignmentFactory(user=member, role=Role.BRANCH_HEAD, unit=personas.hoankiem)
    with pytest.raises(ValidationError) as error:
        services.role_assign(
            actor=commune_admin, user=member, role=Role.SYSTEM_ADMIN, unit=personas.hoankiem
        )
    assert "toàn thành phố" in str(error.value)
    assert member.roles.count() == 1
    services.role_assign(
        actor=personas.city_admin, user=member, role=Role.SYSTEM_ADMIN, unit=personas.city
    )
    assert member.roles.count() == 2


def test_role_assign_audits_and_refuses_duplicates(personas):
    officer = personas.officer_hoankiem
    assignment = services.role_assign(
        actor=personas.city_admin, user=officer, role=Role.CASE_WORKER, unit=personas.hoankiem
    )
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="accounts.roleassignment")
    assert event.object_id == str(assignment.pk)
    assert event.changes["role"] == [None, Role.CASE_WORKER]
    with pytest.raises(ValidationError):
        services.role_assign(
            actor=personas.city_admin, user=officer, role=Role.CASE_WORKER, unit=personas.hoankiem
        )
    assert officer.roles.count() == 2


def test_department_only_for_department_staff_of_that_union(personas):
    office = Department.objects.create(
        union=personas.city, code="gia-dinh-xa-hoi", name="Ban Gia đình xã hội", kind="department"
    )
    staff = UserFactory(username="giadinh")
    with pytest.raises(ValidationError):
        services.role_assign(
            actor=personas.city_admin,
            user=staff,
            role=Role.COMMUNE_OFFICER,
            unit=personas.city,
            department=office,
        )
    with pytest.raises(ValidationError):
        services.role_assign(
            actor=personas.city_admin,
            user=staff,
            role=Role.DEPARTMENT_STAFF,
            unit=personas.hoankiem,
            department=office,
        )
    assert staff.roles.count() == 0
    services.role_assign(
        actor=personas.city_admin,
        user=staff,
        role=Role.DEPARTMENT_STAFF,
        unit=personas.city,
        department=office,
    )
    assert staff.roles.get().department == office


def test_role_revoke_audits(personas):
    assignment = personas.officer_hoankiem.roles.get()
    pk = assignment.pk
    services.role_revoke(actor=personas.city_admin, assignment=assignment)
    assert not RoleAssignment.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action=Action.DELETE)
    assert (event.object_type, event.object_id) == ("accounts.roleassignment", str(pk))
    assert event.scope_path == personas.hoankiem.path


def test_admin_cannot_remove_her_own_last_system_admin_role(personas):
    admin = personas.city_admin
    own = admin.roles.get(role=Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        services.role_revoke(actor=admin, assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.DELETE).exists()
    # With a second system-admin role she may give up one of them.
    second = services.role_assign(
        actor=admin, user=admin, role=Role.SYSTEM_ADMIN, unit=personas.hoankiem
    )
    services.role_revoke(actor=admin, assignment=own)
    assert AuditEvent.objects.filter(action=Action.DELETE).count() == 1
    assert list(admin.roles.values_list("pk", flat=True)) == [second.pk]


def test_commune_admin_cannot_revoke_outside_her_scope(personas, commune_admin):
    assignment = personas.officer_donganh.roles.get()
    with pytest.raises(OutOfScope):
        services.role_revoke(actor=commune_admin, assignment=assignment)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_user_update_audits_changes(personas):
    officer = personas.officer_hoankiem
    services.user_update(
        actor=personas.city_admin,
        user=officer,
        full_name="Trần Thị Lan",
        phone="+84912345678",
        is_active=False,
    )
    officer.refresh_from_db()
    assert (officer.full_name_folded, officer.is_active) == ("tran thi lan", False)
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert event.changes == {
        "full_name": ["Hoankiem", "Trần Thị Lan"],
        "is_active": [True, False],
        "phone": ["", "+84912345678"],
    }
    # Saving the same values again writes no event.
    services.user_update(
        actor=personas.city_admin,
        user=officer,
        full_name="Trần Thị Lan",
        phone="+84912345678",
        is_active=False,
    )
    assert AuditEvent.objects.filter(action=Action.UPDATE).count() == 1


def test_admin_cannot_deactivate_herself(personas):
    with pytest.raises(ValidationError):
        services.user_update(
            actor=personas.city_admin,
            user=personas.city_admin,
            full_name="Thanhpho",
            phone="",
            is_active=False,
        )
    assert User.objects.get(pk=personas.city_admin.pk).is_active


def test_user_unlock(personas):
    User.objects.filter(pk=personas.officer_hoankiem.pk).update(
        failed_login_count=3, locked_until=timezone.now() + timezone.timedelta(minutes=10)
    )
    officer = User.objects.get(pk=personas.officer_hoankiem.pk)
    assert officer.is_locked
    services.user_unlock(actor=personas.city_admin, user=officer)
    officer.refresh_from_db()
    assert (officer.failed_login_count, officer.locked_until, officer.is_locked) == (0, None, False)
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert event.changes["failed_login_count"] == [3, 0]
