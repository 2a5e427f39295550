"""Writes of the registry's households and people (issue 3 items 1–4).

Every function here is keyword-only, runs in one transaction, writes its audit event in that
transaction and re-reads what it wrote through the user's scope (`ensure_in_scope`) so that
nothing can be written outside it. Input errors are `ValidationError`s in Vietnamese that name
the field (and, for a household's members, the member row: "Thành viên thứ 2") so pages, the
API and the import can show them where they belong. Error dictionaries use the household
field names and `members[<index>].<field>` for member fields.

The sensitive vulnerability categories (GBV survivor, HIV) can only be recorded, seen or
closed by a user holding `SENSITIVE_REGISTRY` in the person's scope.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.accounts.permissions import ALL, SENSITIVE_REGISTRY, scope_paths
from ansinh.core.audit import (
    Action,
    audit_create,
    audit_export,
    audit_record,
    audit_update,
    snapshot,
)
from ansinh.core.scoping import OutOfScope, ensure_in_scope
from ansinh.core.text import fold, normalize_text
from ansinh.core.validators import normalize_phone, validate_citizen_id
from ansinh.geo.models import AdminUnit, Locality
from ansinh.org.models import UnionUnit

from .models import (
    Consent,
    DataSubjectRequest,
    Household,
    Need,
    NeedCategory,
    Person,
    PersonMerge,
    PersonStatusChange,
    PersonVulnerability,
    VulnerabilityCategory,
)
from .reference import ETHNICITIES, ETHNICITY_KINH

HOUSEHOLD_FIELDS = (
    "unit",
    "commune",
    "locality",
    "address_line",
    "poverty_status",
    "poverty_standard",
    "poverty_year",
)
PERSON_FIELDS = (
    "household",
    "unit",
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "citizen_id",
    "phone",
    "ethnicity",
    "relation",
    "is_union_member",
    "occupation",
    "record_number",
    "status",
)
# What `person_update` may change (household, unit and status have their own services).
PERSON_EDITABLE = tuple(f for f in PERSON_FIELDS if f not in ("household", "unit", "status"))
HOUSEHOLD_EDITABLE = (
    "locality",
    "address_line",
    "poverty_status",
    "poverty_standard",
    "poverty_year",
)
VULNERABILITY_FIELDS = ("person", "category", "since", "until", "verified_by", "verified_at")
NEED_FIELDS = ("person", "category", "status", "opened_on", "met_on")
CONSENT_FIELDS = ("person", "purpose", "given_by", "form", "given_on", "withdrawn_on")

CHILD_CONSENT_AGE = 7  # from 7 a child consents together with her guardian
ADULT_AGE = 18
MIN_BIRTH_YEAR = 1900
_ETHNICITY_CODES = {code for code, _name in ETHNICITIES}
# Statuses a person can be set to by hand; `merged` belongs to the merge service.
MANUAL_STATUSES = (
    Person.Status.ACTIVE,
    Person.Status.MOVED,
    Person.Status.DECEASED,
    Person.Status.EXITED_POVERTY,
)


@dataclass
class MemberData:
    """One member of a household as typed in a form, a request or a file row.

    `vulnerabilities` holds category codes, or `(code, since)` pairs; `needs` category codes.
    """

    full_name: str
    sex: str
    birth_date: dt.date | None = None
    birth_year: int | None = None
    citizen_id: str | None = None
    phone: str | None = None
    ethnicity: str = ETHNICITY_KINH
    relation: str = Person.Relation.HEAD
    is_union_member: bool = False
    occupation: str = ""
    record_number: str = ""
    vulnerabilities: Sequence[str | tuple[str, dt.date | None]] = field(default_factory=list)
    needs: Sequence[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _in_paths(paths, scope_path: str) -> bool:
    if paths is ALL:
        return True
    return any(scope_path.startswith(path) for path in paths)


def can_see_sensitive(user, scope_path: str) -> bool:
    """Whether `user` may see sensitive vulnerabilities of records under `scope_path`."""
    return _in_paths(scope_paths(user, SENSITIVE_REGISTRY), scope_path)


def _require(user, model, action: str, scope_path: str) -> None:
    """404 unless `user` holds `<app>.<action>_<model>` over `scope_path` (nothing written)."""
    permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    if not _in_paths(scope_paths(user, permission), scope_path):
        raise OutOfScope(f"{permission} not held over {scope_path}")


def _member_label(index: int, member: MemberData) -> str:
    name = normalize_text(member.full_name)
    if name:
        return _("Thành viên thứ %(number)d (%(name)s)") % {"number": index + 1, "name": name}
    return _("Thành viên thứ %(number)d") % {"number": index + 1}


def _household_commune(unit: UnionUnit) -> AdminUnit | None:
    if unit.admin_unit_id:
        return unit.admin_unit
    if unit.parent_id and unit.parent.admin_unit_id:
        return unit.parent.admin_unit
    return None


class _Errors:
    """Collects every problem so the user sees all of them at once."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.items.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@dataclass
class _CleanPerson:
    full_name: str
    sex: str
    birth_date: dt.date | None
    birth_year: int | None
    citizen_id: str | None
    phone: str
    ethnicity: str
    relation: str
    is_union_member: bool
    occupation: str
    record_number: str


