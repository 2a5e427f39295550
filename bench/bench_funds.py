"""Funds benchmarks (issue 5).

(a) Statement import of the real published statement (200,364 lines) on the database in use,
    as lines/s, beside PostgreSQL `COPY` of the same CSV into a plain three-column table.
(b) Ledger verification of ≥ 1,000,000 journal entries (target ≤ 20 s), beside a plain scan
    of the same entries and postings without hashing. Entries are added by importing
    synthetic statements (no real names) until the chain holds the scale.

Names in the real file are never printed. Skips (a) when ../shared is absent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

SCALE = int(os.environ.get("ANSINH_BENCH_SCALE", "1000000"))
STATEMENT = (
    Path(__file__).resolve().parents[2]
    / "shared/data/mttq-saoke-vcb-2024-09/vcb_0011001932418_2024-09-01_to_10.csv.gz"
)


def _world():
    from django.db import transaction

    from ansinh.geo.services import units_load
    from ansinh.org.models import UnionUnit
    from ansinh.org.services import union_tree_generate

    city = UnionUnit.objects.filter(kind="city", code="01", valid_to__isnull=True).first()
    if city is None:
        units_load(province_code="01")
        with transaction.atomic():
            union_tree_generate(province_code="01")
        city = UnionUnit.objects.get(kind="city", code="01", valid_to__isnull=True)
    return city


def _campaign(city, slug):
    from ansinh.funds.services import campaign_create

    return campaign_create(
        actor=None,
        slug=slug,
        title=f"Bench {slug}",
        unit=city,
        receive_from=dt.date(2024, 9, 1),
        receive_until=dt.date(2024, 9, 30),
        bank_account=uuid.uuid4().hex[:16],  # fresh line keys each run
    )


def _copy_baseline(raw: bytes) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_statement (date text, money bigint, content text)")
    started = time.perf_counter()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(
            "COPY bench_statement (date, money, content) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy,
    ):
        copy.write(raw)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_statement")
    return seconds


@contextlib.contextmanager
def _phases():
    """Wall time of the import's steps (statements.py functions wrapped while it runs)."""
    from ansinh.funds import statements

    phases: dict[str, float] = {}
    names = {
        "statement_read": "read+check",
        "line_keys": "line keys",
        "_may_be_stored": "already stored?",
        "_existing_keys": "stored keys",
        "_reserve_ids": "reserve ids",
        "_check_parents": "set-based FK check",
        "search_catch_up": "word index after the commit",
    }
    originals = {name: getattr(statements, name) for name in [*names, "_copy", "_prefetched"]}

    def timed(label, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    for name, label in names.items():
        setattr(statements, name, timed(label, originals[name]))

    def copy(cursor, table, columns, text):
        return timed(f"COPY {table}", originals["_copy"])(cursor, table, columns, text)

    def prefetched(items, *args, **kwargs):
        iterator = originals["_prefetched"](items, *args, **kwargs)
        while True:  # time the consumer waits for the next prepared slice
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                label = "waiting for prepared slices"
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - started
            yield item

    statements._copy = copy
    statements._prefetched = prefetched
    try:
        yield phases
    finally:
        for name, function in originals.items():
            setattr(statements, name, function)


def _profile(phases: dict[str, float], seconds: float) -> str:
    rest = seconds - sum(phases.values())
    parts = [f"{label} {value:.2f} s" for label, value in phases.items()]
    return "profile: " + ", ".join([*parts, f"rest (record, audit, locks, commit) {rest:.2f} s"])


def _synthetic_statement(path: Path, lines: int) -> None:
    rng = random.Random(lines)
    surnames = ["NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "VU", "DANG", "BUI"]
    middles = ["THI", "VAN", "NGOC", "MINH", "THU", "DUC"]
    givens = ["HOA", "LAN", "MAI", "BINH", "AN", "HA", "HUONG", "LINH", "NAM", "TUAN"]
    with path.open("w", encoding="utf-8") as out:
        out.write("date,money,content\n")
        for number in range(lines):
            day = 1 + number % 28
            amount = rng.choice([10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000])
            name = f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(givens)}"
            out.write(f"{day:02d}/09/2024,{amount},{number}.0909.{name} ung ho dong bao\n")


def run(report) -> None:
    from django.db import connection

    from ansinh.funds.models import JournalEntry
    from ansinh.funds.selectors import ledger_entries, ledger_verify_database
    from ansinh.funds.statements import statement_import

    city = _world()
    vendor = connection.vendor

    # (a) the real statement
    if STATEMENT.is_file():
        raw = gzip.decompress(STATEMENT.read_bytes())
        path = Path(tempfile.mkdtemp()) / "statement.csv"
        path.write_bytes(raw)
        campaign = _campaign(city, f"bench-real-{uuid.uuid4().hex[:8]}")
        load = os.getloadavg()
        started = time.perf_counter()
        with _phases() as phases:
            result = statement_import(campaign=campaign, path=path, actor=None)
        seconds = time.perf_counter() - started
        indexing = phases.get("word index after the commit", 0.0)
        committed = seconds - indexing
        baseline = None
        note = (
            f"{result.lines_added:,} lines, {result.amount_added:,} đồng committed in "
            f"{committed:.1f} s, then {indexing:.1f} s to put them in the search's word index "
            f"(load average before: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}); "
            + _profile(phases, seconds)
        )
        if vendor == "postgresql":
            copy_seconds = _copy_baseline(raw)
            baseline = result.lines_added / copy_seconds
            note += f"; COPY of the same CSV into a plain table: {copy_seconds:.2f} s"
        report(
            "statement_import",
            result.lines_added / committed,
            "lines/s",
            baseline=baseline,
            note=note,
        )
        report(
            "statement_import_searchable",
            result.lines_added / seconds,
            "lines/s",
            baseline=baseline,
            note="the same import until its lines are in the word index too",
        )
        started = time.perf_counter()
        again = statement_import(campaign=campaign, path=path, actor=None)
        report(
            "statement_reimport",
            again.lines_read / (time.perf_counter() - started),
            "lines/s",
            note=f"same file again: {again.lines_added} lines added",
        )
        path.unlink()
    else:
        print("  ../shared statement absent: (a) skipped")

    # (b) the chain at scale
    have = JournalEntry.objects.count()
    if have < SCALE:
        missing = SCALE - have
        path = Path(tempfile.mkdtemp()) / "synthetic.csv"
        _synthetic_statement(path, missing)
        campaign = _campaign(city, f"bench-synth-{uuid.uuid4().hex[:8]}")
        started = time.perf_counter()
        statement_import(campaign=campaign, path=path, actor=None)
        seconds = time.perf_counter() - started
        report(
            "synthetic_statement_import",
            missing / seconds,
            "lines/s",
            note=f"{missing:,} synthetic lines to bring the chain to {SCALE:,} entries",
        )
        path.unlink()
    entries = JournalEntry.objects.count()
    started = time.perf_counter()
    scanned = sum(1 for _entry in ledger_entries())
    scan_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = ledger_verify_database()
    verify_seconds = time.perf_counter() - started
    assert result.ok and result.entries == entries == scanned, result
    report(
        "ledger_verify",
        verify_seconds,
        "s",
        baseline=scan_seconds,
        note=f"{entries:,} entries (2 postings each); baseline: the same streams read without hashing",
    )
    report("ledger_verify_rate", entries / verify_seconds, "entries/s")
