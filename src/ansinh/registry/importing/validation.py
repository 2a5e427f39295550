"""Checking every row of a file before anything is written.

`validate_file` reads the whole file, checks every cell (every error of every row is
reported, each with the Excel row number, the header text as the file wrote it, and a
Vietnamese message), checks the rows against each other (duplicate record numbers or citizen
IDs, two heads in one household) and against the registry (who is already there), and
returns a `Validation`: the clean rows ready for `commit.commit_validation`, the errors, and
the counts the preview shows. It reads the database but never writes to it.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import ALL, SENSITIVE_REGISTRY, scope_paths
from ansinh.core.text import fold
from ansinh.core.validators import PROVINCE_CODES
from ansinh.geo.models import AdminUnit
from ansinh.org.models import UnionUnit

from ..models import NeedCategory, Person, VulnerabilityCategory
from . import normalising as norm
from .addresses import CommuneResolver, LocalityIndex, locality_name
from .columns import COLUMNS_BY_KEY, REQUIRED_COLUMNS
from .normalising import CellError
from .reading import FileReadError, Table, read_table

LOOKUP_CHUNK = 2000

Progress = Callable[..., None]


@dataclass(slots=True)
class Row:
    """One clean row of the file (only meaningful when it has no errors)."""

    row: int
    record_number: str = ""
    full_name: str = ""
    name_folded: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    birth_year: int | None = None
    citizen_id: str | None = None
    phone: str = ""
    ethnicity: str = "01"
    relation: str | None = None
    household_code: str = ""
    is_union_member: bool = False
    occupation: str = ""
    address_line: str = ""
    locality: str = ""
    commune_id: int | None = None
    unit_id: int | None = None
    poverty: str = "none"
    poverty_year: int | None = None
    vulnerability_ids: list[int] = field(default_factory=list)
    need_ids: list[int] = field(default_factory=list)
    has_commune: bool = False
    is_valid: bool = True
    existing_person_id: int | None = None
    existing_household_id: int | None = None


@dataclass
class Household:
    """Rows that form one household (same Mã hộ, or one row without it)."""

    code: str
    rows: list[Row]
    existing_household_id: int | None = None
    locality_key: tuple[int, str] | None = None  # (commune, key) of its thôn/tổ dân phố
    locality_id: int | None = None
    written_id: int | None = None  # its key, when its people were written ahead (streaming)


@dataclass
class Validation:
    file_name: str
    sha256: str
    unit: UnionUnit
    rows_total: int = 0
    errors: list[dict] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list, repr=False)
    households: list[Household] = field(default_factory=list, repr=False)
    # (commune id, key) → (name, kind) of thôn/tổ dân phố to create on commit.
    new_localities: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    commune_names: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def error_rows(self) -> int:
        return len({e["row"] for e in self.errors if e.get("row")})

    @property
    def rows_valid(self) -> int:
        return sum(1 for r in self.rows if r.is_valid)

    @property
    def splits(self) -> list[dict]:
        return [e for e in self.errors if e.get("kind") == "split"]

    def counts(self) -> dict[str, int]:
        new_people = [r for r in self.rows if r.existing_person_id is None]
        return {
            "rows": self.rows_total,
            "valid": self.rows_valid,
            "errors": len(self.errors),
            "error_rows": self.error_rows,
            "people_new": len(new_people),
            "people_existing": len(self.rows) - len(new_people),
            "households_new": sum(
                1
                for h in self.households
                if h.existing_household_id is None
                and any(r.existing_person_id is None for r in h.rows)
            ),
            "households_extended": sum(
                1
                for h in self.households
                if h.existing_household_id is not None
                and any(r.existing_person_id is None for r in h.rows)
            ),
            "localities_new": len(self.new_localities),
            "vulnerabilities": sum(len(r.vulnerability_ids) for r in new_people),
            "needs": sum(len(r.need_ids) for r in new_people),
        }

    def summary(self) -> list[list]:
        """(label, value) pairs for the job page."""
        counts = self.counts()
        return [
            [_("Số dòng"), counts["rows"]],
            [_("Dòng hợp lệ"), counts["valid"]],
            [_("Số lỗi"), counts["errors"]],
            [_("Người sẽ thêm mới"), counts["people_new"]],
            [_("Người đã có (bỏ qua)"), counts["people_existing"]],
            [_("Hộ sẽ thêm mới"), counts["households_new"]],
            [_("Thôn, tổ dân phố sẽ thêm"), counts["localities_new"]],
        ]

    def result(self) -> dict:
        """JSON-safe record of the validation, kept on the job for the preview page."""
        return {
            "summary": self.summary(),
            "counts": self.counts(),
            "splits": self.splits[:1000],
            "new_localities": sorted(
                f"{name} — {self.commune_names.get(commune_id, '')}"
                for (commune_id, _key), (name, _kind) in self.new_localities.items()
            )[:500],
        }


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the duration (also a decorator).

    A file of 200,000 rows makes millions of objects that live until the import ends (cells,
    rows, values), none of them in a reference cycle; every few thousand allocations the
    collector walked them all again: 5–6 µs per row of 50,000, more with more (ADR 0006).
    It runs again afterwards (if it was on) and collects whatever cycles were made.
    Nested uses leave it to the outermost one."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def file_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def unit_province_code(unit: UnionUnit) -> str:
    admin = unit.admin_unit
    if admin is None and unit.parent_id:
        admin = unit.parent.admin_unit
    if admin is None:
        raise ValueError(_("Đơn vị “%(unit)s” không gắn với đơn vị hành chính.") % {"unit": unit})
    return admin.province_code or admin.code


class _Checker:
    """The state of one validation run (reference data loaded once)."""

    def __init__(self, *, unit: UnionUnit, user, choices: dict[str, int]):
        self.unit = unit
        self.choices = {str(k): int(v) for k, v in (choices or {}).items()}
        self.province_code = unit_province_code(unit)
        self.resolver = CommuneResolver(province_code=self.province_code)
        self.default_commune_id = (
            unit.admin_unit_id
            if unit.kind == UnionUnit.Kind.COMMUNE
            and unit.admin_unit is not None
            and unit.admin_unit.level == AdminUnit.Level.COMMUNE
            else None
        )
        # Current commune unions of the province: commune id → (union id, path).
        self.unions: dict[int, tuple[int, str]] = {}
        for pk, path, admin_id in UnionUnit.objects.filter(
            kind=UnionUnit.Kind.COMMUNE,
            valid_to__isnull=True,
            admin_unit__era=AdminUnit.Era.POST_2025,
            admin_unit__province_code=self.province_code,
        ).values_list("id", "path", "admin_unit_id"):
            self.unions[admin_id] = (pk, path)
        self.ward_ids = set(
            AdminUnit.objects.filter(
                era=AdminUnit.Era.POST_2025,
                level=AdminUnit.Level.COMMUNE,
                province_code=self.province_code,
                unit_type__iexact="Phường",
            ).values_list("id", flat=True)
        )
        vulnerabilities = list(
            VulnerabilityCategory.objects.filter(is_active=True).values_list(
                "id", "code", "name", "is_sensitive"
            )
        )
        self.vulnerabilities = norm.CodeList([v[:3] for v in vulnerabilities], what="dien")
        self.sensitive = {v[0]: v[2] for v in vulnerabilities if v[3]}
        self.needs = norm.CodeList(
            list(NeedCategory.objects.filter(is_active=True).values_list("id", "code", "name")),
            what="nhu cau",
        )
        if user is None:
            self.may_write_sensitive = True  # the command line runs as the system
        else:
            paths = scope_paths(user, SENSITIVE_REGISTRY)
            self.may_write_sensitive = paths is ALL or any(unit.path.startswith(p) for p in paths)

    def in_scope(self, commune_id: int) -> bool:
        union = self.unions.get(commune_id)
        return union is not None and union[1].startswith(self.unit.path)


# --- the checks of every cell, column by column ----------------------------------------------
#
# The per-row cost decides how fast a file of 200,000 rows goes, and files repeat themselves:
# a handful of sexes, relations, ethnicities, communes, categories, a few thousand dates and
# name syllables. So each column of a chunk of rows is checked in one pass, and each
# *distinct* cell is parsed once (`_ColumnCache`: raw cell → value or message; cells are keyed
# by type and value, since 1, 1.0 and True are equal in Python but are different cells). The
# columns that are mostly unique (citizen IDs, phones) take a direct path for their clean
# common forms and fall back to the full parser, which says exactly what is wrong. The
# messages are the parsers' own, so a cell gets the same message whichever path it took.

CHUNK_ROWS = 5000

# Order in which a row's cell errors are listed (the order the columns are checked in).
_ORDER = {
    key: position
    for position, key in enumerate(
        [
            "record_number",
            "full_name",
            "sex",
            "birth",
            "citizen_id",
            "phone",
            "ethnicity",
            "relation",
            "household_code",
            "is_union_member",
            "occupation",
            "address_line",
            "locality",
            "poverty",
            "poverty_year",
            "vulnerabilities",
            "needs",
            "commune",
            "old_district",
        ]
    )
}


class _ColumnCache:
    """One column's parser with its answers: raw cell → value, or → message when refused."""

    __slots__ = ("default", "messages", "parse", "values")

    def __init__(self, parse, default):
        self.parse = parse
        self.default = default
        self.values: dict = {}
        self.messages: dict = {}

    def run(self, cells: list) -> tuple[list, list[tuple[int, str]]]:
        """(values, [(position, message), ...]) of one column of a chunk."""
        keys = _cell_keys(cells)
        values, messages = self.values, self.messages
        distinct = set(keys)
        missing = distinct.difference(values)
        if missing:
            parse, default = self.parse, self.default
            for key in missing:
                try:
                    values[key] = parse(key if key.__class__ is str else key[1])
                except CellError as exc:
                    values[key] = default
                    messages[key] = str(exc)
        out = list(map(values.__getitem__, keys))
        if messages and not distinct.isdisjoint(messages):
            return out, [(i, messages[k]) for i, k in enumerate(keys) if k in messages]
        return out, []


