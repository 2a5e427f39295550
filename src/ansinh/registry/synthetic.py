"""Synthetic registry data for demos and benchmarks (`ansinh seed --scale N`).

Households and people spread over a province's current commune unions (and their branches),
with realistic names, ages, addresses, citizen IDs, phones, vulnerabilities and needs. No real
person is in it: given names come from `vietnamese-namedb` (a list of given names, read in
place from `../shared/data`), surnames and middle names from the hand-written weighted lists
below, street and village names from a hand-written list.

The population
--------------
A household lives at an address in one commune: a street (or a village, thôn/xóm) drawn from
the commune's own ~25 streets, a house number and often an alley ("Số 12 ngõ 45 Hàng Bạc",
"Xóm 3, Thôn Đông"), and the branch's locality when a branch manages it. Households are a
single mother with children (25%), an elderly woman alone (15%), a woman migrant worker (10%)
or a family (50%). Adults carry a citizen ID (CCCD) 85% of the time (children 40%), adults of
18–75 a mobile phone 70% of the time, and the date of birth is known in full for 85% of
people (the rest have the year only).

Injected duplicates: how a second record of the same person arises
-------------------------------------------------------------------
A duplicate in a real registry is the same woman registered twice: by two branches, by an
import and a form, or again after moving. About 3% of people get a second record; each
duplicate starts from an adult and follows one of these stories (shares of duplicates):

- **household registered again** (55%): another branch, or an import of a list the commune
  already typed in, registers her household a second time: a new household record in the same
  commune and locality, the address written another way ("12/45 Hàng Bạc", "so 12 ngo 45 hang
  bac"; 15% only the street, 5% no address); half the time her children / husband are
  registered again with her (their pairs are duplicates too, in the truth file);
- **same household record** (10%): the member list of her household entered again (an
  import over a form), so the second record sits in the same household;
- **moved within the commune** (10%): a new address in the same commune;
- **moved to a neighbouring commune** (20%): a commune that took part of the same pre-2025
  district (the `geo` succession table), where most moves go; a new address (the registry has
  no notes field to keep the old one), sometimes (40%) with her children;
- **moved elsewhere in the city** (5%).

On every second record: the name is written differently 70% of the time (without accents,
another tone mark placement Hoà/Hòa, one typo, a middle name dropped or swapped); the birth is
recorded in full (from the CCCD card) 75% of the time — 90% when she registers anew in
another commune — else the year only, or day and month swapped (8% of full dates, when both
are ≤ 12); the phone is the same 65%, missing 25%, a new number 10% (a record without phone
gets one 35% of the time); the citizen ID, unique in the registry, is on one record only (on
the new one 30% of the time); ethnicity is kept (a minority ethnicity is left at the form's
default, Kinh, 10% of the time) and union membership is kept 90% of the time.

With these shares a duplicate that shows only name + birth year, in another commune, with no
phone in common is rare (the seed tests check it stays ≤ 3% of duplicates): those are the
genuinely unresolvable ones and they stay in the truth file, so recall counts them honestly.
Nothing here looks at the matcher: the shares are what registration practice suggests.

Hard negatives: about 1% of people are another person with the same full name and birth year
— her own date of birth, phone and CCCD (on the usual shares), in another household: in the
same commune 30% of the time, otherwise anywhere in the city. (The population also has the
natural namesakes that common names produce.)

Files: true pairs in `var/seed/duplicates-truth.csv` (`person_id_a,person_id_b`, a < b), the
story of each pair in `duplicates-kinds.csv` beside it, the hard negatives in
`hard-negatives.csv`.

Writing
-------
Ids are reserved from the tables' sequences (PostgreSQL) or follow the largest id (SQLite).
PostgreSQL: one COPY text buffer per table per chunk, written by a thread while the next chunk
is generated; when the seed is large against what the tables hold, the secondary indexes,
unique and foreign keys are dropped inside the transaction and re-created after the load (building an index once is much cheaper than
maintaining it row by row; re-adding a foreign key validates it with one join). The search vocabulary
(`registry_name_token`) is kept by its statement-level trigger, which fires once per COPY.
SQLite: `executemany` in chunks (its FTS and vocabulary row triggers fire as usual).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import queue
import random
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from ansinh.core.text import fold
from ansinh.core.validators import PROVINCE_CODES
from ansinh.org.models import UnionUnit

from .importing.commit import bulk_begin, bulk_end
from .matching import commune_neighbours
from .models import (
    Household,
    Need,
    NeedCategory,
    Person,
    PersonVulnerability,
    VulnerabilityCategory,
)
from .reference import ETHNICITIES, ETHNICITY_KINH

NAMEDB_DIR = settings.PROJECT_DIR.parent / "shared" / "data" / "vietnamese-namedb"
# Base people generated and written per round (duplicates and namesakes come on top).
CHUNK = 50_000
# PostgreSQL: drop and re-create indexes when adding at least this many people and at least
# as many as the table already holds.
BULK_MIN_PEOPLE = 50_000

# Share of the population (%), roughly as in national surveys; Nguyễn is about 38%.
SURNAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 4.5),
    ("Huỳnh", 0.6),
    ("Phan", 4.0),
    ("Vũ", 3.9),
    ("Võ", 0.6),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đào", 0.8),
    ("Đinh", 0.8),
    ("Mai", 0.5),
    ("Trịnh", 0.6),
    ("Lương", 0.4),
    ("Tạ", 0.3),
    ("Cao", 0.4),
    ("Lưu", 0.3),
    ("Chu", 0.3),
    ("Kiều", 0.3),
    ("Phùng", 0.3),
    ("Đoàn", 0.5),
    ("Hà", 0.5),
    ("Tô", 0.2),
    ("Khúc", 0.1),
    ("Lại", 0.2),
    ("Quách", 0.1),
    ("Nghiêm", 0.1),
    ("Vương", 0.2),
]
MALE_MIDDLE = [("Văn", 55), ("Đức", 12), ("Minh", 10), ("Quang", 7), ("Hữu", 6), ("Công", 5)]
MALE_MIDDLE += [("Xuân", 3), ("Thành", 2)]
# Popular one-syllable given names weigh more than the long tail of the name lists.
POPULAR_WOMEN = "Hoa Lan Hương Mai Hà Linh Trang Thảo Hằng Nga Dung Hạnh Hòa Huyền Thủy Yến"
POPULAR_WOMEN += " Loan Liên Phương Thu Hiền Nhung Vân Oanh Tâm Hồng Anh Ngọc Thúy Quỳnh"
POPULAR_MEN = "Hùng Dũng Nam Tuấn Minh Hải Long Sơn Thắng Cường Quân Hoàng Tùng Trung Bình Đức"
# Used when the name lists are not beside the checkout.
FALLBACK_WOMEN = ["Thu Hà", "Phương Anh", "Ngọc Lan", "Minh Thư", "Thanh Hương", "Bích Ngọc"]
FALLBACK_MEN = ["Minh Đức", "Quốc Anh", "Văn Nam", "Đức Thắng", "Hoàng Long", "Gia Bảo"]
OCCUPATIONS = ["Làm ruộng", "Buôn bán nhỏ", "Công nhân", "Lao động tự do", "Nội trợ", "Giúp việc"]
OCCUPATIONS += ["Học sinh", "Hưu trí", "Thợ may", "Không có việc làm"]
# Streets (phố, đường) and villages (thôn): each commune gets its own draw of them.
STREETS = """Hàng Bạc|Hàng Đào|Lý Thái Tổ|Cổ Loa|Đông Hội|Uy Nỗ|Vân Trì|Lê Lợi|Trần Phú|Nguyễn Trãi|
Quang Trung|Hai Bà Trưng|Lý Thường Kiệt|Trần Hưng Đạo|Phan Đình Phùng|Hoàng Hoa Thám|Nguyễn Du|
Bà Triệu|Lê Duẩn|Giải Phóng|Kim Mã|Cầu Giấy|Xuân Thủy|Tây Sơn|Chùa Bộc|Thái Hà|Láng|Minh Khai|
Bạch Mai|Lạc Long Quân|Âu Cơ|Nghi Tàm|Ngọc Lâm|Nguyễn Văn Cừ|Tam Trinh|Lĩnh Nam|Kim Giang|
Vũ Tông Phan|Khương Đình|Tân Mai|Định Công|Hoàng Mai|Mỹ Đình|Phú Diễn|Cầu Diễn|Hồ Tùng Mậu|
Trần Cung|Phạm Văn Đồng|Văn Cao|Đội Cấn|Liễu Giai|Ngọc Hà|Thụy Khuê|An Dương Vương|Lạc Trung|
Kim Ngưu|Lò Đúc|Hàng Bông|Hàng Gai|Chợ Gạo""".replace("\n", "").split("|")
VILLAGES = "Đông|Đoài|Thượng|Hạ|Trung|Nam|Bắc|Chợ|Đình|Cầu|Giữa|Ngoài|Trong|Mới|Tân Lập|An Lạc"
VILLAGES = [f"Thôn {name}" for name in VILLAGES.split("|")]
STREETS_PER_COMMUNE = 25
# Mobile prefixes in use (after the 2018 renumbering) whose whole 7-digit range is valid for
# libphonenumber (089 is only partly allocated, so it is left out).
MOBILE_PREFIXES = ["90", "91", "93", "94", "96", "97", "98", "86", "88", "92", "32", "33", "34"]
MOBILE_PREFIXES += ["35", "36", "37", "38", "39", "70", "76", "77", "78", "79", "81", "82", "83"]
MOBILE_PREFIXES += ["84", "85", "56", "58", "59"]
# Tone mark on the first or the second vowel of oa/oe/uy: both spellings are in use.
TONE_PLACEMENT = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
TONE_PLACEMENT.update({new: old for old, new in list(TONE_PLACEMENT.items())})

# How a second record arises (see the module docstring): (kind, share of duplicates).
DUPLICATE_KINDS = [
    ("household_again", 0.55),
    ("same_household", 0.10),
    ("moved_in_commune", 0.10),
    ("moved_neighbour", 0.20),
    ("moved_elsewhere", 0.05),
]
HARD_NEGATIVE_SAME_COMMUNE = 0.30

# Characters COPY's text format would read as structure.
_UNSAFE = re.compile(r"[\\\t\r\n\x00-\x1f]")
# Full names repeat a lot: fold each once.
_fold = functools.lru_cache(maxsize=200_000)(fold)


@dataclass
class SeedResult:
    people: int = 0
    households: int = 0
    duplicates: int = 0
    hard_negatives: int = 0
    vulnerabilities: int = 0
    needs: int = 0
    seconds: float = 0.0
    index_seconds: float = 0.0  # PostgreSQL bulk mode: re-creating indexes and keys
    truth_path: Path | None = None
    duplicate_pairs: list[tuple[int, int]] = field(default_factory=list, repr=False)
    duplicate_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.people / self.seconds if self.seconds else 0.0


def _read_names(file_name: str, fallback: list[str]) -> list[str]:
    path = NAMEDB_DIR / file_name
    if not path.is_file():
        return list(fallback)
    names = [
        _UNSAFE.sub("", unicodedata.normalize("NFC", line)).strip()
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return [name for name in names if name] or list(fallback)


def _table(pairs: list[tuple[str, float]], size: int = 2000) -> list[str]:
    """A lookup table where each value fills its share of `size` slots (draw = one index)."""
    total = sum(weight for _, weight in pairs)
    table: list[str] = []
    for value, weight in pairs:
        table.extend([value] * max(1, round(size * weight / total)))
    return table


class _Names:
    """Draws realistic full names (cheap draws: one `random()` per choice)."""

    def __init__(self, rng: random.Random):
        self.random = rng.random
        self.surnames = _table(SURNAMES)
        self.male_middle = _table(MALE_MIDDLE)
        self.women = _read_names("girl.txt", FALLBACK_WOMEN)
        self.men = _read_names("boy.txt", FALLBACK_MEN)
        self.women_one = sorted({name.split()[-1] for name in self.women})
        self.men_one = sorted({name.split()[-1] for name in self.men})
        self.popular_women = POPULAR_WOMEN.split()
        self.popular_men = POPULAR_MEN.split()

    def _pick(self, values: list[str]) -> str:
        return values[int(self.random() * len(values))]

    def surname(self) -> str:
        return self._pick(self.surnames)

    def _one(self, popular: list[str], tail: list[str]) -> str:
        return self._pick(popular if self.random() < 0.6 else tail)

    def full(self, sex: str, surname: str | None = None) -> str:
        surname = surname or self.surname()
        pick = self.random()
        if sex == "F":
            if pick < 0.45:
                return f"{surname} Thị {self._one(self.popular_women, self.women_one)}"
            if pick < 0.75:
                return f"{surname} {self._pick(self.women)}"
            return f"{surname} Thị {self._pick(self.women)}"
        if pick < 0.45:
            middle = self._pick(self.male_middle)
            return f"{surname} {middle} {self._one(self.popular_men, self.men_one)}"
        return f"{surname} {self._pick(self.men)}"


class _Ids:
    """Ids for new rows, reserved from the table's sequence (PostgreSQL) or after max(id).

    PostgreSQL: `nextval` in blocks of 20,000 — or, in bulk mode, where the seed holds the
    tables' exclusive locks so nobody else can draw from the sequences, whole ranges moved
    past with one `setval`.
    """

    def __init__(self, model: type[models.Model], *, ranges: bool = False):
        self.table = model._meta.db_table
        self.ranges = ranges
        self.next = 1
        self.end = 0  # ids next..end are ours
        self.pool: list[int] = []
        self.at = 0
        self.postgresql = connection.vendor == "postgresql"
        if not self.postgresql:
            self.next = (model._base_manager.aggregate(m=models.Max("id"))["m"] or 0) + 1
            self.end = 1 << 62

    def take(self) -> int:
        if self.next <= self.end:
            self.next += 1
            return self.next - 1
        if self.ranges:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                    " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                    [self.table, self.table, 200_000],
                )
                self.end = cursor.fetchone()[0]
            self.next = self.end - 200_000 + 1
            return self.take()
        if self.at >= len(self.pool):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, 20_000],
                )
                self.pool = [row[0] for row in cursor.fetchall()]
            self.at = 0
        value = self.pool[self.at]
        self.at += 1
        return value


class _Generator:
    def __init__(
        self,
        *,
        rng: random.Random,
        communes: list[dict],
        today: dt.date,
        neighbours: dict,
        id_ranges: bool = False,
    ):
        self.rng = rng
        self.random = rng.random
        self.names = _Names(rng)
        self.communes = communes
        self.by_admin_unit = {c["admin_unit_id"]: c for c in communes}
        self.neighbours = {
            c["admin_unit_id"]: [
                self.by_admin_unit[n]
                for n in sorted(neighbours.get(c["admin_unit_id"], ()))
                if n in self.by_admin_unit
            ]
            for c in communes
        }
        for commune in communes:
            pool = STREETS + VILLAGES
            commune["streets"] = rng.sample(pool, min(STREETS_PER_COMMUNE, len(pool)))
        self.today = today
        self.today_ordinal = today.toordinal()
        self.ids = {
            "household": _Ids(Household, ranges=id_ranges),
            "person": _Ids(Person, ranges=id_ranges),
            "vulnerability": _Ids(PersonVulnerability, ranges=id_ranges),
            "need": _Ids(Need, ranges=id_ranges),
        }
        self.used_citizen_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.province_codes = list(PROVINCE_CODES)
        self.minority = [code for code, _ in ETHNICITIES if code != ETHNICITY_KINH]
        self.kind_table = _table(DUPLICATE_KINDS, 100)
        self.households: list[dict] = []
        self.people: list[dict] = []
        self.vulnerabilities: list[dict] = []
        self.needs: list[dict] = []
        self.members: dict[int, list[dict]] = {}
        self.pairs: list[tuple[int, int, str]] = []
        self.hard_negatives: list[tuple[int, int]] = []
        self.taken: set[int] = set()

    def _next(self, table: str) -> int:
        return self.ids[table].take()

    def _int(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def _pick(self, values):
        return values[int(self.random() * len(values))]

    # --- values -------------------------------------------------------------------------

    def birth(self, age_low: int, age_high: int) -> dt.date:
        days = self._int(age_low, age_high) * 365 + int(self.random() * 365)
        return dt.date.fromordinal(self.today_ordinal - days)

    def citizen_id(self, sex: str, year: int) -> str:
        province = "001" if self.random() < 0.7 else self._pick(self.province_codes)
        century = (year // 100 - 19) * 2 + (1 if sex == "F" else 0)
        while True:
            number = f"{province}{century}{year % 100:02d}{int(self.random() * 1_000_000):06d}"
            if number not in self.used_citizen_ids:
                self.used_citizen_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = f"+84{self._pick(MOBILE_PREFIXES)}{int(self.random() * 10_000_000):07d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def address(self, commune: dict) -> tuple:
        """(house number, alley, street or village) — written out by `address_line`."""
        street = self._pick(commune["streets"])
        number = self._int(1, 30) if self.random() < 0.5 else self._int(1, 400)
        alley = self._int(1, 200) if street in VILLAGES or self.random() < 0.4 else 0
        return number, alley, street

    def address_line(self, parts: tuple, style: int = 0) -> str:
        """The address as an officer writes it; `style` 0 is the usual way, 1–4 others."""
        number, alley, street = parts
        if street.startswith("Thôn"):
            usual = f"Xóm {alley}, {street}"
            if style == 1:
                return f"{street}, xóm {alley}"
            if style == 2:
                return fold(usual).title()
            if style == 3:
                return street  # the village only
            return usual
        if style == 1:
            return f"{number}/{alley} {street}" if alley else f"{number} {street}"
        if style == 2:
            written = f"so {number} ngo {alley} {street}" if alley else f"so {number} {street}"
            return fold(written)
        if style == 3:
            return f"Ngõ {alley} {street}" if alley else f"Phố {street}"  # no house number
        return f"Số {number} ngõ {alley} {street}" if alley else f"Số {number} {street}"

    # --- records ------------------------------------------------------------------------

    def household(self, commune: dict, poverty: str, parts: tuple | None = None) -> dict:
        unit = commune
        if commune["branches"] and self.random() < 0.4:
            unit = self._pick(commune["branches"])
        parts = parts or self.address(commune)
        row = {
            "id": self._next("household"),
            "unit_id": unit["id"],
            "scope_path": unit["path"],
            "commune_id": commune["admin_unit_id"],
            "locality_id": unit.get("locality_id"),
            "address_line": self.address_line(parts),
            "poverty_status": poverty,
            "poverty_standard": "2022-2025" if poverty != "none" else "",
            "poverty_year": self._int(2022, 2025) if poverty != "none" else None,
            "_commune": commune,
            "_address": parts,
        }
        self.households.append(row)
        self.members[row["id"]] = []
        return row

    def person(
        self,
        household: dict,
        *,
        sex: str,
        ages: tuple[int, int],
        relation: str,
        surname: str | None = None,
    ) -> dict:
        random_ = self.random
        full_name = self.names.full(sex, surname)
        born = self.birth(*ages)
        year = born.year
        age = self.today.year - year
        has_id = random_() < (0.85 if age >= 14 else 0.4)
        row = {
            "id": self._next("person"),
            "household_id": household["id"],
            "unit_id": household["unit_id"],
            "scope_path": household["scope_path"],
            "full_name": full_name,
            "name_folded": _fold(full_name),
            "sex": sex,
            "birth_date": born if random_() < 0.85 else None,
            "birth_year": year,
            "citizen_id": self.citizen_id(sex, year) if has_id else None,
            "phone": self.phone() if 18 <= age <= 75 and random_() < 0.7 else "",
            "ethnicity": ETHNICITY_KINH if random_() < 0.95 else self._pick(self.minority),
            "relation": relation,
            "is_union_member": sex == "F" and age >= 18 and random_() < 0.3,
            "occupation": self._pick(OCCUPATIONS) if age >= 15 else "",
            "_born": born,
            "_household": household,
        }
        self.people.append(row)
        self.members[household["id"]].append(row)
        return row

    def household_with_members(self, categories: dict, needs: list[int]) -> list[dict]:
        random_ = self.random
        commune = self._pick(self.communes)
        draw = random_()
        poverty = "poor" if draw < 0.12 else "near_poor" if draw < 0.25 else "none"
        household = self.household(commune, poverty)
        kind = random_()
        members = []
        if kind < 0.25:  # a single mother and her children
            mother = self.person(household, sex="F", ages=(20, 50), relation="head")
            members.append(mother)
            surname = mother["full_name"].split()[0]
            for _ in range(self._int(1, 3)):
                members.append(
                    self.person(
                        household,
                        sex="F" if random_() < 0.5 else "M",
                        ages=(0, 17),
                        relation="child",
                        surname=surname,
                    )
                )
        elif kind < 0.40:  # an elderly woman living alone
            members.append(self.person(household, sex="F", ages=(60, 95), relation="head"))
        elif kind < 0.50:  # a woman migrant worker
            members.append(self.person(household, sex="F", ages=(18, 45), relation="head"))
        else:  # a family: couple, children, sometimes a grandparent
            husband = self.person(household, sex="M", ages=(25, 65), relation="head")
            members.append(husband)
            members.append(self.person(household, sex="F", ages=(22, 60), relation="spouse"))
            surname = husband["full_name"].split()[0]
            for _ in range(self._int(0, 3)):
                members.append(
                    self.person(
                        household,
                        sex="F" if random_() < 0.5 else "M",
                        ages=(0, 17),
                        relation="child",
                        surname=surname,
                    )
                )
            if random_() < 0.2:
                members.append(self.person(household, sex="F", ages=(65, 95), relation="parent"))
        for member in members:
            self.vulnerabilities_for(member, household, kind, categories)
            if random_() < 0.3:
                status = "met" if random_() < 0.3 else "open"
                opened = self.today - dt.timedelta(days=self._int(10, 900))
                self.needs.append(
                    {
                        "id": self._next("need"),
                        "person_id": member["id"],
                        "category_id": self._pick(needs),
                        "status": status,
                        "opened_on": opened,
                        "met_on": opened + dt.timedelta(days=self._int(5, 200))
                        if status == "met"
                        else None,
                    }
                )
        return members

    def vulnerabilities_for(self, person: dict, household: dict, kind: float, categories):
        random_ = self.random
        age = self.today.year - person["birth_year"]
        head = person["relation"] == "head"
        codes = []
        if household["poverty_status"] == "poor" and head:
            codes.append("HO_NGHEO")
        if household["poverty_status"] == "near_poor" and head:
            codes.append("HO_CAN_NGHEO")
        if age < 16:
            if household["poverty_status"] == "poor":
                codes.append("TE_HO_NGHEO")
            if random_() < 0.05:
                codes.append(self._pick(["TE_MO_COI", "TE_HOAN_CANH_DAC_BIET", "TE_KHUYET_TAT"]))
        elif person["sex"] == "F":
            if kind < 0.25 and head:
                codes.append("PN_DON_THAN_NUOI_CON")
            elif 0.25 <= kind < 0.40:
                codes.append("PN_CAO_TUOI_CO_DON")
            elif 0.40 <= kind < 0.50:
                codes.append("LD_NU_DI_CU")
            if random_() < 0.06:
                codes.append(
                    self._pick(["PN_KHUYET_TAT", "LD_NU_MAT_VIEC", "ME_VNAH_NGUOI_CO_CONG"])
                )
            if person["ethnicity"] != ETHNICITY_KINH:
                codes.append("PN_DAN_TOC_THIEU_SO")
            if random_() < 0.01:
                codes.append("PN_BI_BAO_LUC_GIOI")
        if random_() < 0.002:
            codes.append("NGUOI_NHIEM_HIV")
        for code in dict.fromkeys(codes):
            if code in categories:
                self.vulnerabilities.append(
                    {
                        "id": self._next("vulnerability"),
                        "person_id": person["id"],
                        "category_id": categories[code],
                        "since": self.today - dt.timedelta(days=self._int(30, 2000)),
                    }
                )

    # --- duplicates ----------------------------------------------------------------------

    def _typo(self, name: str) -> str:
        words = name.split()
        index = self._int(1, len(words) - 1) if len(words) > 1 else 0
        word = words[index]
        if len(word) >= 3 and self.random() < 0.5:
            at = int(self.random() * (len(word) - 1))
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif len(word) >= 2:
            at = self._int(1, len(word) - 1)
            word = word[:at] + self._pick("aeionhtmgc") + word[at + 1 :]
        words[index] = word
        return " ".join(words)

    def _variant_name(self, name: str) -> str:
        words = name.split()
        choice = self.random()
        if choice < 0.25:  # typed without accents
            return " ".join(w.capitalize() for w in fold(name).split())
        if choice < 0.45:  # the other tone mark placement, if the name has one
            for old, new in TONE_PLACEMENT.items():
                if old in name:
                    return name.replace(old, new, 1)
            return " ".join(w.capitalize() for w in fold(name).split())
        if choice < 0.65:
            return self._typo(name)
        if len(words) >= 4 and self.random() < 0.5:  # middle names swapped
            words[1], words[2] = words[2], words[1]
            return " ".join(words)
        if len(words) >= 3:  # middle name left out
            return " ".join([words[0], *words[2:]])
        return self._typo(name)

    def _second_record(
        self, original: dict, household: dict, *, relation: str, anew: bool, kind: str
    ) -> dict:
        """Her second record in `household`, written the way another office writes it."""
        random_ = self.random
        copy = dict(original)
        copy["id"] = self._next("person")
        copy["household_id"] = household["id"]
        copy["unit_id"] = household["unit_id"]
        copy["scope_path"] = household["scope_path"]
        copy["_household"] = household
        copy["relation"] = relation
        if random_() < 0.7:
            copy["full_name"] = self._variant_name(original["full_name"])
            copy["name_folded"] = _fold(copy["full_name"])
        born = original["_born"]
        if random_() < (0.9 if anew else 0.75):
            copy["birth_date"] = born
            if born.day <= 12 and born.day != born.month and random_() < 0.08:
                copy["birth_date"] = born.replace(day=born.month, month=born.day)
        else:
            copy["birth_date"] = None
        # Citizen IDs are unique in the registry: only one of the two records has it.
        copy["citizen_id"] = None
        if original["citizen_id"] and random_() < 0.3:
            copy["citizen_id"], original["citizen_id"] = original["citizen_id"], None
        age = self.today.year - original["birth_year"]
        if original["phone"]:
            draw = random_()
            copy["phone"] = original["phone"] if draw < 0.65 else "" if draw < 0.9 else self.phone()
        else:
            copy["phone"] = self.phone() if 18 <= age <= 75 and random_() < 0.35 else ""
        if original["ethnicity"] != ETHNICITY_KINH and random_() < 0.1:
            copy["ethnicity"] = ETHNICITY_KINH
        if random_() < 0.1:
            copy["is_union_member"] = not original["is_union_member"] and age >= 18
        if random_() < 0.3 and age >= 15:
            copy["occupation"] = self._pick(OCCUPATIONS)
        self.people.append(copy)
        self.members[household["id"]].append(copy)
        self.pairs.append((original["id"], copy["id"], kind))
        self.taken.add(original["id"])
        self.taken.add(copy["id"])
        return copy

    def duplicate_of(self, original: dict) -> int:
        """A second record of `original` (and maybe of her household); records made."""
        random_ = self.random
        home = original["_household"]
        commune = home["_commune"]
        kind = self._pick(self.kind_table)
        if kind == "moved_neighbour" and not self.neighbours[commune["admin_unit_id"]]:
            kind = "moved_in_commune"
        relation = "head"
        with_family = False
        if kind == "same_household":
            self._second_record(
                original, home, relation=original["relation"], anew=False, kind=kind
            )
            return 1
        if kind == "household_again":
            draw = random_()
            style = 0 if draw < 0.25 else 1 if draw < 0.5 else 2 if draw < 0.8 else 3
            household = self.household(commune, home["poverty_status"], home["_address"])
            if random_() < 0.5:  # the same branch again (else whichever branch picked it up)
                household["unit_id"], household["scope_path"] = home["unit_id"], home["scope_path"]
                household["locality_id"] = home["locality_id"]
            household["address_line"] = (
                self.address_line(home["_address"], style) if random_() < 0.95 else ""
            )
            relation = original["relation"]
            with_family = random_() < 0.5
        elif kind == "moved_in_commune":
            household = self.household(commune, "none")
        elif kind == "moved_neighbour":
            household = self.household(
                self._pick(self.neighbours[commune["admin_unit_id"]]), "none"
            )
            with_family = random_() < 0.4
        else:  # moved_elsewhere
            household = self.household(self._pick(self.communes), "none")
        anew = kind in ("moved_neighbour", "moved_elsewhere")
        self._second_record(original, household, relation=relation, anew=anew, kind=kind)
        made = 1
        if with_family:
            for member in self.members[home["id"]]:
                if member is original or member["id"] in self.taken:
                    continue
                if kind == "moved_neighbour" and member["relation"] != "child":
                    continue  # she moves with her children
                self._second_record(
                    member, household, relation=member["relation"], anew=anew, kind=kind
                )
                made += 1
        return made

    def hard_negative_of(self, original: dict) -> dict:
        """Another person with the same name and birth year, in another household."""
        random_ = self.random
        commune = original["_household"]["_commune"]
        if random_() >= HARD_NEGATIVE_SAME_COMMUNE:
            commune = self._pick(self.communes)
        household = self.household(commune, "none")
        year = original["birth_year"]
        born = dt.date(year, self._int(1, 12), self._int(1, 28))
        age = self.today.year - year
        row = dict(original)
        row.update(
            id=self._next("person"),
            household_id=household["id"],
            unit_id=household["unit_id"],
            scope_path=household["scope_path"],
            relation="head" if random_() < 0.6 else "spouse",
            birth_date=born if random_() < 0.85 else None,
            citizen_id=self.citizen_id(original["sex"], year) if random_() < 0.85 else None,
            phone=self.phone() if 18 <= age <= 75 and random_() < 0.7 else "",
            ethnicity=ETHNICITY_KINH if random_() < 0.95 else self._pick(self.minority),
            is_union_member=original["sex"] == "F" and age >= 18 and random_() < 0.3,
            occupation=self._pick(OCCUPATIONS),
            _born=born,
            _household=household,
        )
        self.people.append(row)
        self.members[household["id"]].append(row)
        self.hard_negatives.append((original["id"], row["id"]))
        self.taken.add(original["id"])
        self.taken.add(row["id"])
        return row

    def take(self):
        batch = self.households, self.people, self.vulnerabilities, self.needs
        self.households, self.people, self.vulnerabilities, self.needs = [], [], [], []
        self.members = {}
        return batch


# --- writing ------------------------------------------------------------------------------

# The columns the generator sets, in order; every other column gets its default.
_SET_COLUMNS = {
    Household: [
        "id",
        "unit_id",
        "scope_path",
        "commune_id",
        "locality_id",
        "address_line",
        "poverty_status",
        "poverty_standard",
        "poverty_year",
    ],
    Person: [
        "id",
        "household_id",
        "unit_id",
        "scope_path",
        "full_name",
        "name_folded",
        "sex",
        "birth_date",
        "birth_year",
        "citizen_id",
        "phone",
        "ethnicity",
        "relation",
        "is_union_member",
        "occupation",
    ],
    PersonVulnerability: ["id", "person_id", "category_id", "since"],
    Need: ["id", "person_id", "category_id", "status", "opened_on", "met_on"],
}


def _defaults(model: type[models.Model], now) -> tuple[list[str], list]:
    """Columns the generator leaves alone, and the value each takes."""
    set_columns = set(_SET_COLUMNS[model])
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.attname in set_columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        else:
            value = None if f.null else ("" if f.empty_strings_allowed else None)
        names.append(f.column)
        values.append(value)
    return names, values


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return _UNSAFE.sub(" ", str(value))


def _copy_lines(model: type[models.Model], records: list[dict], suffix: str) -> str:
    """COPY text for `records` (values the generator produces need no escaping)."""
    n = r"\N"
    if model is Person:
        return "".join(
            f"{r['id']}\t{r['household_id']}\t{r['unit_id']}\t{r['scope_path']}\t"
            f"{r['full_name']}\t{r['name_folded']}\t{r['sex']}\t{r['birth_date'] or n}\t"
            f"{r['birth_year']}\t{r['citizen_id'] or n}\t{r['phone']}\t{r['ethnicity']}\t"
            f"{r['relation']}\t{'t' if r['is_union_member'] else 'f'}\t{r['occupation']}"
            f"{suffix}\n"
            for r in records
        )
    if model is Household:
        return "".join(
            f"{r['id']}\t{r['unit_id']}\t{r['scope_path']}\t{r['commune_id']}\t"
            f"{r['locality_id'] or n}\t{r['address_line']}\t{r['poverty_status']}\t"
            f"{r['poverty_standard']}\t{r['poverty_year'] or n}{suffix}\n"
            for r in records
        )
    if model is PersonVulnerability:
        return "".join(
            f"{r['id']}\t{r['person_id']}\t{r['category_id']}\t{r['since']}{suffix}\n"
            for r in records
        )
    return "".join(
        f"{r['id']}\t{r['person_id']}\t{r['category_id']}\t{r['status']}\t{r['opened_on']}\t"
        f"{r['met_on'] or n}{suffix}\n"
        for r in records
    )


def _write(model: type[models.Model], records: list[dict], now, raw=None) -> None:
    """Insert `records`; PostgreSQL: COPY through `raw` (the psycopg connection) if given."""
    if not records:
        return
    table = model._meta.db_table
    columns = _SET_COLUMNS[model]
    extra_columns, extra_values = _defaults(model, now)
    quoted = ", ".join(f'"{c}"' for c in [*columns, *extra_columns])
    if connection.vendor == "postgresql":
        suffix = "".join(f"\t{_text(value)}" for value in extra_values)
        buffer = _copy_lines(model, records, suffix).encode()
        raw = raw or connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            view = memoryview(buffer)
            for start in range(0, len(buffer), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
        return
    extra = tuple(extra_values)
    rows = [tuple(record[c] for c in columns) + extra for record in records]
    placeholders = ", ".join(["%s"] * (len(columns) + len(extra)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(
                f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",  # noqa: S608
                rows[start : start + 10_000],
            )


class _Writer:
    """Writes each chunk's tables while the next chunk is generated (PostgreSQL).

    The thread uses the same psycopg connection — so the same transaction — as the caller;
    psycopg serialises the two threads' use of it. With SQLite, writes happen in place.
    """

    def __init__(self, now, *, threaded: bool):
        self.now = now
        self.error: BaseException | None = None
        self.thread = None
        if threaded:
            connection.ensure_connection()
            self.raw = connection.connection
            self.queue: queue.Queue = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._run, name="seed-writer", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    for model, records in batch:
                        _write(model, records, self.now, raw=self.raw)
                except BaseException as exc:  # handed to the caller's thread
                    self.error = exc

    def put(self, batch: list[tuple[type[models.Model], list[dict]]]) -> None:
        if self.thread is None:
            for model, records in batch:
                _write(model, records, self.now)
            return
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
            if self.error is not None:
                raise self.error


_BULK_TABLES = [Household, Person, PersonVulnerability, Need]


def _bulk_drop() -> list[str]:
    """Drop the seeded tables' secondary indexes, unique and foreign keys for the load.

    Returns the statements that re-create them (run in the same transaction by
    `_bulk_restore`). Primary keys and check constraints stay. (Measured: keeping even the
    indexes over few distinct values during the load made it slower than rebuilding them.)
    """
    restore_indexes: list[str] = []
    restore_constraints: list[str] = []
    with connection.cursor() as cursor:
        for model in _BULK_TABLES:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                [table],
            )
            for name, kind, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                statement = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                (restore_constraints if kind == "f" else restore_indexes).append(statement)
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint"
                " WHERE conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                restore_indexes.append(definition)
    return restore_indexes + restore_constraints


def _bulk_restore(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)


def seed_world(*, province_code: str = "01") -> UnionUnit:
    """The province's union tree, loaded with the demo world when missing."""
    city = UnionUnit.objects.filter(
        kind=UnionUnit.Kind.CITY, code=province_code, valid_to__isnull=True
    ).first()
    if city is None or not _current_communes(city).exists():
        from ansinh.demo.services import demo_world_create

        city = demo_world_create(province_code=province_code)["city"]
    return city


