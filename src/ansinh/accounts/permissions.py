"""Roles and what each may do.

A permission is `<app>.<action>_<model>` (e.g. `org.view_unionunit`); patterns with `*` grant
families. `scope_paths(user, permission)` returns the union-tree paths where the user holds a
role granting it, or `ALL` for a system administrator. The answer is cached on the user object
for the request.
"""

from fnmatch import fnmatchcase

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")
    CITY_LEADER = "city_leader", _("Lãnh đạo Hội")
    DEPARTMENT_STAFF = "department_staff", _("Cán bộ ban chuyên môn")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ Hội cơ sở")
    BRANCH_HEAD = "branch_head", _("Chi hội trưởng")
    CASE_WORKER = "case_worker", _("Cán bộ tư vấn, hỗ trợ")
    INSPECTOR = "inspector", _("Kiểm tra, giám sát")
    AGGREGATE_VIEWER = "aggregate_viewer", _("Xem số liệu tổng hợp")


# Sensitive registry data (gender-based violence, HIV) is its own permission, outside the
# `registry.` family, so no wildcard ever grants it by accident.
SENSITIVE_REGISTRY = "sensitive.view_registry"
# Feedback flagged sensitive (violence, abuse): only its assignee and holders of this permission.
SENSITIVE_FEEDBACK = "sensitive.view_feedback"

# Registry permissions that let a role see people (never given to an aggregate viewer).
_REGISTRY_READ = {"registry.view_*", "registry.count_person", "registry.export_person"}
# Recording the support a person gets outside rounds: loans, training, jobs, sponsorships.
_LIVELIHOOD_WRITE = {
    "programmes.add_loanfacilitation",
    "programmes.change_loanfacilitation",
    "programmes.add_trainingcourse",
    "programmes.change_trainingcourse",
    "programmes.add_trainingenrolment",
    "programmes.change_trainingenrolment",
    "programmes.add_jobreferral",
    "programmes.change_jobreferral",
    "programmes.add_sponsorship",
    "programmes.change_sponsorship",
    "programmes.add_sponsorshippayment",
    "programmes.change_sponsorshippayment",
}
_REGISTRY_WRITE = {
    "registry.add_*",
    "registry.change_*",
    "registry.merge_person",
    "registry.import_person",
}