def _clean_person(
    values: Mapping[str, Any], *, errors: _Errors, key: str, label: str = ""
) -> _CleanPerson:
    """Validate and normalise one person's fields; problems go to `errors` under `key(field)`."""
    prefix = f"{label}: " if label else ""

    def fail(name: str, message: str) -> None:
        errors.add(f"{key}{name}", prefix + message)

    full_name = normalize_text(values.get("full_name"))
    if not full_name:
        fail("full_name", _("Chưa nhập họ và tên."))
    elif len(full_name) > 150:
        fail("full_name", _("Họ và tên dài quá 150 ký tự."))
    sex = values.get("sex") or ""
    if sex not in Person.Sex.values:
        fail("sex", _("Chưa chọn giới tính."))
    birth_date = values.get("birth_date")
    birth_year = values.get("birth_year")
    today = _today()
    if birth_year in ("", None):
        birth_year = None
    else:
        try:
            birth_year = int(birth_year)
        except (TypeError, ValueError):
            fail("birth_year", _("Năm sinh phải là một số."))
            birth_year = None
    if birth_date is not None:
        if birth_date > today:
            fail(
                "birth_date",
                _("Ngày sinh %(date)s ở tương lai.") % {"date": f"{birth_date:%d/%m/%Y}"},
            )
        elif birth_date.year < MIN_BIRTH_YEAR:
            fail("birth_date", _("Ngày sinh trước năm %(year)d.") % {"year": MIN_BIRTH_YEAR})
        if birth_year is not None and birth_year != birth_date.year:
            fail(
                "birth_year",
                _("Năm sinh %(year)d không khớp ngày sinh %(date)s.")
                % {"year": birth_year, "date": f"{birth_date:%d/%m/%Y}"},
            )
        birth_year = birth_date.year
    elif birth_year is None:
        fail("birth_year", _("Chưa nhập ngày sinh hoặc năm sinh."))
    elif not MIN_BIRTH_YEAR <= birth_year <= today.year:
        fail(
            "birth_year",
            _("Năm sinh %(year)d phải trong khoảng %(low)d–%(high)d.")
            % {"year": birth_year, "low": MIN_BIRTH_YEAR, "high": today.year},
        )
    citizen_id = values.get("citizen_id")
    citizen_id = str(citizen_id).strip() if citizen_id not in (None, "") else ""
    if citizen_id:
        try:
            citizen_id = validate_citizen_id(
                citizen_id,
                sex=sex if sex in Person.Sex.values else None,
                birth_date=birth_date,
                birth_year=birth_year if birth_date is None else None,
            )
        except ValidationError as exc:
            for message in _messages(exc):
                fail("citizen_id", message)
    phone = values.get("phone")
    phone = str(phone).strip() if phone not in (None, "") else ""
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            for message in _messages(exc):
                fail("phone", message)
    ethnicity = values.get("ethnicity") or ETHNICITY_KINH
    if ethnicity not in _ETHNICITY_CODES:
        fail("ethnicity", _("Dân tộc “%(value)s” không có trong danh mục.") % {"value": ethnicity})
    relation = values.get("relation") or Person.Relation.HEAD
    if relation not in Person.Relation.values:
        fail("relation", _("Quan hệ với chủ hộ không hợp lệ."))
    occupation = normalize_text(values.get("occupation"))
    if len(occupation) > 120:
        fail("occupation", _("Nghề nghiệp dài quá 120 ký tự."))
    record_number = normalize_text(values.get("record_number"))
    if len(record_number) > 40:
        fail("record_number", _("Mã hồ sơ dài quá 40 ký tự."))
    return _CleanPerson(
        full_name=full_name,
        sex=sex,
        birth_date=birth_date,
        birth_year=birth_year,
        citizen_id=citizen_id or None,
        phone=phone,
        ethnicity=ethnicity,
        relation=relation,
        is_union_member=bool(values.get("is_union_member")),
        occupation=occupation,
        record_number=record_number,
    )


def _check_unique(
    clean: _CleanPerson,
    *,
    unit: UnionUnit,
    errors: _Errors,
    key: str,
    label: str = "",
    exclude_pk: int | None = None,
) -> None:
    """Citizen IDs are unique in the whole registry, record numbers within a unit."""
    prefix = f"{label}: " if label else ""
    if clean.citizen_id:
        taken = Person.objects.filter(citizen_id=clean.citizen_id)
        if exclude_pk:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors.add(
                f"{key}citizen_id",
                prefix
                + _("Số CCCD %(number)s đã có trong hồ sơ của một người khác.")
                % {"number": clean.citizen_id},
            )
    if clean.record_number:
        taken = Person.objects.filter(unit=unit, record_number=clean.record_number)
        if exclude_pk:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors.add(
                f"{key}record_number",
                prefix
                + _("Mã hồ sơ “%(number)s” đã dùng cho một người khác của đơn vị.")
                % {"number": clean.record_number},
            )


def _categories(
    codes: Iterable[str], model, *, errors: _Errors, key: str, label: str = ""
) -> dict[str, Any]:
    codes = [code for code in codes if code]
    found = {c.code: c for c in model.objects.filter(code__in=codes, is_active=True)}
    prefix = f"{label}: " if label else ""
    for code in codes:
        if code not in found:
            errors.add(key, prefix + _("Không có mã “%(code)s” trong danh mục.") % {"code": code})
    return found


def _vulnerability_pairs(items) -> list[tuple[str, dt.date | None]]:
    pairs = []
    for item in items or ():
        if isinstance(item, (tuple, list)):
            pairs.append((item[0], item[1] if len(item) > 1 else None))
        else:
            pairs.append((item, None))
    return pairs


def _create_person(*, user, household: Household, clean: _CleanPerson) -> Person:
    person = Person.objects.create(
        household=household,
        unit=household.unit,
        scope_path=household.scope_path,
        full_name=clean.full_name,
        name_folded=fold(clean.full_name),
        sex=clean.sex,
        birth_date=clean.birth_date,
        birth_year=clean.birth_year,
        citizen_id=clean.citizen_id,
        phone=clean.phone,
        ethnicity=clean.ethnicity,
        relation=clean.relation,
        is_union_member=clean.is_union_member,
        occupation=clean.occupation,
        record_number=clean.record_number,
        status=Person.Status.ACTIVE,
    )
    audit_create(actor=user, obj=person, fields=PERSON_FIELDS)
    PersonStatusChange.objects.create(
        person=person,
        status=Person.Status.ACTIVE,
        effective=_today(),
        note=_("Đăng ký vào sổ"),
        recorded_by=user,
    )
    return person


