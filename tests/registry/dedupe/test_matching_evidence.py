"""Evidence beyond name and birth: address, household, neighbouring communes, traits."""

import datetime as dt

import pytest

from ansinh.core.text import fold
from ansinh.geo.models import AdminUnit, AdminUnitSuccession
from ansinh.registry.dedupe import find_duplicates, load_records
from ansinh.registry.matching import (
    THRESHOLD,
    address_key,
    commune_areas,
    compare,
    compare_weight,
    member_signature,
    record,
)
from tests.factories import AdminUnitFactory
from tests.registry.factories import HouseholdFactory


def rec(name, **fields):
    return record(name_folded=fold(name), **fields)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Số 12 ngõ 45 phố Hàng Bạc", "12/45 Hàng Bạc"),
        ("Số 12, ngõ 45, Hàng Bạc", "so 12 ngo 45 hang bac"),
        ("Xóm 3, Thôn Đông", "Thôn Đông, xóm 3"),
    ],
)
def test_one_address_written_several_ways_has_one_key(a, b):
    assert address_key(a) == address_key(b) != ""


def test_address_key_parts():
    assert address_key("Số 12 ngõ 45 phố Hàng Bạc") == "12 45|hang bac"
    assert address_key("Ngõ 45 Hàng Bạc") == "45|hang bac"
    assert address_key("Phố Hàng Bạc") == "|hang bac"
    assert address_key("") == address_key("số, ngõ") == ""


# A woman with only her name and birth year on the second record: the address decides.
HOA = {"birth_year": 1985, "commune_id": 1, "sex": "F"}


def test_same_household_address_makes_a_year_only_record_a_duplicate():
    first = rec("Nguyễn Thị Hoa", address_line="Số 12 ngõ 45 Hàng Bạc", household_id=1, **HOA)
    second = rec("Nguyen Thi Hoa", address_line="12/45 Hàng Bạc", household_id=2, **HOA)
    result = compare(first, second)
    assert result.weight >= THRESHOLD
    assert result.reasons == ["Trùng họ tên và năm sinh", "Cùng địa chỉ"]
    # The same household record is stronger still.
    same = rec("Nguyễn Thị Hoa", address_line="Số 12 ngõ 45 Hàng Bạc", household_id=1, **HOA)
    assert compare_weight(first, same) > result.weight
    assert "Cùng hộ gia đình" in compare(first, same).reasons


def test_hard_negative_same_name_and_year_in_another_household_is_not_a_duplicate():
    """Another Nguyễn Thị Hoa born in 1985, in another household: her own date of birth."""
    place = {"commune_id": 1, "sex": "F"}
    first = rec(
        "Nguyễn Thị Hoa",
        birth_date=dt.date(1985, 3, 12),
        address_line="Số 12 ngõ 45 Hàng Bạc",
        household_id=1,
        **place,
    )
    namesake = rec(
        "Nguyễn Thị Hoa",
        birth_date=dt.date(1985, 10, 2),
        address_line="Số 80 Lý Thái Tổ",
        household_id=3,
        **place,
    )
    assert compare_weight(first, namesake) < THRESHOLD
    assert compare(first, namesake).reasons == ["Trùng họ tên", "Cùng xã/phường"]
    # At her address, the same two records would be one woman typed twice? No: the dates
    # still differ, and two full dates that differ outweigh the address.
    at_home = rec(
        "Nguyễn Thị Hoa",
        birth_date=dt.date(1985, 10, 2),
        address_line="12/45 Hàng Bạc",
        household_id=4,
        **place,
    )
    assert compare_weight(first, at_home) < THRESHOLD


def test_street_without_house_number_is_partial_evidence():
    full = rec("Nguyễn Thị Hoa", address_line="Số 12 Hàng Bạc", **HOA)
    street = rec("Nguyễn Thị Hoa", address_line="Phố Hàng Bạc", **HOA)
    other_house = rec("Nguyễn Thị Hoa", address_line="Số 90 Hàng Bạc", **HOA)
    elsewhere = rec("Nguyễn Thị Hoa", address_line="Số 12 Lý Thái Tổ", **HOA)
    assert compare_weight(full, street) > compare_weight(full, other_house)
    assert compare_weight(full, other_house) == compare_weight(full, elsewhere)


def test_siblings_under_one_roof_are_not_one_child():
    """Tùng and Dũng, born the same year in one household: a typo apart, two children."""
    tung = rec("Phạm Văn Tùng", birth_date=dt.date(2015, 3, 1), household_id=5, commune_id=1)
    dung = rec("Phạm Văn Dũng", birth_year=2015, household_id=5, commune_id=1)
    assert compare_weight(tung, dung) < THRESHOLD
    # The same typo in another commune's record is still worth checking by name.
    typo = rec("Phạm Văn Tùgn", birth_date=dt.date(2015, 3, 1), household_id=5, commune_id=1)
    assert compare_weight(tung, typo) >= THRESHOLD


