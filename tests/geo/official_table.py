"""Reading the official old → new conversion table of 2025 (tests only; never shipped).

The table (`../shared/data/dvhc-conversion-2025/`, see its README) is GPL as distributed, so
it stays outside the repository; the tests read it in place.

Three rows carry the code of a neighbouring old commune while naming another one of the same
district (e.g. "Xã Đặng Xá, 00553": 00553 is Xã Cổ Bi, Đặng Xá is 00556). Where the name
on the row does not match the code's commune, and exactly one commune of that old district
has that name, the row is read as that commune; `OfficialTable.recoded` lists those rows.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ansinh.core.text import fold

TABLE = Path("dvhc-conversion-2025") / "bang_chuyen_doi_dvhc_moi_cu_2025-07.csv"
_DISTRICT_CODE = re.compile(r"\((\d+)\)\s*$")


@dataclass
class OfficialTable:
    # old commune code → {new commune code: note ("Nhập toàn bộ", "Nhập một phần", ...)}
    links: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    # (line number, code written, name written, code read)
    recoded: list[tuple[int, str, str, str]] = field(default_factory=list)

    def new_codes(self, old_code: str) -> set[str]:
        return set(self.links.get(old_code, {}))

    def population_taker(self, old_code: str) -> set[str]:
        """New communes the table says took the old commune's whole population."""
        return {
            new for new, note in self.links.get(old_code, {}).items() if "toàn bộ dân số" in note
        }


def read_official_table(
    shared_data: Path,
    *,
    old_communes: dict[str, tuple[str, str]],
    new_province: str | None = None,
) -> OfficialTable:
    """Parse the table. `old_communes` maps old code → (name, district code), to resolve the
    miscoded rows; `new_province` ("01") keeps only that new province's rows."""
    names_by_district: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for code, (name, district) in old_communes.items():
        names_by_district[district][fold(name)].append(code)
    table = OfficialTable()
    with (shared_data / TABLE).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        for line, row in enumerate(reader, start=1):
            if line <= 2 or not row[2].strip() or not row[4].strip():
                continue  # titles, province title rows, zones without an old commune code
            if new_province and not row[0].strip().endswith(f"({new_province})"):
                continue
            new_code, old_name, old_code = row[2].strip(), row[3].strip(), row[4].strip()
            district = _DISTRICT_CODE.search(row[6].strip())
            known = old_communes.get(old_code)
            if known is None or fold(known[0]) != fold(old_name):
                candidates = names_by_district[district.group(1) if district else ""].get(
                    fold(old_name), []
                )
                if len(candidates) == 1 and candidates[0] != old_code:
                    table.recoded.append((line, old_code, old_name, candidates[0]))
                    old_code = candidates[0]
            table.links[old_code][new_code] = row[5].strip()
    return table