def _add_links(
    *,
    user,
    person: Person,
    vulnerabilities: Sequence[tuple[VulnerabilityCategory, dt.date | None]],
    needs: Sequence[NeedCategory],
) -> None:
    today = _today()
    for category, since in vulnerabilities:
        link = PersonVulnerability.objects.create(
            person=person, category=category, since=since, verified_by=user, verified_at=today
        )
        audit_create(actor=user, obj=link, fields=VULNERABILITY_FIELDS)
    for category in needs:
        need = Need.objects.create(person=person, category=category, opened_on=today)
        audit_create(actor=user, obj=need, fields=NEED_FIELDS)


def _member_links(
    member: MemberData, *, user, scope_path: str, errors: _Errors, key: str, label: str
) -> tuple[list[tuple[VulnerabilityCategory, dt.date | None]], list[NeedCategory]]:
    prefix = f"{label}: " if label else ""
    pairs = _vulnerability_pairs(member.vulnerabilities)
    found = _categories(
        [code for code, _since in pairs],
        VulnerabilityCategory,
        errors=errors,
        key=f"{key}vulnerabilities",
        label=label,
    )
    links = []
    seen = set()
    sensitive_ok = None
    for code, since in pairs:
        category = found.get(code)
        if category is None or code in seen:
            continue
        seen.add(code)
        if category.is_sensitive:
            if sensitive_ok is None:
                sensitive_ok = can_see_sensitive(user, scope_path)
            if not sensitive_ok:
                errors.add(
                    f"{key}vulnerabilities",
                    prefix
                    + _("Bạn không có quyền ghi nhận diện nhạy cảm “%(name)s”.")
                    % {"name": category.name},
                )
                continue
        if since is not None and since > _today():
            errors.add(
                f"{key}vulnerabilities",
                prefix
                + _("Ngày bắt đầu của diện “%(name)s” ở tương lai.") % {"name": category.name},
            )
            continue
        links.append((category, since))
    need_codes = list(dict.fromkeys(member.needs or ()))
    need_found = _categories(
        need_codes, NeedCategory, errors=errors, key=f"{key}needs", label=label
    )
    needs = [need_found[code] for code in need_codes if code in need_found]
    return links, needs


# --------------------------------------------------------------------------------------
# Households
# --------------------------------------------------------------------------------------


def _check_household_fields(
    *,
    unit: UnionUnit,
    commune: AdminUnit | None,
    locality: Locality | None,
    address_line: str,
    poverty_status: str,
    poverty_standard: str,
    poverty_year: int | None,
    errors: _Errors,
) -> tuple[AdminUnit | None, Locality | None]:
    expected = _household_commune(unit)
    if unit.kind not in (UnionUnit.Kind.COMMUNE, UnionUnit.Kind.BRANCH) or not unit.is_current:
        errors.add("unit", _("Chỉ đăng ký hộ cho Hội LHPN xã/phường hoặc chi hội đang hoạt động."))
    if expected is None:
        errors.add("unit", _("Đơn vị %(unit)s chưa gắn với xã/phường nào.") % {"unit": unit.name})
    if commune is None:
        commune = expected
    elif expected is not None and commune.pk != expected.pk:
        errors.add(
            "commune",
            _("Xã/phường %(commune)s không thuộc đơn vị %(unit)s (%(expected)s).")
            % {"commune": commune.name, "unit": unit.name, "expected": expected.name},
        )
    if commune is not None and not commune.is_current:
        errors.add(
            "commune", _("Xã/phường %(name)s đã không còn từ 01/7/2025.") % {"name": commune.name}
        )
    if locality is None and unit.locality_id:
        locality = unit.locality
    if locality is not None and commune is not None and locality.commune_id != commune.pk:
        errors.add(
            "locality",
            _("Thôn, tổ dân phố %(locality)s không thuộc %(commune)s.")
            % {"locality": locality.name, "commune": commune.name},
        )
    if len(address_line) > 255:
        errors.add("address_line", _("Địa chỉ dài quá 255 ký tự."))
    if poverty_status not in Household.Poverty.values:
        errors.add("poverty_status", _("Tình trạng nghèo không hợp lệ."))
    if poverty_status == Household.Poverty.NONE and (poverty_standard or poverty_year):
        errors.add(
            "poverty_status",
            _("Đã nhập chuẩn nghèo hoặc năm công nhận nhưng chưa chọn hộ nghèo/cận nghèo."),
        )
    if len(poverty_standard) > 20:
        errors.add("poverty_standard", _("Chuẩn nghèo dài quá 20 ký tự."))
    if poverty_year is not None and not 2000 <= poverty_year <= _today().year:
        errors.add(
            "poverty_year",
            _("Năm công nhận %(year)d phải trong khoảng 2000–%(high)d.")
            % {"year": poverty_year, "high": _today().year},
        )
    return commune, locality


