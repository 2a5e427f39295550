"""Build src/ansinh/geo/data/units.json.gz from the `vietnamadminunits` package (MIT).

Why a generated file: the package pulls numpy, shapely, geopy and the GPL `unidecode`, and its
address converter may call an online geocoder. ansinh runs offline with few dependencies, so
the package is a build-time source only: this script reads its data files (the sqlite
`dataset.db` and `converter_2025.json`, never its Python API) and writes one compact file that
`ansinh.geo.services.units_load` reads at run time.

Regenerate (from the repository root), in a throw-away venv that has the package:

    python3 -m venv /tmp/vau && /tmp/vau/bin/pip install vietnamadminunits==1.0.4
    /tmp/vau/bin/python scripts/build_units_data.py

then run `pytest tests/geo` (with ../shared/data present, the official-table test cross-checks
every Hanoi old commune).

`src/ansinh/geo/data/corrections.json` holds, per old commune code, the complete list of new
communes that took it, where the package disagrees with the official conversion table of the
2025 reorganisation; those facts replace the package's for that old commune.

Layout of the output (JSON, gzip), chosen to be small: codes, not the package's key strings;
lists, not dicts of repeated keys.

    {"source": {package, version, licence, generated, corrections},
     "post_valid_from": "2025-07-01", "pre_valid_to": "2025-06-30",
     "provinces": {"01": {
        "name", "short", "type",
        "communes": [[code, name, short name, type], ...],        # post-2025
        "old": [{"code", "name", "short", "type",                 # pre-2025 provinces merged in
                 "districts": [[code, name, short name, type], ...],
                 "communes": [[code, name, short name, type, district code], ...]}],
        "successions": {old commune code: [[new code, "whole"|"part", takes_population], ...]},
        "district_successions": {old district code: new code}     # districts without communes
     }}}
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.metadata
import importlib.util
import json
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "src" / "ansinh" / "geo" / "data"
OUTPUT = DATA_DIR / "units.json.gz"
CORRECTIONS = DATA_DIR / "corrections.json"
PACKAGE = "vietnamadminunits"


def package_data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{PACKAGE} is not installed in this interpreter ({sys.executable}).")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def unit_type(name: str) -> str:
    """'Thành phố Hà Nội' → 'Thành phố'; 'Tỉnh Cao Bằng' → 'Tỉnh'."""
    return "Thành phố" if name.startswith("Thành phố ") else "Tỉnh"


def build() -> dict:
    data_dir = package_data_dir()
    database = sqlite3.connect(data_dir / "dataset.db")
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    corrections = json.loads(CORRECTIONS.read_text(encoding="utf-8"))["successions"]

    # Post-2025: provinces and communes.
    provinces: dict[str, dict] = {}
    new_code_by_key: dict[tuple[str, str], str] = {}
    new_province_of_commune: dict[str, str] = {}
    province_code_by_key: dict[str, str] = {}
    rows = database.execute(
        "SELECT provinceCode, province, provinceShort, provinceKey, "
        "wardCode, ward, wardShort, wardType, wardKey FROM admin_units ORDER BY wardCode"
    )
    for p_code, p_name, p_short, p_key, w_code, w_name, w_short, w_type, w_key in rows:
        province = provinces.setdefault(
            p_code,
            {
                "name": p_name,
                "short": p_short,
                "type": unit_type(p_name),
                "communes": [],
                "old": [],
                "successions": {},
                "district_successions": {},
            },
        )
        province["communes"].append([w_code, w_name, w_short, w_type])
        new_code_by_key[(p_key, w_key)] = w_code
        new_province_of_commune[w_code] = p_code
        province_code_by_key[p_key] = p_code

    # Pre-2025: provinces, districts, communes (a few island districts have no commune).
    old_provinces: dict[str, dict] = {}
    old_by_key: dict[str, tuple[str, str, str | None]] = {}
    seen_districts: set[str] = set()
    rows = database.execute(
        "SELECT provinceCode, province, provinceShort, provinceKey, districtCode, district, "
        "districtShort, districtType, districtKey, wardCode, ward, wardShort, wardType, wardKey "
        "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    )
    for (
        p_code,
        p_name,
        p_short,
        p_key,
        d_code,
        d_name,
        d_short,
        d_type,
        d_key,
        w_code,
        w_name,
        w_short,
        w_type,
        w_key,
    ) in rows:
        old = old_provinces.setdefault(
            p_key,
            {
                "code": p_code,
                "name": p_name,
                "short": p_short,
                "type": unit_type(p_name),
                "districts": [],
                "communes": [],
            },
        )
        if d_code not in seen_districts:
            seen_districts.add(d_code)
            old["districts"].append([d_code, d_name, d_short, d_type])
        if w_code:
            old["communes"].append([w_code, w_name, w_short, w_type, d_code])
        old_by_key[f"{p_key}_{d_key}_{w_key or ''}"] = (p_code, d_code, w_code or None)

    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        target = provinces[province_code_by_key[new_key]]
        target["old"] = sorted((old_provinces[key] for key in old_keys), key=lambda o: o["code"])

    # Successions from the package: merged whole, or divided (isDefaultNewWard = takes the
    # population).
    successions: dict[str, dict[str, list]] = defaultdict(dict)
    district_successions: dict[str, str] = {}
    for new_province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward_key, old_keys in wards.items():
            new_code = new_code_by_key[(new_province_key, new_ward_key)]
            for old_key in old_keys:
                _, district_code, commune_code = old_by_key[old_key]
                if commune_code is None:
                    district_successions[district_code] = new_code
                else:
                    successions[commune_code][new_code] = [new_code, "whole", True]
    for new_province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in divided.items():
            commune_code = old_by_key[old_key][2]
            for target in targets:
                new_code = new_code_by_key[(new_province_key, target["newWardKey"])]
                successions[commune_code][new_code] = [
                    new_code,
                    "part",
                    bool(target["isDefaultNewWard"]),
                ]

    # The official table wins where it disagrees (corrections.json).
    all_old_communes = {c[0] for o in old_provinces.values() for c in o["communes"]}
    for old_code, correction in corrections.items():
        if old_code not in all_old_communes:
            sys.exit(f"corrections.json: unknown old commune {old_code}")
        successions[old_code] = {entry[0]: list(entry) for entry in correction["new"]}

    # Attach to the new province each old commune's successors lie in, and check.
    for old_code, targets in successions.items():
        entries = sorted(targets.values())
        homes = {new_province_of_commune[entry[0]] for entry in entries}
        if len(homes) != 1:
            sys.exit(f"old commune {old_code} succeeds into several provinces: {homes}")
        kinds = {entry[1] for entry in entries}
        if kinds != ({"whole"} if len(entries) == 1 else {"part"}):
            sys.exit(f"old commune {old_code}: inconsistent whole/part {entries}")
        provinces[homes.pop()]["successions"][old_code] = entries
    for district_code, new_code in district_successions.items():
        provinces[new_province_of_commune[new_code]]["district_successions"][district_code] = (
            new_code
        )
    missing = all_old_communes - set(successions)
    if missing:
        sys.exit(f"old communes without a successor: {sorted(missing)[:20]}")
    for code, province in provinces.items():
        own = {c[0] for o in province["old"] for c in o["communes"]}
        if set(province["successions"]) != own:
            sys.exit(f"province {code}: successions do not cover exactly its old communes")
        province["successions"] = dict(sorted(province["successions"].items()))

    return {
        "source": {
            "package": PACKAGE,
            "version": importlib.metadata.version(PACKAGE),
            "licence": "MIT",
            "url": "https://pypi.org/project/vietnamadminunits/",
            "generated": dt.date.today().isoformat(),
            "corrections": len(corrections),
            "generator": "scripts/build_units_data.py",
        },
        "post_valid_from": "2025-07-01",
        "pre_valid_to": "2025-06-30",
        "provinces": dict(sorted(provinces.items())),
    }


def main() -> None:
    data = build()
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # mtime=0: the same input gives byte-identical output.
    OUTPUT.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    provinces = data["provinces"]
    print(
        f"{OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size:,} bytes gz "
        f"({len(payload):,} raw); {len(provinces)} provinces, "
        f"{sum(len(p['communes']) for p in provinces.values())} new communes, "
        f"{sum(len(o['communes']) for p in provinces.values() for o in p['old'])} old communes, "
        f"{data['source']['corrections']} corrections applied"
    )


if __name__ == "__main__":
    main()
