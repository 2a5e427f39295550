"""Public donation search served by gunicorn over 1,000,000 donations (issue 5).

Target: ≥ 500 requests/s with p99 ≤ 100 ms, on this machine, with a load generator on
loopback (`portal_loadgen.py`), reported beside a bare Django page that makes one query
(`/bench/bare/<id>/` of `portal_site_urls.py`), same server, same load.

1. Seeds one public campaign with `ANSINH_BENCH_PORTAL_SCALE` (1,000,000) synthetic bank
   lines — no real names — through the product's statement import (COPY on PostgreSQL, the
   ledger chain included); kept between runs, so only the first run pays for it.
2. Starts gunicorn (`ANSINH_BENCH_WORKERS` gthread workers × `ANSINH_BENCH_THREADS`
   threads, bench settings `portal_site_settings.py`) on 127.0.0.1:`ANSINH_BENCH_PORT`.
3. Drives, with `ANSINH_BENCH_CONNECTIONS` keep-alive connections for
   `ANSINH_BENCH_SECONDS` each:
   - `bare`: the one-query page (random donation ids);
   - `search_uncached`: every request a different search (name fragment, exact amount,
     amount range, day, name + day, next pages by keyset cursor), so the page cache never
     answers: the cost of the search itself;
   - `search_mix`: the same searches with a popular head (a fifth of the requests ask for
     one of 50 common searches), as visitors do after a campaign is in the news: the page
     cache answers those;
   - `search_cached`: only those 50 searches, all in the page cache after the first round:
     what a public page costs when the cache answers (the ceiling of the design).
   Every answer must be 200 (checked); latencies are exact percentiles.

PostgreSQL only (the production engine; SQLite has no 1M-row target): skipped otherwise.
The machine is shared: the 1-minute load average before and after each run is reported.
Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/ansinh_bench .venv/bin/ansinh bench
portal` (or `python bench/run.py portal`); results in bench/results/portal-postgresql.json.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
SCALE = int(os.environ.get("ANSINH_BENCH_PORTAL_SCALE", "1000000"))
PORT = int(os.environ.get("ANSINH_BENCH_PORT", "8104"))
WORKERS = int(os.environ.get("ANSINH_BENCH_WORKERS", "3"))
THREADS = int(os.environ.get("ANSINH_BENCH_THREADS", "2"))
CONNECTIONS = int(os.environ.get("ANSINH_BENCH_CONNECTIONS", "16"))
SECONDS = float(os.environ.get("ANSINH_BENCH_SECONDS", "15"))
SLUG = "bench-portal"
FIRST_DAY = dt.date(2024, 9, 1)
DAYS = 30

SURNAMES = [
    ("NGUYEN", 38),
    ("TRAN", 11),
    ("LE", 9),
    ("PHAM", 7),
    ("HOANG", 5),
    ("HUYNH", 4),
    ("PHAN", 4),
    ("VU", 4),
    ("VO", 3),
    ("DANG", 2),
    ("BUI", 2),
    ("DO", 2),
    ("HO", 1),
    ("NGO", 1),
    ("DUONG", 1),
    ("LY", 1),
    ("DINH", 1),
    ("TRINH", 1),
    ("CAO", 1),
    ("LUONG", 1),
]
MIDDLES = ["THI", "VAN", "NGOC", "MINH", "THU", "DUC", "THANH", "HONG", "QUANG", "XUAN", "KIM"]
GIVENS = [
    "HOA",
    "LAN",
    "MAI",
    "BINH",
    "AN",
    "HA",
    "HUONG",
    "LINH",
    "NAM",
    "TUAN",
    "HUNG",
    "DUNG",
    "HAI",
    "LONG",
    "PHUONG",
    "TRANG",
    "NGA",
    "HANH",
    "THAO",
    "YEN",
    "QUYNH",
    "VY",
    "ANH",
    "KHOA",
    "DAT",
    "SON",
    "TAM",
    "TRUNG",
    "HIEU",
    "PHUC",
    "LOC",
    "THUY",
    "NHUNG",
    "HIEN",
    "OANH",
    "GIANG",
    "CHAU",
    "TRUC",
    "DIEP",
    "LIEN",
]
AMOUNTS = [10_000, 20_000, 50_000, 100_000, 200_000, 300_000, 500_000, 1_000_000, 2_000_000]


def _bench_module(name: str):
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _name(rng: random.Random) -> str:
    surname = rng.choices([s for s, _w in SURNAMES], weights=[w for _s, w in SURNAMES])[0]
    words = [surname, rng.choice(MIDDLES)]
    if rng.random() < 0.3:
        words.append(rng.choice(MIDDLES))
    words.append(rng.choice(GIVENS))
    return " ".join(words)


def _statement(path: Path, lines: int, seed: int) -> None:
    """Synthetic Vietcombank lines in the published layouts (no real names)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("date,money,content\n")
        for number in range(lines):
            day = FIRST_DAY + dt.timedelta(days=min(DAYS - 1, int(rng.expovariate(1 / 6))))
            amount = rng.choice(AMOUNTS) if rng.random() < 0.9 else rng.randrange(1, 500) * 10_000
            name = _name(rng)
            shape = rng.random()
            if shape < 0.35:
                account = rng.randrange(10**12, 10**13)
                memo = f"MBVCB.{number}.{name} chuyen tien.CT tu {account} {name} toi 0011001932418"
            elif shape < 0.8:
                memo = f"{number}.{day:%d%m%y}.{rng.randrange(10**5, 10**6)}.{name} ung ho dong bao"
            else:
                memo = f"IBFT {name} ung ho mien bac FT24{rng.randrange(10**8, 10**9)}"
            out.write(f"{day:%d/%m/%Y},{amount},{memo}\n")