@transaction.atomic
def household_register(
    *,
    user,
    unit: UnionUnit,
    commune: AdminUnit | None = None,
    locality: Locality | None = None,
    address_line: str,
    poverty_status: str,
    poverty_standard: str = "",
    poverty_year: int | None = None,
    members: Sequence[MemberData],
) -> Household:
    """Register a household with all its members (at least one, exactly one head).

    404 (nothing written) when the user may not add households in `unit`; `ValidationError`
    listing every problem otherwise.
    """
    _require(user, Household, "add", unit.path)
    _require(user, Person, "add", unit.path)
    errors = _Errors()
    address_line = normalize_text(address_line)
    poverty_standard = normalize_text(poverty_standard)
    commune, locality = _check_household_fields(
        unit=unit,
        commune=commune,
        locality=locality,
        address_line=address_line,
        poverty_status=poverty_status,
        poverty_standard=poverty_standard,
        poverty_year=poverty_year,
        errors=errors,
    )
    members = list(members)
    if not members:
        errors.add("members", _("Hộ phải có ít nhất một thành viên."))
    heads = [m for m in members if (m.relation or Person.Relation.HEAD) == Person.Relation.HEAD]
    if members and len(heads) != 1:
        errors.add(
            "members",
            _("Hộ phải có đúng một chủ hộ (đang có %(count)d).") % {"count": len(heads)},
        )
    cleaned = []
    seen_ids: dict[str, int] = {}
    seen_records: dict[str, int] = {}
    for index, member in enumerate(members):
        key = f"members[{index}]."
        label = _member_label(index, member)
        clean = _clean_person(member.__dict__, errors=errors, key=key, label=label)
        _check_unique(clean, unit=unit, errors=errors, key=key, label=label)
        if clean.citizen_id:
            if clean.citizen_id in seen_ids:
                errors.add(
                    f"{key}citizen_id",
                    f"{label}: "
                    + _("Số CCCD trùng với thành viên thứ %(other)d.")
                    % {"other": seen_ids[clean.citizen_id] + 1},
                )
            seen_ids.setdefault(clean.citizen_id, index)
        if clean.record_number:
            if clean.record_number in seen_records:
                errors.add(
                    f"{key}record_number",
                    f"{label}: "
                    + _("Mã hồ sơ trùng với thành viên thứ %(other)d.")
                    % {"other": seen_records[clean.record_number] + 1},
                )
            seen_records.setdefault(clean.record_number, index)
        links = _member_links(
            member, user=user, scope_path=unit.path, errors=errors, key=key, label=label
        )
        cleaned.append((clean, links))
    errors.raise_if_any()

    household = Household.objects.create(
        unit=unit,
        scope_path=unit.path,
        commune=commune,
        locality=locality,
        address_line=address_line,
        poverty_status=poverty_status,
        poverty_standard=poverty_standard,
        poverty_year=poverty_year,
        created_by=user if user is not None and user.pk else None,
    )
    # The head first, so the household's audit text names her.
    cleaned.sort(key=lambda item: item[0].relation != Person.Relation.HEAD)
    people = []
    for clean, (vulnerabilities, needs) in cleaned:
        person = _create_person(user=user, household=household, clean=clean)
        _add_links(user=user, person=person, vulnerabilities=vulnerabilities, needs=needs)
        people.append(person)
    audit_create(actor=user, obj=household, fields=HOUSEHOLD_FIELDS)
    ensure_in_scope(household, user, "add")
    for person in people:
        ensure_in_scope(person, user, "add")
    return household


@transaction.atomic
def household_update(*, user, household: Household, **changes: Any) -> Household:
    """Change a household's address or poverty status (unit and commune stay)."""
    _require(user, Household, "change", household.scope_path)
    unknown = set(changes) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValueError(f"household_update cannot change {sorted(unknown)}")
    before = snapshot(household, HOUSEHOLD_EDITABLE)
    values = {name: getattr(household, name) for name in HOUSEHOLD_EDITABLE}
    values.update(changes)
    errors = _Errors()
    address_line = normalize_text(values["address_line"])
    poverty_standard = normalize_text(values["poverty_standard"])
    _commune, locality = _check_household_fields(
        unit=household.unit,
        commune=household.commune,
        locality=values["locality"],
        address_line=address_line,
        poverty_status=values["poverty_status"],
        poverty_standard=poverty_standard,
        poverty_year=values["poverty_year"],
        errors=errors,
    )
    # A household registered before its unit closed keeps its unit; only edits matter here.
    errors.items.pop("unit", None)
    errors.raise_if_any()
    household.locality = locality if "locality" in changes else household.locality
    household.address_line = address_line
    household.poverty_status = values["poverty_status"]
    household.poverty_standard = poverty_standard
    household.poverty_year = values["poverty_year"]
    household.save()
    audit_update(actor=user, obj=household, before=before, fields=HOUSEHOLD_EDITABLE)
    ensure_in_scope(household, user, "change")
    return household


@transaction.atomic
def person_add_to_household(*, user, household: Household, member: MemberData) -> Person:
    """Add one member to an existing household (never a second head)."""
    _require(user, Household, "change", household.scope_path)
    _require(user, Person, "add", household.scope_path)
    errors = _Errors()
    clean = _clean_person(member.__dict__, errors=errors, key="")
    _check_unique(clean, unit=household.unit, errors=errors, key="")
    if (
        clean.relation == Person.Relation.HEAD
        and household.members.filter(relation=Person.Relation.HEAD).exists()
    ):
        errors.add("relation", _("Hộ đã có chủ hộ; chọn quan hệ khác với chủ hộ."))
    links = _member_links(
        member, user=user, scope_path=household.scope_path, errors=errors, key="", label=""
    )
    errors.raise_if_any()
    person = _create_person(user=user, household=household, clean=clean)
    _add_links(user=user, person=person, vulnerabilities=links[0], needs=links[1])
    ensure_in_scope(person, user, "add")
    return person


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------


