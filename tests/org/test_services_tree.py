import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ansinh.core.models import AuditEvent
from ansinh.geo.models import AdminUnit
from ansinh.org.models import UnionUnit, UnionUnitSuccession
from ansinh.org.services import union_tree_generate

from .conftest import union

REFORM = dt.date(2025, 7, 1)
OLD_END = dt.date(2025, 6, 30)
Kind = UnionUnit.Kind


def assert_paths_consistent():
    for unit in UnionUnit.objects.select_related("parent"):
        parent_path = unit.parent.path if unit.parent else "/"
        assert unit.path == f"{parent_path}{unit.pk}/", unit


def test_generate_builds_both_generations_of_the_tree(geo_units):
    result = union_tree_generate(province_code="01")

    assert result["created"] == 9
    assert (result["communes"], result["districts"], result["old_communes"]) == (2, 2, 4)
    assert result["successions_created"] == 5
    city = union(geo_units.province)
    assert (city.kind, city.code, city.name) == (Kind.CITY, "01", "Hội LHPN Thành phố Hà Nội")
    assert (city.valid_from, city.valid_to, city.parent) == (None, None, None)
    new = UnionUnit.objects.filter(kind=Kind.COMMUNE, valid_from=REFORM).order_by("code")
    assert [(u.code, u.name, u.parent_id, u.valid_to) for u in new] == [
        ("00070", "Hội LHPN Phường Hoàn Kiếm", city.pk, None),
        ("00454", "Hội LHPN Xã Đông Anh", city.pk, None),
    ]
    districts = UnionUnit.objects.filter(kind=Kind.DISTRICT).order_by("code")
    assert [(u.code, u.name, u.parent_id, u.valid_to) for u in districts] == [
        ("002", "Hội LHPN Quận Hoàn Kiếm", city.pk, OLD_END),
        ("017", "Hội LHPN Huyện Đông Anh", city.pk, OLD_END),
    ]
    old = UnionUnit.objects.filter(kind=Kind.COMMUNE, valid_to=OLD_END).order_by("code")
    assert [(u.code, u.name, u.parent.code, u.valid_from) for u in old] == [
        ("00037", "Hội LHPN Phường Hàng Bạc", "002", None),
        ("00070", "Hội LHPN Phường Hàng Trống", "002", None),
        ("00454", "Hội LHPN Thị trấn Đông Anh", "017", None),
        ("00460", "Hội LHPN Xã Uy Nỗ", "017", None),
    ]
    assert (
        union(geo_units.hangtrong).path
        == f"/{city.pk}/{districts[0].pk}/{union(geo_units.hangtrong).pk}/"
    )
    assert_paths_consistent()


def test_successions_follow_the_geo_successions(geo_units):
    union_tree_generate(province_code="01")

    rows = UnionUnitSuccession.objects.select_related("old", "new").order_by(
        "old__code", "new__code"
    )
    assert [
        (r.old.name, r.new.name, r.kind, r.takes_population, r.effective, r.note) for r in rows
    ] == [
        (
            "Hội LHPN Phường Hàng Bạc",
            "Hội LHPN Phường Hoàn Kiếm",
            "whole",
            True,
            REFORM,
            "Nhập toàn bộ",
        ),
        (
            "Hội LHPN Phường Hàng Trống",
            "Hội LHPN Phường Hoàn Kiếm",
            "whole",
            True,
            REFORM,
            "Nhập toàn bộ",
        ),
        (
            "Hội LHPN Thị trấn Đông Anh",
            "Hội LHPN Xã Đông Anh",
            "whole",
            True,
            REFORM,
            "Nhập toàn bộ",
        ),
        ("Hội LHPN Xã Uy Nỗ", "Hội LHPN Phường Hoàn Kiếm", "part", False, REFORM, "Nhập một phần"),
        (
            "Hội LHPN Xã Uy Nỗ",
            "Hội LHPN Xã Đông Anh",
            "part",
            True,
            REFORM,
            "Nhập một phần, nhận toàn bộ dân số",
        ),
    ]


