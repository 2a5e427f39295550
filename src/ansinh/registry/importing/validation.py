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
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import ALL, SENSITIVE_REGISTRY, scope_paths
from ansinh.core.text import fold
from ansinh.geo.models import AdminUnit
from ansinh.org.models import UnionUnit

from ..models import NeedCategory, Person, VulnerabilityCategory
from . import normalising as norm
from .addresses import CommuneResolver, LocalityIndex, locality_name
from .columns import COLUMNS_BY_KEY, REQUIRED_COLUMNS
from .normalising import CellError
from .reading import FileReadError, Table, read_table

LOOKUP_CHUNK = 2000
PROGRESS_EVERY = 2000

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


def validate_table(
    table: Table,
    *,
    file_name: str,
    sha256: str,
    unit: UnionUnit,
    user=None,
    choices: dict | None = None,
    progress: Progress | None = None,
) -> Validation:
    result = Validation(file_name=file_name, sha256=sha256, unit=unit)
    checker = _Checker(unit=unit, user=user, choices=choices or {})
    result.commune_names = checker.resolver.names
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
    width = max(index.values(), default=0) + 1
    missing = width
    meaningful = itemgetter(*[position for key, position in index.items() if key != "stt"], missing)
    errors = result.errors

    def error(row: Row, key: str, message: str, **extra) -> None:
        row.is_valid = False
        errors.append({"row": row.row, "column": header(key), "message": message, **extra})

    if progress is not None:
        progress(0, table.total)
    done = 0
    index = {key: index.get(key, missing) for key in COLUMNS_BY_KEY}
    i_record, i_name, i_sex = index.get("record_number"), index.get("full_name"), index.get("sex")
    i_birth, i_cid, i_phone = index.get("birth"), index.get("citizen_id"), index.get("phone")
    i_eth, i_rel, i_code = (
        index.get("ethnicity"),
        index.get("relation"),
        index.get("household_code"),
    )
    i_member, i_job = index.get("is_union_member"), index.get("occupation")
    i_address, i_locality = index.get("address_line"), index.get("locality")
    i_commune, i_district = index.get("commune"), index.get("old_district")
    i_poverty, i_year = index.get("poverty"), index.get("poverty_year")
    i_vuln, i_needs = index.get("vulnerabilities"), index.get("needs")

    for number, cells in table.rows:
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        cells = cells[:width]
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        cells.append("")
        if not any(meaningful(cells)):
            continue
        result.rows_total += 1
        row = Row(row=number)
        result.rows.append(row)

        try:
            row.record_number = norm.record_number(cells[i_record])
        except CellError as exc:
            error(row, "record_number", str(exc))
        try:
            row.full_name = norm.person_name(cells[i_name])
            row.name_folded = fold(row.full_name)
        except CellError as exc:
            error(row, "full_name", str(exc))
        sex_ok = True
        try:
            row.sex = norm.sex(cells[i_sex])
        except CellError as exc:
            sex_ok = False
            error(row, "sex", str(exc))
        birth_ok = True
        try:
            row.birth_date, row.birth_year = norm.birth(cells[i_birth])
        except CellError as exc:
            birth_ok = False
            error(row, "birth", str(exc))
        raw_id = cells[i_cid]
        if raw_id not in ("", None) and (not isinstance(raw_id, str) or raw_id.strip()):
            try:
                row.citizen_id = norm.citizen_id(
                    raw_id,
                    sex=row.sex if sex_ok else None,
                    birth_year=row.birth_year if birth_ok else None,
                )
            except CellError as exc:
                error(row, "citizen_id", str(exc))
        try:
            row.phone = norm.phone(cells[i_phone])
        except CellError as exc:
            error(row, "phone", str(exc))
        try:
            row.ethnicity = norm.ethnicity(cells[i_eth])
        except CellError as exc:
            error(row, "ethnicity", str(exc))
        try:
            row.relation = norm.relation(cells[i_rel])
        except CellError as exc:
            error(row, "relation", str(exc))
        try:
            row.household_code = norm.short_text(
                cells[i_code], limit=40, label=header("household_code")
            )
        except CellError as exc:
            error(row, "household_code", str(exc))
        try:
            row.is_union_member = norm.yes_no(cells[i_member])
        except CellError as exc:
            error(row, "is_union_member", str(exc))
        try:
            row.occupation = norm.short_text(cells[i_job], limit=120, label=header("occupation"))
            row.address_line = norm.short_text(
                cells[i_address], limit=255, label=header("address_line")
            )
        except CellError as exc:
            error(row, "address_line" if row.occupation else "occupation", str(exc))
        try:
            row.locality = norm.short_text(cells[i_locality], limit=100, label=header("locality"))
        except CellError as exc:
            error(row, "locality", str(exc))
        try:
            row.poverty = norm.poverty(cells[i_poverty])
        except CellError as exc:
            error(row, "poverty", str(exc))
        try:
            row.poverty_year = norm.year(cells[i_year])
        except CellError as exc:
            error(row, "poverty_year", str(exc))
        _check_categories(row, cells, i_vuln, i_needs, checker, error)
        _check_address(row, cells, i_commune, i_district, checker, error)

    if progress is not None:
        progress(done, table.total)
    _group_households(result, checker, error)
    _check_across_rows(result, error)
    _match_existing(result, checker, error)
    _finish_households(result, checker)
    return result