def _person_update(*, user, person: Person, changes: Mapping[str, Any]) -> Person:
    unknown = set(changes) - set(PERSON_EDITABLE)
    if unknown:
        raise ValueError(f"person_update cannot change {sorted(unknown)}")
    if person.is_deidentified:
        raise ValidationError(_("Hồ sơ đã khử định danh, không sửa được."))
    if person.status == Person.Status.MERGED:
        raise ValidationError(_("Hồ sơ đã được gộp vào hồ sơ khác, không sửa được."))
    before = snapshot(person, PERSON_EDITABLE)
    values = {name: getattr(person, name) for name in PERSON_EDITABLE}
    values.update(changes)
    if "birth_date" in changes and changes["birth_date"] is None and "birth_year" not in changes:
        values["birth_year"] = person.birth_year
    if "birth_date" in changes and changes["birth_date"] is not None:
        values["birth_year"] = changes["birth_date"].year
    errors = _Errors()
    clean = _clean_person(values, errors=errors, key="")
    _check_unique(clean, unit=person.unit, errors=errors, key="", exclude_pk=person.pk)
    if (
        clean.relation == Person.Relation.HEAD
        and person.relation != Person.Relation.HEAD
        and person.household.members.filter(relation=Person.Relation.HEAD)
        .exclude(pk=person.pk)
        .exists()
    ):
        errors.add(
            "relation",
            _("Hộ đã có chủ hộ; đổi quan hệ của chủ hộ hiện tại trước khi chọn chủ hộ mới."),
        )
    errors.raise_if_any()
    for name in PERSON_EDITABLE:
        setattr(person, name, getattr(clean, name))
    person.name_folded = fold(person.full_name)
    person.save()
    audit_update(actor=user, obj=person, before=before, fields=PERSON_EDITABLE)
    ensure_in_scope(person, user, "change")
    return person


@transaction.atomic
def person_update(*, user, person: Person, **changes: Any) -> Person:
    """Change a person's own fields; the audit event holds each changed field before/after."""
    _require(user, Person, "change", person.scope_path)
    return _person_update(user=user, person=person, changes=changes)


@transaction.atomic
def person_status_change(
    *,
    user,
    person: Person,
    status: str,
    effective: dt.date,
    moved_to: AdminUnit | None = None,
    note: str = "",
) -> PersonStatusChange:
    """Record a new status (moved — to a current commune —, deceased, exited poverty, active).

    The history keeps every step; the person carries the latest.
    """
    _require(user, Person, "change", person.scope_path)
    errors = _Errors()
    if status not in MANUAL_STATUSES:
        errors.add("status", _("Tình trạng không hợp lệ."))
    if person.status == Person.Status.MERGED:
        errors.add("status", _("Hồ sơ đã được gộp vào hồ sơ khác."))
    elif status == person.status:
        errors.add(
            "status",
            _("Người này đang ở tình trạng “%(status)s”.")
            % {"status": person.get_status_display()},
        )
    if effective is None:
        errors.add("effective", _("Chưa nhập ngày."))
    elif effective > _today():
        errors.add("effective", _("Ngày %(date)s ở tương lai.") % {"date": f"{effective:%d/%m/%Y}"})
    if status == Person.Status.MOVED:
        if moved_to is None:
            errors.add("moved_to", _("Chuyển đi thì phải chọn xã/phường nơi chuyển đến."))
        elif not (moved_to.is_current and moved_to.level == AdminUnit.Level.COMMUNE):
            errors.add(
                "moved_to",
                _("%(name)s không phải xã/phường hiện hành (từ 01/7/2025).")
                % {"name": moved_to.name},
            )
    elif moved_to is not None:
        errors.add("moved_to", _("Chỉ chọn nơi chuyển đến khi tình trạng là “Chuyển đi”."))
    note = normalize_text(note)
    if len(note) > 255:
        errors.add("note", _("Ghi chú dài quá 255 ký tự."))
    errors.raise_if_any()
    before = snapshot(person, ("status",))
    change = PersonStatusChange.objects.create(
        person=person,
        status=status,
        effective=effective,
        moved_to=moved_to if status == Person.Status.MOVED else None,
        note=note,
        recorded_by=user,
    )
    person.status = status
    person.save(update_fields=["status", "updated_at"])
    audit_update(actor=user, obj=person, before=before, fields=("status",))
    audit_create(actor=user, obj=change, fields=("person", "status", "effective", "moved_to"))
    ensure_in_scope(person, user, "change")
    return change


# --------------------------------------------------------------------------------------
# Vulnerabilities and needs
# --------------------------------------------------------------------------------------


@transaction.atomic
def vulnerability_add(
    *,
    user,
    person: Person,
    category: VulnerabilityCategory,
    since: dt.date | None = None,
    note: str = "",
) -> PersonVulnerability:
    """Record that a person belongs to a category; the user is recorded as verifier."""
    _require(user, PersonVulnerability, "add", person.scope_path)
    errors = _Errors()
    if category.is_sensitive and not can_see_sensitive(user, person.scope_path):
        # Without the permission the category does not exist for her.
        raise OutOfScope("sensitive category")
    if not category.is_active:
        errors.add("category", _("Diện “%(name)s” đã ngừng sử dụng.") % {"name": category.name})
    if person.vulnerabilities.filter(category=category, until__isnull=True).exists():
        errors.add(
            "category",
            _("Người này đang thuộc diện “%(name)s” (chưa kết thúc).") % {"name": category.name},
        )
    if since is not None and since > _today():
        errors.add("since", _("Ngày bắt đầu ở tương lai."))
    note = normalize_text(note)
    if len(note) > 255:
        errors.add("note", _("Ghi chú dài quá 255 ký tự."))
    errors.raise_if_any()
    link = PersonVulnerability.objects.create(
        person=person,
        category=category,
        since=since,
        verified_by=user,
        verified_at=_today(),
        note=note,
    )
    audit_create(actor=user, obj=link, fields=VULNERABILITY_FIELDS)
    ensure_in_scope(link, user, "add")
    return link


@transaction.atomic
def vulnerability_close(
    *, user, vulnerability: PersonVulnerability, until: dt.date, note: str = ""
) -> PersonVulnerability:
    """End a person's membership of a category on `until` (kept in history)."""
    _require(user, PersonVulnerability, "change", vulnerability.person.scope_path)
    if vulnerability.category.is_sensitive and not can_see_sensitive(
        user, vulnerability.person.scope_path
    ):
        raise OutOfScope("sensitive category")
    errors = _Errors()
    if vulnerability.until is not None:
        errors.add("until", _("Diện này đã kết thúc."))
    if until is None:
        errors.add("until", _("Chưa nhập ngày kết thúc."))
    elif until > _today():
        errors.add("until", _("Ngày kết thúc ở tương lai."))
    elif vulnerability.since is not None and until < vulnerability.since:
        errors.add(
            "until",
            _("Ngày kết thúc trước ngày bắt đầu %(date)s.")
            % {"date": f"{vulnerability.since:%d/%m/%Y}"},
        )
    errors.raise_if_any()
    before = snapshot(vulnerability, ("until", "note"))
    vulnerability.until = until
    if note:
        vulnerability.note = normalize_text(note)[:255]
    vulnerability.save(update_fields=["until", "note"])
    audit_update(actor=user, obj=vulnerability, before=before, fields=("until", "note"))
    ensure_in_scope(vulnerability, user, "change")
    return vulnerability


