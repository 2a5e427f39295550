"""Reads of the union's structure, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from ansinh.accounts.models import RoleAssignment
from ansinh.core.scoping import get_scoped_or_404
from ansinh.core.text import fold

from .models import Department, UnionUnit, UnionUnitSuccession

STATUS_CURRENT = "current"
STATUS_CLOSED = "closed"
STATUS_ALL = "all"
STATUSES = (STATUS_CURRENT, STATUS_CLOSED, STATUS_ALL)


def union_unit_list(*, user, filters: dict | None = None) -> QuerySet[UnionUnit]:
    """The units `user` may see, filtered by kind, status (current/closed/all), parent, q."""
    filters = filters or {}
    queryset = UnionUnit.objects.restrict(user, "view").select_related("parent", "admin_unit")
    kind = filters.get("kind")
    if kind in UnionUnit.Kind.values:
        queryset = queryset.filter(kind=kind)
    status = filters.get("status") or STATUS_CURRENT
    if status == STATUS_CURRENT:
        queryset = queryset.filter(valid_to__isnull=True)
    elif status == STATUS_CLOSED:
        queryset = queryset.filter(valid_to__isnull=False)
    parent = filters.get("parent")
    if parent:
        try:
            queryset = queryset.filter(parent_id=int(parent))
        except (TypeError, ValueError):
            queryset = queryset.none()
    query = (filters.get("q") or "").strip()
    if query:
        queryset = queryset.filter(Q(name_folded__contains=fold(query)) | Q(code__startswith=query))
    return queryset.order_by("path")


def union_unit_get(*, user, pk) -> UnionUnit:
    """One unit visible to `user`, or 404."""
    return get_scoped_or_404(
        UnionUnit.objects.select_related("parent", "admin_unit", "locality"), user, "view", pk=pk
    )


@dataclass
class UnitHistory:
    predecessors: list[UnionUnitSuccession] = field(default_factory=list)
    successors: list[UnionUnitSuccession] = field(default_factory=list)
    visible_ids: set[int] = field(default_factory=set)


def union_unit_history(*, user, unit: UnionUnit) -> UnitHistory:
    """Where the unit came from and where it went; `visible_ids` says which can be opened."""
    # Only links the user may see: a split old union does not reveal the other commune's union.
    links = UnionUnitSuccession.objects.restrict(user, "view")
    predecessors = list(
        links.filter(new=unit).select_related("old", "old__parent").order_by("old__code")
    )
    successors = list(links.filter(old=unit).select_related("new").order_by("new__code"))
    linked = {row.old_id for row in predecessors} | {row.new_id for row in successors}
    visible = set(
        UnionUnit.objects.restrict(user, "view").filter(pk__in=linked).values_list("pk", flat=True)
    )
    return UnitHistory(predecessors=predecessors, successors=successors, visible_ids=visible)


def union_unit_summary(*, unit: UnionUnit) -> dict:
    """Counts shown on a unit's dashboard and on the home page (one query)."""
    descendants = UnionUnit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk)
    return descendants.aggregate(
        children=Count("pk", filter=Q(parent_id=unit.pk)),
        current_children=Count("pk", filter=Q(parent_id=unit.pk, valid_to__isnull=True)),
        branches=Count("pk", filter=Q(kind=UnionUnit.Kind.BRANCH, valid_to__isnull=True)),
        closed_branches=Count("pk", filter=Q(kind=UnionUnit.Kind.BRANCH, valid_to__isnull=False)),
        communes=Count("pk", filter=Q(kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True)),
        old_communes=Count("pk", filter=Q(kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=False)),
        old_districts=Count("pk", filter=Q(kind=UnionUnit.Kind.DISTRICT)),
        affiliated=Count("pk", filter=Q(kind=UnionUnit.Kind.AFFILIATED, valid_to__isnull=True)),
    )


def commune_type_counts(*, unit: UnionUnit) -> list[tuple[str, int]]:
    """Current commune unions under `unit` by type of commune ("Phường" 51, "Xã" 75, ...)."""
    rows = (
        UnionUnit.objects.filter(
            path__startswith=unit.path, kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True
        )
        .values("admin_unit__unit_type")
        .annotate(count=Count("pk"))
        .order_by("admin_unit__unit_type")
    )
    return [(row["admin_unit__unit_type"] or "Khác", row["count"]) for row in rows]


def branch_list(*, unit: UnionUnit) -> QuerySet[UnionUnit]:
    """The unit's branches, current first."""
    return (
        unit.children.filter(kind=UnionUnit.Kind.BRANCH)
        .select_related("locality")
        .order_by("valid_to", "code")
    )


def department_list(*, user, union: UnionUnit | None = None) -> QuerySet[Department]:
    queryset = Department.objects.restrict(user, "view").select_related("union")
    if union is not None:
        queryset = queryset.filter(union=union)
    return queryset.order_by("union__path", "order", "name")


def merger_list(*, user, filters: dict | None = None) -> QuerySet[UnionUnit]:
    """New unions formed by merging old ones, each with its predecessors prefetched."""
    filters = filters or {}
    queryset = (
        UnionUnit.objects.restrict(user, "view")
        .filter(predecessions__isnull=False)
        .distinct()
        .select_related("admin_unit")
        .prefetch_related(
            Prefetch(
                "predecessions",
                queryset=UnionUnitSuccession.objects.select_related("old", "old__parent").order_by(
                    "old__code"
                ),
            )
        )
    )
    query = (filters.get("q") or "").strip()
    if query:
        folded = fold(query)
        queryset = queryset.filter(
            Q(name_folded__contains=folded)
            | Q(code__startswith=query)
            | Q(predecessions__old__name_folded__contains=folded)
            | Q(predecessions__old__code__startswith=query)
        )
    kind = filters.get("kind")
    if kind in UnionUnitSuccession.Kind.values:
        queryset = queryset.filter(predecessions__kind=kind)
    return queryset.order_by("code")


@dataclass
class HomeUnit:
    """One unit at the top of the user's scope, with its dashboard counts."""

    unit: UnionUnit
    summary: dict
    commune_types: list[tuple[str, int]]
    departments: int


def user_roles(*, user) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(user=user)
        .select_related("unit", "unit__admin_unit", "department")
        .order_by("unit__path", "role")
    )


def user_home_units(*, user, roles: list[RoleAssignment] | None = None) -> list[HomeUnit]:
    """The units at the top of the user's scope (a unit inside another is not repeated).

    A superuser without roles sees the current city unions. Two or three queries per unit.
    """
    if roles is None:
        roles = user_roles(user=user)
    units: list[UnionUnit] = []
    for role in sorted(roles, key=lambda r: len(r.unit.path)):
        if not any(role.unit.path.startswith(unit.path) for unit in units):
            units.append(role.unit)
    if not units and user.is_superuser:
        units = list(UnionUnit.objects.filter(kind=UnionUnit.Kind.CITY, valid_to__isnull=True))
    home = []
    for unit in units:
        is_wide = unit.kind in (UnionUnit.Kind.CITY, UnionUnit.Kind.DISTRICT)
        home.append(
            HomeUnit(
                unit=unit,
                summary=union_unit_summary(unit=unit),
                commune_types=commune_type_counts(unit=unit) if is_wide else [],
                departments=unit.departments.count() if unit.kind == UnionUnit.Kind.CITY else 0,
            )
        )
    return home
