"""Validators for the identifiers people give us: the citizen ID (CCCD) and phone numbers.

Citizen ID (số định danh cá nhân, printed on the CCCD card): 12 digits, structured by
Decree 137/2015/NĐ-CP art. 13 and Circular 07/2016/TT-BCA art. 7 (kept by Circular
59/2021/TT-BCA):

- digits 1–3: code of the province where the birth was registered (appendix of Circular
  07/2016: the 63 provinces before the 2025 merger; codes do not change when provinces merge,
  so the pre-2025 list stays the valid one for every number already issued);
- digit 4: century of birth and sex: 0/1 → 1900–1999 (male/female), 2/3 → 2000–2099,
  4/5 → 2100–2199, 6/7 → 2200–2299, 8/9 → 2300–2399 (even = male, odd = female);
- digits 5–6: last two digits of the birth year;
- digits 7–12: a random sequence (nothing to check).

A citizen whose birth was registered abroad carries a country code instead of a province
code; such numbers are rare in the union's work and are refused here with the province error
(a caseworker can record them in a note until a country list is added).

Phones are stored E.164 (`+84912345678`) and shown the way Vietnamese write them
(`0912 345 678`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .text import fold

# Circular 07/2016/TT-BCA, appendix I (63 provinces and centrally-run cities before 2025).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MALE = "male"
FEMALE = "female"
_SEX_ALIASES = {
    "male": MALE,
    "m": MALE,
    "nam": MALE,
    "female": FEMALE,
    "f": FEMALE,
    "nu": FEMALE,
}
_SEX_UNKNOWN = {"", "other", "unknown", "khac", "khong ro"}
_SEX_LABEL = {MALE: "nam", FEMALE: "nữ"}

# Separators people and spreadsheets put inside numbers.
_SEPARATORS = re.compile(r"[\s.\-_,\u00a0\u2009\u202f]+")
_EXCEL_FLOAT = re.compile(r"^(\d+)\.0+$")


@dataclass(frozen=True)
class CitizenId:
    """What a valid citizen ID says about its holder."""

    number: str
    province_code: str
    province_name: str
    sex: str  # MALE or FEMALE
    birth_year: int


def _sex_key(sex) -> str | None:
    if sex is None:
        return None
    key = fold(str(getattr(sex, "value", sex)))
    if key in _SEX_UNKNOWN:
        return None
    if key in _SEX_ALIASES:
        return _SEX_ALIASES[key]
    raise ValueError(f"Unknown sex value {sex!r}")


def _digits(value) -> str:
    """The digits of `value` after removing separators and Excel's damage, or a clear error."""
    if value is None:
        raise ValidationError(_("Chưa nhập số CCCD."), code="required")
    if isinstance(value, bool):
        raise ValidationError(_("Số CCCD chỉ được gồm chữ số."), code="invalid")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(_("Số CCCD chỉ được gồm chữ số."), code="invalid")
        text = str(int(value))
    else:
        text = str(value).strip()
        # "1234567890.0": a number cell read back as a float.
        excel = _EXCEL_FLOAT.match(text)
        if excel:
            text = excel.group(1)
    text = _SEPARATORS.sub("", text)
    if not text:
        raise ValidationError(_("Chưa nhập số CCCD."), code="required")
    if not text.isascii() or not text.isdigit():
        raise ValidationError(_("Số CCCD chỉ được gồm chữ số."), code="invalid")
    # All province codes start with 0, so an 11-digit number is a 12-digit one whose leading
    # zero a spreadsheet dropped.
    if len(text) == 11:
        text = "0" + text
    if len(text) != 12:
        raise ValidationError(
            _("Số CCCD phải có đúng 12 chữ số (đã nhập %(count)d chữ số).") % {"count": len(text)},
            code="length",
        )
    return text


