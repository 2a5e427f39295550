import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from ansinh.core.models import AuditEvent
from ansinh.geo.models import AdminUnit, AdminUnitSuccession
from ansinh.geo.services import UnitsLoadError, units_load

POST, PRE = AdminUnit.Era.POST_2025, AdminUnit.Era.PRE_2025
PROVINCE, DISTRICT, COMMUNE = (
    AdminUnit.Level.PROVINCE,
    AdminUnit.Level.DISTRICT,
    AdminUnit.Level.COMMUNE,
)


def row_counts() -> tuple[int, int]:
    return AdminUnit.objects.count(), AdminUnitSuccession.objects.count()


def test_hanoi_loads_both_trees_and_the_succession(hanoi_units):
    new_communes = AdminUnit.objects.filter(era=POST, level=COMMUNE, province_code="01")
    assert new_communes.count() == 126
    assert new_communes.filter(unit_type="Phường").count() == 51
    assert new_communes.filter(unit_type="Xã").count() == 75
    province = AdminUnit.objects.get(era=POST, level=PROVINCE, code="01")
    assert province.name == "Thành phố Hà Nội"
    assert province.valid_from == dt.date(2025, 7, 1)
    assert set(new_communes.values_list("parent_id", flat=True)) == {province.pk}
    assert set(new_communes.values_list("valid_from", "valid_to").distinct()) == {
        (dt.date(2025, 7, 1), None)
    }

    old_province = AdminUnit.objects.get(era=PRE, level=PROVINCE, code="01")
    districts = AdminUnit.objects.filter(era=PRE, level=DISTRICT, parent=old_province)
    assert districts.count() == 30
    old_communes = AdminUnit.objects.filter(era=PRE, level=COMMUNE, province_code="01")
    assert old_communes.count() == 526
    assert set(old_communes.values_list("parent__parent_id", flat=True)) == {old_province.pk}
    assert set(old_communes.values_list("valid_from", "valid_to").distinct()) == {
        (None, dt.date(2025, 6, 30))
    }
    assert AdminUnit.objects.count() == 1 + 126 + 1 + 30 + 526

    # Every old commune went somewhere; 795 links, as many as the official table's rows.
    assert AdminUnitSuccession.objects.count() == 795
    assert not old_communes.filter(successions__isnull=True).exists()
    assert hanoi_units["communes"] == 126
    assert hanoi_units["wards"] == 51
    assert hanoi_units["rural_communes"] == 75
    assert hanoi_units["old_districts"] == 30
    assert hanoi_units["old_communes"] == 526
    assert hanoi_units["units_created"] == 684
    assert hanoi_units["successions_created"] == 795


def test_names_are_folded_for_search(hanoi_units):
    unit = AdminUnit.objects.get(era=PRE, level=COMMUNE, code="00505")
    assert (unit.name, unit.name_folded, unit.short_name) == ("Xã Cổ Loa", "xa co loa", "Cổ Loa")


def test_whole_and_split_communes(hanoi_units):
    co_loa = AdminUnitSuccession.objects.get(old__era=PRE, old__code="00505")
    assert (co_loa.new.code, co_loa.new.name, co_loa.kind, co_loa.takes_population) == (
        "00454",
        "Xã Đông Anh",
        AdminUnitSuccession.Kind.WHOLE,
        True,
    )
    # Xã Cổ Bi (Gia Lâm) was split between three new communes; Phường Phúc Lợi took its people.
    co_bi = AdminUnitSuccession.objects.filter(old__era=PRE, old__code="00553")
    assert sorted(co_bi.values_list("new__code", "kind", "takes_population")) == [
        ("00136", "part", True),
        ("00541", "part", False),
        ("00565", "part", False),
    ]
    assert set(co_bi.values_list("note", flat=True)) == {"Xã cũ được chia cho 3 xã mới"}


def test_each_split_commune_has_exactly_one_population_taker(hanoi_units):
    split = AdminUnitSuccession.objects.filter(kind="part")
    takers: dict[int, int] = {}
    for old_id, takes in split.values_list("old_id", "takes_population"):
        takers[old_id] = takers.get(old_id, 0) + int(takes)
    assert len(takers) == 199
    assert set(takers.values()) == {1}


def test_loading_twice_changes_nothing(hanoi_units):
    units_before = list(
        AdminUnit.objects.order_by("pk").values_list("pk", "era", "level", "code", "name")
    )
    links_before = list(
        AdminUnitSuccession.objects.order_by("pk").values_list(
            "pk", "old_id", "new_id", "kind", "takes_population", "note"
        )
    )

    counts = units_load(province_code="01")

    assert (
        list(AdminUnit.objects.order_by("pk").values_list("pk", "era", "level", "code", "name"))
        == units_before
    )
    assert (
        list(
            AdminUnitSuccession.objects.order_by("pk").values_list(
                "pk", "old_id", "new_id", "kind", "takes_population", "note"
            )
        )
        == links_before
    )
    assert (counts["units_created"], counts["units_updated"]) == (0, 0)
    assert (counts["successions_created"], counts["successions_updated"]) == (0, 0)
    assert counts["successions_deleted"] == 0