class _NameFolder:
    """`core.text.fold` of a full name, syllable by syllable (a file has few distinct ones).

    `fold` removes marks character by character and collapses whitespace; on a name already
    normalised by `norm.text` (single spaces) folding each word and joining them gives the
    same string (a word that folds to nothing is dropped, as `fold` collapses its spaces).
    """

    def __init__(self):
        self.words: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        words = self.words
        folded = []
        for word in name.split(" "):
            key = words.get(word)
            if key is None:
                key = words[word] = fold(word)
            if key:
                folded.append(key)
        return " ".join(folded)


# Citizen IDs: the first four digits (province, century and sex) → (first year of the
# century, sex), for every valid province code; the full check is in `core.validators`.
_CCCD_HEAD = {
    f"{province}{digit}": (1900 + (digit // 2) * 100, norm.FEMALE if digit % 2 else norm.MALE)
    for province in PROVINCE_CODES
    for digit in range(10)
}


def _citizen_ids(cells, sexes, sex_errors, years, birth_errors):
    """The citizen ID column, checked against each row's sex and birth year when known."""
    this_year = norm._today().year
    head = _CCCD_HEAD
    values: list = []
    append = values.append
    errors: list[tuple[int, str]] = []
    for i, raw in enumerate(cells):
        cls = raw.__class__
        if cls is str:
            if len(raw) == 12 and raw.isdigit() and raw.isascii():
                number = raw
            elif not raw or raw.isspace():
                append(None)
                continue
            else:
                number = None
        elif raw is None:
            append(None)
            continue
        elif cls is float and raw.is_integer() and 0 < raw < 1e12:
            number = str(int(raw)).zfill(12)
        elif cls is int and 0 < raw < 10**12:
            number = str(raw).zfill(12)
        else:
            number = None
        if number is not None:
            known = head.get(number[:4])
            if known is not None:
                year = known[0] + int(number[4:6])
                sex = None if i in sex_errors else sexes[i]
                birth_year = None if i in birth_errors else years[i]
                if (
                    year <= this_year
                    and (birth_year is None or birth_year == year)
                    and (not sex or sex == known[1])
                ):
                    append(number)
                    continue
        sex = None if i in sex_errors else sexes[i]
        birth_year = None if i in birth_errors else years[i]
        try:
            append(norm.citizen_id(raw, sex=sex, birth_year=birth_year))
        except CellError as exc:
            append(None)
            errors.append((i, str(exc)))
    return values, errors


def _birth(raw) -> tuple[dt.date | None, int | None]:
    """`norm.birth`, with direct paths for what files mostly hold: an Excel date, a serial
    number or a year, and day/month/year written with "/", "-" or "." (the same answers;
    anything else, or anything refused, goes to `norm.birth`, which says what is wrong)."""
    cls = raw.__class__
    if cls is dt.date:
        if raw.year >= norm.EARLIEST_BIRTH_YEAR and raw <= norm._today():
            return raw, raw.year
    elif cls is str:
        if raw.isascii():
            for separator in "/-.":
                if raw.count(separator) == 2:
                    day_part, month_part, year_part = raw.split(separator)
                    if (
                        len(year_part) == 4
                        and 0 < len(day_part) < 3
                        and 0 < len(month_part) < 3
                        and year_part.isdigit()
                        and day_part.isdigit()
                        and month_part.isdigit()
                    ):
                        try:
                            day = dt.date(int(year_part), int(month_part), int(day_part))
                        except ValueError:
                            break  # the full parser says what is wrong with it
                        if day.year >= norm.EARLIEST_BIRTH_YEAR and day <= norm._today():
                            return day, day.year
                    break
    elif cls is int or cls is float:
        today = norm._today()
        if float(raw).is_integer() and norm.EARLIEST_BIRTH_YEAR <= raw <= today.year:
            return None, int(raw)  # a year alone
        if 1 <= raw <= 99999:  # an Excel serial number (a date-time's: its day)
            day = norm.EXCEL_EPOCH + dt.timedelta(days=int(raw))
            if day.year >= norm.EARLIEST_BIRTH_YEAR and day <= today:
                return day, day.year
    return norm.birth(raw)


def _phones(cells):
    """The phone column: "0912345678", and digits written with spaces, dots, +84 or 84, or
    as a number, directly (the answer of `norm.phone`, whose separators they are); anything
    else, or anything that is not a mobile number, through `norm.phone`."""
    mobile = norm._VN_MOBILE.fullmatch
    national_digits = norm._national_digits
    values: list = []
    append = values.append
    errors: list[tuple[int, str]] = []
    for i, raw in enumerate(cells):
        cls = raw.__class__
        compact = None
        if cls is str:
            if not raw:
                append("")
                continue
            if (
                len(raw) == 10
                and raw[0] == "0"
                and raw.isdigit()
                and raw.isascii()
                and mobile(raw, 1)
            ):
                append("+84" + raw[1:])
                continue
            if raw.isascii() and len(raw) < 20:
                compact = raw.replace(" ", "").replace(".", "")
        elif (cls is int or cls is float) and 0 < raw < 10**11 and raw == int(raw):
            compact = str(int(raw))
        if compact is not None and compact.lstrip("+").isdigit():
            national = national_digits(compact)
            if national and len(national) == 9 and mobile(national):
                append("+84" + national)
                continue
        try:
            append(norm.phone(raw))
        except CellError as exc:
            append("")
            errors.append((i, str(exc)))
    return values, errors


class _Columns:
    """The parsers of one validation run, each with the answers it already gave."""

    def __init__(self, checker: _Checker, header):
        self.checker = checker
        self.record_number = _ColumnCache(norm.record_number, "")
        folder = _NameFolder()

        def name(raw):
            full = norm.person_name(raw)
            return full, folder(full)

        self.full_name = _ColumnCache(name, ("", ""))
        self.sex = _ColumnCache(norm.sex, "")
        self.birth = _ColumnCache(_birth, (None, None))
        self.ethnicity = _ColumnCache(norm.ethnicity, "01")
        self.relation = _ColumnCache(norm.relation, None)
        self.is_union_member = _ColumnCache(norm.yes_no, False)
        self.poverty = _ColumnCache(norm.poverty, "none")
        self.poverty_year = _ColumnCache(norm.year, None)
        for key, limit in (
            ("household_code", 40),
            ("occupation", 120),
            ("address_line", 255),
            ("locality", 100),
        ):
            label = header(key)
            setattr(
                self,
                key,
                _ColumnCache(
                    lambda raw, limit=limit, label=label: norm.short_text(
                        raw, limit=limit, label=label
                    ),
                    "",
                ),
            )
        self.vulnerabilities: dict = {}
        self.needs: dict = {}
        self.addresses: dict = {}
        self.address_simple: dict = {}  # the addresses' "ok" and "none" outcomes, as a row's

    def vulnerability_column(self, cells) -> list[tuple[list[int], tuple[str, ...]]]:
        """(ids, messages) of each cell of a column of vulnerabilities."""
        return _cached(self.vulnerabilities, self._vulnerability_cell, cells)

    def _vulnerability_cell(self, raw):
        checker = self.checker
        if raw in ("", None):
            return [], ()
        ids, unknown = checker.vulnerabilities.parse(raw)
        messages = []
        if unknown:
            messages.append(
                _("Không có diện đối tượng “%(names)s” (xem mã và tên ở trang Hướng dẫn).")
                % {"names": "; ".join(unknown)}
            )
        sensitive = [checker.sensitive[pk] for pk in ids if pk in checker.sensitive]
        if sensitive and not checker.may_write_sensitive:
            messages.append(
                _(
                    "Diện “%(names)s” là thông tin nhạy cảm: chỉ cán bộ được giao quyền mới được "
                    "ghi; hãy bỏ khỏi tệp và cập nhật trực tiếp."
                )
                % {"names": "; ".join(sensitive)}
            )
        return ids, tuple(messages)

    def need_column(self, cells) -> list[tuple[list[int], tuple[str, ...]]]:
        """(ids, messages) of each cell of a column of needs."""
        return _cached(self.needs, self._need_cell, cells)

    def _need_cell(self, raw):
        if raw in ("", None):
            return [], ()
        ids, unknown = self.checker.needs.parse(raw)
        if not unknown:
            return ids, ()
        return ids, (
            _("Không có nhu cầu “%(names)s” (xem mã và tên ở trang Hướng dẫn).")
            % {"names": "; ".join(unknown)},
        )

    def address_column(self, communes, districts) -> tuple[list, list | None]:
        """(the outcome of `_address` for each row, and when every one of them is "ok" or
        "none", [(commune id, union id, has commune)] of each row; else None)."""
        keys = list(zip(_cell_keys(communes), _cell_keys(districts), strict=True))
        addresses, simple = self.addresses, self.address_simple
        distinct = set(keys)
        for key in distinct.difference(addresses):
            commune_key, district_key = key
            outcome = addresses[key] = _address(
                commune_key if commune_key.__class__ is str else commune_key[1],
                district_key if district_key.__class__ is str else district_key[1],
                self.checker,
            )
            if outcome[0] == "ok":
                simple[key] = (outcome[1], outcome[2], True)
            elif outcome[0] == "none":
                simple[key] = (None, None, False)
        outcomes = list(map(addresses.__getitem__, keys))
        if distinct.issubset(simple):
            return outcomes, list(map(simple.__getitem__, keys))
        return outcomes, None


def _cached(cache: dict, compute, cells) -> list:
    """`compute(cell)` for each cell, each distinct cell computed once (kept in `cache`)."""
    keys = _cell_keys(cells)
    for key in set(keys).difference(cache):
        cache[key] = compute(key if key.__class__ is str else key[1])
    return list(map(cache.__getitem__, keys))


def _cell_key(raw):
    return raw if raw.__class__ is str else (raw.__class__, raw)


_STR_ONLY = {str}


def _cell_keys(cells) -> list:
    """`_cell_key` of each cell; a column of text only (the common case) is its own keys."""
    if set(map(type, cells)) == _STR_ONLY:
        return cells
    return [c if c.__class__ is str else (c.__class__, c) for c in cells]


# What a (commune, old district) pair of cells says, before the row's own choices:
_NO_ADDRESS = ("none",)  # empty: the household's first address, or the importing commune


def _address(commune_raw, district_raw, checker: _Checker) -> tuple:
    """("none",) | ("ok", commune id, union id) | ("error", column, message, has_commune)
    | ("split", resolution, in-scope candidates)."""
    commune_text = norm.text(commune_raw)
    district_text = norm.text(district_raw)
    if not commune_text:
        if district_text:
            return ("error", "commune", _("Có quận/huyện cũ nhưng chưa ghi xã/phường."), False)
        return _NO_ADDRESS
    resolution = checker.resolver.resolve(commune_text, district_text)
    if resolution.error:
        return ("error", resolution.error_column, resolution.error, True)
    commune_id = resolution.commune_id
    if resolution.is_split:
        in_scope = [pk for pk in resolution.candidates if checker.in_scope(pk)]
        if not in_scope:
            return (
                "error",
                "commune",
                _(
                    "“%(old)s” nay thuộc %(new)s, đều ngoài phạm vi của %(unit)s: không nhập "
                    "được ở đây."
                )
                % {
                    "old": resolution.old_name,
                    "new": ", ".join(checker.resolver.names[pk] for pk in resolution.candidates),
                    "unit": checker.unit.name,
                },
                True,
            )
        return ("split", resolution, in_scope)
    return _commune_outcome(commune_id, checker)


def _commune_outcome(commune_id: int, checker: _Checker) -> tuple:
    if not checker.in_scope(commune_id):
        name = checker.resolver.names.get(commune_id, "")
        if commune_id not in checker.unions:
            message = _("%(commune)s chưa có cơ sở Hội trong hệ thống.") % {"commune": name}
        else:
            message = _("%(commune)s ngoài phạm vi của %(unit)s.") % {
                "commune": name,
                "unit": checker.unit.name,
            }
        return ("error", "commune", message, True)
    return ("ok", commune_id, checker.unions[commune_id][0])


def _check_chunk(
    numbers: list[int],
    body: list[list],
    index: dict[str, int],
    parsers: _Columns,
    checker: _Checker,
) -> tuple[list[Row], list[tuple]]:
    """The rows of a chunk and their cell errors as (position, order, key, message, extra)."""

    # Cells by column position: every row has at least `width` cells (padded), longer rows'
    # extra cells are no column's.
    transposed = list(zip(*body, strict=False))

    def column(key: str):
        position = index[key]
        if position is None:  # a column the file does not have
            return [""] * len(body)
        return transposed[position]

    found: list[tuple] = []

    def note(key: str, errors: list[tuple[int, str]]) -> None:
        order = _ORDER[key]
        found.extend((i, order, key, message, None) for i, message in errors)

    record_numbers, errors = parsers.record_number.run(column("record_number"))
    note("record_number", errors)
    names, errors = parsers.full_name.run(column("full_name"))
    full_names, folded_names = zip(*names, strict=True)
    note("full_name", errors)
    sexes, errors = parsers.sex.run(column("sex"))
    note("sex", errors)
    sex_errors = {i for i, _message in errors}
    births, errors = parsers.birth.run(column("birth"))
    note("birth", errors)
    birth_errors = {i for i, _message in errors}
    birth_dates, years = zip(*births, strict=True)
    citizen_ids, errors = _citizen_ids(column("citizen_id"), sexes, sex_errors, years, birth_errors)
    note("citizen_id", errors)
    phones, errors = _phones(column("phone"))
    note("phone", errors)
    parsed = {}
    for key in (
        "ethnicity",
        "relation",
        "household_code",
        "is_union_member",
        "occupation",
        "address_line",
        "locality",
        "poverty",
        "poverty_year",
    ):
        parsed[key], errors = getattr(parsers, key).run(column(key))
        note(key, errors)

    links = {}
    for key, parse in (
        ("vulnerabilities", parsers.vulnerability_column),
        ("needs", parsers.need_column),
    ):
        cells = parse(column(key))
        links[key] = [ids for ids, _messages in cells]
        if any(messages for _ids, messages in cells):
            order = _ORDER[key]
            found.extend(
                (i, order, key, message, None)
                for i, (_ids, messages) in enumerate(cells)
                for message in messages
            )
    vulnerability_ids, need_ids = links["vulnerabilities"], links["needs"]

    outcomes, simple = parsers.address_column(column("commune"), column("old_district"))
    if simple is not None:  # every address of the chunk found (or left to the household)
        commune_ids, unit_ids, has_commune = (list(values) for values in zip(*simple, strict=True))
        outcomes = ()
    else:
        commune_ids, unit_ids, has_commune = [], [], []
    commune_order = _ORDER["commune"]
    for i, outcome in enumerate(outcomes):
        kind = outcome[0]
        if kind == "ok":
            commune_ids.append(outcome[1])
            unit_ids.append(outcome[2])
            has_commune.append(True)
            continue
        if kind == "none":
            commune_ids.append(None)
            unit_ids.append(None)
            has_commune.append(False)
            continue
        if kind == "split":
            resolution, in_scope = outcome[1], outcome[2]
            chosen = checker.choices.get(str(numbers[i]))
            if chosen is not None and chosen in in_scope:
                outcome = _commune_outcome(chosen, checker)
                if outcome[0] == "ok":
                    commune_ids.append(outcome[1])
                    unit_ids.append(outcome[2])
                    has_commune.append(True)
                    continue
            else:
                commune_names = checker.resolver.names
                found.append(
                    (
                        i,
                        commune_order,
                        "commune",
                        _(
                            "“%(old)s” (trước 01/7/2025) đã được chia cho nhiều xã/phường mới: "
                            "%(new)s. Hãy chọn xã/phường nơi người này đang ở."
                        )
                        % {
                            "old": resolution.old_name,
                            "new": ", ".join(commune_names[pk] for pk in resolution.candidates),
                        },
                        {
                            "kind": "split",
                            "candidates": [[pk, commune_names[pk]] for pk in in_scope],
                        },
                    )
                )
                commune_ids.append(None)
                unit_ids.append(None)
                has_commune.append(True)
                continue
        # An error (the outcome of a chosen split commune may be one too).
        column_key, message, has = outcome[1], outcome[2], outcome[3]
        found.append((i, _ORDER.get(column_key, commune_order), column_key, message, None))
        commune_ids.append(None)
        unit_ids.append(None)
        has_commune.append(has)

    rows = list(
        map(
            Row,
            numbers,
            record_numbers,
            full_names,
            folded_names,
            sexes,
            birth_dates,
            years,
            citizen_ids,
            phones,
            parsed["ethnicity"],
            parsed["relation"],
            parsed["household_code"],
            parsed["is_union_member"],
            parsed["occupation"],
            parsed["address_line"],
            parsed["locality"],
            commune_ids,
            unit_ids,
            parsed["poverty"],
            parsed["poverty_year"],
            vulnerability_ids,
            need_ids,
            has_commune,
        )
    )
    return rows, found


def validate_table(
    table: Table,
    *,
    file_name: str,
    sha256: str,
    unit: UnionUnit,
    user=None,
    choices: dict | None = None,
    progress: Progress | None = None,
    stream=None,
) -> Validation:
    """Check every row of a table. `stream` (see `streaming.PersonStream`) is shown each chunk
    of checked rows as soon as it is checked, and is finished before the checks that read the
    database (people already registered, thôn/tổ dân phố); rows of its batch are not
    "already in the registry"."""
    result = Validation(file_name=file_name, sha256=sha256, unit=unit)
    checker = _Checker(unit=unit, user=user, choices=choices or {})
    result.commune_names = checker.resolver.names
    if stream is not None:
        stream.start(checker, total=table.total)
    columns = table.columns
    headers = {key: text for key, (_index, text) in columns.items()}

    def header(key: str) -> str:
        return headers.get(key) or COLUMNS_BY_KEY[key].header

    for key in REQUIRED_COLUMNS:
        if key not in columns:
            result.errors.append(
                {
                    "row": table.header_row,
                    "column": COLUMNS_BY_KEY[key].header,
                    "message": _("Tệp thiếu cột “%(header)s”.")
                    % {"header": COLUMNS_BY_KEY[key].header},
                }
            )
    if "commune" not in columns and checker.default_commune_id is None:
        result.errors.append(
            {
                "row": table.header_row,
                "column": COLUMNS_BY_KEY["commune"].header,
                "message": _("Tệp thiếu cột “Xã/phường” (bắt buộc khi nhập cho cả thành phố)."),
            }
        )

    index = {key: position for key, (position, _text) in columns.items()}
    # Every row is padded to `width + 1` cells; a column the file lacks reads the last, empty
    # one, so cells are read by plain indexing.
    width = max(index.values(), default=-1) + 1
    positions = [position for key, position in index.items() if key != "stt"]
    if len(positions) > 1:
        meaningful = itemgetter(*positions)
    else:
        meaningful = lambda cells: [cells[p] for p in positions]  # noqa: E731
    name_position = index["full_name"]  # the header has it (`reading._find_header`)
    index = {key: index.get(key) for key in COLUMNS_BY_KEY}
    errors = result.errors
    parsers = _Columns(checker, header)

    def error(row: Row, key: str, message: str, **extra) -> None:
        row.is_valid = False
        errors.append({"row": row.row, "column": header(key), "message": message, **extra})

    def check(numbers: list[int], body: list[list]) -> None:
        rows, found = _check_chunk(numbers, body, index, parsers, checker)
        result.rows.extend(rows)
        result.rows_total += len(rows)
        found.sort(key=itemgetter(0, 1))
        for i, _order, key, message, extra in found:
            row = rows[i]
            row.is_valid = False
            item = {"row": row.row, "column": header(key), "message": message}
            if extra:
                item.update(extra)
            errors.append(item)
        if stream is not None:
            stream.chunk(rows, failed=bool(errors))

    if progress is not None:
        progress(0, table.total)
    done = 0
    numbers: list[int] = []
    body: list[list] = []
    for number, cells in table.rows:
        done += 1
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        # A row with a name is meaningful (the name's column is one of them): the others
        # are looked at only without it.
        if not cells[name_position] and not any(meaningful(cells)):
            continue
        numbers.append(number)
        body.append(cells)
        if len(body) >= CHUNK_ROWS:
            check(numbers, body)
            numbers, body = [], []
            if progress is not None:
                progress(done)
    if body:
        check(numbers, body)

    if progress is not None:
        progress(done, table.total)
    # Households and duplicates within the file are Python's work alone: done while the
    # writer still COPYs its last chunks. The checks after them read the database, whose
    # connection is the writer's until `finish`.
    _group_households(result, checker, error)
    _check_across_rows(result, error)
    exclude_batch = None
    known_new: set[int] = set()
    if stream is not None:
        stream.finish()
        exclude_batch = stream.batch.pk
        known_new = stream.known_new()
    _match_existing(result, checker, error, exclude_batch=exclude_batch, known_new=known_new)
    _finish_households(result, checker)
    return result


def _check_across_rows(result: Validation, error) -> None:
    """Duplicates inside the file and households whose rows disagree."""
    seen_record: dict[tuple, int] = {}
    seen_id: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    for row in result.rows:
        if row.record_number:
            key = (row.unit_id, row.record_number)
            first = seen_record.setdefault(key, row.row)
            if first != row.row:
                error(
                    row,
                    "record_number",
                    _("Mã hồ sơ “%(value)s” trùng với dòng %(row)d.")
                    % {"value": row.record_number, "row": first},
                )
        if row.citizen_id:
            first = seen_id.setdefault(row.citizen_id, row.row)
            if first != row.row:
                error(
                    row,
                    "citizen_id",
                    _("Số CCCD %(value)s trùng với dòng %(row)d.")
                    % {"value": row.citizen_id, "row": first},
                )
        elif not row.record_number and row.name_folded and row.commune_id:
            key = (row.name_folded, row.birth_date, row.birth_year, row.commune_id)
            first = seen_name.setdefault(key, row.row)
            if first != row.row:
                error(
                    row,
                    "full_name",
                    _(
                        "Trùng họ tên, ngày sinh và xã/phường với dòng %(row)d. Nếu là hai người "
                        "khác nhau, hãy ghi mã hồ sơ hoặc số CCCD để phân biệt."
                    )
                    % {"row": first},
                )


def _among(queryset, field_name: str, values: list):
    """`field IN values`; on PostgreSQL one array parameter (`= ANY(%s)`), which the driver
    binds in one go instead of parsing thousands of placeholders."""
    if connection.vendor == "postgresql":
        column = queryset.model._meta.get_field(field_name).column
        table = queryset.model._meta.db_table
        return queryset.extra(where=[f'"{table}"."{column}" = ANY(%s)'], params=[list(values)])  # noqa: S610
    return queryset.filter(**{f"{field_name}__in": values})


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _match_existing(
    result: Validation, checker: _Checker, error, *, exclude_batch=None, known_new=frozenset()
) -> None:
    """Rows already in the registry are counted, not written again.

    The key is the record number within the commune union when the row has one, else the
    citizen ID, else (folded name, birth date or year, commune). `exclude_batch`: people this
    import wrote ahead (in its own, uncommitted transaction) are not the registry's;
    `known_new`: row numbers the stream looked up by the same keys before writing them and
    found nowhere (`streaming.PersonStream._registered`), not looked up again.
    """
    rows = [r for r in result.rows if r.is_valid and r.row not in known_new]
    people = Person.objects.all()
    if exclude_batch is not None:
        people = people.filter(Q(import_batch__isnull=True) | ~Q(import_batch=exclude_batch))
    by_record = [r for r in rows if r.record_number and r.unit_id]
    if by_record:
        found = {}
        units = sorted({r.unit_id for r in by_record})
        numbers = sorted({r.record_number for r in by_record})
        for chunk in _chunks(numbers):
            for unit_id, number, pk, household_id in _among(
                # `record_number <> ''` as in the partial unique (unit, record_number) index,
                # so that the planner reads it (a long `= ANY` list proves nothing).
                people.filter(unit_id__in=units).exclude(record_number=""),
                "record_number",
                chunk,
            ).values_list("unit_id", "record_number", "id", "household_id"):
                found[(unit_id, number)] = (pk, household_id)
        for row in by_record:
            hit = found.get((row.unit_id, row.record_number))
            if hit:
                row.existing_person_id, row.existing_household_id = hit
    by_id = [r for r in rows if r.citizen_id and r.existing_person_id is None]
    if by_id:
        found = {}
        for chunk in _chunks(sorted({r.citizen_id for r in by_id})):
            for citizen_id, pk, household_id, path in _among(
                people, "citizen_id", chunk
            ).values_list("citizen_id", "id", "household_id", "scope_path"):
                found[citizen_id] = (pk, household_id, path)
        for row in by_id:
            hit = found.get(row.citizen_id)
            if hit is None:
                continue
            if not hit[2].startswith(checker.unit.path):
                error(
                    row,
                    "citizen_id",
                    _(
                        "Số CCCD %(value)s đã có trong dữ liệu của đơn vị khác; liên hệ Hội cấp "
                        "trên để chuyển hồ sơ."
                    )
                    % {"value": row.citizen_id},
                )
                continue
            row.existing_person_id, row.existing_household_id = hit[0], hit[1]
    by_name = [
        r
        for r in rows
        if not r.record_number
        and not r.citizen_id
        and r.existing_person_id is None
        and r.commune_id
    ]
    if by_name:
        found = {}
        for chunk in _chunks(sorted({r.name_folded for r in by_name})):
            for values in _among(
                people.filter(scope_path__startswith=checker.unit.path),
                "name_folded",
                chunk,
            ).values_list(
                "name_folded",
                "birth_date",
                "birth_year",
                "household__commune_id",
                "id",
                "household_id",
            ):
                found.setdefault(values[:4], values[4:])
        for row in by_name:
            hit = found.get((row.name_folded, row.birth_date, row.birth_year, row.commune_id))
            if hit:
                row.existing_person_id, row.existing_household_id = hit


def _group_households(result: Validation, checker: _Checker, error) -> None:
    # Rows with the same Mã hộ form a household; a row without one is a household alone
    # (keyed by its row number: an int never equals a code).
    groups: dict = {}
    for row in result.rows:
        key = row.household_code or row.row
        rows = groups.get(key)
        if rows is None:
            groups[key] = [row]
        else:
            rows.append(row)
    default_commune_id = checker.default_commune_id
    default_unit_id = None
    if default_commune_id is not None and checker.in_scope(default_commune_id):
        default_unit_id = checker.unions[default_commune_id][0]
    head = Person.Relation.HEAD
    households = result.households
    for rows in groups.values():
        code = rows[0].household_code
        if len(rows) == 1:
            row = rows[0]
            if not row.has_commune:
                if default_unit_id is not None:
                    row.commune_id, row.unit_id = default_commune_id, default_unit_id
                elif default_commune_id is None:
                    error(row, "commune", _("Chưa ghi xã/phường."))
                else:
                    error(row, "commune", _("Xã/phường của đơn vị chưa có cơ sở Hội."))
            households.append(Household(code=code, rows=rows))
            continue
        first_with_address = next((r for r in rows if r.has_commune), None)
        if first_with_address is None:
            if default_commune_id is None:
                for row in rows:
                    error(row, "commune", _("Chưa ghi xã/phường."))
                continue
            if default_unit_id is None:
                for row in rows:
                    error(row, "commune", _("Xã/phường của đơn vị chưa có cơ sở Hội."))
                continue
            for row in rows:
                row.commune_id, row.unit_id = default_commune_id, default_unit_id
        else:
            commune_id = first_with_address.commune_id
            for row in rows:
                if not row.has_commune:
                    row.commune_id, row.unit_id = commune_id, first_with_address.unit_id
                elif (
                    row.commune_id is not None
                    and commune_id is not None
                    and row.commune_id != commune_id
                ):
                    error(
                        row,
                        "commune",
                        _("Hộ mã “%(code)s” có thành viên ở xã/phường khác dòng %(row)d.")
                        % {"code": code, "row": first_with_address.row},
                    )
        heads = [r for r in rows if r.relation == head]
        for extra in heads[1:]:
            error(
                extra,
                "relation",
                _("Hộ mã “%(code)s” đã có chủ hộ ở dòng %(row)d.")
                % {"code": code, "row": heads[0].row},
            )
        households.append(Household(code=code, rows=rows))


def _finish_households(result: Validation, checker: _Checker) -> None:
    """Existing households to join, relations left empty, thôn/tổ dân phố to find or create."""
    head, other = Person.Relation.HEAD, Person.Relation.OTHER
    commune_ids = set()
    for household in result.households:
        rows = household.rows
        if len(rows) == 1:
            row = rows[0]
            household.existing_household_id = row.existing_household_id or None
            if row.relation is None:
                row.relation = head if household.existing_household_id is None else other
            if row.locality and row.commune_id is not None:
                commune_ids.add(row.commune_id)
                household.locality_key = (row.commune_id, row.locality)
            continue
        household.existing_household_id = next(
            (r.existing_household_id for r in rows if r.existing_household_id), None
        )
        if (
            household.existing_household_id is None
            and rows[0].relation is None
            and not any(r.relation == head for r in rows)
        ):
            rows[0].relation = head
        for row in rows:
            if row.relation is None:
                row.relation = other
        address_row = next((r for r in rows if r.has_commune and r.locality), None) or next(
            (r for r in rows if r.locality), None
        )
        if address_row is not None and address_row.commune_id is not None:
            commune_ids.add(address_row.commune_id)
            household.locality_key = (address_row.commune_id, address_row.locality)
    # Thôn/tổ dân phố: existing ones by name, the others created on commit.
    index = LocalityIndex(commune_ids)
    names: dict[tuple[str, bool], tuple[str, str, str]] = {}
    for household in result.households:
        if household.locality_key is None:
            continue
        commune_id, written = household.locality_key
        is_ward = commune_id in checker.ward_ids
        named = names.get((written, is_ward))
        if named is None:
            named = names[(written, is_ward)] = locality_name(written, commune_is_ward=is_ward)
        name, kind, key = named
        household.locality_key = (commune_id, key)
        household.locality_id = index.find(commune_id, key)
        if household.locality_id is None and any(
            r.existing_person_id is None for r in household.rows
        ):
            result.new_localities.setdefault((commune_id, key), (name, kind))


@collector_paused()
def validate_file(
    content: bytes,
    *,
    file_name: str,
    unit: UnionUnit,
    user=None,
    choices: dict | None = None,
    progress: Progress | None = None,
    stream=None,
) -> Validation:
    """Read and check a whole file. A file that cannot be read gives one error, row None."""
    sha256 = file_sha256(content)
    try:
        table = read_table(content, file_name)
    except FileReadError as exc:
        result = Validation(file_name=file_name, sha256=sha256, unit=unit)
        result.errors.append({"row": None, "column": "", "message": str(exc)})
        return result
    return validate_table(
        table,
        file_name=file_name,
        sha256=sha256,
        unit=unit,
        user=user,
        choices=choices,
        progress=progress,
        stream=stream,
    )
