"""A small synthetic province for the org suites (never the real data file).

Post-2025: province 01 with Phường Hoàn Kiếm (00070) and Xã Đông Anh (00454), the same
admin units the `personas` fixture uses. Pre-2025: Quận Hoàn Kiếm (002) with Phường Hàng Bạc
(00037) and Phường Hàng Trống (00070: the code repeats the new ward's), Huyện Đông Anh (017)
with Thị trấn Đông Anh (00454) and Xã Uy Nỗ (00460), which is split between both new communes.
"""

from dataclasses import dataclass

import pytest

from ansinh.geo.models import AdminUnit, AdminUnitSuccession
from ansinh.org.models import UnionUnit
from ansinh.org.services import union_tree_generate

from ..factories import AdminUnitFactory

PRE = AdminUnit.Era.PRE_2025
OLD_END = "2025-06-30"


@dataclass
class GeoUnits:
    province: AdminUnit
    hoankiem: AdminUnit
    donganh: AdminUnit
    old_district_hoankiem: AdminUnit
    old_district_donganh: AdminUnit
    hangbac: AdminUnit
    hangtrong: AdminUnit
    old_donganh: AdminUnit
    uyno: AdminUnit


def _old(level, code, name, unit_type, parent):
    return AdminUnitFactory(
        era=PRE,
        level=level,
        code=code,
        name=name,
        unit_type=unit_type,
        parent=parent,
        valid_from=None,
        valid_to=OLD_END,
    )


@pytest.fixture
def geo_units(db) -> GeoUnits:
    province = AdminUnitFactory(
        level=AdminUnit.Level.PROVINCE,
        code="01",
        name="Thành phố Hà Nội",
        short_name="Hà Nội",
        unit_type="Thành phố",
    )
    hoankiem = AdminUnitFactory(
        code="00070", name="Phường Hoàn Kiếm", unit_type="Phường", parent=province
    )
    donganh = AdminUnitFactory(code="00454", name="Xã Đông Anh", unit_type="Xã", parent=province)
    old_province = _old(AdminUnit.Level.PROVINCE, "01", "Thành phố Hà Nội", "Thành phố", None)
    district_hk = _old(AdminUnit.Level.DISTRICT, "002", "Quận Hoàn Kiếm", "Quận", old_province)
    district_da = _old(AdminUnit.Level.DISTRICT, "017", "Huyện Đông Anh", "Huyện", old_province)
    hangbac = _old(AdminUnit.Level.COMMUNE, "00037", "Phường Hàng Bạc", "Phường", district_hk)
    hangtrong = _old(AdminUnit.Level.COMMUNE, "00070", "Phường Hàng Trống", "Phường", district_hk)
    old_donganh = _old(
        AdminUnit.Level.COMMUNE, "00454", "Thị trấn Đông Anh", "Thị trấn", district_da
    )
    uyno = _old(AdminUnit.Level.COMMUNE, "00460", "Xã Uy Nỗ", "Xã", district_da)
    whole, part = AdminUnitSuccession.Kind.WHOLE, AdminUnitSuccession.Kind.PART
    for old, new, kind, takes_population in (
        (hangbac, hoankiem, whole, True),
        (hangtrong, hoankiem, whole, True),
        (old_donganh, donganh, whole, True),
        (uyno, donganh, part, True),
        (uyno, hoankiem, part, False),
    ):
        AdminUnitSuccession.objects.create(
            old=old, new=new, kind=kind, takes_population=takes_population
        )
    return GeoUnits(
        province=province,
        hoankiem=hoankiem,
        donganh=donganh,
        old_district_hoankiem=district_hk,
        old_district_donganh=district_da,
        hangbac=hangbac,
        hangtrong=hangtrong,
        old_donganh=old_donganh,
        uyno=uyno,
    )


@dataclass
class Tree:
    """The generated union tree, by the names the tests use."""

    city: UnionUnit
    hoankiem: UnionUnit
    donganh: UnionUnit
    old_district_hoankiem: UnionUnit
    old_district_donganh: UnionUnit
    hangbac: UnionUnit
    hangtrong: UnionUnit
    old_donganh: UnionUnit
    uyno: UnionUnit


def union(admin_unit: AdminUnit) -> UnionUnit:
    return UnionUnit.objects.get(admin_unit=admin_unit)


@pytest.fixture
def tree(personas, geo_units) -> Tree:
    """The personas' units plus the generated old tree and successions."""
    union_tree_generate(province_code="01")
    units = {
        name: union(getattr(geo_units, name))
        for name in Tree.__dataclass_fields__
        if name != "city"
    }
    return Tree(city=union(geo_units.province), **units)
