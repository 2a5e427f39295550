"""Turning the cells of messy files into clean values, or a Vietnamese message saying why not.

Each parser takes what python-calamine or the CSV reader gave (str, float, int, bool, date,
datetime or "") and returns the stored value, or raises `CellError`. They run on every cell
of files with hundreds of thousands of rows, so the common cases take a fast path (a regular
expression, a dict lookup) before the general code.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.text import fold
from ansinh.core.validators import PROVINCE_CODES, normalize_phone, validate_citizen_id

from ..models import Household, Person
from ..reference import ETHNICITIES, ETHNICITY_KINH


class CellError(Exception):
    """A cell's value cannot be used; the message is shown to the user."""


_today_cache: list = [0.0, None]


def _today() -> dt.date:
    """Today's local date, looked up at most once a minute (it is asked for on every row)."""
    now = time.monotonic()
    if _today_cache[1] is None or now - _today_cache[0] > 60:
        _today_cache[:] = [now, timezone.localdate()]
    return _today_cache[1]


_SPACES = re.compile(r"\s+")
_FLOAT_INTEGER = re.compile(r"^(\d+)\.0+$")


def text(value) -> str:
    """NFC text with single spaces; numbers read back from Excel lose their ".0"."""
    if value is None or value == "":
        return ""
    if value.__class__ is str:
        if not value.isascii() and not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        return " ".join(value.split())
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def person_name(value) -> str:
    """A full name; all-capitals or all-lower-case names get each word capitalised."""
    name = text(value)
    if not name:
        raise CellError(_("Chưa ghi họ và tên."))
    if any(ch.isdigit() for ch in name):
        raise CellError(_("Họ và tên “%(value)s” có chữ số.") % {"value": name})
    if len(name) > 150:
        raise CellError(_("Họ và tên dài quá 150 ký tự."))
    if name.isupper() or name.islower():
        name = " ".join(word[:1].upper() + word[1:].lower() for word in name.split(" "))
    return name


FEMALE, MALE = str(Person.Sex.FEMALE.value), str(Person.Sex.MALE.value)
_SEX = {
    "nu": FEMALE,
    "nu gioi": FEMALE,
    "f": FEMALE,
    "female": FEMALE,
    "gai": FEMALE,
    "nam": MALE,
    "nam gioi": MALE,
    "m": MALE,
    "male": MALE,
    "trai": MALE,
}


def sex(value) -> str:
    raw = text(value)
    if not raw:
        raise CellError(_("Chưa ghi giới tính (Nữ hoặc Nam)."))
    found = _sex_lookup(raw)
    if found is None:
        raise CellError(_("Không hiểu giới tính “%(value)s”: ghi Nữ hoặc Nam.") % {"value": raw})
    return found


@lru_cache(maxsize=256)
def _sex_lookup(raw: str) -> str | None:
    return _SEX.get(fold(raw).strip(" ."))


# --- dates ---------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
_SERIAL = re.compile(r"^(\d{4,5})(?:\.0+)?$")
EARLIEST_BIRTH_YEAR = 1900


def _check_birth(day: dt.date | None, year: int, raw: str) -> None:
    today = _today()
    if year < EARLIEST_BIRTH_YEAR:
        raise CellError(
            _("Năm sinh %(year)d trước năm %(earliest)d: kiểm tra lại “%(value)s”.")
            % {"year": year, "earliest": EARLIEST_BIRTH_YEAR, "value": raw}
        )
    if (day is not None and day > today) or year > today.year:
        raise CellError(_("Ngày sinh “%(value)s” ở tương lai.") % {"value": raw})


def _from_serial(number: float, raw: str) -> tuple[dt.date | None, int]:
    if not number.is_integer():
        number = float(int(number))  # a date-time serial: keep the day
    if 1 <= number <= 99999:
        day = EXCEL_EPOCH + dt.timedelta(days=int(number))
        _check_birth(day, day.year, raw)
        return day, day.year
    raise CellError(_("Không hiểu ngày sinh “%(value)s”.") % {"value": raw})