# What each role may do inside its scope. An aggregate viewer never gets a `view_`
# permission on a model holding people, only `count_` ones.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.SYSTEM_ADMIN: {"*"},
    Role.CITY_LEADER: {
        SENSITIVE_FEEDBACK,
        "funds.*",
        "reports.*",
        "plans.*",
        "oversight.*",
        "outreach.*",
        "programmes.view_*",
        "programmes.count_*",
        "programmes.approve_round",
        "org.view_*",
        "org.change_*",
        "org.add_*",
        "accounts.view_*",
        "core.view_job",
        "core.add_job",
        *_REGISTRY_READ,
    },
    Role.DEPARTMENT_STAFF: {
        "funds.*",
        "reports.view_*",
        "reports.count_*",
        "plans.*",
        "oversight.*",
        "outreach.*",
        "programmes.view_*",
        "programmes.count_*",
        "programmes.add_round",
        "programmes.change_round",
        # Department staff approve each other's rounds; never their own (maker-checker).
        "programmes.approve_round",
        "programmes.change_programme",
        *_LIVELIHOOD_WRITE,
        "org.view_*",
        "core.view_job",
        "core.add_job",
        *_REGISTRY_READ,
    },
    Role.COMMUNE_OFFICER: {
        "funds.view_*",
        "funds.count_*",
        "funds.add_donor",
        "funds.add_donation",
        "funds.add_receipt",
        "funds.change_donation",
        "reports.view_*",
        "reports.count_*",
        "reports.add_reportsubmission",
        "reports.change_reportsubmission",
        "reports.submit_reportsubmission",
        "plans.view_*",
        "plans.add_taskprogress",
        "oversight.view_*",
        "oversight.count_*",
        "oversight.add_*",
        "oversight.change_*",
        "outreach.view_*",
        "outreach.count_*",
        "outreach.add_*",
        "outreach.change_*",
        "programmes.view_*",
        "programmes.count_*",
        "programmes.add_entitlement",
        "programmes.change_entitlement",
        "programmes.add_delivery",
        *_LIVELIHOOD_WRITE,
        "org.view_*",
        "org.add_unionunit",
        "org.change_unionunit",
        "core.view_job",
        "core.add_job",
        *_REGISTRY_READ,
        *_REGISTRY_WRITE,
    },
    Role.BRANCH_HEAD: {
        "plans.view_*",
        "oversight.add_feedback",
        "outreach.view_*",
        "outreach.add_communicationactivity",
        "programmes.view_programme",
        "programmes.view_round",
        "programmes.view_entitlement",
        "programmes.view_delivery",
        "org.view_unionunit",
        "org.view_department",
        "registry.view_person",
        "registry.view_household",
        "registry.count_person",
    },
    Role.CASE_WORKER: {
        "programmes.view_programme",
        "programmes.view_round",
        "programmes.view_entitlement",
        "programmes.view_delivery",
        "org.view_unionunit",
        "org.view_department",
        "registry.view_person",
        "registry.view_household",
        "registry.view_personvulnerability",
        SENSITIVE_REGISTRY,
        SENSITIVE_FEEDBACK,
        "oversight.view_feedback",
        "oversight.change_feedback",
    },
    Role.INSPECTOR: {
        "funds.view_*",
        "funds.count_*",
        "reports.view_*",
        "reports.count_*",
        "plans.view_*",
        "oversight.view_*",
        "oversight.count_*",
        "outreach.view_*",
        "outreach.count_*",
        "programmes.view_*",
        "programmes.count_*",
        "org.view_*",
        "accounts.view_*",
        "core.view_auditevent",
        "core.view_job",
        "registry.view_*",
        "registry.count_person",
    },
    Role.AGGREGATE_VIEWER: {
        "funds.count_*",
        "reports.view_*",
        "reports.count_*",
        "plans.view_*",
        "oversight.count_*",
        "outreach.count_*",
        "programmes.view_programme",
        "programmes.count_*",
        "org.view_unionunit",
        "org.view_department",
        "org.count_*",
        "registry.count_person",
    },
}


class _All:
    """Marker: the permission holds everywhere (system administrator)."""

    def __repr__(self) -> str:
        return "ALL"


ALL = _All()


def role_grants(role: str, permission: str) -> bool:
    return any(fnmatchcase(permission, pattern) for pattern in ROLE_PERMISSIONS.get(role, ()))


def _assignments(user) -> list[tuple[str, str]]:
    cached = getattr(user, "_ansinh_roles", None)
    if cached is None:
        cached = list(user.roles.values_list("role", "unit__path"))
        user._ansinh_roles = cached
    return cached


def scope_paths(user, permission: str):
    """Union-tree paths where `user` holds `permission`; `ALL` for superusers/system admins."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return ALL
    paths = []
    for role, path in _assignments(user):
        # A system administrator at a root unit ("/<pk>/") sees everything, including rows
        # outside any unit; one placed lower holds every permission inside her subtree only.
        if role == Role.SYSTEM_ADMIN and path.count("/") == 2:
            return ALL
        if role_grants(role, permission):
            paths.append(path)
    # A path inside another adds nothing to the filter.
    paths.sort(key=len)
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(p) for p in minimal):
            minimal.append(path)
    return minimal


def has_permission(user, permission: str) -> bool:
    """Whether the user holds `permission` anywhere (for menus and buttons)."""
    paths = scope_paths(user, permission)
    return paths is ALL or bool(paths)


def forget_roles(user) -> None:
    """Drop the cached assignments (after roles change within a request)."""
    if hasattr(user, "_ansinh_roles"):
        del user._ansinh_roles
