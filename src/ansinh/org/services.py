"""Writes of the union's structure: the tree generated from the administrative units,
the city departments, branches (chi hội) and affiliated units.

The tree of a province has two generations side by side. The current one follows the
post-2025 units: the city union and one union per commune/ward (valid from 01/07/2025). The
old one follows the pre-2025 units: one union per district and per old commune, closed on
30/06/2025 and never deleted. `UnionUnitSuccession` says which new union took each old one, so
an old union's page still answers "where did it go?".

Official codes repeat across eras (old commune 00004 is not new commune 00004); a union is
identified by (kind, code, valid_from), which the database enforces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import Action, audit_create, audit_record, audit_update, snapshot
from ansinh.core.scoping import OutOfScope, ensure_in_scope
from ansinh.core.text import fold, normalize_text
from ansinh.geo.models import AdminUnit, AdminUnitSuccession, Locality

from .models import Department, UnionUnit, UnionUnitSuccession

REFORM_DATE = dt.date(2025, 7, 1)
OLD_UNITS_END = REFORM_DATE - dt.timedelta(days=1)
UNION_PREFIX = "Hội LHPN "
# Vietnam's capital: its union's newspaper is "Báo Phụ nữ Thủ đô" (a national fact, not a
# Hanoi special case: every other province gets "Báo Phụ nữ <province>").
CAPITAL_PROVINCE_CODE = "01"

UNIT_FIELDS = ("kind", "code", "name", "parent", "admin_unit", "valid_from", "valid_to")
BRANCH_FIELDS = ("kind", "code", "name", "parent", "locality", "valid_from", "valid_to")


def _union_name(admin_unit: AdminUnit) -> str:
    return UNION_PREFIX + admin_unit.name


def _succession_note(kind: str, takes_population: bool) -> str:
    if kind == UnionUnitSuccession.Kind.WHOLE:
        return "Nhập toàn bộ"
    if takes_population:
        return "Nhập một phần, nhận toàn bộ dân số"
    return "Nhập một phần"


# --------------------------------------------------------------------------------------
# Tree generation
# --------------------------------------------------------------------------------------


class _TreeWriter:
    """Creates or updates generated units level by level, with paths computed in bulk.

    `UnionUnit.save()` computes the path with one extra UPDATE per unit; Hanoi's 683 units
    would cost ~1,400 queries. Here each level costs one INSERT, one path UPDATE batch and,
    when names or dates changed, one UPDATE batch.
    """

    def __init__(self) -> None:
        self.created = 0
        self.updated = 0

    def write(
        self, *, existing: dict[str, UnionUnit], wanted: dict[str, dict]
    ) -> dict[str, UnionUnit]:
        """`wanted` maps a unit's code to its field values (parent included)."""
        to_create: list[UnionUnit] = []
        to_update: list[UnionUnit] = []
        changed_fields: set[str] = set()
        result: dict[str, UnionUnit] = {}
        for code, values in wanted.items():
            unit = existing.get(code)
            if unit is None:
                unit = UnionUnit(code=code, name_folded=fold(values["name"]), **values)
                to_create.append(unit)
            else:
                changed = [
                    name for name, value in values.items() if _current(unit, name) != _key(value)
                ]
                if changed:
                    for name in changed:
                        setattr(unit, name, values[name])
                    unit.name_folded = fold(unit.name)
                    changed_fields.update(changed)
                    to_update.append(unit)
            result[code] = unit
        if to_create:
            # PostgreSQL and SQLite ≥ 3.35 return the new primary keys.
            UnionUnit.objects.bulk_create(to_create, batch_size=500)
            self.created += len(to_create)
        if to_update:
            fields = sorted(changed_fields | {"name_folded"})
            UnionUnit.objects.bulk_update(to_update, fields, batch_size=500)
            self.updated += len(to_update)
        # Paths last: a new unit's path needs its own primary key.
        stale = []
        for code, unit in result.items():
            parent = wanted[code]["parent"]
            expected = f"{parent.path if parent else '/'}{unit.pk}/"
            if unit.path != expected:
                unit.path = expected
                stale.append(unit)
        if stale:
            UnionUnit.objects.bulk_update(stale, ["path"], batch_size=500)
        return result


def _current(unit: UnionUnit, name: str):
    """A field's value without fetching related rows (foreign keys by id)."""
    if name in ("parent", "admin_unit"):
        return getattr(unit, f"{name}_id")
    return getattr(unit, name)


def _key(value):
    return value.pk if isinstance(value, (UnionUnit, AdminUnit)) else value