@transaction.atomic
def need_open(
    *,
    user,
    person: Person,
    category: NeedCategory,
    opened_on: dt.date | None = None,
    note: str = "",
) -> Need:
    """Record a need; one open need per category."""
    _require(user, Need, "add", person.scope_path)
    opened_on = opened_on or _today()
    errors = _Errors()
    if not category.is_active:
        errors.add("category", _("Nhu cầu “%(name)s” đã ngừng sử dụng.") % {"name": category.name})
    if person.needs.filter(category=category, status=Need.Status.OPEN).exists():
        errors.add(
            "category",
            _("Nhu cầu “%(name)s” của người này đang chờ đáp ứng.") % {"name": category.name},
        )
    if opened_on > _today():
        errors.add("opened_on", _("Ngày ghi nhận ở tương lai."))
    note = normalize_text(note)
    if len(note) > 255:
        errors.add("note", _("Ghi chú dài quá 255 ký tự."))
    errors.raise_if_any()
    need = Need.objects.create(person=person, category=category, opened_on=opened_on, note=note)
    audit_create(actor=user, obj=need, fields=NEED_FIELDS)
    ensure_in_scope(need, user, "add")
    return need


@transaction.atomic
def need_meet(*, user, need: Need, met_on: dt.date | None = None, note: str = "") -> Need:
    """Mark a need as met on `met_on` (today by default)."""
    _require(user, Need, "change", need.person.scope_path)
    met_on = met_on or _today()
    errors = _Errors()
    if need.status == Need.Status.MET:
        errors.add("met_on", _("Nhu cầu này đã được đáp ứng."))
    if met_on > _today():
        errors.add("met_on", _("Ngày đáp ứng ở tương lai."))
    elif met_on < need.opened_on:
        errors.add(
            "met_on",
            _("Ngày đáp ứng trước ngày ghi nhận %(date)s.")
            % {"date": f"{need.opened_on:%d/%m/%Y}"},
        )
    errors.raise_if_any()
    before = snapshot(need, ("status", "met_on", "note"))
    need.status = Need.Status.MET
    need.met_on = met_on
    if note:
        need.note = normalize_text(note)[:255]
    need.save(update_fields=["status", "met_on", "note"])
    audit_update(actor=user, obj=need, before=before, fields=("status", "met_on", "note"))
    ensure_in_scope(need, user, "change")
    return need


# --------------------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------------------


def _age_range(person: Person, on: dt.date) -> tuple[int, int] | None:
    """(youngest, oldest) possible age on `on`; exact with a birth date, ±1 with a year."""
    if person.birth_date is not None:
        born = person.birth_date
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return age, age
    if person.birth_year is not None:
        return on.year - person.birth_year - 1, on.year - person.birth_year
    return None


def consent_givers(person: Person, on: dt.date) -> set[str]:
    """Who may give consent for `person` on `on`.

    Under 7: the guardian; 7 to 17: the child and her guardian together; an adult: herself,
    or her guardian when she is under guardianship. With only a birth year, every answer
    possible for her age is accepted.
    """
    ages = _age_range(person, on)
    if ages is None:
        return set(Consent.GivenBy.values)
    allowed: set[str] = set()
    for age in range(max(ages[0], 0), max(ages[1], 0) + 1):
        if age < CHILD_CONSENT_AGE:
            allowed.add(Consent.GivenBy.GUARDIAN)
        elif age < ADULT_AGE:
            allowed.add(Consent.GivenBy.BOTH)
        else:
            allowed.update({Consent.GivenBy.SELF, Consent.GivenBy.GUARDIAN})
    return allowed