def test_reloading_repairs_renamed_units_and_stale_links(hanoi_units):
    unit = AdminUnit.objects.get(era=POST, level=COMMUNE, code="00070")
    AdminUnit.objects.filter(pk=unit.pk).update(name="Phường Cũ", name_folded="phuong cu")
    co_loa = AdminUnit.objects.get(era=PRE, level=COMMUNE, code="00505")
    wrong = AdminUnitSuccession.objects.create(old=co_loa, new=unit, kind="part")
    AdminUnitSuccession.objects.filter(old=co_loa, new__code="00454").update(takes_population=False)

    counts = units_load(province_code="01")

    unit.refresh_from_db()
    assert (unit.name, unit.name_folded) == ("Phường Hoàn Kiếm", "phuong hoan kiem")
    assert not AdminUnitSuccession.objects.filter(pk=wrong.pk).exists()
    assert list(co_loa.successions.values_list("new__code", "kind", "takes_population")) == [
        ("00454", "whole", True)
    ]
    assert (counts["units_updated"], counts["successions_updated"]) == (1, 1)
    assert counts["successions_deleted"] == 1
    assert row_counts() == (684, 795)


def test_existing_units_keep_their_primary_key(personas):
    hoankiem = personas.hoankiem.admin_unit

    units_load(province_code="01")

    assert AdminUnit.objects.get(era=POST, level=COMMUNE, code="00070").pk == hoankiem.pk
    assert row_counts() == (684, 795)


def test_progress_is_reported_up_to_the_total(db):
    calls: list[tuple[int, int]] = []

    units_load(province_code="01", progress=lambda done, total: calls.append((done, total)))

    assert calls[0] == (0, 684 + 795)
    assert calls[-1] == (684 + 795, 684 + 795)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_failure_midway_writes_nothing(db):
    def fail_halfway(done: int, total: int) -> None:
        if done > total // 2:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        units_load(province_code="01", progress=fail_halfway)

    assert row_counts() == (0, 0)
    assert AuditEvent.objects.count() == 0


def test_the_load_is_audited(db):
    units_load(province_code="01")

    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == ("other", "geo.adminunit", "01")
    assert event.object_repr == "Nạp đơn vị hành chính: Thành phố Hà Nội"
    assert event.changes["units_created"] == 684


def test_a_merged_province_loads_every_old_province_that_formed_it(db):
    counts = units_load(province_code="79")

    old_provinces = AdminUnit.objects.filter(era=PRE, level=PROVINCE).order_by("code")
    assert list(old_provinces.values_list("code", "name")) == [
        ("74", "Tỉnh Bình Dương"),
        ("77", "Tỉnh Bà Rịa - Vũng Tàu"),
        ("79", "Thành phố Hồ Chí Minh"),
    ]
    assert counts["old_provinces"] == 3
    assert AdminUnit.objects.filter(era=POST, level=COMMUNE, province_code="79").count() == 168
    old_communes = AdminUnit.objects.filter(era=PRE, level=COMMUNE)
    assert old_communes.count() == counts["old_communes"] == 441
    assert not old_communes.filter(successions__isnull=True).exists()
    # Côn Đảo had no commune: the old district itself became the special zone.
    con_dao = AdminUnitSuccession.objects.get(old__era=PRE, old__level=DISTRICT)
    assert (con_dao.old.name, con_dao.new.name, con_dao.new.unit_type) == (
        "Huyện Côn Đảo",
        "Đặc khu Côn Đảo",
        "Đặc khu",
    )
    # Hanoi was not touched.
    assert not AdminUnit.objects.filter(province_code="01").exists()


def test_two_provinces_side_by_side(db):
    units_load(province_code="01")
    units_load(province_code="79")
    units_load(province_code="01")

    assert AdminUnit.objects.filter(era=POST, level=PROVINCE).count() == 2
    assert AdminUnit.objects.filter(era=PRE, level=PROVINCE).count() == 4


def test_unknown_province_is_refused_by_the_service(db):
    with pytest.raises(UnitsLoadError) as error:
        units_load(province_code="99")

    assert "Không có tỉnh/thành phố mã “99”" in str(error.value)
    assert row_counts() == (0, 0)


def test_command_loads_and_prints_a_summary(db, capsys):
    call_command("load_units", province="01")

    out = capsys.readouterr().out
    assert "Đang nạp: 1479/1479 (100%)" in out
    assert (
        "Đã nạp tỉnh/thành phố 01: 126 xã/phường mới (51 phường, 75 xã); trước 01/7/2025: "
        "1 tỉnh, 30 quận/huyện, 526 xã/phường; 795 liên kết kế thừa." in out
    )
    assert row_counts() == (684, 795)


def test_command_with_an_unknown_code_fails_and_writes_nothing(db):
    with pytest.raises(CommandError) as error:
        call_command("load_units", province="99")

    assert "“99”" in str(error.value)
    assert "01, 04, 08" in str(error.value)
    assert row_counts() == (0, 0)
    assert AuditEvent.objects.count() == 0