def _parse_structure(value) -> CitizenId:
    number = _digits(value)
    province_code = number[:3]
    if province_code not in PROVINCE_CODES:
        raise ValidationError(
            _(
                "Mã tỉnh nơi đăng ký khai sinh “%(code)s” (3 chữ số đầu của số CCCD) không có "
                "trong danh mục 63 tỉnh, thành phố."
            )
            % {"code": province_code},
            code="province",
        )
    century_sex = int(number[3])
    century_start = 1900 + (century_sex // 2) * 100
    return CitizenId(
        number=number,
        province_code=province_code,
        province_name=PROVINCE_CODES[province_code],
        sex=FEMALE if century_sex % 2 else MALE,
        birth_year=century_start + int(number[4:6]),
    )


def _check_not_future(parsed: CitizenId) -> None:
    if parsed.birth_year > timezone.localdate().year:
        raise ValidationError(
            _("Số CCCD cho năm sinh %(year)d, sau năm hiện tại: kiểm tra chữ số thứ 4 đến 6.")
            % {"year": parsed.birth_year},
            code="future",
        )


def parse_citizen_id(value) -> CitizenId:
    """Check the structure of a citizen ID and read what it encodes (raises ValidationError)."""
    parsed = _parse_structure(value)
    _check_not_future(parsed)
    return parsed


def validate_citizen_id(
    value,
    *,
    sex=None,
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
) -> str:
    """The normalised 12-digit citizen ID, or ValidationError saying exactly what is wrong.

    `sex` ("male"/"female", "nam"/"nữ", "M"/"F") and the birth date or year are checked when
    known; a date of birth wins over a separate year. Usable as a Django validator.
    """
    parsed = _parse_structure(value)
    digit4 = parsed.number[3]
    if birth_date is not None:
        birth_year = birth_date.year
    if birth_year is not None:
        birth_year = int(birth_year)
        century_start = parsed.birth_year // 100 * 100
        if not century_start <= birth_year < century_start + 100:
            raise ValidationError(
                _(
                    "Chữ số thứ 4 của số CCCD là “%(digit)s” (người sinh năm %(start)d–%(end)d), "
                    "không khớp năm sinh %(year)d."
                )
                % {
                    "digit": digit4,
                    "start": century_start,
                    "end": century_start + 99,
                    "year": birth_year,
                },
                code="century",
            )
        if parsed.birth_year != birth_year:
            raise ValidationError(
                _(
                    "Chữ số thứ 5–6 của số CCCD là “%(digits)s”, không khớp năm sinh %(year)d "
                    "(phải là “%(expected)s”)."
                )
                % {
                    "digits": parsed.number[4:6],
                    "year": birth_year,
                    "expected": f"{birth_year % 100:02d}",
                },
                code="year",
            )
    # Checked after the birth year so that a wrong century digit is named as such.
    _check_not_future(parsed)
    expected_sex = _sex_key(sex)
    if expected_sex is not None and expected_sex != parsed.sex:
        raise ValidationError(
            _(
                "Chữ số thứ 4 của số CCCD là “%(digit)s” (giới tính %(encoded)s), không khớp "
                "giới tính %(given)s."
            )
            % {
                "digit": digit4,
                "encoded": _SEX_LABEL[parsed.sex],
                "given": _SEX_LABEL[expected_sex],
            },
            code="sex",
        )
    return parsed.number


# --- phones -------------------------------------------------------------------------------

_PHONE_ALLOWED = re.compile(r"^\+?[\d\s.\-()\u00a0]+$")


def normalize_phone(value, region: str = "VN") -> str:
    """E.164 form of a phone number written any usual way, or ValidationError in Vietnamese.

    Accepts "091 234 5678", "0912.345.678", "+84912345678", "84912345678" and the 9-digit form
    a spreadsheet leaves after dropping the leading zero.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValidationError(_("Chưa nhập số điện thoại."), code="required")
    excel = _EXCEL_FLOAT.match(text)
    if excel:
        text = excel.group(1)
    if not _PHONE_ALLOWED.match(text):
        raise ValidationError(
            _("Số điện thoại “%(value)s” có ký tự không phải chữ số.") % {"value": text},
            code="invalid",
        )
    digits = re.sub(r"\D", "", text)
    candidates = [text]
    # "84912345678": the country code typed without "+".
    if region == "VN" and not text.startswith("+") and digits.startswith("84"):
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValidationError(
        _(
            "Số điện thoại “%(value)s” không hợp lệ: số di động Việt Nam có 10 chữ số, bắt đầu "
            "bằng 03, 05, 07, 08 hoặc 09."
        )
        % {"value": text},
        code="invalid",
    )


def validate_phone(value) -> None:
    """Django validator form of `normalize_phone`."""
    normalize_phone(value)


def format_phone_display(e164: str | None) -> str:
    """How Vietnamese write a number: "0912 345 678", landlines "024 3825 1234".

    Foreign numbers keep the international form; anything unparsable is returned unchanged.
    """
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(str(e164), None if str(e164).startswith("+") else "VN")
    except phonenumbers.NumberParseException:
        return str(e164)
    if number.country_code != 84:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = "0" + str(number.national_number)
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if len(national) == 11:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


__all__ = [
    "FEMALE",
    "MALE",
    "PROVINCE_CODES",
    "CitizenId",
    "format_phone_display",
    "normalize_phone",
    "parse_citizen_id",
    "validate_citizen_id",
    "validate_phone",
]
