"""Registry search latency (issue 3): `ansinh bench registry_search`.

Seeds `ANSINH_BENCH_SCALE` synthetic people (default 1,000,000) when the bench database has
fewer, then runs ~200 realistic queries — folded names, accented names, names with one typo,
surname + given name without the middle name, citizen IDs and phones written with spaces or
dots — exactly as the list page does, as the city admin and as a commune officer:
- "search": the page request's work, `search_page` (first page of 50 with its rows'
  household, commune, unit, categories and needs prefetched; a page that is not full carries
  its count);
- "count request": the capped count (and, when typo variants were left out, their count)
  that the page asks for with htmx once shown, only when the page did not carry it;
- "page + count": both, summed per query (what the page cost when it counted inline).
Baseline: a plain `ILIKE '%…%'` (PostgreSQL) / `LIKE` (SQLite) on `full_name` of the same
data, first page plus capped count. Targets: p95 ≤ 50 ms on PostgreSQL, ≤ 100 ms on SQLite.
The machine's load average is reported with the figures (the cores are shared).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    word = words[-1]
    if len(word) >= 3:
        at = rng.randrange(1, len(word))
        word = word[:at] + rng.choice("aeioun") + word[at + 1 :]
    words[-1] = word
    return " ".join(words)


def _queries(rng: random.Random, count: int = 200) -> list[tuple[str, str]]:
    from ansinh.registry.models import Person

    ids = list(Person.objects.order_by().values_list("id", flat=True))
    sample = Person.objects.filter(pk__in=rng.sample(ids, min(len(ids), count * 2)))
    people = list(sample.only("full_name", "name_folded", "citizen_id", "phone"))
    rng.shuffle(people)
    kinds = ["folded", "accented", "typo", "partial", "citizen_id", "phone"]
    queries: list[tuple[str, str]] = []
    for person in people:
        kind = kinds[len(queries) % len(kinds)]
        words = person.name_folded.split()
        if kind == "folded":
            queries.append((kind, person.name_folded))
        elif kind == "accented":
            queries.append((kind, person.full_name))
        elif kind == "typo":
            queries.append((kind, _typo(person.name_folded, rng)))
        elif kind == "partial" and len(words) >= 3:
            queries.append(
                (
                    kind,
                    f"{words[0]} {words[1]} {words[-1]}"
                    if rng.random() < 0.5
                    else f"{words[0]} {words[-1]}",
                )
            )
        elif kind == "citizen_id" and person.citizen_id:
            cid = person.citizen_id
            queries.append((kind, f"{cid[:3]} {cid[3:6]} {cid[6:9]} {cid[9:]}"))
        elif kind == "phone" and person.phone:
            local = "0" + person.phone[3:]
            queries.append((kind, f"{local[:4]}.{local[4:7]}.{local[7:]}"))
        if len(queries) >= count:
            break
    return queries


def run(report) -> None:
    from django.conf import settings
    from django.db import connection

    from ansinh.accounts.models import User
    from ansinh.core.progress import ProgressLine
    from ansinh.registry.models import Person
    from ansinh.registry.search import COUNT_CAP, search_count, search_page
    from ansinh.registry.synthetic import seed_people

    scale = int(os.environ.get("ANSINH_BENCH_SCALE", "1000000"))
    have = Person.objects.count()
    if have < scale:
        with ProgressLine(sys.stderr, label="Tạo dữ liệu") as line:
            # Its own truth file: var/seed/duplicates-truth.csv belongs to the dedupe bench.
            truth = settings.VAR_DIR / "seed" / f"search-bench-truth-{connection.vendor}.csv"
            result = seed_people(scale=scale - have, progress=line, truth_path=truth)
        report("seed rate", result.rate, "people/s", note=f"{result.people:,} people added")
    # What autovacuum would have done after a bulk load: flush GIN pending lists, statistics.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    total = Person.objects.count()
    rng = random.Random(20250701)
    queries = _queries(rng)
    admin = User.objects.get(username="thanhpho")
    officer = User.objects.get(username="hoankiem")

    def page(user, query):
        return search_page(user=user, query=query, per_page=50)

    def count(user, query):
        return search_count(user=user, query=query)

    def baseline(query):
        people = Person.objects.filter(full_name__icontains=query).order_by("name_folded", "id")
        return list(people[:50]), people.order_by()[: COUNT_CAP + 1].count()

    for user in (admin, officer):  # warm caches as a running server would be
        for _kind, query in queries[:20]:
            page(user, query)
    found = 0
    figures = {}
    load_before = os.getloadavg()[0]
    for label, user in (("city admin", admin), ("commune officer", officer)):
        times, count_times, both = [], [], []
        for _kind, query in queries:
            started = time.perf_counter()
            result = page(user, query)
            page_ms = (time.perf_counter() - started) * 1000
            times.append(page_ms)
            count_ms = 0.0
            if result.count is None or result.near_available:
                started = time.perf_counter()
                count(user, query)
                count_ms = (time.perf_counter() - started) * 1000
                count_times.append(count_ms)
            both.append(page_ms + count_ms)
            if user is admin and result.rows:
                found += 1
        figures[label] = (times, count_times, both)
    name_queries = [q for kind, q in queries if kind in ("folded", "accented", "typo", "partial")]
    base_times = []
    for query in name_queries[:40]:
        started = time.perf_counter()
        baseline(query)
        base_times.append((time.perf_counter() - started) * 1000)
    base_p50 = statistics.median(base_times)
    base_p95 = _percentile(base_times, 0.95)
    load = f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    note = f"{total:,} people, {len(queries)} queries ({connection.vendor}), {load}"
    for label, (times, count_times, both) in figures.items():
        report(
            f"search p50 ({label})", statistics.median(times), "ms", baseline=base_p50, note=note
        )
        report(
            f"search p95 ({label})", _percentile(times, 0.95), "ms", baseline=base_p95, note=note
        )
        report(f"search p99 ({label})", _percentile(times, 0.99), "ms", note=note)
        if count_times:
            counted_note = f"{len(count_times)} of {len(times)} pages asked for it; {note}"
            report(
                f"count request p50 ({label})",
                statistics.median(count_times),
                "ms",
                note=counted_note,
            )
            report(
                f"count request p95 ({label})",
                _percentile(count_times, 0.95),
                "ms",
                note=counted_note,
            )
        report(
            f"page + count p95 ({label})",
            _percentile(both, 0.95),
            "ms",
            baseline=base_p95,
            note=note,
        )
    report(
        "baseline LIKE scan p50", base_p50, "ms", note="full_name ILIKE/LIKE '%q%', page + count"
    )
    report(
        "baseline LIKE scan p95", base_p95, "ms", note="full_name ILIKE/LIKE '%q%', page + count"
    )
    report("queries with a hit (admin)", found / len(queries), "share", note=note)
