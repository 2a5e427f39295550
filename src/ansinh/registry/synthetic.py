"""Synthetic registry data for demos and benchmarks (`ansinh seed --scale N`).

Households and people spread over a province's current commune unions (and their branches),
with realistic names, ages, citizen IDs, phones, vulnerabilities and needs. No real person is
in it: given names come from `vietnamese-namedb` (a list of given names, read in place from
`../shared/data`), surnames and middle names from the hand-written weighted lists below.

It injects duplicates for the deduplication benchmark: about 3% of people get a second record
(same or another commune) written the way real files differ — without accents, another tone
mark placement (Hoà/Hòa), one typo, a middle name dropped or swapped, a birth year instead of
the date, day and month swapped, the phone or the citizen ID missing on one side — and about
1% "hard negatives": another person with the same name and birth year. The true pairs are
written to `var/seed/duplicates-truth.csv` (`person_id_a,person_id_b`, a < b) and the hard
negatives to `var/seed/hard-negatives.csv`.

Rows are written with PostgreSQL COPY, or batched INSERTs on SQLite, with explicit ids (the
sequences are moved past them afterwards), so a million people take seconds, not minutes.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import itertools
import random
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
CHUNK = 20_000

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
STREETS = ["Hàng Bạc", "Hàng Đào", "Lý Thái Tổ", "Cổ Loa", "Đông Hội", "Uy Nỗ", "Vân Trì"]
# Mobile prefixes in use (after the 2018 renumbering).
MOBILE_PREFIXES = ["90", "91", "93", "94", "96", "97", "98", "86", "88", "89", "32", "33", "34"]
MOBILE_PREFIXES += ["35", "36", "37", "38", "39", "70", "76", "77", "78", "79", "81", "82", "83"]
MOBILE_PREFIXES += ["84", "85", "56", "58", "59"]
# Tone mark on the first or the second vowel of oa/oe/uy: both spellings are in use.
TONE_PLACEMENT = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
TONE_PLACEMENT.update({new: old for old, new in list(TONE_PLACEMENT.items())})

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
    truth_path: Path | None = None
    duplicate_pairs: list[tuple[int, int]] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> float:
        return self.people / self.seconds if self.seconds else 0.0


def _read_names(file_name: str, fallback: list[str]) -> list[str]:
    path = NAMEDB_DIR / file_name
    if not path.is_file():
        return list(fallback)
    names = [
        unicodedata.normalize("NFC", line.strip())
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return [name for name in names if name] or list(fallback)


class _Names:
    """Draws realistic full names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = [name for name, _ in SURNAMES]
        self.surname_weights = list(itertools.accumulate(weight for _, weight in SURNAMES))
        self.women = _read_names("girl.txt", FALLBACK_WOMEN)
        self.men = _read_names("boy.txt", FALLBACK_MEN)
        self.women_one = sorted({name.split()[-1] for name in self.women})
        self.men_one = sorted({name.split()[-1] for name in self.men})
        self.popular_women = POPULAR_WOMEN.split()
        self.popular_men = POPULAR_MEN.split()
        self.male_middle = [name for name, _ in MALE_MIDDLE]
        self.male_middle_weights = list(itertools.accumulate(w for _, w in MALE_MIDDLE))

    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0]

    def _one(self, popular: list[str], tail: list[str]) -> str:
        return self.rng.choice(popular if self.rng.random() < 0.6 else tail)

    def full(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or self.surname()
        pick = rng.random()
        if sex == Person.Sex.FEMALE:
            if pick < 0.45:
                return f"{surname} Thị {self._one(self.popular_women, self.women_one)}"
            if pick < 0.75:
                return f"{surname} {rng.choice(self.women)}"
            return f"{surname} Thị {rng.choice(self.women)}"
        if pick < 0.45:
            middle = rng.choices(self.male_middle, cum_weights=self.male_middle_weights)[0]
            return f"{surname} {middle} {self._one(self.popular_men, self.men_one)}"
        return f"{surname} {rng.choice(self.men)}"


class _Generator:
    def __init__(self, *, rng: random.Random, communes: list[dict], today: dt.date, ids: dict):
        self.rng = rng
        self.names = _Names(rng)
        self.communes = communes
        self.today = today
        self.ids = ids
        self.used_citizen_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.province_codes = list(PROVINCE_CODES)
        self.minority = [code for code, _ in ETHNICITIES if code != ETHNICITY_KINH]
        self.households: list[dict] = []
        self.people: list[dict] = []
        self.vulnerabilities: list[dict] = []
        self.needs: list[dict] = []
        self.pairs: list[tuple[int, int]] = []
        self.hard_negatives: list[tuple[int, int]] = []

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # --- values -------------------------------------------------------------------------

    def birth(self, age_low: int, age_high: int) -> tuple[dt.date, int]:
        age = self.rng.randint(age_low, age_high)
        born = self.today - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))
        return born, born.year

    def citizen_id(self, sex: str, year: int) -> str:
        rng = self.rng
        province = "001" if rng.random() < 0.7 else rng.choice(self.province_codes)
        century = (year // 100 - 19) * 2 + (1 if sex == Person.Sex.FEMALE else 0)
        while True:
            number = f"{province}{century}{year % 100:02d}{rng.randrange(1_000_000):06d}"
            if number not in self.used_citizen_ids:
                self.used_citizen_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = f"+84{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    # --- records ------------------------------------------------------------------------

    def household(self, commune: dict, poverty: str) -> dict:
        rng = self.rng
        unit = commune
        if commune["branches"] and rng.random() < 0.4:
            unit = rng.choice(commune["branches"])
        row = {
            "id": self._next("household"),
            "unit_id": unit["id"],
            "scope_path": unit["path"],
            "commune_id": commune["admin_unit_id"],
            "address_line": f"Số {rng.randint(1, 200)} {rng.choice(STREETS)}",
            "poverty_status": poverty,
            "poverty_standard": "2022-2025" if poverty != Household.Poverty.NONE else "",
            "poverty_year": rng.choice([2022, 2023, 2024, 2025])
            if poverty != Household.Poverty.NONE
            else None,
        }
        self.households.append(row)
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
        rng = self.rng
        full_name = self.names.full(sex, surname)
        born, year = self.birth(*ages)
        age = self.today.year - year
        has_id = rng.random() < (0.85 if age >= 14 else 0.4)
        row = {
            "id": self._next("person"),
            "household_id": household["id"],
            "unit_id": household["unit_id"],
            "scope_path": household["scope_path"],
            "commune_id": household["commune_id"],  # not a column: used to place duplicates
            "full_name": full_name,
            "name_folded": _fold(full_name),
            "sex": sex,
            "birth_date": born if rng.random() < 0.85 else None,
            "birth_year": year,
            "citizen_id": self.citizen_id(sex, year) if has_id else None,
            "phone": self.phone() if 18 <= age <= 75 and rng.random() < 0.7 else "",
            "ethnicity": ETHNICITY_KINH if rng.random() < 0.95 else rng.choice(self.minority),
            "relation": relation,
            "is_union_member": sex == Person.Sex.FEMALE and age >= 18 and rng.random() < 0.3,
            "occupation": rng.choice(OCCUPATIONS) if age >= 15 else "",
        }
        self.people.append(row)
        return row

    def household_with_members(self, categories: dict, needs: list[int]) -> list[dict]:
        rng = self.rng
        commune = rng.choice(self.communes)
        draw = rng.random()
        poverty = (
            Household.Poverty.POOR
            if draw < 0.12
            else Household.Poverty.NEAR_POOR
            if draw < 0.25
            else Household.Poverty.NONE
        )
        household = self.household(commune, poverty)
        female, male = Person.Sex.FEMALE, Person.Sex.MALE
        relation = Person.Relation
        kind = rng.random()
        members = []
        if kind < 0.25:  # a single mother and her children
            mother = self.person(household, sex=female, ages=(20, 50), relation=relation.HEAD)
            members.append(mother)
            for _ in range(rng.randint(1, 3)):
                members.append(
                    self.person(
                        household,
                        sex=rng.choice([female, male]),
                        ages=(0, 17),
                        relation=relation.CHILD,
                        surname=mother["full_name"].split()[0],
                    )
                )
        elif kind < 0.40:  # an elderly woman living alone
            members.append(
                self.person(household, sex=female, ages=(60, 95), relation=relation.HEAD)
            )
        elif kind < 0.50:  # a woman migrant worker
            members.append(
                self.person(household, sex=female, ages=(18, 45), relation=relation.HEAD)
            )
        else:  # a family: couple, children, sometimes a grandparent
            husband = self.person(household, sex=male, ages=(25, 65), relation=relation.HEAD)
            members.append(husband)
            members.append(
                self.person(household, sex=female, ages=(22, 60), relation=relation.SPOUSE)
            )
            for _ in range(rng.randint(0, 3)):
                members.append(
                    self.person(
                        household,
                        sex=rng.choice([female, male]),
                        ages=(0, 17),
                        relation=relation.CHILD,
                        surname=husband["full_name"].split()[0],
                    )
                )
            if rng.random() < 0.2:
                members.append(
                    self.person(household, sex=female, ages=(65, 95), relation=relation.PARENT)
                )
        for member in members:
            self.vulnerabilities_for(member, household, kind, categories)
            if rng.random() < 0.3:
                status = "met" if rng.random() < 0.3 else "open"
                opened = self.today - dt.timedelta(days=rng.randint(10, 900))
                self.needs.append(
                    {
                        "id": self._next("need"),
                        "person_id": member["id"],
                        "category_id": rng.choice(needs),
                        "status": status,
                        "opened_on": opened,
                        "met_on": opened + dt.timedelta(days=rng.randint(5, 200))
                        if status == "met"
                        else None,
                    }
                )
        return members

    def vulnerabilities_for(self, person: dict, household: dict, kind: float, categories):
        rng = self.rng
        age = self.today.year - person["birth_year"]
        codes = []
        if household["poverty_status"] == Household.Poverty.POOR and person["relation"] == "head":
            codes.append("HO_NGHEO")
        if (
            household["poverty_status"] == Household.Poverty.NEAR_POOR
            and person["relation"] == "head"
        ):
            codes.append("HO_CAN_NGHEO")
        if age < 16:
            if household["poverty_status"] == Household.Poverty.POOR:
                codes.append("TE_HO_NGHEO")
            if rng.random() < 0.05:
                codes.append(rng.choice(["TE_MO_COI", "TE_HOAN_CANH_DAC_BIET", "TE_KHUYET_TAT"]))
        elif person["sex"] == Person.Sex.FEMALE:
            if kind < 0.25 and person["relation"] == "head":
                codes.append("PN_DON_THAN_NUOI_CON")
            elif 0.25 <= kind < 0.40:
                codes.append("PN_CAO_TUOI_CO_DON")
            elif 0.40 <= kind < 0.50:
                codes.append("LD_NU_DI_CU")
            if rng.random() < 0.06:
                codes.append(
                    rng.choice(["PN_KHUYET_TAT", "LD_NU_MAT_VIEC", "ME_VNAH_NGUOI_CO_CONG"])
                )
            if person["ethnicity"] != ETHNICITY_KINH:
                codes.append("PN_DAN_TOC_THIEU_SO")
            if rng.random() < 0.01:
                codes.append("PN_BI_BAO_LUC_GIOI")
        if rng.random() < 0.002:
            codes.append("NGUOI_NHIEM_HIV")
        for code in dict.fromkeys(codes):
            if code in categories:
                self.vulnerabilities.append(
                    {
                        "id": self._next("vulnerability"),
                        "person_id": person["id"],
                        "category_id": categories[code],
                        "since": self.today - dt.timedelta(days=rng.randint(30, 2000)),
                    }
                )

    # --- duplicates ----------------------------------------------------------------------

    def _typo(self, name: str) -> str:
        rng = self.rng
        words = name.split()
        index = rng.randrange(1, len(words)) if len(words) > 1 else 0
        word = words[index]
        if len(word) >= 3 and rng.random() < 0.5:
            at = rng.randrange(len(word) - 1)
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif len(word) >= 2:
            at = rng.randrange(1, len(word))
            word = word[:at] + rng.choice("aeionhtmgc") + word[at + 1 :]
        words[index] = word
        return " ".join(words)

    def _variant_name(self, name: str) -> str:
        rng = self.rng
        words = name.split()
        choice = rng.random()
        if choice < 0.25:  # typed without accents
            return " ".join(w.capitalize() for w in fold(name).split())
        if choice < 0.45:  # the other tone mark placement, if the name has one
            for old, new in TONE_PLACEMENT.items():
                if old in name:
                    return name.replace(old, new, 1)
            return " ".join(w.capitalize() for w in fold(name).split())
        if choice < 0.65:
            return self._typo(name)
        if len(words) >= 4 and rng.random() < 0.5:  # middle names swapped
            words[1], words[2] = words[2], words[1]
            return " ".join(words)
        if len(words) >= 3:  # middle name left out
            return " ".join([words[0], *words[2:]])
        return self._typo(name)

    def duplicate_of(self, original: dict) -> dict:
        rng = self.rng
        commune = rng.choice(self.communes)
        if rng.random() < 0.7:
            commune = next(
                (c for c in self.communes if c["admin_unit_id"] == original["commune_id"]),
                commune,
            )
        household = self.household(commune, Household.Poverty.NONE)
        copy = dict(original)
        copy["id"] = self._next("person")
        copy["household_id"] = household["id"]
        copy["unit_id"] = household["unit_id"]
        copy["scope_path"] = household["scope_path"]
        copy["commune_id"] = household["commune_id"]
        copy["relation"] = Person.Relation.HEAD
        if rng.random() < 0.7:
            copy["full_name"] = self._variant_name(original["full_name"])
        born = original["birth_date"]
        draw = rng.random()
        if born and draw < 0.3:
            copy["birth_date"] = None  # birth year only
        elif born and draw < 0.45 and born.day <= 12 and born.day != born.month:
            copy["birth_date"] = born.replace(day=born.month, month=born.day)
        copy["name_folded"] = _fold(copy["full_name"])
        # Citizen IDs are unique in the registry: the second record never has the same one.
        copy["citizen_id"] = None
        if rng.random() < 0.3:
            copy["phone"] = ""
        self.people.append(copy)
        self.pairs.append((original["id"], copy["id"]))
        return copy

    def hard_negative_of(self, original: dict) -> dict:
        """Another person with the same name and birth year."""
        rng = self.rng
        household = self.household(rng.choice(self.communes), Household.Poverty.NONE)
        year = original["birth_year"]
        born = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        row = dict(original)
        row.update(
            id=self._next("person"),
            household_id=household["id"],
            unit_id=household["unit_id"],
            scope_path=household["scope_path"],
            commune_id=household["commune_id"],
            relation=Person.Relation.HEAD,
            birth_date=born,
            citizen_id=self.citizen_id(original["sex"], year) if rng.random() < 0.6 else None,
            phone=self.phone() if rng.random() < 0.5 else "",
        )
        self.people.append(row)
        self.hard_negatives.append((original["id"], row["id"]))
        return row

    def take(self):
        batch = self.households, self.people, self.vulnerabilities, self.needs
        self.households, self.people, self.vulnerabilities, self.needs = [], [], [], []
        return batch


# --- writing ------------------------------------------------------------------------------


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _rows(model: type[models.Model], records: list[dict], now) -> tuple[list[str], list[tuple]]:
    """Column names and value tuples; fields a record does not set take their default."""
    fields = _columns(model)
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None if f.null else ("" if f.empty_strings_allowed else None)
    names = [f.attname for f in fields]
    return [f.column for f in fields], [
        tuple(record.get(name, defaults[name]) for name in names) for record in records
    ]


def _write(model: type[models.Model], records: list[dict], now) -> None:
    if not records:
        return
    columns, rows = _rows(model, records, now)
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's rowid allocation follows max(id) by itself
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def _max_id(model: type[models.Model]) -> int:
    return model._base_manager.aggregate(m=models.Max("id"))["m"] or 0


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
    always describes the whole database.
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
                {"id": b.pk, "path": b.path}
                for b in UnionUnit.objects.filter(
                    parent=unit, kind=UnionUnit.Kind.BRANCH, valid_to__isnull=True
                )
            ],
        }
        for unit in communes_qs.order_by("code")
    ]
    if not communes:
        raise ValueError(f"Không có Hội LHPN xã/phường nào đang hoạt động với mã “{unit_code}”.")
    categories = dict(VulnerabilityCategory.objects.values_list("code", "id"))
    needs = list(NeedCategory.objects.values_list("id", flat=True))
    existing_people = Person._base_manager.count()
    ids = {
        "household": _max_id(Household),
        "person": _max_id(Person),
        "vulnerability": _max_id(PersonVulnerability),
        "need": _max_id(Need),
    }
    rng = random.Random(random_seed + existing_people)
    generator = _Generator(rng=rng, communes=communes, today=timezone.localdate(), ids=ids)
    generator.used_citizen_ids.update(
        Person._base_manager.exclude(citizen_id=None).values_list("citizen_id", flat=True)
    )
    generator.used_phones.update(
        Person._base_manager.exclude(phone="").values_list("phone", flat=True)
    )
    result = SeedResult()
    now = timezone.now()
    base_target = max(1, round(scale / (1 + duplicate_share + hard_negative_share)))
    made = 0
    base_made = 0
    if progress:
        progress(0, scale)
    while base_made < base_target:
        chunk_base: list[dict] = []
        while not chunk_base or (
            len(chunk_base) < CHUNK and base_made + len(chunk_base) < base_target
        ):
            chunk_base.extend(generator.household_with_members(categories, needs))
        # Copies and namesakes of adults: children are rarely registered twice.
        adults = [p for p in chunk_base if p["birth_year"] <= generator.today.year - 16]
        for share, make in (
            (duplicate_share, generator.duplicate_of),
            (hard_negative_share, generator.hard_negative_of),
        ):
            for original in rng.sample(adults, min(len(adults), round(len(chunk_base) * share))):
                make(original)
        households, people, vulnerabilities, need_rows = generator.take()
        with transaction.atomic():
            _write(Household, households, now)
            _write(Person, people, now)
            _write(PersonVulnerability, vulnerabilities, now)
            _write(Need, need_rows, now)
        base_made += len(chunk_base)
        made += len(people)
        result.households += len(households)
        result.vulnerabilities += len(vulnerabilities)
        result.needs += len(need_rows)
        if progress:
            progress(min(made, scale), scale)
    _reset_sequences([Household, Person, PersonVulnerability, Need])
    result.people = made
    result.duplicate_pairs = sorted((min(a, b), max(a, b)) for a, b in generator.pairs)
    result.duplicates = len(generator.pairs)
    result.hard_negatives = len(generator.hard_negatives)
    truth_path = truth_path or settings.VAR_DIR / "seed" / "duplicates-truth.csv"
    _write_pairs(truth_path, result.duplicate_pairs, append=existing_people > 0)
    _write_pairs(
        truth_path.with_name("hard-negatives.csv"),
        sorted((min(a, b), max(a, b)) for a, b in generator.hard_negatives),
        append=existing_people > 0,
    )
    result.truth_path = truth_path
    result.seconds = time.perf_counter() - started
    return result


def _write_pairs(path: Path, pairs: list[tuple[int, int]], *, append: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_header = not (append and path.is_file())
    with path.open("a" if append and path.is_file() else "w", newline="") as handle:
        writer = csv.writer(handle)
        if write_header:
            writer.writerow(["person_id_a", "person_id_b"])
        writer.writerows(pairs)