def birth(value) -> tuple[dt.date | None, int | None]:
    """(date of birth, year of birth); a year alone gives (None, year); empty gives (None, None).

    Day first, as Vietnamese write it: "12/3/1985" is 12 March 1985.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        _check_birth(value, value.year, value.strftime("%d/%m/%Y"))
        return value, value.year
    if isinstance(value, bool):
        raise CellError(_("Không hiểu ngày sinh “%(value)s”.") % {"value": value})
    if isinstance(value, (int, float)):
        number = float(value)
        raw = text(value)
        if number.is_integer() and EARLIEST_BIRTH_YEAR <= number <= _today().year:
            return None, int(number)
        return _from_serial(number, raw)
    raw = text(value)
    if not raw:
        return None, None
    match = _DMY.match(raw)
    if match:
        day_part, month_part, year_part = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            this_year = _today().year
            year_part += 2000 if 2000 + year_part <= this_year else 1900
        return _date(year_part, month_part, day_part, raw)
    match = _YMD.match(raw)
    if match:
        year_part, month_part, day_part = (int(g) for g in match.groups())
        return _date(year_part, month_part, day_part, raw)
    match = _YEAR.match(raw)
    if match and EARLIEST_BIRTH_YEAR <= int(match.group(1)) <= _today().year:
        return None, int(match.group(1))
    match = _MY.match(raw)
    if match:
        year_part = int(match.group(2))
        _check_birth(None, year_part, raw)
        return None, year_part
    match = _SERIAL.match(raw)
    if match:
        return _from_serial(float(match.group(1)), raw)
    raise CellError(
        _("Không hiểu ngày sinh “%(value)s”: ghi ngày/tháng/năm (12/03/1985) hoặc năm (1985).")
        % {"value": raw}
    )


def _date(year: int, month: int, day: int, raw: str) -> tuple[dt.date, int]:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise CellError(
            _("Ngày sinh “%(value)s” không có thật (ngày %(day)d tháng %(month)d năm %(year)d).")
            % {"value": raw, "day": day, "month": month, "year": year}
        ) from None
    _check_birth(value, year, raw)
    return value, year


# --- phone ---------------------------------------------------------------------------------

_VN_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("VN").mobile.national_number_pattern
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-()\u00a0]+")
_PHONE_SPLIT = re.compile(r"\s*[/;,]\s*|\s+-\s+|\s+hoặc\s+|\s+hoac\s+")


def _national_digits(number: str) -> str | None:
    if number.startswith("+84"):
        return number[3:]
    if number.startswith("84") and len(number) == 11:
        return number[2:]
    if number.startswith("0"):
        return number[1:]
    if len(number) == 9:
        return number  # the leading zero a spreadsheet dropped
    return None


def phone(value) -> str:
    """E.164. Two numbers in one cell ("0912 345 678 / 0243 825 1234"): the first one."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = str(int(value)) if value.is_integer() else str(value)
    raw = text(value)
    if not raw:
        return ""
    first = _PHONE_SPLIT.split(raw, maxsplit=1)[0]
    compact = _PHONE_SEPARATORS.sub("", first)
    excel = _FLOAT_INTEGER.match(compact)
    if excel:
        compact = excel.group(1)
    national = _national_digits(compact) if compact.lstrip("+").isdigit() else None
    if national and len(national) == 9 and _VN_MOBILE.fullmatch(national):
        return "+84" + national
    try:
        return normalize_phone(first)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


# --- coded values --------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _lookup_key(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", fold(value))


_ETHNICITY = {}
for _code, _name in ETHNICITIES:
    _ETHNICITY[_lookup_key(_name)] = _code
    _ETHNICITY[_code] = _code
    _ETHNICITY[str(int(_code))] = _code
_ETHNICITY.update(
    {
        "viet": "01",
        "kinhviet": "01",
        "khmer": "05",
        "khome": "05",
        "mong": "08",
        "hmong": "08",
        "meo": "08",
        "man": "09",
        "ede": "12",
        "bana": "13",
        "jrai": "10",
        "giarai": "10",
        "khmu": "29",
        "xinhmun": "34",
        "vankieu": "23",
        "bru": "23",
        "taoi": "31",
    }
)


def ethnicity(value) -> str:
    raw = text(value)
    if not raw:
        return ETHNICITY_KINH
    found = _ETHNICITY.get(_lookup_key(raw.removeprefix("Dân tộc ").removeprefix("dân tộc ")))
    if found is None:
        raise CellError(
            _("Không có dân tộc “%(value)s” trong danh mục 54 dân tộc (xem trang Hướng dẫn).")
            % {"value": raw}
        )
    return found