def test_second_run_writes_nothing(geo_units):
    union_tree_generate(province_code="01")
    before = list(UnionUnit.objects.values_list("pk", "path", "name", "parent_id", "valid_to"))
    events = AuditEvent.objects.count()

    result = union_tree_generate(province_code="01")

    assert (result["created"], result["updated"]) == (0, 0)
    assert (result["successions_created"], result["successions_updated"]) == (0, 0)
    assert (
        list(UnionUnit.objects.values_list("pk", "path", "name", "parent_id", "valid_to")) == before
    )
    assert UnionUnitSuccession.objects.count() == 5
    assert AuditEvent.objects.count() == events


def test_generation_writes_one_audit_event(geo_units):
    union_tree_generate(province_code="01")

    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.CREATE
    assert event.object_type == "org.unionunit"
    assert event.changes["created"] == 9


def test_existing_units_are_reused_not_duplicated(personas, geo_units):
    union_tree_generate(province_code="01")

    assert union(geo_units.province).pk == personas.city.pk
    assert union(geo_units.hoankiem).pk == personas.hoankiem.pk
    assert union(geo_units.donganh).pk == personas.donganh.pk
    assert UnionUnit.objects.count() == 9
    assert_paths_consistent()


def test_renamed_unit_is_updated_in_place(geo_units):
    union_tree_generate(province_code="01")
    unit_pk = union(geo_units.uyno).pk
    geo_units.uyno.name = "Xã Uy Nỗ Mới"
    geo_units.uyno.save()

    result = union_tree_generate(province_code="01")

    assert (result["created"], result["updated"]) == (0, 1)
    renamed = UnionUnit.objects.get(pk=unit_pk)
    assert (renamed.name, renamed.name_folded) == ("Hội LHPN Xã Uy Nỗ Mới", "hoi lhpn xa uy no moi")


def test_unknown_province_is_refused_and_nothing_written(geo_units):
    with pytest.raises(ValidationError) as error:
        union_tree_generate(province_code="99")

    assert "mã 99" in error.value.messages[0]
    assert UnionUnit.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_codes_repeat_between_eras_but_not_within_one(geo_units):
    union_tree_generate(province_code="01")
    assert UnionUnit.objects.filter(kind=Kind.COMMUNE, code="00070").count() == 2

    with pytest.raises(IntegrityError), transaction.atomic():
        UnionUnit.objects.create(kind=Kind.COMMUNE, code="00070", name="Trùng", valid_from=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnionUnit.objects.create(kind=Kind.COMMUNE, code="00070", name="Trùng", valid_from=REFORM)


def test_old_units_stay_reachable_after_the_merger(geo_units):
    union_tree_generate(province_code="01")

    uyno = union(geo_units.uyno)
    assert not uyno.is_current
    assert sorted(uyno.successions.values_list("new__name", flat=True)) == [
        "Hội LHPN Phường Hoàn Kiếm",
        "Hội LHPN Xã Đông Anh",
    ]


DATA_FILE = (
    Path(__file__).resolve().parents[2] / "src" / "ansinh" / "geo" / "data" / "units.json.gz"
)


@pytest.mark.skipif(not DATA_FILE.exists(), reason="geo data file not built")
def test_hanoi_tree_from_the_real_data(db, django_assert_max_num_queries):
    from ansinh.geo.services import units_load

    units_load(province_code="01")
    with django_assert_max_num_queries(60):
        result = union_tree_generate(province_code="01")

    assert (result["communes"], result["districts"], result["old_communes"]) == (126, 30, 526)
    assert result["created"] == 1 + 126 + 30 + 526
    assert UnionUnit.objects.count() == 683
    assert UnionUnit.objects.filter(path="").count() == 0
    assert_paths_consistent()
    # Every old commune union went somewhere.
    assert (
        UnionUnit.objects.filter(
            kind=Kind.COMMUNE, valid_to=OLD_END, successions__isnull=True
        ).count()
        == 0
    )
    assert AdminUnit.objects.filter(era="post2025", level="commune").count() == 126
    assert union_tree_generate(province_code="01")["created"] == 0
