import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ansinh.core.validators import (
    FEMALE,
    MALE,
    PROVINCE_CODES,
    parse_citizen_id,
    validate_citizen_id,
)


def error_of(value, **known) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_citizen_id(value, **known)
    assert len(caught.value.messages) == 1
    return caught.value.messages[0]


def test_province_list_is_the_63_pre_2025_provinces():
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert "003" not in PROVINCE_CODES


def test_valid_number_is_read():
    parsed = parse_citizen_id("001185012345")
    assert parsed.number == "001185012345"
    assert parsed.province_name == "Hà Nội"
    assert parsed.sex == FEMALE
    assert parsed.birth_year == 1985


@pytest.mark.parametrize(
    ("digit", "sex", "year"),
    [("0", MALE, 1985), ("1", FEMALE, 1985), ("2", MALE, 2005), ("3", FEMALE, 2005)],
)
def test_fourth_digit_is_century_and_sex(digit, sex, year):
    number = f"001{digit}{year % 100:02d}012345"
    parsed = parse_citizen_id(number)
    assert (parsed.sex, parsed.birth_year) == (sex, year)
    assert validate_citizen_id(number, sex=sex, birth_year=year) == number


@pytest.mark.parametrize("value", ["001 185 012 345", "001.185.012.345", " 001185012345 "])
def test_spaces_and_dots_are_removed(value):
    assert validate_citizen_id(value) == "001185012345"


@pytest.mark.parametrize("value", ["79185012345", 79185012345, "79185012345.0", 79185012345.0])
def test_leading_zero_lost_by_excel_is_restored(value):
    assert validate_citizen_id(value) == "079185012345"


def test_known_facts_that_match_pass():
    assert (
        validate_citizen_id("001185012345", sex="nữ", birth_date=dt.date(1985, 4, 30))
        == "001185012345"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0011850123", "Số CCCD phải có đúng 12 chữ số (đã nhập 10 chữ số)."),
        ("0011850123456", "Số CCCD phải có đúng 12 chữ số (đã nhập 13 chữ số)."),
        ("00118501234A", "Số CCCD chỉ được gồm chữ số."),
        ("", "Chưa nhập số CCCD."),
        (
            "003185012345",
            "Mã tỉnh nơi đăng ký khai sinh “003” (3 chữ số đầu của số CCCD) không có trong "
            "danh mục 63 tỉnh, thành phố.",
        ),
        (
            "001299012345",
            "Số CCCD cho năm sinh 2099, sau năm hiện tại: kiểm tra chữ số thứ 4 đến 6.",
        ),
    ],
)
def test_malformed_numbers_are_refused_with_the_reason(value, message):
    assert error_of(value) == message


def test_century_digit_must_match_birth_year():
    assert error_of("001385012345", birth_year=1985) == (
        "Chữ số thứ 4 của số CCCD là “3” (người sinh năm 2000–2099), không khớp năm sinh 1985."
    )


def test_sex_digit_must_match_sex():
    assert error_of("001085012345", sex="female") == (
        "Chữ số thứ 4 của số CCCD là “0” (giới tính nam), không khớp giới tính nữ."
    )
    assert error_of("001185012345", sex="M") == (
        "Chữ số thứ 4 của số CCCD là “1” (giới tính nữ), không khớp giới tính nam."
    )


def test_year_digits_must_match_birth_date():
    assert error_of("001185012345", birth_date=dt.date(1986, 3, 2)) == (
        "Chữ số thứ 5–6 của số CCCD là “85”, không khớp năm sinh 1986 (phải là “86”)."
    )


def test_unknown_sex_is_not_checked():
    assert validate_citizen_id("001085012345", sex="") == "001085012345"
    assert validate_citizen_id("001085012345", sex=None) == "001085012345"
