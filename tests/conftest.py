"""Fixed personas every suite uses (Healthchecks-style base fixtures).

A minimal Hanoi: the city union over Phường Hoàn Kiếm (00070) and Xã Đông Anh (00454), and one
user per role that matters for scoping: the city admin, an officer of each commune, an
aggregate viewer, an inspector and a case worker (all at the city unless said otherwise).
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from ansinh.accounts.models import User
from ansinh.accounts.permissions import Role
from ansinh.geo.models import AdminUnit
from ansinh.org.models import UnionUnit

from .factories import (
    DEMO_PASSWORD,
    REFORM_DATE,
    AdminUnitFactory,
    RoleAssignmentFactory,
    UnionUnitFactory,
    UserFactory,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass
class Personas:
    city: UnionUnit
    hoankiem: UnionUnit
    donganh: UnionUnit
    city_admin: User
    officer_hoankiem: User
    officer_donganh: User
    aggregate_viewer: User
    inspector: User
    case_worker: User


@pytest.fixture
def personas(db) -> Personas:
    province = AdminUnitFactory(
        level=AdminUnit.Level.PROVINCE, code="01", name="Thành phố Hà Nội", unit_type="Thành phố"
    )
    hoankiem_unit = AdminUnitFactory(
        code="00070", name="Phường Hoàn Kiếm", unit_type="Phường", parent=province
    )
    donganh_unit = AdminUnitFactory(
        code="00454", name="Xã Đông Anh", unit_type="Xã", parent=province
    )
    city = UnionUnitFactory(
        kind=UnionUnit.Kind.CITY,
        code="01",
        name="Hội LHPN Thành phố Hà Nội",
        admin_unit=province,
        valid_from=None,
    )
    hoankiem = UnionUnitFactory(
        code="00070",
        name="Hội LHPN Phường Hoàn Kiếm",
        parent=city,
        admin_unit=hoankiem_unit,
        valid_from=REFORM_DATE,
    )
    donganh = UnionUnitFactory(
        code="00454",
        name="Hội LHPN Xã Đông Anh",
        parent=city,
        admin_unit=donganh_unit,
        valid_from=REFORM_DATE,
    )

    def person(username: str, role: str, unit: UnionUnit) -> User:
        user = UserFactory(username=username, full_name=username.title())
        RoleAssignmentFactory(user=user, role=role, unit=unit)
        return user

    return Personas(
        city=city,
        hoankiem=hoankiem,
        donganh=donganh,
        city_admin=person("thanhpho", Role.SYSTEM_ADMIN, city),
        officer_hoankiem=person("hoankiem", Role.COMMUNE_OFFICER, hoankiem),
        officer_donganh=person("donganh", Role.COMMUNE_OFFICER, donganh),
        aggregate_viewer=person("thongke", Role.AGGREGATE_VIEWER, city),
        inspector=person("kiemtra", Role.INSPECTOR, city),
        case_worker=person("tuvan", Role.CASE_WORKER, city),
    )


@pytest.fixture
def client_for():
    """client_for(user) → a test client signed in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when the shared folder is not beside the checkout."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


__all__ = ["DEMO_PASSWORD", "Personas"]


@pytest.fixture
def reference_rows(transactional_db):
    """The rows data migrations seed, put back: a transactional test starts from a flushed
    database. (serialized_rollback would do it too, but collides with the content types that
    an earlier transactional test's flush re-creates, depending on test order.)"""
    from importlib import import_module

    from django.apps import apps

    for module in (
        "ansinh.registry.migrations.0002_seed_categories",
        "ansinh.programmes.migrations.0002_seed_programmes",
    ):
        import_module(module).seed(apps, None)