@transaction.atomic
def consent_record(
    *,
    user,
    person: Person,
    purpose: str,
    given_by: str,
    form: str,
    given_on: dt.date,
    guardian_name: str = "",
) -> Consent:
    """Record a consent (Decree 13/2023/NĐ-CP art. 11 and 20 for children)."""
    _require(user, Consent, "add", person.scope_path)
    errors = _Errors()
    guardian_name = normalize_text(guardian_name)
    if purpose not in Consent.Purpose.values:
        errors.add("purpose", _("Mục đích không hợp lệ."))
    if form not in Consent.Form.values:
        errors.add("form", _("Hình thức không hợp lệ."))
    if given_by not in Consent.GivenBy.values:
        errors.add("given_by", _("Chưa chọn người đồng ý."))
    if given_on is None:
        errors.add("given_on", _("Chưa nhập ngày đồng ý."))
    elif given_on > _today():
        errors.add("given_on", _("Ngày đồng ý ở tương lai."))
    elif person.birth_date is not None and given_on < person.birth_date:
        errors.add("given_on", _("Ngày đồng ý trước ngày sinh."))
    if given_by in Consent.GivenBy.values and given_on is not None:
        allowed = consent_givers(person, given_on)
        ages = _age_range(person, given_on)
        if given_by not in allowed:
            if Consent.GivenBy.SELF not in allowed and Consent.GivenBy.BOTH not in allowed:
                message = _(
                    "Trẻ dưới %(age)d tuổi: người giám hộ đồng ý thay (không phải bản thân trẻ)."
                ) % {"age": CHILD_CONSENT_AGE}
            elif allowed == {Consent.GivenBy.BOTH}:
                message = _(
                    "Trẻ từ đủ %(age)d tuổi: cần sự đồng ý của cả trẻ và người giám hộ."
                ) % {"age": CHILD_CONSENT_AGE}
            else:
                message = _(
                    "Người đã thành niên tự đồng ý, hoặc người giám hộ nếu người này đang có "
                    "người giám hộ."
                )
            if ages is not None:
                message += " " + _("(%(age)d tuổi vào ngày đồng ý)") % {"age": ages[1]}
            errors.add("given_by", message)
        if given_by in (Consent.GivenBy.GUARDIAN, Consent.GivenBy.BOTH) and not guardian_name:
            errors.add("guardian_name", _("Chưa nhập họ tên người giám hộ."))
        if given_by == Consent.GivenBy.SELF and guardian_name:
            errors.add("guardian_name", _("Người tự đồng ý thì không ghi người giám hộ."))
    if len(guardian_name) > 150:
        errors.add("guardian_name", _("Họ tên người giám hộ dài quá 150 ký tự."))
    if (
        purpose in Consent.Purpose.values
        and person.consents.filter(purpose=purpose, withdrawn_on__isnull=True).exists()
    ):
        errors.add(
            "purpose",
            _("Đã có sự đồng ý còn hiệu lực cho mục đích này; rút lại trước khi ghi mới."),
        )
    errors.raise_if_any()
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        given_by=given_by,
        guardian_name=guardian_name,
        form=form,
        given_on=given_on,
        recorded_by=user,
    )
    audit_create(actor=user, obj=consent, fields=CONSENT_FIELDS)
    ensure_in_scope(consent, user, "add")
    return consent


@transaction.atomic
def consent_withdraw(*, user, consent: Consent, withdrawn_on: dt.date | None = None) -> Consent:
    """Withdraw a consent; the record stays with its withdrawal date."""
    _require(user, Consent, "change", consent.person.scope_path)
    withdrawn_on = withdrawn_on or _today()
    errors = _Errors()
    if consent.withdrawn_on is not None:
        errors.add("withdrawn_on", _("Sự đồng ý này đã được rút lại."))
    if withdrawn_on > _today():
        errors.add("withdrawn_on", _("Ngày rút lại ở tương lai."))
    elif withdrawn_on < consent.given_on:
        errors.add("withdrawn_on", _("Ngày rút lại trước ngày đồng ý."))
    errors.raise_if_any()
    before = snapshot(consent, ("withdrawn_on",))
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])
    audit_update(actor=user, obj=consent, before=before, fields=("withdrawn_on",))
    ensure_in_scope(consent, user, "change")
    return consent


# --------------------------------------------------------------------------------------
# Data-subject requests
# --------------------------------------------------------------------------------------


@transaction.atomic
def data_request_record(
    *, user, person: Person, kind: str, received_on: dt.date, note: str = ""
) -> DataSubjectRequest:
    """Record a request of the person about her data (a copy, a correction, erasure)."""
    _require(user, DataSubjectRequest, "add", person.scope_path)
    errors = _Errors()
    if kind not in DataSubjectRequest.Kind.values:
        errors.add("kind", _("Loại yêu cầu không hợp lệ."))
    if received_on is None:
        errors.add("received_on", _("Chưa nhập ngày nhận."))
    elif received_on > _today():
        errors.add("received_on", _("Ngày nhận ở tương lai."))
    if person.is_deidentified:
        errors.add("kind", _("Hồ sơ đã khử định danh."))
    errors.raise_if_any()
    request = DataSubjectRequest.objects.create(
        person=person, kind=kind, received_on=received_on, note=note.strip()
    )
    audit_create(actor=user, obj=request, fields=("person", "kind", "received_on"))
    ensure_in_scope(request, user, "add")
    return request


def _check_request(request: DataSubjectRequest | None, person: Person, kind: str) -> None:
    if request is None:
        return
    if request.person_id != person.pk:
        raise ValidationError(_("Yêu cầu không thuộc hồ sơ này."))
    if request.kind != kind:
        raise ValidationError(
            _("Yêu cầu này là “%(kind)s”.") % {"kind": request.get_kind_display()}
        )
    if request.handled_at is not None:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))


def _mark_handled(*, user, request: DataSubjectRequest | None, note: str = "") -> None:
    if request is None:
        return
    before = snapshot(request, ("handled_at", "handled_by"))
    request.handled_at = timezone.now()
    request.handled_by = user
    if note:
        request.note = f"{request.note}\n{note}".strip()
    request.save(update_fields=["handled_at", "handled_by", "note"])
    audit_update(actor=user, obj=request, before=before, fields=("handled_at", "handled_by"))


