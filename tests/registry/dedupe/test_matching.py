"""Name comparison and the duplicate warning shown while registering."""

import datetime as dt

import pytest

from ansinh.core.text import fold
from ansinh.registry.matching import (
    THRESHOLD,
    compare,
    likely_duplicates,
    name_similarity,
    record,
)


def rec(name, **fields):
    return record(name_folded=fold(name), **fields)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nguyễn Thị Hòa", "Nguyễn Thị Hoà"),  # tone mark placement
        ("Nguyễn Thị Hoà", "NGUYEN THI HOA"),  # without accents, upper case
        ("Nguyễn  Thị Hoà", "nguyễn thị hòa"),
    ],
)
def test_accent_and_tone_variants_are_the_same_name(a, b):
    assert name_similarity(a, b) == 1.0


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Nguyễn Thị Minh Hoa", "Nguyễn Minh Hoa", 0.875),  # Thị left out
        ("Nguyễn Thị Minh Hoa", "Nguyễn Thị Hoa", 0.75),  # middle name left out
        ("Nguyễn Thị Minh Hoa", "Nguyễn Thị Hoa Minh", 0.75),  # given and middle swapped
        ("Nguyễn Thị Minh Hoa", "Nguyễn Minh Thị Hoa", 0.8125),  # middles swapped
        ("Nguyễn Thị Hoa", "Nguyễn Thị Hao", 0.5),  # typo (transposition) in the given name
        ("Nguyễn Thị Hoa", "Ngyuễn Thị Hoa", 0.625),  # typo in the surname
    ],
)
def test_variations_of_one_name_stay_similar(a, b, expected):
    assert name_similarity(a, b) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nguyễn Thị Hoa", "Nguyễn Thị Lan"),  # different given names
        ("Nguyễn Thị Hoa", "Trần Thị Hoa"),  # different surnames
        ("Nguyễn Thị Lan Anh", "Nguyễn Thị Mai Anh"),  # a different middle name
        ("Lê Thị Vy", "Lê Thị Ly"),  # two-letter given names differing in the first letter
    ],
)
def test_different_names_do_not_match(a, b):
    assert name_similarity(a, b) == 0.0


def test_same_name_and_date_is_a_duplicate():
    a = rec("Nguyễn Thị Hoà", birth_date=dt.date(1985, 3, 12), commune_id=1)
    b = rec("Nguyen Thi Hoa", birth_date=dt.date(1985, 3, 12), commune_id=1)
    result = compare(a, b)
    assert result.weight >= THRESHOLD
    assert result.reasons == ["Trùng họ tên và ngày sinh", "Cùng xã/phường"]


def test_year_only_and_day_month_swapped_still_match():
    dated = rec("Nguyễn Thị Hoa", birth_date=dt.date(1985, 3, 12), commune_id=1)
    year_only = rec("Nguyễn Thị Hoa", birth_year=1985, commune_id=1)
    swapped = rec("Nguyễn Thị Hoa", birth_date=dt.date(1985, 12, 3), commune_id=1)
    assert compare(dated, year_only).reasons == ["Trùng họ tên và năm sinh", "Cùng xã/phường"]
    assert compare(dated, swapped).weight >= THRESHOLD
    assert "Ngày và tháng sinh bị đảo" in compare(dated, swapped).reasons


def test_same_name_different_birth_year_is_not_a_duplicate():
    a = rec("Nguyễn Thị Hoa", birth_year=1985, commune_id=1)
    b = rec("Nguyễn Thị Hoa", birth_year=1986, commune_id=1)
    assert compare(a, b).weight < 0


def test_same_name_same_year_different_dates_is_not_a_duplicate():
    a = rec("Nguyễn Thị Hoa", birth_date=dt.date(1985, 3, 12), commune_id=1)
    b = rec("Nguyễn Thị Hoa", birth_date=dt.date(1985, 7, 30), commune_id=1)
    assert compare(a, b).weight < THRESHOLD


def test_two_different_citizen_ids_are_two_people():
    a = rec("Nguyễn Thị Hoa", birth_date=dt.date(1985, 3, 12), citizen_id="001185000001")
    b = rec("Nguyễn Thị Hoa", birth_date=dt.date(1985, 3, 12), citizen_id="001185000002")
    assert compare(a, b).weight < THRESHOLD


def test_same_citizen_id_is_certain():
    a = rec("Nguyễn Thị Hoa", citizen_id="001185000001")
    b = rec("Trần Văn Nam", citizen_id="001185000001")
    result = compare(a, b)
    assert (result.certain, result.score, result.reasons) == (True, 1.0, ["Trùng số CCCD"])


# --- likely_duplicates ---------------------------------------------------------------------


def test_likely_duplicates_same_citizen_id_is_certain(make_person, personas):
    existing = make_person("Phạm Thị Lan", unit="donganh", citizen_id="001185000123")
    matches = likely_duplicates(full_name="Lan Phạm", citizen_id="001185000123")
    assert [(m.person_id, m.certain, m.score, m.reasons) for m in matches] == [
        (existing.pk, True, 1.0, ["Trùng số CCCD"])
    ]


def test_likely_duplicates_name_year_and_commune(make_person, personas):
    existing = make_person("Nguyễn Thị Hòa", birth_date=None, birth_year=1985)
    make_person("Nguyễn Thị Hòa", birth_date=None, birth_year=1990)  # other year
    make_person("Nguyễn Thị Lan", birth_date=None, birth_year=1985)  # other name
    commune = personas.hoankiem.admin_unit_id
    matches = likely_duplicates(full_name="Nguyen Thi Hoa", birth_year=1985, commune_id=commune)
    assert [(m.person_id, m.certain, m.reasons) for m in matches] == [
        (existing.pk, False, ["Trùng họ tên và năm sinh", "Cùng xã/phường"])
    ]


def test_likely_duplicates_finds_a_typo_in_the_commune(make_person, personas):
    existing = make_person("Nguyễn Thị Hoa", birth_date=dt.date(1985, 3, 12))
    matches = likely_duplicates(
        full_name="Nguyễn Thị Hao",
        birth_date=dt.date(1985, 3, 12),
        commune_id=personas.hoankiem.admin_unit_id,
    )
    assert [m.person_id for m in matches] == [existing.pk]
    assert matches[0].reasons == ["Họ tên gần giống", "Trùng ngày sinh", "Cùng xã/phường"]


@pytest.mark.parametrize("typed", ["091 234 5678", "0912.345.678", "+84912345678", "84912345678"])
def test_likely_duplicates_phone_in_any_form(make_person, typed):
    existing = make_person("Đỗ Thị Mai", phone="+84912345678")
    matches = likely_duplicates(full_name="Đỗ Thị Mai", phone=typed)
    assert [m.person_id for m in matches] == [existing.pk]
    assert "Trùng số điện thoại" in matches[0].reasons


def test_likely_duplicates_excludes_given_ids_and_merged_records(make_person):
    kept = make_person("Nguyễn Thị Hòa")
    merged = make_person("Nguyễn Thị Hòa", status="merged")
    assert (
        likely_duplicates(
            full_name="Nguyễn Thị Hòa", birth_date=dt.date(1985, 3, 12), exclude_ids=[kept.pk]
        )
        == []
    )
    assert merged.pk not in [
        m.person_id
        for m in likely_duplicates(full_name="Nguyễn Thị Hòa", birth_date=dt.date(1985, 3, 12))
    ]


def test_likely_duplicates_nothing_for_a_new_person(make_person):
    make_person("Nguyễn Thị Hòa")
    assert likely_duplicates(full_name="Trần Thị Bích", birth_year=1990) == []
