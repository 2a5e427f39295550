"""Eligibility rules (issue 4): `ansinh bench rules`.

Seeds `ANSINH_BENCH_SCALE` synthetic people (default 1,000,000) when the bench database has
fewer. Then a three-condition rule over the whole city's active people —
`age >= 60 and sex = "nu" and household_has("HO_NGHEO")` (women of 60 or more in a household
with a member in the poor-household category) — is run as candidate generation: the compiled
query fetching the selected ids, and counting them. Baseline: a Python loop over the same
people evaluating the same tree on facts loaded in bulk (a few queries per 20,000 people: the
person, her household, open vulnerabilities, open needs), as a programme would do without a
compiler. Both must select the same people. Targets: ≤ 2 s on PostgreSQL at 1M, ≥ 20× faster
than the loop.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

RULE = 'age >= 60 and sex = "nu" and household_has("HO_NGHEO")'
SECOND_RULE = 'age >= 60 and has("HO_NGHEO") and need("VON")'


def run(report) -> None:
    from django.db import connection
    from django.utils import timezone

    from ansinh.core.progress import ProgressLine
    from ansinh.registry.models import Person
    from ansinh.registry.synthetic import seed_people
    from ansinh.rules.person import evaluate_facts, iter_person_facts
    from ansinh.rules.selectors import person_select
    from ansinh.rules.services import rule_parse

    scale = int(os.environ.get("ANSINH_BENCH_SCALE", "1000000"))
    have = Person.objects.count()
    if have < scale:
        with ProgressLine(sys.stderr, label="Tạo dữ liệu") as line:
            result = seed_people(scale=scale - have, progress=line)
        report("seed rate", result.rate, "people/s", note=f"{result.people:,} people added")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    today = timezone.localdate()
    people = Person.objects.filter(status=Person.Status.ACTIVE)
    total = people.count()
    note = f"{total:,} active people ({connection.vendor})"

    started = time.perf_counter()
    for _ in range(100):
        rule = rule_parse(RULE)
    report("parse + check", (time.perf_counter() - started) * 10, "ms", note=RULE)

    def timed(function, repeat: int = 3) -> tuple[float, object]:
        function()  # warm the caches as a running server would be
        times, result = [], None
        for _ in range(repeat):
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
        return statistics.median(times), result

    for text in (RULE, SECOND_RULE):
        rule = rule_parse(text)
        selected = person_select(rule=rule, people=people, today=today)
        ids_time, ids = timed(
            lambda selected=selected: list(selected.order_by().values_list("pk", flat=True))
        )
        count_time, count = timed(lambda selected=selected: selected.order_by().count())
        if text != RULE:
            report(
                "candidates, other rule (ids)", ids_time, "s", note=f"{text}: {count:,} of {note}"
            )
            continue
        started = time.perf_counter()
        loop_ids = [
            facts.person_id
            for facts in iter_person_facts(people, today=today)
            if evaluate_facts(rule, facts, today=today) is True
        ]
        loop_time = time.perf_counter() - started
        if sorted(loop_ids) != sorted(ids) or count != len(ids):
            raise AssertionError(
                f"compiled query ({len(ids)}, count {count}) and Python loop ({len(loop_ids)}) disagree"
            )
        report(
            "candidate generation (compiled query, ids)",
            ids_time,
            "s",
            baseline=loop_time,
            note=f"{RULE}: {count:,} of {note}",
        )
        report("candidate count (compiled query)", count_time, "s", baseline=loop_time, note=note)
        report("baseline Python loop over the same people", loop_time, "s", note=note)
        report("speed-up over the Python loop", loop_time / ids_time, "×", note=note)