def _check_categories(row, cells, i_vuln, i_needs, checker: _Checker, error) -> None:
    value = cells[i_vuln]
    if value not in ("", None):
        row.vulnerability_ids, unknown = checker.vulnerabilities.parse(value)
        if unknown:
            error(
                row,
                "vulnerabilities",
                _("Không có diện đối tượng “%(names)s” (xem mã và tên ở trang Hướng dẫn).")
                % {"names": "; ".join(unknown)},
            )
        sensitive = [
            checker.sensitive[pk] for pk in row.vulnerability_ids if pk in checker.sensitive
        ]
        if sensitive and not checker.may_write_sensitive:
            error(
                row,
                "vulnerabilities",
                _(
                    "Diện “%(names)s” là thông tin nhạy cảm: chỉ cán bộ được giao quyền mới được "
                    "ghi; hãy bỏ khỏi tệp và cập nhật trực tiếp."
                )
                % {"names": "; ".join(sensitive)},
            )
    value = cells[i_needs]
    if value not in ("", None):
        row.need_ids, unknown = checker.needs.parse(value)
        if unknown:
            error(
                row,
                "needs",
                _("Không có nhu cầu “%(names)s” (xem mã và tên ở trang Hướng dẫn).")
                % {"names": "; ".join(unknown)},
            )


def _check_address(row, cells, i_commune, i_district, checker: _Checker, error) -> None:
    commune_text = norm.text(cells[i_commune])
    district_text = norm.text(cells[i_district])
    if not commune_text:
        if district_text:
            error(row, "commune", _("Có quận/huyện cũ nhưng chưa ghi xã/phường."))
            return
        # Members after the first of a household may leave the address to the first row
        # (checked when households are grouped); otherwise the importing commune.
        row.commune_id = None
        row.has_commune = False
        return
    row.has_commune = True
    resolution = checker.resolver.resolve(commune_text, district_text)
    if resolution.error:
        error(row, resolution.error_column, resolution.error)
        return
    commune_id = resolution.commune_id
    if resolution.is_split:
        in_scope = [pk for pk in resolution.candidates if checker.in_scope(pk)]
        if not in_scope:
            error(
                row,
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
            )
            return
        chosen = checker.choices.get(str(row.row))
        if chosen is None or chosen not in in_scope:
            error(
                row,
                "commune",
                _(
                    "“%(old)s” (trước 01/7/2025) đã được chia cho nhiều xã/phường mới: "
                    "%(new)s. Hãy chọn xã/phường nơi người này đang ở."
                )
                % {
                    "old": resolution.old_name,
                    "new": ", ".join(checker.resolver.names[pk] for pk in resolution.candidates),
                },
                kind="split",
                candidates=[[pk, checker.resolver.names[pk]] for pk in in_scope],
            )
            return
        commune_id = chosen
    if not checker.in_scope(commune_id):
        name = checker.resolver.names.get(commune_id, "")
        if commune_id not in checker.unions:
            message = _("%(commune)s chưa có cơ sở Hội trong hệ thống.") % {"commune": name}
        else:
            message = _("%(commune)s ngoài phạm vi của %(unit)s.") % {
                "commune": name,
                "unit": checker.unit.name,
            }
        error(row, "commune", message)
        return
    row.commune_id = commune_id
    row.unit_id = checker.unions[commune_id][0]


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