def _existing(kind: str, codes: Iterable[str], valid_from: dt.date | None):
    queryset = UnionUnit.objects.filter(kind=kind, code__in=list(codes))
    if valid_from is None:
        queryset = queryset.filter(valid_from__isnull=True)
    else:
        queryset = queryset.filter(valid_from=valid_from)
    return {unit.code: unit for unit in queryset}


@transaction.atomic
def union_tree_generate(*, province_code: str) -> dict:
    """Generate (or bring up to date) the union tree of one province from its geo units.

    Idempotent: a second run writes nothing and returns zero created/updated. Raises
    `ValidationError` (nothing written) when the province's units are not loaded.
    """
    province = AdminUnit.objects.filter(
        era=AdminUnit.Era.POST_2025, level=AdminUnit.Level.PROVINCE, code=province_code
    ).first()
    if province is None:
        raise ValidationError(
            _(
                "Chưa có đơn vị hành chính tỉnh/thành phố mã %(code)s. "
                "Hãy nạp đơn vị hành chính (ansinh load-units) trước."
            )
            % {"code": province_code}
        )
    new_communes = list(
        AdminUnit.objects.filter(
            era=AdminUnit.Era.POST_2025, level=AdminUnit.Level.COMMUNE, parent=province
        ).order_by("code")
    )
    successions = list(
        AdminUnitSuccession.objects.filter(new__in=new_communes)
        .select_related("old", "new")
        .order_by("old__code", "new__code")
    )
    # Old communes: the province's own and those of merged provinces that came to it.
    old_communes = {
        unit.pk: unit
        for unit in AdminUnit.objects.filter(
            era=AdminUnit.Era.PRE_2025,
            level=AdminUnit.Level.COMMUNE,
            province_code=province_code,
        )
    }
    for succession in successions:
        old_communes.setdefault(succession.old_id, succession.old)
    district_ids = {unit.parent_id for unit in old_communes.values() if unit.parent_id}
    districts = {unit.pk: unit for unit in AdminUnit.objects.filter(pk__in=district_ids)}

    writer = _TreeWriter()
    city = writer.write(
        existing=_existing(UnionUnit.Kind.CITY, [province.code], None),
        wanted={
            province.code: {
                "kind": UnionUnit.Kind.CITY,
                "name": _union_name(province),
                "parent": None,
                "admin_unit": province,
                "valid_from": None,
                "valid_to": None,
            }
        },
    )[province.code]

    new_unions = writer.write(
        existing=_existing(
            UnionUnit.Kind.COMMUNE, [unit.code for unit in new_communes], REFORM_DATE
        ),
        wanted={
            unit.code: {
                "kind": UnionUnit.Kind.COMMUNE,
                "name": _union_name(unit),
                "parent": city,
                "admin_unit": unit,
                "valid_from": REFORM_DATE,
                "valid_to": None,
            }
            for unit in new_communes
        },
    )
    district_unions = writer.write(
        existing=_existing(
            UnionUnit.Kind.DISTRICT, [unit.code for unit in districts.values()], None
        ),
        wanted={
            unit.code: {
                "kind": UnionUnit.Kind.DISTRICT,
                "name": _union_name(unit),
                "parent": city,
                "admin_unit": unit,
                "valid_from": None,
                "valid_to": OLD_UNITS_END,
            }
            for unit in sorted(districts.values(), key=lambda u: u.code)
        },
    )
    old_unions = writer.write(
        existing=_existing(
            UnionUnit.Kind.COMMUNE, [unit.code for unit in old_communes.values()], None
        ),
        wanted={
            unit.code: {
                "kind": UnionUnit.Kind.COMMUNE,
                "name": _union_name(unit),
                # An old commune without a district (not in the official data) hangs on the city.
                "parent": district_unions[districts[unit.parent_id].code]
                if unit.parent_id in districts
                else city,
                "admin_unit": unit,
                "valid_from": None,
                "valid_to": OLD_UNITS_END,
            }
            for unit in sorted(old_communes.values(), key=lambda u: u.code)
        },
    )

    successions_created, successions_updated = _write_successions(
        successions=successions, old_unions=old_unions, new_unions=new_unions
    )
    result = {
        "province_code": province.code,
        "city": city.pk,
        "communes": len(new_unions),
        "districts": len(district_unions),
        "old_communes": len(old_unions),
        "successions": len(successions),
        "created": writer.created,
        "updated": writer.updated,
        "successions_created": successions_created,
        "successions_updated": successions_updated,
    }
    if writer.created or writer.updated or successions_created or successions_updated:
        audit_record(
            action=Action.CREATE if writer.created else Action.UPDATE,
            obj=city,
            object_repr=_("Sinh cây tổ chức Hội từ đơn vị hành chính: %(name)s")
            % {"name": city.name},
            changes=result,
        )
    return result


