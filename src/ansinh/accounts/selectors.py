"""Reading users and their roles, scoped to the person asking.

A user is visible to an administrator when she holds at least one role inside the
administrator's scope for `accounts.view_user`. Changing a user (name, phone, active flag,
unlock, new roles) asks more: *every* role she holds must lie inside the administrator's scope
for `accounts.change_user`, so an administrator of one commune cannot lock out or rename someone
who also works elsewhere. Users without any role are seen by city-wide administrators only.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.permissions import ALL, scope_paths
from ansinh.core.text import fold
from ansinh.org.models import UnionUnit


def _under(paths: list[str], field: str = "unit__path") -> Q:
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def user_visible(*, user, action: str = "view") -> QuerySet[User]:
    """Users `user` may see (`view`) or manage (`change`)."""
    paths = scope_paths(user, f"accounts.{action}_user")
    users = User.objects.all()
    if paths is ALL:
        return users
    if not paths:
        return users.none()
    inside = RoleAssignment.objects.filter(_under(paths)).values("user_id")
    users = users.filter(pk__in=inside)
    if action != "view":
        outside = RoleAssignment.objects.exclude(_under(paths)).values("user_id")
        users = users.exclude(pk__in=outside).exclude(is_superuser=True)
    return users


def user_list(*, user, filters: dict) -> QuerySet[User]:
    """The user-management list: visible users, filtered.

    filters: `q` (accent-insensitive, username or full name), `role`, `unit` (a UnionUnit: her
    role lies in its subtree), `status` (`active`, `inactive`, `locked`).
    """
    users = user_visible(user=user, action="view")
    query = fold(filters.get("q"))
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name_folded__contains=query))
    role = filters.get("role")
    unit = filters.get("unit")
    if role or unit:
        assignments = RoleAssignment.objects.all()
        if role:
            assignments = assignments.filter(role=role)
        if unit:
            assignments = assignments.filter(unit__path__startswith=unit.path)
        users = users.filter(pk__in=assignments.values("user_id"))
    status = filters.get("status")
    now = timezone.now()
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    elif status == "locked":
        users = users.filter(locked_until__gt=now)
    return users.order_by("username").prefetch_related(
        Prefetch(
            "roles",
            queryset=RoleAssignment.objects.select_related("unit", "department").order_by(
                "unit__path", "role"
            ),
        )
    )


def user_roles(*, user: User) -> QuerySet[RoleAssignment]:
    return user.roles.select_related("unit", "department").order_by("unit__path", "role")


def assignable_units(*, user) -> QuerySet[UnionUnit]:
    """Current union units an administrator may choose as the scope of a role."""
    return UnionUnit.objects.restrict(user, "view").filter(valid_to__isnull=True).order_by("path")


def can_manage_user(*, actor, user: User) -> bool:
    return user_visible(user=actor, action="change").filter(pk=user.pk).exists()
