"""Programmes (issue 4): `ansinh bench programmes`.

Seeds `ANSINH_BENCH_SCALE` synthetic people (default 1,000,000) when the bench database has
fewer, and `ANSINH_BENCH_DELIVERIES` deliveries (default 5 × the scale) spread over 20 closed
rounds of the catalogue's programmes and the last 36 months — written with COPY on PostgreSQL
(explicit ids, sequences moved afterwards), batched INSERTs on SQLite.

Then, for the whole city:
- candidate generation for the three-condition rule
  `age >= 60 and household_has("HO_NGHEO") and not received("QUA_TET", within_months=12)`:
  the compiled query fetching the selected ids, and the whole `round_generate_candidates`
  service (query, quotas, bulk insert of the entitlements). Baseline: a Python loop over the
  same people evaluating the rule on facts loaded in bulk (`iter_person_facts`) with the
  people who received a Tết gift loaded once into a set. Both must select the same people.
  Targets: ≤ 2 s on PostgreSQL at 1M, ≥ 20× faster than the loop.
- the "Ai chưa được hỗ trợ" view: totals, by commune, by category and by programme, and the
  first page of the people not reached. Target ≤ 1 s for the city.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import statistics
import sys
import time

RULE = 'age >= 60 and household_has("HO_NGHEO") and not received("QUA_TET", within_months=12)'
LOOP_RULE = 'age >= 60 and household_has("HO_NGHEO")'
ROUNDS = 20
BENCH_USER = "bench_programmes"


def _timed(function, repeat: int = 3):
    function()  # warm the caches as a running server would be
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _bench_user():
    from ansinh.accounts.models import User

    user, _created = User.objects.get_or_create(
        username=BENCH_USER,
        defaults={"full_name": "Bench", "is_superuser": True, "is_staff": True},
    )
    return user


def _copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    """Write `rows` (tuples of already-escaped text) through one COPY."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for count, row in enumerate(rows, start=1):
            buffer.write("\t".join(row))
            buffer.write("\n")
            if count % 100_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def seed_deliveries(*, target: int, progress=None) -> tuple[int, float]:
    """Add closed rounds with `target` deliveries; returns (added, seconds)."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from ansinh.org.models import UnionUnit
    from ansinh.programmes.models import Delivery, Entitlement, Programme, Round
    from ansinh.registry.models import Person

    started = time.perf_counter()
    rng = random.Random(4)
    user = _bench_user()
    city = UnionUnit.objects.filter(kind=UnionUnit.Kind.CITY).order_by("pk").first()
    programmes = list(Programme.objects.order_by("order"))
    tet = next(p for p in programmes if p.code == "QUA_TET")
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    per_round = min(len(person_ids), -(-target // ROUNDS))
    today = timezone.localdate()
    now = timezone.now().isoformat()
    next_entitlement = (Entitlement.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    next_delivery = (Delivery.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    added = 0
    for index in range(ROUNDS):
        if added >= target:
            break
        # A third of the rounds are Tết rounds, so received("QUA_TET") has weight.
        programme = tet if index % 3 == 0 else programmes[index % len(programmes)]
        size = min(per_round, target - added)
        with transaction.atomic():
            round_ = Round.objects.create(
                programme=programme,
                title=f"Bench {programme.code} {index}",
                rule="true",
                unit=city,
                scope_path=city.path,
                proposed_by=user,
                status=Round.Status.CLOSED,
                amount_per_person=500_000,
            )
            chosen = rng.sample(person_ids, size)
            entitlements, deliveries = [], []
            for person_id in chosen:
                days = rng.randrange(0, 36 * 30)
                on = today - dt.timedelta(days=days)
                entitlements.append(
                    (
                        str(next_entitlement),
                        str(round_.pk),
                        str(person_id),
                        "1",
                        "500000",
                        "delivered",
                        "rule",
                        "",
                        now,
                    )
                )
                deliveries.append(
                    (
                        str(next_delivery),
                        str(next_entitlement),
                        str(person_id),
                        str(programme.pk),
                        on.isoformat(),
                        str(user.pk),
                        "500000",
                        "",
                        "",
                        "t" if connection.vendor == "postgresql" else "1",
                        "signature",
                        "",
                        now,
                    )
                )
                next_entitlement += 1
                next_delivery += 1
            e_cols = [
                "id",
                "round_id",
                "person_id",
                "rank",
                "amount",
                "status",
                "origin",
                "reason",
                "created_at",
            ]
            d_cols = [
                "id",
                "entitlement_id",
                "person_id",
                "programme_id",
                "delivered_on",
                "deliverer_id",
                "amount",
                "items",
                "evidence",
                "acknowledged",
                "acknowledged_how",
                "note",
                "recorded_at",
            ]
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    raw = cursor.cursor
                    _copy_rows(raw, "programmes_entitlement", e_cols, entitlements)
                    _copy_rows(raw, "programmes_delivery", d_cols, deliveries)
                else:
                    for table, cols, rows in (
                        ("programmes_entitlement", e_cols, entitlements),
                        ("programmes_delivery", d_cols, deliveries),
                    ):
                        marks = ", ".join(["%s"] * len(cols))
                        cursor.executemany(
                            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows
                        )
        added += size
        if progress:
            progress(added, target)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("programmes_entitlement", "programmes_delivery"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    return added, time.perf_counter() - started


def run(report) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from ansinh.accounts.models import User
    from ansinh.core.progress import ProgressLine
    from ansinh.org.models import UnionUnit
    from ansinh.programmes import selectors, services
    from ansinh.programmes.hooks import months_before
    from ansinh.programmes.models import Delivery, Programme, Round
    from ansinh.programmes.reach import reach_rebuild
    from ansinh.registry.models import Person
    from ansinh.registry.synthetic import seed_people
    from ansinh.rules.person import evaluate_facts, iter_person_facts
    from ansinh.rules.selectors import person_select
    from ansinh.rules.services import rule_parse

    scale = int(os.environ.get("ANSINH_BENCH_SCALE", "1000000"))
    target = int(os.environ.get("ANSINH_BENCH_DELIVERIES", str(5 * scale)))
    have = Person.objects.count()
    if have < scale:
        with ProgressLine(sys.stderr, label="Tạo dữ liệu") as line:
            result = seed_people(scale=scale - have, progress=line)
        report("seed rate", result.rate, "people/s", note=f"{result.people:,} people added")
    have_deliveries = Delivery.objects.count()
    if have_deliveries < target:
        with ProgressLine(sys.stderr, label="Tạo lượt trao") as line:
            added, seconds = seed_deliveries(target=target - have_deliveries, progress=line)
        report(
            "delivery seed rate",
            added / seconds,
            "rows/s",
            note=f"{added:,} deliveries (+ entitlements) by {'COPY' if connection.vendor == 'postgresql' else 'INSERT'}",
        )
        # The bulk load bypassed the delivery services: re-derive the reach tables once.
        started = time.perf_counter()
        counts = reach_rebuild()
        report(
            "reach tables rebuilt",
            time.perf_counter() - started,
            "s",
            note=f"{counts['people']:,} people, {counts['programme_rows']:,} programme rows",
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    today = timezone.localdate()
    people = Person.objects.filter(status=Person.Status.ACTIVE)
    total = people.count()
    deliveries = Delivery.objects.count()
    note = f"{total:,} active people, {deliveries:,} deliveries ({connection.vendor})"

    rule = rule_parse(RULE)
    selected = person_select(rule=rule, people=people, today=today)
    ids_time, ids = _timed(lambda: list(selected.order_by().values_list("pk", flat=True)))

    # Baseline: the same rule evaluated in Python on facts loaded in bulk.
    started = time.perf_counter()
    loop_rule = rule_parse(LOOP_RULE)
    tet = Programme.objects.get(code="QUA_TET")
    received = set(
        Delivery.objects.filter(
            programme=tet,
            delivered_on__gte=months_before(today, 12),
            delivered_on__lte=today,
        ).values_list("person_id", flat=True)
    )
    loop_ids = [
        facts.person_id
        for facts in iter_person_facts(people, today=today)
        if facts.person_id not in received and evaluate_facts(loop_rule, facts, today=today) is True
    ]
    loop_time = time.perf_counter() - started
    if sorted(loop_ids) != sorted(ids):
        raise AssertionError(
            f"compiled query ({len(ids)}) and Python loop ({len(loop_ids)}) disagree"
        )
    report(
        "candidate selection (compiled query, ids)",
        ids_time,
        "s",
        baseline=loop_time,
        note=f"{RULE}: {len(ids):,} of {note}",
    )
    report("baseline Python loop over the same people", loop_time, "s", note=note)
    report("speed-up over the Python loop", loop_time / ids_time, "×", note=note)

    # The whole service: query, quotas, bulk insert of the entitlements.
    user = _bench_user()
    city = UnionUnit.objects.filter(kind=UnionUnit.Kind.CITY).order_by("pk").first()
    round_ = services.round_create(
        user=user, programme=tet, unit=city, title="Bench Tết", rule=RULE
    )
    started = time.perf_counter()
    created = services.round_generate_candidates(user=user, round=round_)
    generate_time = time.perf_counter() - started
    report(
        "round_generate_candidates (query + insert)",
        generate_time,
        "s",
        baseline=loop_time,
        note=f"{created:,} entitlements written",
    )
    round_.quotas.all().delete()
    round_.entitlements.all().delete()
    Round.objects.filter(pk=round_.pk).delete()

    # The left-behind view: figures and the first page of people not reached, as the view
    # computes them (`left_behind_for` + `unreached_rows`: the maintained facts on
    # PostgreSQL), beside the live query it replaced (`left_behind` + `unreached_people`),
    # for the city and for a commune officer (the commune with the most people).
    from ansinh.accounts.models import RoleAssignment
    from ansinh.accounts.permissions import Role

    def live(people):
        figures = selectors.left_behind(people=people, today=today, months=12)
        first_page = list(selectors.unreached_people(people=people, today=today, months=12)[:50])
        return figures, first_page

    def fast(viewer):
        figures = selectors.left_behind_for(user=viewer, today=today, months=12)
        rows = selectors.unreached_rows(user=viewer, today=today, months=12, figures=figures)
        return figures, list(rows[0:50]), rows.count()

    commune = (
        UnionUnit.objects.filter(kind=UnionUnit.Kind.COMMUNE)
        .annotate(n=Count("people"))
        .order_by("-n", "pk")
        .first()
    )
    officer, _created = User.objects.get_or_create(
        username="bench_programmes_officer", defaults={"full_name": "Bench officer"}
    )
    RoleAssignment.objects.get_or_create(user=officer, role=Role.COMMUNE_OFFICER, unit=commune)
    for label, viewer, people in (
        ("whole city", user, Person.objects.all()),
        (f"commune officer ({commune.name})", officer, Person.objects.restrict(officer, "count")),
    ):
        one, five, fifteen = os.getloadavg()
        load = f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"
        live_time, (live_figures, live_page) = _timed(lambda people=people: live(people))
        view_time, (figures, page, count) = _timed(lambda viewer=viewer: fast(viewer))
        if figures != live_figures or [p.pk for p in page] != [p.pk for p in live_page]:
            raise AssertionError(f"left-behind figures disagree with the live query ({label})")
        if count != figures.unreached:
            raise AssertionError(f"unreached count {count} != {figures.unreached} ({label})")
        report(
            f"left-behind view, {label}",
            view_time,
            "s",
            baseline=live_time,
            note=(
                f"{figures.total:,} vulnerable, {figures.reached:,} reached in 12 months; "
                f"maintained facts table; {note}; {load}"
            ),
        )
        report(
            f"left-behind view, {label} (old live query)",
            live_time,
            "s",
            note=f"same figures and first page; {note}; {load}",
        )