def seed(report=None):
    """The bench campaign with SCALE donations (imported once, kept between runs)."""
    from django.db import connection

    from ansinh.funds.models import Campaign, Donation
    from ansinh.funds.services import campaign_create
    from ansinh.funds.statements import statement_import

    city = _bench_module("bench_funds")._world()
    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is None:
        campaign = campaign_create(
            actor=None,
            slug=SLUG,
            title="Bench: ủng hộ đồng bào (dữ liệu tổng hợp)",
            unit=city,
            receive_from=FIRST_DAY,
            receive_until=FIRST_DAY + dt.timedelta(days=DAYS - 1),
            bank_account="0011009999999",
        )
    have = Donation.objects.filter(campaign=campaign).count()
    if have < SCALE:
        missing = SCALE - have
        path = Path(tempfile.mkdtemp()) / "portal-synthetic.csv"
        _statement(path, missing, seed=have)
        started = time.perf_counter()
        statement_import(campaign=campaign, path=path, actor=None)
        seconds = time.perf_counter() - started
        path.unlink()
        print(f"  seeded {missing:,} donations in {seconds:.0f} s", flush=True)
        if report:
            report("seed_import", missing / seconds, "lines/s", note=f"{missing:,} lines")
    with connection.cursor() as cursor:
        # The steady state autovacuum reaches after an import: statistics, and the
        # visibility map that lets the paging index answer without reading the table.
        cursor.execute("VACUUM (ANALYZE) funds_donation")
        cursor.execute("VACUUM (ANALYZE) funds_donationsearch")
    return campaign


