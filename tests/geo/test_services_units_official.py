"""Cross-check against the official old → new table (when ../shared/data is present)."""

from ansinh.geo.models import AdminUnit, AdminUnitSuccession
from ansinh.geo.selectors import units_data

from .official_table import read_official_table


def hanoi_old_communes() -> dict[str, tuple[str, str]]:
    return {
        code: (name, district)
        for code, name, district in AdminUnit.objects.filter(
            era=AdminUnit.Era.PRE_2025, level=AdminUnit.Level.COMMUNE, province_code="01"
        ).values_list("code", "name", "parent__code")
    }


def test_every_hanoi_old_commune_maps_as_the_official_table_says(hanoi_units, shared_data):
    old_communes = hanoi_old_communes()
    table = read_official_table(shared_data, old_communes=old_communes, new_province="01")
    loaded: dict[str, dict[str, tuple[str, bool]]] = {}
    for old, new, kind, takes in AdminUnitSuccession.objects.filter(
        old__province_code="01"
    ).values_list("old__code", "new__code", "kind", "takes_population"):
        loaded.setdefault(old, {})[new] = (kind, takes)

    # The one miscoded Hanoi row: "Xã Đặng Xá" written with Xã Cổ Bi's code.
    assert [(written, name, read) for _, written, name, read in table.recoded] == [
        ("00553", "Xã Đặng Xá", "00556")
    ]
    assert len(old_communes) == 526
    assert set(table.links) == set(old_communes)
    mismatches = [
        (code, sorted(table.new_codes(code)), sorted(loaded.get(code, {})))
        for code in sorted(old_communes)
        if table.new_codes(code) != set(loaded.get(code, {}))
    ]
    assert mismatches == []

    split = [code for code in old_communes if len(table.new_codes(code)) > 1]
    assert len(split) == 199
    for code in old_communes:
        kinds = {kind for kind, _ in loaded[code].values()}
        assert kinds == ({"part"} if code in split else {"whole"}), code
    # Where the table names the new commune that took the whole population, so do we.
    stated = {code: table.population_taker(code) for code in split}
    stated = {code: takers for code, takers in stated.items() if takers}
    assert len(stated) == 40
    for code, takers in stated.items():
        assert {new for new, (_, takes) in loaded[code].items() if takes} == takers, code


def test_the_shipped_file_agrees_with_the_table_for_every_province(shared_data):
    provinces = units_data()["provinces"]
    old_communes = {
        commune[0]: (commune[1], commune[4])
        for province in provinces.values()
        for old in province["old"]
        for commune in old["communes"]
    }
    table = read_official_table(shared_data, old_communes=old_communes)
    shipped = {
        old: {new: (kind, takes) for new, kind, takes in targets}
        for province in provinces.values()
        for old, targets in province["successions"].items()
    }

    assert [(written, read) for _, written, _, read in table.recoded] == [
        ("00553", "00556"),
        ("01615", "01651"),
        ("02485", "02482"),
    ]
    assert len(shipped) == len(old_communes) == 10035
    assert set(table.links) == set(old_communes)
    assert [code for code in old_communes if table.new_codes(code) != set(shipped[code])] == []
    wrong_kind = [
        code
        for code in old_communes
        if {kind for kind, _ in shipped[code].values()}
        != ({"part"} if len(table.new_codes(code)) > 1 else {"whole"})
    ]
    assert wrong_kind == []
    wrong_taker = [
        code
        for code in old_communes
        if table.population_taker(code)
        and len(table.new_codes(code)) > 1
        and {new for new, (_, takes) in shipped[code].items() if takes}
        != table.population_taker(code)
    ]
    assert wrong_taker == []
