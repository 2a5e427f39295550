"""The demo data set: Hanoi's units and union tree, departments, demo logins, the plan.

Everything here is idempotent: `ansinh demo` can run on every start. Demo users exist only
in a DEBUG install (`demo_load` refuses otherwise), so a production database never gets an
account with the published password.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.permissions import Role
from ansinh.geo.services import units_load
from ansinh.org.models import Department, UnionUnit
from ansinh.org.services import branch_create, departments_seed, union_tree_generate
from ansinh.plans.services import default_plan_path, plan_load

DEMO_PASSWORD = "ansinh-demo"  # noqa: S105 - published demo password, DEBUG installs only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit_code: str  # official code of the union unit (province or commune)
    department: str = ""
    description: str = ""


DEMO_LOGINS = [
    DemoLogin(
        "thanhpho",
        "Nguyễn Thu Hà",
        Role.SYSTEM_ADMIN,
        "01",
        description="quản trị Hội LHPN Thành phố",
    ),
    DemoLogin(
        "giadinh",
        "Trần Minh Thư",
        Role.DEPARTMENT_STAFF,
        "01",
        "gia-dinh-xa-hoi",
        description="cán bộ Ban Gia đình xã hội",
    ),
    DemoLogin(
        "hoankiem",
        "Lê Thị Mai",
        Role.COMMUNE_OFFICER,
        "00070",
        description="cán bộ Hội LHPN Phường Hoàn Kiếm",
    ),
    DemoLogin(
        "donganh",
        "Phạm Thị Lan",
        Role.COMMUNE_OFFICER,
        "00454",
        description="cán bộ Hội LHPN Xã Đông Anh",
    ),
    DemoLogin(
        "thongke",
        "Đỗ Thị Hằng",
        Role.AGGREGATE_VIEWER,
        "01",
        description="chỉ xem số liệu tổng hợp",
    ),
    DemoLogin(
        "kiemtra", "Vũ Thị Nga", Role.INSPECTOR, "01", description="Ủy ban kiểm tra: xem và nhật ký"
    ),
    DemoLogin(
        "tuvan", "Hoàng Thị Yến", Role.CASE_WORKER, "01", description="cán bộ tư vấn, hỗ trợ"
    ),
]

# Residential groups of Phường Hoàn Kiếm used as demo branches.
DEMO_BRANCHES = {
    "00070": ["Tổ dân phố số 1", "Tổ dân phố số 2", "Tổ dân phố số 3"],
    "00454": ["Thôn Đông Ngàn", "Thôn Cổ Loa"],
}


def _current_union(code: str) -> UnionUnit:
    return UnionUnit.objects.get(
        code=code, valid_to__isnull=True, kind__in=[UnionUnit.Kind.CITY, UnionUnit.Kind.COMMUNE]
    )


def demo_users_create(*, password: str = DEMO_PASSWORD) -> list[User]:
    users = []
    for login in DEMO_LOGINS:
        user, created = User.objects.get_or_create(
            username=login.username, defaults={"full_name": login.full_name}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        unit = _current_union(login.unit_code)
        department = (
            Department.objects.get(union=unit, code=login.department) if login.department else None
        )
        RoleAssignment.objects.get_or_create(
            user=user, role=login.role, unit=unit, defaults={"department": department}
        )
        users.append(user)
    return users


def demo_branches_create(*, user: User) -> int:
    """A few branches (chi hội) per demo commune; returns how many were added."""
    added = 0
    for commune_code, names in DEMO_BRANCHES.items():
        commune = UnionUnit.objects.filter(
            code=commune_code, kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True
        ).first()
        if commune is None:
            continue
        existing = set(commune.children.values_list("locality__name", flat=True))
        for name in names:
            if name in existing:
                continue
            kind = "to_dan_pho" if name.startswith("Tổ") else "thon"
            branch_create(user=user, parent=commune, locality_kind=kind, locality_name=name)
            added += 1
    return added


def demo_world_create(*, province_code: str = "01") -> dict:
    """Units, union tree, departments, demo users and branches (no plan, no DEBUG check)."""
    units = units_load(province_code=province_code)
    with transaction.atomic():
        tree = union_tree_generate(province_code=province_code)
        city = _current_union(province_code)
        departments_seed(city=city)
        users = {user.username: user for user in demo_users_create()}
        demo_branches_create(user=users["thanhpho"])
    return {"units": units, "tree": tree, "city": city, "users": users}


def demo_load(*, province_code: str = "01", say: Callable[[str], None] = print) -> dict:
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "Dữ liệu mẫu chỉ được nạp khi DEBUG=1: bản cài đặt chính thức không có tài khoản mẫu."
        )
    say(f"Nạp đơn vị hành chính, cây tổ chức Hội, các ban và tài khoản mẫu ({province_code})…")
    world = demo_world_create(province_code=province_code)
    people = _demo_people_seed(say=say)
    plan = None
    plan_path = default_plan_path()
    if plan_path.is_file():
        say(f"Nạp kế hoạch từ {plan_path.name}…")
        plan = plan_load(path=plan_path, city=world["city"])
    else:
        say(f"Không thấy tệp kế hoạch {plan_path}: bỏ qua (đặt ANSINH_PLAN_FILE để nạp).")
    extras = _demo_app_data(world=world, say=say)
    return {**world, "people": people, "plan": plan, **extras}


def _demo_app_data(*, world: dict, say: Callable[[str], None]) -> dict:
    """Each app's `demo.py` may define `demo_load(*, world, say) -> dict` (idempotent).

    Apps run in INSTALLED_APPS order, so a module's demo data can use the data of the modules
    it builds on (funds after programmes, reports last but one).
    """
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    results: dict = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("ansinh.") or config.name == "ansinh.demo":
            continue
        module_name = f"{config.name}.demo"
        if find_spec(module_name) is None:
            continue
        loader = getattr(import_module(module_name), "demo_load", None)
        if loader is not None:
            results.update(loader(world=world, say=say) or {})
    return results


DEMO_PEOPLE = 3000  # across the city
DEMO_PEOPLE_HOANKIEM = 300  # so the Hoàn Kiếm officer's lists are not empty


def _demo_people_seed(*, say: Callable[[str], None]) -> int:
    """Synthetic people for the demo, once (names built from common Vietnamese names)."""
    from ansinh.registry.models import Person
    from ansinh.registry.synthetic import seed_people

    if Person.objects.exists():
        return 0
    say(
        f"Tạo {DEMO_PEOPLE + DEMO_PEOPLE_HOANKIEM:,} đối tượng mẫu (dữ liệu giả lập)…".replace(
            ",", "."
        )
    )
    city = seed_people(scale=DEMO_PEOPLE, random_seed=7)
    local = seed_people(scale=DEMO_PEOPLE_HOANKIEM, unit_code="00070", random_seed=8)
    return city.people + local.people