def test_household_members_in_common():
    mother = {"birth_year": 1985, "commune_id": 1, "sex": "F"}
    members_a = frozenset({member_signature("nguyen thi hoa", 1985), "lan:2010", "minh:2013"})
    members_b = frozenset({member_signature("nguyen thi hoa", 1985), "lan:2010"})
    strangers = frozenset({member_signature("nguyen thi hoa", 1985), "tuan:2001"})
    a = rec("Nguyễn Thị Hoa", household_id=1, members=members_a, **mother)
    b = rec("Nguyễn Thị Hoa", commune_id=2, household_id=2, members=members_b, birth_year=1985)
    c = rec("Nguyễn Thị Hoa", commune_id=2, household_id=3, members=strangers, birth_year=1985)
    assert compare_weight(a, b) - compare_weight(a, c) == 9.0  # +6 shared, -3 none shared
    assert "Hộ có thành viên trùng tên và năm sinh" in compare(a, b).reasons


def test_ethnicity_and_union_membership():
    base = {"birth_year": 1985, "commune_id": 1}
    tay = rec("Hoàng Thị Mai", ethnicity="02", is_union_member=True, **base)
    tay_too = rec("Hoàng Thị Mai", ethnicity="02", is_union_member=True, **base)
    kinh = rec("Hoàng Thị Mai", ethnicity="01", is_union_member=False, **base)
    assert compare_weight(tay, tay_too) - compare_weight(tay, kinh) == 7.5


@pytest.fixture
def districts(personas):
    """Hoàn Kiếm and Đông Anh both took communes of one old district: neighbours."""
    old = AdminUnitFactory(era=AdminUnit.Era.PRE_2025, level=AdminUnit.Level.DISTRICT, code="999")
    for code, new in (("99901", personas.hoankiem), ("99902", personas.donganh)):
        commune = AdminUnitFactory(
            era=AdminUnit.Era.PRE_2025, level=AdminUnit.Level.COMMUNE, code=code, parent=old
        )
        AdminUnitSuccession.objects.create(old=commune, new=new.admin_unit, kind="whole")
    return old


def test_commune_areas_from_the_succession_table(personas, districts):
    hoankiem, donganh = personas.hoankiem.admin_unit_id, personas.donganh.admin_unit_id
    areas, neighbours = commune_areas()
    assert areas == {hoankiem: frozenset({districts.pk}), donganh: frozenset({districts.pk})}
    assert neighbours == {hoankiem: frozenset({donganh}), donganh: frozenset({hoankiem})}


def test_a_move_next_door_counts_more_than_a_move_across_the_city():
    here = rec("Trần Thị Lan", birth_year=1980, commune_id=1, neighbours=frozenset({2}))
    next_door = rec("Trần Thị Lan", birth_year=1980, commune_id=2, neighbours=frozenset({1}))
    far = rec("Trần Thị Lan", birth_year=1980, commune_id=3)
    assert compare_weight(here, next_door) - compare_weight(here, far) == 6.0
    assert "Xã/phường lân cận" in compare(here, next_door).reasons


def test_batch_uses_address_and_neighbourhood(make_person, personas, districts):
    home = HouseholdFactory(unit=personas.hoankiem, address_line="Số 12 ngõ 45 Hàng Bạc")
    again = HouseholdFactory(unit=personas.hoankiem, address_line="12/45 hang bac")
    namesake_home = HouseholdFactory(unit=personas.donganh, address_line="Số 80 Lý Thái Tổ")
    hoa = make_person("Nguyễn Thị Hoa", household=home, birth_date=dt.date(1985, 3, 12))
    # Registered again at home with only her birth year and a two-letter given name typo.
    hoa_again = make_person("Nguyễn Thị Hao", household=again, birth_date=None, birth_year=1985)
    # A namesake next door, born the same year: her own date of birth.
    make_person("Nguyễn Thị Hoa", household=namesake_home, birth_date=dt.date(1985, 10, 2))
    ids, records = load_records()
    by_id = dict(zip(ids, records, strict=True))
    assert by_id[hoa.pk][2] == 1985 and by_id[hoa.pk][7] == "12 45|hang bac"
    assert by_id[hoa.pk][10] == frozenset({personas.donganh.admin_unit_id})
    pairs = [(p.person_id_a, p.person_id_b) for p in find_duplicates()]
    assert pairs == [(hoa.pk, hoa_again.pk)]