def _searches(campaign, rng: random.Random, count: int) -> list[str]:
    """`count` distinct search paths of the kinds visitors type (some with a next page)."""
    from django.urls import reverse

    from ansinh.portal import selectors
    from ansinh.portal.forms import DonationSearchForm

    base = reverse("portal:donation_search", args=[campaign.slug])
    seen: set[str] = set()
    paths: list[str] = []
    cursors = 0
    while len(paths) < count:
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        name = _name(rng).lower()
        words = name.split()
        kind = rng.random()
        if kind < 0.25:
            params = {"q": name}  # her full name
        elif kind < 0.4:
            params = {"q": " ".join(words[-2:])}  # the end of it
        elif kind < 0.55:
            params = {"q": name, "date_from": f"{day:%d/%m/%Y}", "date_to": f"{day:%d/%m/%Y}"}
        elif kind < 0.7:
            params = {"amount": f"{rng.choice(AMOUNTS):,}".replace(",", ".")}
            if rng.random() < 0.5:
                params |= {"date_from": f"{day:%d/%m/%Y}", "date_to": f"{day:%d/%m/%Y}"}
        elif kind < 0.8:
            low = rng.choice(AMOUNTS)
            params = {"amount": f"{low}-{low * rng.choice([2, 5, 10])}"}
        elif kind < 0.9:
            params = {"date_from": f"{day:%d/%m/%Y}", "date_to": f"{day:%d/%m/%Y}"}
        else:
            params = {"q": rng.choice(GIVENS).lower() + " " + rng.choice(["ung", "chuyen"])}
        path = f"{base}?{urlencode(params)}"
        if rng.random() < 0.15 and cursors < min(2000, count // 6):
            # a next page: the cursor the first page would link to
            form = DonationSearchForm(params)
            assert form.is_valid(), form.errors
            page = selectors.donation_search(campaign, form.filters())
            if page.next_cursor:
                cursors += 1
                path = f"{path}&sau={page.next_cursor}"
        if path not in seen:
            seen.add(path)
            paths.append(path)
    return paths


def _wait_for(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def _gunicorn() -> subprocess.Popen:
    environment = dict(os.environ)
    environment["DJANGO_SETTINGS_MODULE"] = "portal_site_settings"
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(BENCH_DIR), environment.get("PYTHONPATH", "")])
    )
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "ansinh.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--keep-alive",
        "30",
        "--backlog",
        "512",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=environment, start_new_session=True)  # noqa: S603 (our own gunicorn)
    _wait_for(PORT, time.time() + 60)
    return process


def _load() -> float:
    return os.getloadavg()[0]


def run(report) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("  PostgreSQL only (set DATABASE_URL): skipped")
        return
    loadgen = _bench_module("portal_loadgen")
    campaign = seed(report)
    rng = random.Random(2024)
    from ansinh.funds.models import Donation

    low, high = (
        Donation.objects.filter(campaign=campaign).order_by("id").values_list("id", flat=True)[0],
        Donation.objects.filter(campaign=campaign).order_by("-id").values_list("id", flat=True)[0],
    )
    budget = int(SECONDS * 2000)  # more paths than a run can send: no path repeats
    bare_paths = [f"/bench/bare/{rng.randrange(low, high + 1)}/" for _n in range(budget)]
    uncached = _searches(campaign, rng, budget)
    popular = _searches(campaign, random.Random(7), 50)
    mix = [rng.choice(popular) if rng.random() < 0.2 else path for path in uncached]
    count = Donation.objects.filter(campaign=campaign).count()

    server = _gunicorn()
    try:
        # warm up: every worker imports, connects and renders once
        loadgen.drive("127.0.0.1", PORT, bare_paths[:200] + mix[-200:], connections=8, duration=3)
        results = {}
        for name, paths in (
            ("bare", bare_paths),
            ("search_uncached", uncached),
            ("search_mix", mix),
            ("search_cached", popular),
        ):
            before = _load()
            result = loadgen.drive(
                "127.0.0.1", PORT, paths, connections=CONNECTIONS, duration=SECONDS
            )
            after = _load()
            bad = {status: n for status, n in result.statuses.items() if status != 200}
            if bad or result.errors:
                raise RuntimeError(f"{name}: non-200 answers {bad}, errors {result.errors}")
            results[name] = (result, before, after)
            print(f"  {name}: {result.summary()}; load average {before:.2f} → {after:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    setup = (
        f"gunicorn {WORKERS} gthread workers × {THREADS} threads, {CONNECTIONS} keep-alive "
        f"connections (closed loop) for {SECONDS:.0f} s, {count:,} donations in the campaign, "
        f"{os.cpu_count()} CPUs shared, PostgreSQL shared_buffers {shared_buffers}"
    )
    bare = results["bare"][0]
    for name in ("bare", "search_uncached", "search_mix", "search_cached"):
        result, before, after = results[name]
        baseline = bare.rate if name != "bare" else None
        note = (
            f"{result.requests:,} requests, p50 {result.p50:.1f} ms, p99 {result.p99:.1f} ms; "
            f"1-min load average {before:.2f} before, {after:.2f} after; {setup}"
        )
        report(f"{name}_rate", result.rate, "requests/s", baseline=baseline, note=note)
        report(
            f"{name}_p99",
            result.p99,
            "ms",
            baseline=bare.p99 if name != "bare" else None,
        )
        report(f"{name}_p50", result.p50, "ms")
        report(f"{name}_load_average", after, "1-min load average")
