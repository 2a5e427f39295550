"""Outreach (issue 7): `ansinh bench outreach`.

Seeds `ANSINH_BENCH_ACTIVITIES` communication activities (default 200,000) over the last two
years in 126 communes (the current Hanoi commune unions when the bench database has them,
else synthetic ones under a synthetic city), and `ANSINH_BENCH_MODELS` community models
(default 20,000), each with three status changes, when the bench database has fewer.

Then, for the whole city:
- the totals page figures (`activity_totals`: by channel and by topic, one grouped query
  each). Baseline: a Python loop summing the same figures over `values_list` rows.
- the report indicator COMMUNICATION_REACHED for one year, grouped by unit path. Baseline:
  the same Python loop over the year's rows.
- COMMUNITY_MODELS_ACTIVE (status standing at the end of a past period, read from the status
  history by a correlated subquery). Baseline: loading every status change and replaying the
  history in Python.
Each figure is checked equal to its baseline before it is reported.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from collections import defaultdict

BENCH_USER = "bench_outreach"
COMMUNES = 126


def _timed(function, repeat: int = 3):
    function()
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _units():
    from ansinh.org.models import UnionUnit

    communes = list(
        UnionUnit.objects.filter(kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True).order_by("pk")[
            :COMMUNES
        ]
    )
    if len(communes) >= COMMUNES:
        return communes
    city, _created = UnionUnit.objects.get_or_create(
        kind=UnionUnit.Kind.CITY, code="BENCH-OUTREACH", defaults={"name": "Bench city"}
    )
    for index in range(len(communes), COMMUNES):
        communes.append(
            UnionUnit.objects.create(
                kind=UnionUnit.Kind.COMMUNE,
                code=f"BO{index:04d}",
                name=f"Bench commune {index}",
                parent=city,
                valid_from=dt.date(2025, 7, 1),
            )
        )
    return communes


def _seed(*, activities: int, models: int) -> tuple[int, int]:
    from django.db import transaction
    from django.utils import timezone

    from ansinh.outreach import services
    from ansinh.outreach.models import (
        CommunicationActivity,
        CommunicationTopic,
        CommunityModel,
        CommunityModelKind,
        CommunityModelStatusChange,
    )

    services.lists_seed()
    units = _units()
    topics = list(CommunicationTopic.objects.all())
    kinds = list(CommunityModelKind.objects.all())
    channels = CommunicationActivity.Channel.values
    today = timezone.localdate()
    rng = random.Random(7)
    added_activities = max(0, activities - CommunicationActivity.objects.count())
    batch = []
    with transaction.atomic():
        for _index in range(added_activities):
            channel = rng.choice(channels)
            online = channel in CommunicationActivity.ONLINE
            batch.append(
                CommunicationActivity(
                    held_on=today - dt.timedelta(days=rng.randrange(730)),
                    unit=rng.choice(units),
                    topic=rng.choice(topics),
                    channel=channel,
                    title="Bench",
                    participants=None if online else rng.randrange(10, 300),
                    reach=rng.randrange(50, 5000) if online or rng.random() < 0.3 else None,
                )
            )
            if len(batch) == 5000:
                CommunicationActivity.objects.bulk_create(batch)
                batch = []
        CommunicationActivity.objects.bulk_create(batch)
    added_models = max(0, models - CommunityModel.objects.count())
    with transaction.atomic():
        created = CommunityModel.objects.bulk_create(
            [
                CommunityModel(
                    kind=rng.choice(kinds),
                    name=f"Bench model {index}",
                    unit=rng.choice(units),
                    established_on=today - dt.timedelta(days=700 + rng.randrange(300)),
                    members_count=rng.randrange(5, 60),
                )
                for index in range(added_models)
            ],
            batch_size=5000,
        )
        changes = []
        for model in created:
            day = model.established_on
            status = "active"
            changes.append(
                CommunityModelStatusChange(
                    model=model, from_status="", to_status=status, changed_on=day
                )
            )
            for _step in range(2):
                day = day + dt.timedelta(days=rng.randrange(30, 300))
                new = rng.choice([s for s in ("active", "paused", "dissolved") if s != status])
                changes.append(
                    CommunityModelStatusChange(
                        model=model, from_status=status, to_status=new, changed_on=day
                    )
                )
                status = new
                if status == "dissolved":
                    break
            model.status = status
        CommunityModelStatusChange.objects.bulk_create(changes, batch_size=5000)
        CommunityModel.objects.bulk_update(created, ["status"], batch_size=5000)
    return added_activities, added_models


def run(report) -> None:
    from django.utils import timezone

    from ansinh.accounts.models import User
    from ansinh.core.indicators import get_computed
    from ansinh.outreach import selectors
    from ansinh.outreach.models import (
        CommunicationActivity,
        CommunityModel,
        CommunityModelStatusChange,
    )

    activities = int(os.environ.get("ANSINH_BENCH_ACTIVITIES", "200000"))
    models = int(os.environ.get("ANSINH_BENCH_MODELS", "20000"))
    started = time.perf_counter()
    added_activities, added_models = _seed(activities=activities, models=models)
    if added_activities or added_models:
        report(
            "seed",
            time.perf_counter() - started,
            "s",
            note=f"{added_activities} activities, {added_models} models added",
        )
    user, _created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"full_name": "Bench", "is_superuser": True}
    )
    total_rows = CommunicationActivity.objects.count()

    # totals page (whole city, no filter)
    def loop_totals():
        by_channel = defaultdict(lambda: [0, 0, 0])
        for channel, participants, reach in CommunicationActivity.objects.values_list(
            "channel", "participants", "reach"
        ).iterator(chunk_size=20000):
            row = by_channel[channel]
            row[0] += 1
            row[1] += participants or 0
            row[2] += reach or 0
        return {key: tuple(value) for key, value in by_channel.items()}

    query_time, figures = _timed(lambda: selectors.activity_totals(user=user))
    loop_time, expected = _timed(loop_totals, repeat=1)
    got = {
        r["channel"]: (r["sessions"], r["participants"], r["reach"]) for r in figures["by_channel"]
    }
    assert got == expected, "totals differ from the Python loop"
    report(
        "totals by channel and topic (city)",
        query_time,
        "s",
        baseline=loop_time,
        note=f"{total_rows} activities; baseline: Python loop over the rows (channel only)",
    )

    # indicator for one year
    end = timezone.localdate()
    start = end - dt.timedelta(days=364)

    def loop_reached():
        sums = defaultdict(int)
        for path, participants, reach in (
            CommunicationActivity.objects.filter(held_on__gte=start, held_on__lte=end)
            .values_list("unit__path", "participants", "reach")
            .iterator(chunk_size=20000)
        ):
            sums[path] += (participants or 0) + (reach or 0)
        return {path: value for path, value in sums.items() if value}

    indicator = get_computed("COMMUNICATION_REACHED")
    query_time, values = _timed(lambda: indicator.values(start=start, end=end))
    loop_time, expected = _timed(loop_reached, repeat=1)
    assert values == expected, "COMMUNICATION_REACHED differs from the Python loop"
    report(
        "COMMUNICATION_REACHED, one year, by unit",
        query_time,
        "s",
        baseline=loop_time,
        note="baseline: Python loop over the year's rows",
    )

    # models active at a past date, from the status history
    at = end - dt.timedelta(days=400)

    def loop_active():
        established = dict(
            CommunityModel.objects.filter(established_on__lte=at).values_list("pk", "unit__path")
        )
        latest: dict[int, tuple] = {}
        for model_id, day, pk, status in CommunityModelStatusChange.objects.filter(
            changed_on__lte=at
        ).values_list("model_id", "changed_on", "pk", "to_status"):
            if model_id not in latest or (day, pk) > latest[model_id][:2]:
                latest[model_id] = (day, pk, status)
        counts = defaultdict(int)
        for model_id, path in established.items():
            if model_id in latest and latest[model_id][2] == "active":
                counts[path] += 1
        return dict(counts)

    indicator = get_computed("COMMUNITY_MODELS_ACTIVE")
    query_time, values = _timed(lambda: indicator.values(start=at, end=at))
    loop_time, expected = _timed(loop_active, repeat=1)
    assert values == expected, "COMMUNITY_MODELS_ACTIVE differs from the history replay"
    report(
        "COMMUNITY_MODELS_ACTIVE at a past date",
        query_time,
        "s",
        baseline=loop_time,
        note=f"{CommunityModel.objects.count()} models; baseline: history replayed in Python",
    )