def _match_existing(result: Validation, checker: _Checker, error) -> None:
    """Rows already in the registry are counted, not written again.

    The key is the record number within the commune union when the row has one, else the
    citizen ID, else (folded name, birth date or year, commune).
    """
    rows = [r for r in result.rows if r.is_valid]
    by_record = [r for r in rows if r.record_number and r.unit_id]
    if by_record:
        found = {}
        units = sorted({r.unit_id for r in by_record})
        numbers = sorted({r.record_number for r in by_record})
        for chunk in _chunks(numbers):
            for unit_id, number, pk, household_id in _among(
                Person.objects.filter(unit_id__in=units), "record_number", chunk
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
                Person.objects.all(), "citizen_id", chunk
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
                Person.objects.filter(scope_path__startswith=checker.unit.path),
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
    groups: dict[str, list[Row]] = {}
    for row in result.rows:
        key = f"code:{row.household_code}" if row.household_code else f"row:{row.row}"
        groups.setdefault(key, []).append(row)
    for rows in groups.values():
        code = rows[0].household_code
        first_with_address = next((r for r in rows if r.has_commune), None)
        if first_with_address is None:
            if checker.default_commune_id is None:
                for row in rows:
                    error(row, "commune", _("Chưa ghi xã/phường."))
                continue
            commune_id = checker.default_commune_id
            if not checker.in_scope(commune_id):
                for row in rows:
                    error(row, "commune", _("Xã/phường của đơn vị chưa có cơ sở Hội."))
                continue
            for row in rows:
                row.commune_id = commune_id
                row.unit_id = checker.unions[commune_id][0]
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
        heads = [r for r in rows if r.relation == Person.Relation.HEAD]
        for extra in heads[1:]:
            error(
                extra,
                "relation",
                _("Hộ mã “%(code)s” đã có chủ hộ ở dòng %(row)d.")
                % {"code": code, "row": heads[0].row},
            )
        result.households.append(Household(code=code, rows=rows))


def _finish_households(result: Validation, checker: _Checker) -> None:
    """Existing households to join, relations left empty, thôn/tổ dân phố to find or create."""
    commune_ids = set()
    for household in result.households:
        rows = household.rows
        household.existing_household_id = next(
            (r.existing_household_id for r in rows if r.existing_household_id), None
        )
        heads = [r for r in rows if r.relation == Person.Relation.HEAD]
        if not heads and household.existing_household_id is None and rows[0].relation is None:
            rows[0].relation = Person.Relation.HEAD
        for row in rows:
            if row.relation is None:
                row.relation = Person.Relation.OTHER
        address_row = next((r for r in rows if r.has_commune and r.locality), None) or next(
            (r for r in rows if r.locality), None
        )
        if address_row is not None and address_row.commune_id is not None:
            commune_ids.add(address_row.commune_id)
            household.locality_key = (address_row.commune_id, address_row.locality)
    # Thôn/tổ dân phố: existing ones by name, the others created on commit.
    index = LocalityIndex(commune_ids)
    for household in result.households:
        if household.locality_key is None:
            continue
        commune_id, written = household.locality_key
        name, kind, key = locality_name(written, commune_is_ward=commune_id in checker.ward_ids)
        household.locality_key = (commune_id, key)
        household.locality_id = index.find(commune_id, key)
        if household.locality_id is None and any(
            r.existing_person_id is None for r in household.rows
        ):
            result.new_localities.setdefault((commune_id, key), (name, kind))


def validate_file(
    content: bytes,
    *,
    file_name: str,
    unit: UnionUnit,
    user=None,
    choices: dict | None = None,
    progress: Progress | None = None,
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
    )