def person_data(*, user, person: Person) -> dict:
    """Everything the registry holds on a person that `user` may see, as plain data."""
    sensitive = can_see_sensitive(user, person.scope_path)
    household = person.household
    vulnerabilities = person.vulnerabilities.select_related("category")
    if not sensitive:
        vulnerabilities = vulnerabilities.filter(category__is_sensitive=False)
    return {
        "person": {
            "id": person.pk,
            "full_name": person.full_name,
            "sex": person.get_sex_display(),
            "birth_date": person.birth_date,
            "birth_year": person.birth_year,
            "citizen_id": person.citizen_id or "",
            "phone": person.phone,
            "ethnicity": person.get_ethnicity_display(),
            "relation": person.get_relation_display(),
            "is_union_member": person.is_union_member,
            "occupation": person.occupation,
            "record_number": person.record_number,
            "status": person.get_status_display(),
            "unit": person.unit.name,
            "created_at": person.created_at,
        },
        "household": {
            "id": household.pk,
            "commune": household.commune.name,
            "locality": household.locality.name if household.locality else "",
            "address_line": household.address_line,
            "poverty_status": household.get_poverty_status_display(),
            "poverty_standard": household.poverty_standard,
            "poverty_year": household.poverty_year,
        },
        "vulnerabilities": [
            {
                "code": link.category.code,
                "name": link.category.name,
                "since": link.since,
                "until": link.until,
                "verified_at": link.verified_at,
                "note": link.note,
            }
            for link in vulnerabilities
        ],
        "needs": [
            {
                "code": need.category.code,
                "name": need.category.name,
                "status": need.get_status_display(),
                "opened_on": need.opened_on,
                "met_on": need.met_on,
                "note": need.note,
            }
            for need in person.needs.select_related("category")
        ],
        "consents": [
            {
                "purpose": consent.get_purpose_display(),
                "given_by": consent.get_given_by_display(),
                "guardian_name": consent.guardian_name,
                "form": consent.get_form_display(),
                "given_on": consent.given_on,
                "withdrawn_on": consent.withdrawn_on,
            }
            for consent in person.consents.all()
        ],
        "status_history": [
            {
                "status": change.get_status_display(),
                "effective": change.effective,
                "moved_to": change.moved_to.name if change.moved_to else "",
                "note": change.note,
            }
            for change in person.status_changes.select_related("moved_to")
        ],
        "requests": [
            {
                "kind": item.get_kind_display(),
                "received_on": item.received_on,
                "handled_at": item.handled_at,
            }
            for item in person.requests.all()
        ],
        "note": ""
        if sensitive
        else _("Thông tin thuộc diện nhạy cảm (nếu có) do cán bộ có thẩm quyền cung cấp riêng."),
    }


@transaction.atomic
def person_data_export(*, user, person: Person, request: DataSubjectRequest | None = None) -> bytes:
    """A JSON copy of everything held on the person (audited as an export)."""
    _require(user, Person, "export", person.scope_path)
    _check_request(request, person, DataSubjectRequest.Kind.EXPORT)
    data = person_data(user=user, person=person)
    data["exported_at"] = timezone.now()
    content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    audit_export(
        actor=user,
        object_type="registry.person",
        count=1,
        filters={"person": person.pk, "request": request.pk if request else None},
        scope_path=person.scope_path,
    )
    _mark_handled(user=user, request=request)
    return content


@transaction.atomic
def person_correct(*, user, person: Person, request: DataSubjectRequest, **changes: Any) -> Person:
    """A correction asked by the person herself: `person_update` plus the request handled."""
    _require(user, Person, "change", person.scope_path)
    _check_request(request, person, DataSubjectRequest.Kind.CORRECT)
    person = _person_update(user=user, person=person, changes=changes)
    _mark_handled(user=user, request=request)
    return person


_REDACTED_SNAPSHOT_FIELDS = (
    "full_name",
    "name_folded",
    "citizen_id",
    "phone",
    "record_number",
    "birth_date",
    "occupation",
)


def _deidentify_one(*, person: Person) -> list[str]:
    """Blank what identifies `person`; returns the blanked fields (never their values)."""
    blanked = [
        name
        for name in (
            "full_name",
            "citizen_id",
            "phone",
            "record_number",
            "birth_date",
            "occupation",
        )
        if getattr(person, name)
    ]
    person.full_name = _("Đã khử định danh #%(id)d") % {"id": person.pk}
    person.name_folded = fold(person.full_name)
    person.citizen_id = None
    person.phone = ""
    person.record_number = ""
    if person.birth_date is not None:
        person.birth_year = person.birth_date.year
        person.birth_date = None
    person.occupation = ""
    person.is_deidentified = True
    person.save()
    household = person.household
    if household.members.count() == 1 and household.address_line:
        household.address_line = ""
        household.save(update_fields=["address_line", "updated_at"])
        blanked.append("household.address_line")
    # Free text and guardians' names may identify her too.
    person.vulnerabilities.exclude(note="").update(note="")
    person.needs.exclude(note="").update(note="")
    person.status_changes.exclude(note="").update(note="")
    person.consents.exclude(guardian_name="").update(guardian_name="")
    for merge in PersonMerge.objects.filter(kept=person) | PersonMerge.objects.filter(
        merged=person
    ):
        merge.snapshot = {
            key: value
            for key, value in (merge.snapshot or {}).items()
            if key not in _REDACTED_SNAPSHOT_FIELDS
        }
        merge.snapshot["is_deidentified"] = True
        merge.save(update_fields=["snapshot"])
    return blanked


@transaction.atomic
def person_deidentify(*, user, person: Person, request: DataSubjectRequest) -> Person:
    """Erase what identifies a person at her request; irreversible.

    Kept so that aggregate counts survive: sex, birth year, household commune and locality,
    categories, needs, consents (without guardians' names) and status history. The records
    merged into her are de-identified too (they are the same person).
    """
    _require(user, Person, "change", person.scope_path)
    _check_request(request, person, DataSubjectRequest.Kind.DELETE)
    if person.is_deidentified:
        raise ValidationError(_("Hồ sơ này đã được khử định danh."))
    blanked = _deidentify_one(person=person)
    for merged in Person.objects.filter(merged_into=person, is_deidentified=False):
        _deidentify_one(person=merged)
    # The event names the fields, never their old values.
    audit_record(
        action=Action.UPDATE,
        actor=user,
        obj=person,
        changes={"deidentified": blanked, "request": request.pk},
    )
    _mark_handled(user=user, request=request, note=_("Đã khử định danh."))
    ensure_in_scope(person, user, "change")
    return person


__all__ = [
    "MemberData",
    "can_see_sensitive",
    "consent_givers",
    "consent_record",
    "consent_withdraw",
    "data_request_record",
    "household_register",
    "household_update",
    "need_meet",
    "need_open",
    "person_add_to_household",
    "person_correct",
    "person_data",
    "person_data_export",
    "person_deidentify",
    "person_status_change",
    "person_update",
    "vulnerability_add",
    "vulnerability_close",
]
