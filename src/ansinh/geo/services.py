"""Loading a province's administrative units from the shipped data file.

`data/units.json.gz` is generated from the `vietnamadminunits` package (MIT) by
`scripts/build_units_data.py`, with the official table's corrections applied. Loading is an
upsert keyed by (era, level, code): running it twice leaves the same rows, renamed units are
updated in place (never deleted: union units and households point at them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from ansinh.core.audit import Action, audit_record
from ansinh.core.text import fold

from .models import AdminUnit, AdminUnitSuccession
from .selectors import units_data

BATCH_SIZE = 500

Era = AdminUnit.Era
Level = AdminUnit.Level
Kind = AdminUnitSuccession.Kind

Progress = Callable[[int, int], None]

UNIT_FIELDS = ["name", "short_name", "unit_type", "name_folded", "parent", "province_code"]
UNIT_FIELDS += ["valid_from", "valid_to"]


class UnitsLoadError(Exception):
    """The province cannot be loaded (message in Vietnamese, nothing was written)."""


def _unit_spec(*, era, level, code, name, short_name, unit_type, parent_key, province_code, dates):
    return {
        "key": (era, level, code),
        "name": name,
        "short_name": short_name or "",
        "unit_type": unit_type or "",
        "name_folded": fold(name),
        "parent_key": parent_key,
        "province_code": province_code,
        "valid_from": dates[0],
        "valid_to": dates[1],
    }


def _province_specs(province_code: str, province: dict, data: dict) -> list[dict]:
    """Every unit of the province, parents before children."""
    new_from = dt.date.fromisoformat(data["post_valid_from"])
    old_to = dt.date.fromisoformat(data["pre_valid_to"])
    new_dates, old_dates = (new_from, None), (None, old_to)
    new_province_key = (Era.POST_2025, Level.PROVINCE, province_code)
    specs = [
        _unit_spec(
            era=Era.POST_2025,
            level=Level.PROVINCE,
            code=province_code,
            name=province["name"],
            short_name=province["short"],
            unit_type=province["type"],
            parent_key=None,
            province_code=province_code,
            dates=new_dates,
        )
    ]
    for code, name, short_name, unit_type in province["communes"]:
        specs.append(
            _unit_spec(
                era=Era.POST_2025,
                level=Level.COMMUNE,
                code=code,
                name=name,
                short_name=short_name,
                unit_type=unit_type,
                parent_key=new_province_key,
                province_code=province_code,
                dates=new_dates,
            )
        )
    for old in province["old"]:
        old_key = (Era.PRE_2025, Level.PROVINCE, old["code"])
        specs.append(
            _unit_spec(
                era=Era.PRE_2025,
                level=Level.PROVINCE,
                code=old["code"],
                name=old["name"],
                short_name=old["short"],
                unit_type=old["type"],
                parent_key=None,
                province_code=old["code"],
                dates=old_dates,
            )
        )
        for code, name, short_name, unit_type in old["districts"]:
            specs.append(
                _unit_spec(
                    era=Era.PRE_2025,
                    level=Level.DISTRICT,
                    code=code,
                    name=name,
                    short_name=short_name,
                    unit_type=unit_type,
                    parent_key=old_key,
                    province_code=old["code"],
                    dates=old_dates,
                )
            )
        for code, name, short_name, unit_type, district_code in old["communes"]:
            specs.append(
                _unit_spec(
                    era=Era.PRE_2025,
                    level=Level.COMMUNE,
                    code=code,
                    name=name,
                    short_name=short_name,
                    unit_type=unit_type,
                    parent_key=(Era.PRE_2025, Level.DISTRICT, district_code),
                    province_code=old["code"],
                    dates=old_dates,
                )
            )
    return specs


def _succession_specs(province: dict) -> list[dict]:
    specs = []
    for old_code, targets in province["successions"].items():
        split = len(targets) > 1
        for new_code, kind, takes_population in targets:
            specs.append(
                {
                    "old": (Era.PRE_2025, Level.COMMUNE, old_code),
                    "new": (Era.POST_2025, Level.COMMUNE, new_code),
                    "kind": kind,
                    "takes_population": bool(takes_population),
                    # Stored data, not interface text: kept in Vietnamese, untranslated.
                    "note": f"Xã cũ được chia cho {len(targets)} xã mới" if split else "",
                }
            )
    for district_code, new_code in province.get("district_successions", {}).items():
        specs.append(
            {
                "old": (Era.PRE_2025, Level.DISTRICT, district_code),
                "new": (Era.POST_2025, Level.COMMUNE, new_code),
                "kind": Kind.WHOLE,
                "takes_population": True,
                "note": "Huyện không có đơn vị cấp xã, sắp xếp toàn bộ thành đặc khu",
            }
        )
    return specs


def _existing_units(keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], AdminUnit]:
    found: dict[tuple[str, str, str], AdminUnit] = {}
    by_group: dict[tuple[str, str], list[str]] = {}
    for era, level, code in keys:
        by_group.setdefault((era, level), []).append(code)
    for (era, level), codes in by_group.items():
        for start in range(0, len(codes), BATCH_SIZE):
            chunk = codes[start : start + BATCH_SIZE]
            for unit in AdminUnit.objects.filter(era=era, level=level, code__in=chunk):
                found[(unit.era, unit.level, unit.code)] = unit
    return found


def units_load(
    *, province_code: str, progress: Progress | None = None, actor=None
) -> dict[str, int]:
    """Load (or refresh) one post-2025 province: both trees and the succession between them.

    Returns counts: created/updated units and successions, and what the province holds.
    Raises `UnitsLoadError` for a province code the data file does not have.
    """
    data = units_data()
    province_code = (province_code or "").strip()
    if province_code.isdigit() and len(province_code) == 1:
        province_code = province_code.zfill(2)
    province = data["provinces"].get(province_code)
    if province is None:
        raise UnitsLoadError(
            _(
                "Không có tỉnh/thành phố mã “%(code)s” trong dữ liệu đơn vị hành chính. "
                "Các mã hợp lệ: %(codes)s."
            )
            % {"code": province_code, "codes": ", ".join(data["provinces"])}
        )

    unit_specs = _province_specs(province_code, province, data)
    succession_specs = _succession_specs(province)
    total = len(unit_specs) + len(succession_specs)
    done = 0

    def report(step: int) -> None:
        nonlocal done
        done += step
        if progress is not None:
            progress(done, total)

    report(0)
    counts = {"units_created": 0, "units_updated": 0}
    with transaction.atomic():
        units = _existing_units([spec["key"] for spec in unit_specs])
        # Parents come before children in `unit_specs`; write level by level so each
        # child's parent already has a primary key.
        for level_specs in _by_depth(unit_specs):
            to_create, to_update = [], []
            for spec in level_specs:
                parent = units[spec["parent_key"]] if spec["parent_key"] else None
                unit = units.get(spec["key"])
                values = {
                    "name": spec["name"],
                    "short_name": spec["short_name"],
                    "unit_type": spec["unit_type"],
                    "name_folded": spec["name_folded"],
                    "parent": parent,
                    "province_code": spec["province_code"],
                    "valid_from": spec["valid_from"],
                    "valid_to": spec["valid_to"],
                }
                if unit is None:
                    era, level, code = spec["key"]
                    unit = AdminUnit(era=era, level=level, code=code, **values)
                    to_create.append(unit)
                    units[spec["key"]] = unit
                elif any(
                    (getattr(unit, f"{name}_id") if name == "parent" else getattr(unit, name))
                    != (value.pk if name == "parent" and value is not None else value)
                    for name, value in values.items()
                ):
                    for name, value in values.items():
                        setattr(unit, name, value)
                    to_update.append(unit)
            for start in range(0, len(to_create), BATCH_SIZE):
                batch = to_create[start : start + BATCH_SIZE]
                AdminUnit.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                report(len(batch))
            if to_update:
                AdminUnit.objects.bulk_update(to_update, UNIT_FIELDS, batch_size=BATCH_SIZE)
            report(len(level_specs) - len(to_create))
            counts["units_created"] += len(to_create)
            counts["units_updated"] += len(to_update)
        if any(unit.pk is None for unit in units.values()):
            # Backends that do not return primary keys from bulk_create: read them back.
            units.update(_existing_units(list(units)))

        succession_counts = _load_successions(succession_specs, units, report)
        counts.update(succession_counts)
        counts.update(_province_counts(province_code, province))
        audit_record(
            action=Action.OTHER,
            actor=actor,
            object_type="geo.adminunit",
            object_id=province_code,
            object_repr=f"Nạp đơn vị hành chính: {province['name']}",
            changes={"province_code": province_code, **counts},
            scope_path="",
        )
    return counts


def _by_depth(specs: list[dict]) -> list[list[dict]]:
    """Group unit specs by tree depth (provinces, then districts/new communes, then old
    communes)."""
    depth: dict[tuple, int] = {}
    groups: dict[int, list[dict]] = {}
    for spec in specs:
        level = 0 if spec["parent_key"] is None else depth[spec["parent_key"]] + 1
        depth[spec["key"]] = level
        groups.setdefault(level, []).append(spec)
    return [groups[level] for level in sorted(groups)]


def _load_successions(specs: list[dict], units: dict, report) -> dict[str, int]:
    old_ids = {units[spec["old"]].pk for spec in specs}
    existing: dict[tuple[int, int], AdminUnitSuccession] = {}
    ids = sorted(old_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        for row in AdminUnitSuccession.objects.filter(old_id__in=ids[start : start + BATCH_SIZE]):
            existing[(row.old_id, row.new_id)] = row
    to_create, to_update, wanted = [], [], set()
    for spec in specs:
        old_id, new_id = units[spec["old"]].pk, units[spec["new"]].pk
        wanted.add((old_id, new_id))
        row = existing.get((old_id, new_id))
        if row is None:
            to_create.append(
                AdminUnitSuccession(
                    old_id=old_id,
                    new_id=new_id,
                    kind=spec["kind"],
                    takes_population=spec["takes_population"],
                    note=spec["note"],
                )
            )
        elif (row.kind, row.takes_population, row.note) != (
            spec["kind"],
            spec["takes_population"],
            spec["note"],
        ):
            row.kind = spec["kind"]
            row.takes_population = spec["takes_population"]
            row.note = spec["note"]
            to_update.append(row)
    # A succession the data no longer states (a corrected link) is removed.
    stale = [row.pk for key, row in existing.items() if key not in wanted]
    for start in range(0, len(stale), BATCH_SIZE):
        AdminUnitSuccession.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
    for start in range(0, len(to_create), BATCH_SIZE):
        batch = to_create[start : start + BATCH_SIZE]
        AdminUnitSuccession.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        report(len(batch))
    if to_update:
        AdminUnitSuccession.objects.bulk_update(
            to_update, ["kind", "takes_population", "note"], batch_size=BATCH_SIZE
        )
    report(len(specs) - len(to_create))
    return {
        "successions_created": len(to_create),
        "successions_updated": len(to_update),
        "successions_deleted": len(stale),
    }


def _province_counts(province_code: str, province: dict) -> dict[str, int]:
    communes = province["communes"]
    return {
        "communes": len(communes),
        "wards": sum(1 for c in communes if c[3] == "Phường"),
        "rural_communes": sum(1 for c in communes if c[3] == "Xã"),
        "old_provinces": len(province["old"]),
        "old_districts": sum(len(o["districts"]) for o in province["old"]),
        "old_communes": sum(len(o["communes"]) for o in province["old"]),
        "successions": sum(len(t) for t in province["successions"].values())
        + len(province.get("district_successions", {})),
    }