def _current_communes(city: UnionUnit):
    return UnionUnit.objects.filter(
        kind=UnionUnit.Kind.COMMUNE,
        valid_to__isnull=True,
        path__startswith=city.path,
        admin_unit__isnull=False,
    )


def seed_people(
    *,
    scale: int,
    province_code: str = "01",
    unit_code: str | None = None,
    random_seed: int = 42,
    duplicate_share: float = 0.03,
    hard_negative_share: float = 0.01,
    truth_path: Path | None = None,
    progress: Callable[..., None] | None = None,
) -> SeedResult:
    """Add about `scale` synthetic people (duplicates and hard negatives included).

    `unit_code` limits the seed to one commune union (official code, e.g. "00070"). When the
    registry already holds people, the new true pairs are appended to the truth file, so it
    always describes the whole database. The same `random_seed` over the same database gives
    the same people (ids aside, which come from the sequences).
    """
    started = time.perf_counter()
    city = seed_world(province_code=province_code)
    communes_qs = _current_communes(city)
    if unit_code:
        communes_qs = communes_qs.filter(code=unit_code)
    communes = [
        {
            "id": unit.pk,
            "path": unit.path,
            "admin_unit_id": unit.admin_unit_id,
            "branches": [
                {"id": b.pk, "path": b.path, "locality_id": b.locality_id}
                for b in UnionUnit.objects.filter(
                    parent=unit, kind=UnionUnit.Kind.BRANCH, valid_to__isnull=True
                ).order_by("code", "pk")
            ],
        }
        for unit in communes_qs.order_by("code")
    ]
    if not communes:
        raise ValueError(f"Không có Hội LHPN xã/phường nào đang hoạt động với mã “{unit_code}”.")
    categories = dict(VulnerabilityCategory.objects.values_list("code", "id"))
    needs = sorted(NeedCategory.objects.values_list("id", flat=True))
    existing_people = Person._base_manager.count()
    rng = random.Random(random_seed + existing_people)
    used_citizen_ids: list[str] = []
    used_phones: list[str] = []
    if existing_people:
        used_citizen_ids = list(
            Person._base_manager.exclude(citizen_id=None).values_list("citizen_id", flat=True)
        )
        used_phones = list(Person._base_manager.exclude(phone="").values_list("phone", flat=True))
    result = SeedResult()
    now = timezone.now()
    base_target = max(1, round(scale / (1 + duplicate_share + hard_negative_share)))
    made = 0
    base_made = 0
    kinds: dict[str, int] = {}
    bulk = (
        connection.vendor == "postgresql" and scale >= BULK_MIN_PEOPLE and scale >= existing_people
    )
    if progress:
        progress(0, scale)
    with transaction.atomic():
        restore = _bulk_drop() if bulk else []
        if bulk:
            # Modules that keep rows derived from people by per-row triggers (the left-behind
            # facts) switch that upkeep off for the load and catch up once at its end: with
            # the indexes dropped, each row's trigger read whole tables (100,000 people: 217 s
            # against 4 s).
            bulk_begin()
        vulnerable: set[int] = set()
        seeded: list[int] = []
        generator = _Generator(
            rng=rng,
            communes=communes,
            today=timezone.localdate(),
            neighbours=commune_neighbours(),
            id_ranges=bulk,
        )
        generator.used_citizen_ids.update(used_citizen_ids)
        generator.used_phones.update(used_phones)
        writer = _Writer(now, threaded=connection.vendor == "postgresql")
        try:
            while base_made < base_target:
                chunk_base: list[dict] = []
                while not chunk_base or (
                    len(chunk_base) < CHUNK and base_made + len(chunk_base) < base_target
                ):
                    chunk_base.extend(generator.household_with_members(categories, needs))
                _add_duplicates(generator, chunk_base, duplicate_share, hard_negative_share)
                households, people, vulnerabilities, need_rows = generator.take()
                if bulk:
                    seeded.extend(person["id"] for person in people)
                    vulnerable.update(row["person_id"] for row in vulnerabilities)
                writer.put(
                    [
                        (Household, households),
                        (Person, people),
                        (PersonVulnerability, vulnerabilities),
                        (Need, need_rows),
                    ]
                )
                base_made += len(chunk_base)
                made += len(people)
                result.households += len(households)
                result.vulnerabilities += len(vulnerabilities)
                result.needs += len(need_rows)
                if progress:
                    progress(min(made, scale), scale)
        finally:
            writer.close()
        if bulk:
            indexing = time.perf_counter()
            _bulk_restore(restore)
            bulk_end(seeded, set(seeded) - vulnerable)
            result.index_seconds = time.perf_counter() - indexing
    result.people = made
    for _a, _b, kind in generator.pairs:
        kinds[kind] = kinds.get(kind, 0) + 1
    result.duplicate_kinds = dict(sorted(kinds.items()))
    result.duplicate_pairs = sorted((min(a, b), max(a, b)) for a, b, _ in generator.pairs)
    result.duplicates = len(generator.pairs)
    result.hard_negatives = len(generator.hard_negatives)
    truth_path = truth_path or settings.VAR_DIR / "seed" / "duplicates-truth.csv"
    append = existing_people > 0
    _write_pairs(truth_path, result.duplicate_pairs, append=append)
    _write_pairs(
        truth_path.with_name("duplicates-kinds.csv"),
        sorted((min(a, b), max(a, b), kind) for a, b, kind in generator.pairs),
        append=append,
        header=["person_id_a", "person_id_b", "kind"],
    )
    _write_pairs(
        truth_path.with_name("hard-negatives.csv"),
        sorted((min(a, b), max(a, b)) for a, b in generator.hard_negatives),
        append=append,
    )
    result.truth_path = truth_path
    result.seconds = time.perf_counter() - started
    return result


def _add_duplicates(
    generator: _Generator, chunk_base: list[dict], duplicate_share: float, namesake_share: float
) -> None:
    """Second records and namesakes of the chunk's adults.

    Children are registered again only with their mother's household.
    """
    adults = [p for p in chunk_base if p["birth_year"] <= generator.today.year - 18]
    generator.rng.shuffle(adults)
    candidates = iter(adults)
    copies_wanted = round(len(chunk_base) * duplicate_share)
    copies = 0
    for original in candidates:
        if copies >= copies_wanted:
            break
        if original["id"] not in generator.taken:
            copies += generator.duplicate_of(original)
    namesakes = round(len(chunk_base) * namesake_share)
    for original in candidates:
        if namesakes <= 0:
            break
        if original["id"] not in generator.taken:
            generator.hard_negative_of(original)
            namesakes -= 1


def _write_pairs(path: Path, pairs: list[tuple], *, append: bool, header=None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_header = not (append and path.is_file())
    with path.open("a" if append and path.is_file() else "w", newline="") as handle:
        writer = csv.writer(handle)
        if write_header:
            writer.writerow(header or ["person_id_a", "person_id_b"])
        writer.writerows(pairs)