class Relation:
    """Plain strings of `Person.Relation` (cheaper to hash and compare than enum members)."""

    HEAD = str(Person.Relation.HEAD.value)
    SPOUSE = str(Person.Relation.SPOUSE.value)
    CHILD = str(Person.Relation.CHILD.value)
    GRANDCHILD = str(Person.Relation.GRANDCHILD.value)
    PARENT = str(Person.Relation.PARENT.value)
    SIBLING = str(Person.Relation.SIBLING.value)
    OTHER = str(Person.Relation.OTHER.value)


_RELATION = {
    "chuho": Relation.HEAD,
    "ch": Relation.HEAD,
    "chu": Relation.HEAD,
    "banthan": Relation.HEAD,
    "vo": Relation.SPOUSE,
    "chong": Relation.SPOUSE,
    "vochong": Relation.SPOUSE,
    "con": Relation.CHILD,
    "conde": Relation.CHILD,
    "connuoi": Relation.CHILD,
    "contrai": Relation.CHILD,
    "congai": Relation.CHILD,
    "conruot": Relation.CHILD,
    "chau": Relation.GRANDCHILD,
    "chaunoi": Relation.GRANDCHILD,
    "chaungoai": Relation.GRANDCHILD,
    "chaurot": Relation.GRANDCHILD,
    "bo": Relation.PARENT,
    "cha": Relation.PARENT,
    "me": Relation.PARENT,
    "bome": Relation.PARENT,
    "chame": Relation.PARENT,
    "bode": Relation.PARENT,
    "mede": Relation.PARENT,
    "anh": Relation.SIBLING,
    "chi": Relation.SIBLING,
    "em": Relation.SIBLING,
    "anhtrai": Relation.SIBLING,
    "chigai": Relation.SIBLING,
    "emtrai": Relation.SIBLING,
    "emgai": Relation.SIBLING,
    "anhchiem": Relation.SIBLING,
    "khac": Relation.OTHER,
    "condau": Relation.OTHER,
    "conre": Relation.OTHER,
    "mechong": Relation.OTHER,
    "bochong": Relation.OTHER,
    "mevo": Relation.OTHER,
    "bovo": Relation.OTHER,
    "ongnoi": Relation.OTHER,
    "banoi": Relation.OTHER,
    "ongngoai": Relation.OTHER,
    "bangoai": Relation.OTHER,
    "ong": Relation.OTHER,
    "ba": Relation.OTHER,
    "cochau": Relation.OTHER,
    "chaudau": Relation.OTHER,
    "nguoinuoiduong": Relation.OTHER,
    "onho": Relation.OTHER,
    "oghep": Relation.OTHER,
}


def relation(value) -> str | None:
    """The relation to the head, or None when the cell is empty."""
    raw = text(value)
    if not raw:
        return None
    found = _RELATION.get(_lookup_key(raw))
    if found is None:
        raise CellError(
            _(
                "Không hiểu quan hệ với chủ hộ “%(value)s”: ghi Chủ hộ, Vợ, Chồng, Con, Cháu, "
                "Bố, Mẹ, Anh, Chị, Em hoặc Khác."
            )
            % {"value": raw}
        )
    return found


@lru_cache(maxsize=256)
def _folded(raw: str) -> str:
    return fold(raw).strip(" .")


_YES = {"co", "c", "x", "1", "yes", "y", "true", "dung", "la hoi vien", "hoi vien", "hv"}
_NO = {"khong", "k", "ko", "0", "no", "n", "false", "chua", "sai"}


def yes_no(value) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    raw = text(value)
    key = _folded(raw)
    if key in _YES:
        return True
    if key in _NO or not key:
        return False
    raise CellError(_("Không hiểu “%(value)s”: ghi Có hoặc Không.") % {"value": raw})


class Poverty:
    POOR = str(Household.Poverty.POOR.value)
    NEAR_POOR = str(Household.Poverty.NEAR_POOR.value)
    NONE = str(Household.Poverty.NONE.value)


