"""Writing users and their roles. Each service is one transaction with its audit events.

Scope is checked the NetBox way: a new role assignment is written, then re-read through
`RoleAssignment.objects.restrict(actor, "add")` inside the transaction (`ensure_in_scope`);
if the actor could not see it, everything rolls back and she gets a 404. So nobody can grant
a role outside her own subtree, whatever a form offered her.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.permissions import ALL, Role, forget_roles, scope_paths
from ansinh.accounts.selectors import can_manage_user
from ansinh.core.audit import (
    Action,
    audit_create,
    audit_delete,
    audit_record,
    model_changes,
    snapshot,
    user_scope_path,
)
from ansinh.core.scoping import OutOfScope, ensure_in_scope
from ansinh.org.models import Department, UnionUnit

USER_FIELDS = ("username", "full_name", "phone", "is_active")
ROLE_FIELDS = ("user", "role", "unit", "department")


def _require_manageable(*, actor, user: User) -> None:
    if not can_manage_user(actor=actor, user=user):
        raise OutOfScope("The user is outside the actor's scope.")


def _audit_user(*, action: str, actor, user: User, changes: dict) -> None:
    audit_record(
        action=action, actor=actor, obj=user, changes=changes, scope_path=user_scope_path(user)
    )


def _assign(
    *, actor, user: User, role: str, unit: UnionUnit, department: Department | None
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if department is not None:
        if role != Role.DEPARTMENT_STAFF:
            raise ValidationError(
                {"department": _("Chỉ cán bộ ban chuyên môn mới gắn với một ban.")}
            )
        if department.union_id != unit.pk:
            raise ValidationError(
                {
                    "department": _("Ban “%(name)s” không thuộc đơn vị đã chọn.")
                    % {"name": department}
                }
            )
    # A system administrator sees everything, wherever her role sits: only someone who already
    # sees everything may create one.
    if role == Role.SYSTEM_ADMIN and scope_paths(actor, "accounts.add_roleassignment") is not ALL:
        raise ValidationError(
            {"role": _("Chỉ quản trị hệ thống toàn thành phố mới được cấp vai trò này.")}
        )
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
        raise ValidationError(_("Người dùng đã có vai trò này tại đơn vị này."))
    assignment = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, department=department
    )
    ensure_in_scope(assignment, actor, "add")
    audit_create(actor=actor, obj=assignment, fields=ROLE_FIELDS)
    forget_roles(user)
    return assignment


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    full_name: str,
    phone: str = "",
    password: str,
    role: str,
    unit: UnionUnit,
    department: Department | None = None,
) -> User:
    """A new account with its first role; the role must lie inside the actor's scope."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập này đã có người dùng.")})
    user = User(username=username, full_name=full_name, phone=phone)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    _assign(actor=actor, user=user, role=role, unit=unit, department=department)
    _require_manageable(actor=actor, user=user)
    _audit_user(
        action=Action.CREATE,
        actor=actor,
        user=user,
        changes=model_changes({}, snapshot(user, USER_FIELDS)),
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, full_name: str, phone: str, is_active: bool) -> User:
    """Name, phone and the active flag of a user the actor manages."""
    _require_manageable(actor=actor, user=user)
    if user.pk == actor.pk and not is_active:
        raise ValidationError({"is_active": _("Bạn không thể tự khóa tài khoản của mình.")})
    before = snapshot(user, USER_FIELDS)
    user.full_name = full_name
    user.phone = phone
    user.is_active = is_active
    user.save(update_fields=["full_name", "phone", "is_active"])
    changes = model_changes(before, snapshot(user, USER_FIELDS))
    if changes:
        _audit_user(action=Action.UPDATE, actor=actor, user=user, changes=changes)
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> User:
    """Lift a lockout after failed logins before it expires."""
    _require_manageable(actor=actor, user=user)
    fields = ("failed_login_count", "locked_until")
    before = snapshot(user, fields)
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=list(fields))
    changes = model_changes(before, snapshot(user, fields))
    if changes:
        _audit_user(action=Action.UPDATE, actor=actor, user=user, changes=changes)
    return user


@transaction.atomic
def role_assign(
    *,
    actor,
    user: User,
    role: str,
    unit: UnionUnit,
    department: Department | None = None,
) -> RoleAssignment:
    """Give a user the actor manages one more role, inside the actor's scope."""
    _require_manageable(actor=actor, user=user)
    return _assign(actor=actor, user=user, role=role, unit=unit, department=department)


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    """Remove a role. Nobody removes her own last system-administrator role."""
    ensure_in_scope(assignment, actor, "delete")
    user = assignment.user
    if (
        user.pk == actor.pk
        and assignment.role == Role.SYSTEM_ADMIN
        and not user.roles.filter(role=Role.SYSTEM_ADMIN).exclude(pk=assignment.pk).exists()
    ):
        raise ValidationError(
            _("Bạn không thể gỡ vai trò quản trị hệ thống cuối cùng của chính mình.")
        )
    audit_delete(actor=actor, obj=assignment)
    assignment.delete()
    forget_roles(user)


@transaction.atomic
def user_password_change(*, user: User, password: str) -> User:
    """The user changed her own password (the form has checked the old one)."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _audit_user(action=Action.PASSWORD_CHANGE, actor=user, user=user, changes={})
    return user