def _write_successions(*, successions, old_unions, new_unions) -> tuple[int, int]:
    existing = {
        (row.old_id, row.new_id): row
        for row in UnionUnitSuccession.objects.filter(
            new__in=[unit.pk for unit in new_unions.values()]
        )
    }
    to_create, to_update = [], []
    for succession in successions:
        old = old_unions[succession.old.code]
        new = new_unions[succession.new.code]
        values = {
            "kind": succession.kind,
            "takes_population": succession.takes_population,
            "effective": REFORM_DATE,
            "note": _succession_note(succession.kind, succession.takes_population),
        }
        row = existing.get((old.pk, new.pk))
        if row is None:
            to_create.append(UnionUnitSuccession(old=old, new=new, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
    if to_create:
        UnionUnitSuccession.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        UnionUnitSuccession.objects.bulk_update(
            to_update, ["kind", "takes_population", "effective", "note"]
        )
    return len(to_create), len(to_update)


# --------------------------------------------------------------------------------------
# Departments
# --------------------------------------------------------------------------------------

# (slug, name template, kind): the departments the plan assigns tasks to (section III.1),
# then the standing office and the inspection committee. `{place}` is the province's name.
STANDING_DEPARTMENTS = (
    ("gia-dinh-xa-hoi", "Ban Gia đình xã hội", Department.Kind.DEPARTMENT),
    ("tuyen-giao", "Ban Tuyên giáo", Department.Kind.DEPARTMENT),
    (
        "ho-tro-phu-nu-phat-trien-kinh-te",
        "Ban Hỗ trợ phụ nữ phát triển kinh tế",
        Department.Kind.DEPARTMENT,
    ),
    ("chinh-sach-luat-phap", "Ban Chính sách - luật pháp", Department.Kind.DEPARTMENT),
    (
        "trung-tam-gdnn",
        "Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ {place}",
        Department.Kind.CENTRE,
    ),
    ("bao-phu-nu-thu-do", "{newspaper}", Department.Kind.NEWSPAPER),
    ("van-phong", "Văn phòng", Department.Kind.OFFICE),
    ("uy-ban-kiem-tra", "Ủy ban kiểm tra", Department.Kind.INSPECTION),
)
DEPARTMENT_FIELDS = ("union", "code", "name", "kind", "order")

_PLACE_PREFIXES = re.compile(r"^(Thành phố|Tỉnh)\s+", re.IGNORECASE)


def _place_name(city: UnionUnit) -> str:
    if city.admin_unit_id:
        admin_unit = city.admin_unit
        return admin_unit.short_name or _PLACE_PREFIXES.sub("", admin_unit.name)
    return _PLACE_PREFIXES.sub("", city.name.removeprefix(UNION_PREFIX))


@transaction.atomic
def departments_seed(*, city: UnionUnit) -> list[Department]:
    """Create the city union's departments; idempotent (existing ones are left as they are)."""
    if city.kind != UnionUnit.Kind.CITY:
        raise ValidationError(_("Chỉ Hội LHPN tỉnh/thành phố có các ban chuyên môn."))
    place = _place_name(city)
    is_capital = city.admin_unit_id is not None and city.admin_unit.code == CAPITAL_PROVINCE_CODE
    newspaper = "Báo Phụ nữ Thủ đô" if is_capital else f"Báo Phụ nữ {place}"
    existing = {department.code: department for department in city.departments.all()}
    departments = []
    for order, (slug, template, kind) in enumerate(STANDING_DEPARTMENTS, start=1):
        department = existing.get(slug)
        if department is None:
            department = Department.objects.create(
                union=city,
                code=slug,
                name=template.format(place=place, newspaper=newspaper),
                kind=kind,
                order=order,
            )
            audit_create(actor=None, obj=department, fields=DEPARTMENT_FIELDS)
        departments.append(department)
    return departments


# --------------------------------------------------------------------------------------
# Branches and affiliated units
# --------------------------------------------------------------------------------------

_KIND_PREFIXES = {
    Locality.Kind.VILLAGE: "Thôn",
    Locality.Kind.RESIDENTIAL_GROUP: "Tổ dân phố",
    Locality.Kind.HAMLET: "Ấp",
    Locality.Kind.QUARTER: "Khu phố",
}


def _locality_full_name(kind: str, name: str) -> str:
    """ "Đoài" as a thôn becomes "Thôn Đoài"; "Thôn Đoài" stays as it is."""
    name = normalize_text(name)
    prefix = _KIND_PREFIXES.get(kind)
    if prefix and not fold(name).startswith(fold(prefix) + " ") and fold(name) != fold(prefix):
        return f"{prefix} {name}"
    return name


def _require_scope(unit: UnionUnit, user, action: str) -> None:
    if not UnionUnit.objects.restrict(user, action).filter(pk=unit.pk).exists():
        raise OutOfScope("The unit is outside the user's scope.")


def _next_branch_code(parent: UnionUnit) -> str:
    prefix = f"{parent.code}-"
    numbers = [
        int(code.removeprefix(prefix))
        for code in UnionUnit.objects.filter(
            kind=UnionUnit.Kind.BRANCH, code__startswith=prefix
        ).values_list("code", flat=True)
        if code.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def _check_branch_name_free(*, parent: UnionUnit, name: str, exclude_pk: int | None = None) -> None:
    others = parent.children.filter(
        kind=UnionUnit.Kind.BRANCH, valid_to__isnull=True, name_folded=fold(name)
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            {
                "name": _("Chi hội “%(name)s” đã có trong %(parent)s.")
                % {"name": name, "parent": parent.name}
            }
        )


def _check_locality_free(
    *, parent: UnionUnit, locality: Locality, exclude_pk: int | None = None
) -> None:
    others = parent.children.filter(
        kind=UnionUnit.Kind.BRANCH, valid_to__isnull=True, locality=locality
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            {
                "locality_name": _("%(locality)s đã có chi hội trong %(parent)s.")
                % {"locality": locality.name, "parent": parent.name}
            }
        )


def _locality_get_or_create(*, user, commune: AdminUnit, kind: str, name: str) -> Locality:
    """The commune's locality with this name (accent- and case-insensitively), or a new one."""
    locality = commune.localities.filter(name_folded=fold(name)).first()
    if locality is not None:
        return locality
    locality = Locality.objects.create(commune=commune, kind=kind, name=name)
    audit_create(actor=user, obj=locality, fields=("commune", "kind", "name"))
    return locality


@transaction.atomic
def branch_create(
    *,
    user,
    parent: UnionUnit,
    locality_kind: str,
    locality_name: str,
    name: str | None = None,
) -> UnionUnit:
    """Add a branch (chi hội) for a thôn / tổ dân phố under a current commune union.

    Out of the user's scope → `OutOfScope` (404) and nothing written; bad input →
    `ValidationError` in Vietnamese and nothing written.
    """
    _require_scope(parent, user, "add")
    # Serialise branch creation per commune so two officers never get the same code.
    parent = (
        UnionUnit.objects.select_for_update(of=("self",))
        .select_related("admin_unit")
        .get(pk=parent.pk)
    )
    if parent.kind != UnionUnit.Kind.COMMUNE or not parent.is_current:
        raise ValidationError(_("Chỉ thêm chi hội dưới Hội LHPN xã/phường đang hoạt động."))
    if parent.admin_unit is None or parent.admin_unit.era != AdminUnit.Era.POST_2025:
        raise ValidationError(_("Hội LHPN này chưa gắn với xã/phường hiện hành."))
    if locality_kind not in Locality.Kind.values:
        raise ValidationError({"locality_kind": _("Loại thôn, tổ dân phố không hợp lệ.")})
    if not normalize_text(locality_name):
        raise ValidationError({"locality_name": _("Nhập tên thôn, tổ dân phố.")})
    full_locality_name = _locality_full_name(locality_kind, locality_name)
    name = normalize_text(name) or f"Chi hội {full_locality_name}"
    _check_branch_name_free(parent=parent, name=name)
    locality = _locality_get_or_create(
        user=user, commune=parent.admin_unit, kind=locality_kind, name=full_locality_name
    )
    _check_locality_free(parent=parent, locality=locality)
    branch = UnionUnit(
        kind=UnionUnit.Kind.BRANCH,
        code=_next_branch_code(parent),
        name=name,
        parent=parent,
        admin_unit=parent.admin_unit,
        locality=locality,
        valid_from=timezone.localdate(),
    )
    branch.save()
    ensure_in_scope(branch, user, "add")
    audit_create(actor=user, obj=branch, fields=BRANCH_FIELDS)
    return branch


@transaction.atomic
def branch_update(
    *, user, branch: UnionUnit, name: str, locality_name: str | None = None
) -> UnionUnit:
    """Rename a branch (and, when given, its thôn / tổ dân phố)."""
    _require_scope(branch, user, "change")
    branch = (
        UnionUnit.objects.select_for_update(of=("self",))
        .select_related("parent", "locality")
        .get(pk=branch.pk)
    )
    if branch.kind != UnionUnit.Kind.BRANCH:
        raise ValidationError(_("Đơn vị này không phải chi hội."))
    name = normalize_text(name)
    if not name:
        raise ValidationError({"name": _("Nhập tên chi hội.")})
    before = snapshot(branch, BRANCH_FIELDS)
    _check_branch_name_free(parent=branch.parent, name=name, exclude_pk=branch.pk)
    locality = branch.locality
    if locality is not None and locality_name is not None:
        new_locality_name = _locality_full_name(locality.kind, locality_name)
        if not new_locality_name:
            raise ValidationError({"locality_name": _("Nhập tên thôn, tổ dân phố.")})
        if new_locality_name != locality.name:
            clash = (
                Locality.objects.filter(
                    commune_id=locality.commune_id, name_folded=fold(new_locality_name)
                )
                .exclude(pk=locality.pk)
                .exists()
            )
            if clash:
                raise ValidationError(
                    {
                        "locality_name": _("%(locality)s đã có trong xã/phường này.")
                        % {"locality": new_locality_name}
                    }
                )
            locality_before = snapshot(locality, ("name",))
            locality.name = new_locality_name
            locality.save()
            audit_update(actor=user, obj=locality, before=locality_before, fields=("name",))
    branch.name = name
    branch.save()
    ensure_in_scope(branch, user, "change")
    audit_update(actor=user, obj=branch, before=before, fields=BRANCH_FIELDS)
    return branch


@transaction.atomic
def branch_close(*, user, branch: UnionUnit, closed_on: dt.date | None = None) -> UnionUnit:
    """Close a branch (it stays in the tree with its history; nothing is deleted)."""
    _require_scope(branch, user, "change")
    branch = UnionUnit.objects.select_for_update(of=("self",)).get(pk=branch.pk)
    if branch.kind != UnionUnit.Kind.BRANCH:
        raise ValidationError(_("Đơn vị này không phải chi hội."))
    if branch.valid_to is not None:
        raise ValidationError(_("Chi hội này đã ngừng hoạt động."))
    closed_on = closed_on or timezone.localdate()
    if branch.valid_from and closed_on < branch.valid_from:
        raise ValidationError(_("Ngày ngừng hoạt động không được trước ngày thành lập."))
    before = snapshot(branch, BRANCH_FIELDS)
    branch.valid_to = closed_on
    branch.save()
    ensure_in_scope(branch, user, "change")
    audit_update(actor=user, obj=branch, before=before, fields=BRANCH_FIELDS)
    return branch


def _next_affiliated_code(city: UnionUnit) -> str:
    """The next free automatic code under the city union: "01-TT-01", "01-TT-02", ..."""
    prefix = f"{city.code}-TT-"
    numbers = [
        int(code.removeprefix(prefix))
        for code in UnionUnit.objects.filter(
            kind=UnionUnit.Kind.AFFILIATED, code__startswith=prefix
        ).values_list("code", flat=True)
        if code.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


@transaction.atomic
def affiliated_create(
    *, user, city: UnionUnit, code: str = "", name: str, valid_from: dt.date | None = None
) -> UnionUnit:
    """Add an affiliated unit (đơn vị trực thuộc) directly under the city union.

    Without a code, the next automatic one is taken; the city row is locked meanwhile so two
    officers adding units at once get different codes.
    """
    _require_scope(city, user, "add")
    if city.kind != UnionUnit.Kind.CITY:
        raise ValidationError(_("Đơn vị trực thuộc chỉ đặt dưới Hội LHPN tỉnh/thành phố."))
    name = normalize_text(name)
    code = normalize_text(code)
    if not code:
        UnionUnit.objects.select_for_update().filter(pk=city.pk).first()
        code = _next_affiliated_code(city)
    if not code or not name:
        raise ValidationError(_("Nhập mã và tên đơn vị trực thuộc."))
    valid_from = valid_from or timezone.localdate()
    if UnionUnit.objects.filter(kind=UnionUnit.Kind.AFFILIATED, code=code).exists():
        raise ValidationError({"code": _("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code}})
    unit = UnionUnit(
        kind=UnionUnit.Kind.AFFILIATED,
        code=code,
        name=name,
        parent=city,
        valid_from=valid_from,
    )
    unit.save()
    ensure_in_scope(unit, user, "add")
    audit_create(actor=user, obj=unit, fields=UNIT_FIELDS)
    return unit