_POVERTY = {
    "ngheo": Poverty.POOR,
    "hongheo": Poverty.POOR,
    "hn": Poverty.POOR,
    "canngheo": Poverty.NEAR_POOR,
    "hocanngheo": Poverty.NEAR_POOR,
    "hcn": Poverty.NEAR_POOR,
    "cn": Poverty.NEAR_POOR,
    "khong": Poverty.NONE,
    "k": Poverty.NONE,
    "ko": Poverty.NONE,
}


def poverty(value) -> str:
    raw = text(value)
    if not raw:
        return Poverty.NONE
    found = _POVERTY.get(_lookup_key(raw))
    if found is None:
        raise CellError(
            _("Không hiểu “%(value)s”: ghi Nghèo, Cận nghèo hoặc để trống.") % {"value": raw}
        )
    return found


def year(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    raw = text(value)
    match = _YEAR.match(raw)
    this_year = _today().year
    if not match or not 1990 <= int(match.group(1)) <= this_year:
        raise CellError(
            _("Năm công nhận “%(value)s” không hợp lệ (năm 1990–%(this_year)d).")
            % {"value": raw, "this_year": this_year}
        )
    return int(match.group(1))


def poverty_standard(year_value: int | None) -> str:
    """The poverty standard's period in force in a year of certification."""
    if year_value is None:
        return ""
    if year_value >= 2026:
        return "2026-2030"
    if year_value >= 2022:
        return "2022-2025"
    if year_value >= 2016:
        return "2016-2021"
    return ""


_ID_SEPARATORS = re.compile(r"[\s.\-_,\u00a0]+")


def citizen_id_digits(value):
    """Undo what spreadsheets do to a 12-digit ID before it is validated.

    Every province code starts with 0 and Hà Nội's is 001, so a number cell loses one or two
    leading zeros (11 or 10 digits left); a float cell reads back as 1185012345.0.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value).zfill(12) if 0 < value < 10**12 else str(value)
    raw = text(value)
    excel = _FLOAT_INTEGER.match(raw)
    raw = excel.group(1) if excel else _ID_SEPARATORS.sub("", raw)
    if raw.isdigit() and len(raw) in (10, 11):
        return raw.zfill(12)
    return raw


def citizen_id(value, *, sex: str | None, birth_year: int | None) -> str:
    """The 12-digit ID, checked against sex and birth year when known.

    The common valid case is checked here directly; anything else goes to
    `core.validators.validate_citizen_id`, which says exactly what is wrong.
    """
    number = citizen_id_digits(value)
    if (
        isinstance(number, str)
        and len(number) == 12
        and number.isdigit()
        and number[:3] in PROVINCE_CODES
    ):
        digit = int(number[3])
        year = 1900 + (digit // 2) * 100 + int(number[4:6])
        encoded_sex = FEMALE if digit % 2 else MALE
        if (
            year <= _today().year
            and (birth_year is None or birth_year == year)
            and (sex is None or sex == encoded_sex)
        ):
            return number
    try:
        return validate_citizen_id(number, sex=sex, birth_year=birth_year)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


def record_number(value) -> str:
    raw = text(value)
    if len(raw) > 40:
        raise CellError(_("Mã hồ sơ dài quá 40 ký tự."))
    return raw


def short_text(value, *, limit: int, label: str) -> str:
    raw = text(value)
    if len(raw) > limit:
        raise CellError(_("%(label)s dài quá %(limit)d ký tự.") % {"label": label, "limit": limit})
    return raw


_LIST_SPLIT = re.compile(r"\s*[;\n]\s*")


class CodeList:
    """Categories a cell may name by code or by name: "HO_NGHEO; Trẻ em mồ côi"."""

    def __init__(self, items: list[tuple[int, str, str]], *, what: str):
        self.what = what
        self.by_key: dict[str, int] = {}
        for pk, code, name in items:
            self.by_key[_lookup_key(code)] = pk
            self.by_key[_lookup_key(name)] = pk

    def parse(self, value) -> tuple[list[int], list[str]]:
        """(ids found, unknown names)."""
        raw = text(value)
        if not raw:
            return [], []
        found: list[int] = []
        unknown: list[str] = []
        for token in _LIST_SPLIT.split(raw):
            token = token.strip(" ,.")
            if not token:
                continue
            pk = self.by_key.get(_lookup_key(token))
            if pk is None:
                unknown.append(token)
            elif pk not in found:
                found.append(pk)
        return found, unknown
