"""Reports (issue 6): `ansinh bench reports`.

The city's 6-month report over today's communes with `ANSINH_BENCH_SCALE` people (default
1,000,000) and `ANSINH_BENCH_DELIVERIES` deliveries (default 5 × the scale), seeded with the
programmes bench's own seeders (`seed_people`, `bench_programmes.seed_deliveries`) when the
database has fewer.

Measured, for the last full half-year:
- *figures for every commune*: `figures.computed_values` for all the template's computed
  indicators and all reporting units — one grouped query per indicator (the contract).
  Baseline: the delivery figures (people supported, amount handed over, houses) computed by
  one plain SQL query per commune (`scope_path LIKE 'path%'`); both must agree.
- *opening the 126 pre-filled submissions* (`services.submissions_open`: figures + rows).
- *the city's 6-month report build*: the city report is an aggregate of the communes'
  approved submissions (whose figures were computed when they were opened):
  `selectors.city_report` (totals, previous period, same period last year, completeness,
  timeliness) + `building.city_document` + DOCX rendering. Target ≤ 2 s on PostgreSQL,
  reported beside the per-commune SQL baseline. The XLSX annex is timed on its own.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

BENCH_USER = "bench_programmes"
DELIVERY_CODES = ("PEOPLE_SUPPORTED", "SUPPORT_AMOUNT", "HOUSES")
PER_COMMUNE_SQL = """
SELECT COUNT(DISTINCT d.person_id), COALESCE(SUM(d.amount), 0),
       COUNT(*) FILTER (WHERE p.code = %s)
FROM programmes_delivery d
JOIN registry_person pe ON pe.id = d.person_id
JOIN programmes_programme p ON p.id = d.programme_id
WHERE d.delivered_on >= %s AND d.delivered_on <= %s AND pe.scope_path LIKE %s
"""


def _timed(function, repeat: int = 3):
    function()  # warm the caches as a running server would be
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _programmes_bench():
    import importlib.util

    path = Path(__file__).resolve().parent / "bench_programmes.py"
    spec = importlib.util.spec_from_file_location("bench_programmes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(report) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from ansinh.core.progress import ProgressLine
    from ansinh.programmes.indicators import HOUSING_PROGRAMME
    from ansinh.programmes.models import Delivery
    from ansinh.registry.models import Person
    from ansinh.registry.synthetic import seed_people
    from ansinh.reports import building, figures, selectors, services
    from ansinh.reports.catalogue import HALF_TEMPLATE
    from ansinh.reports.documents import render_docx, render_xlsx
    from ansinh.reports.models import ReportSubmission, ReportTemplate
    from ansinh.reports.periods import HALF, current_period

    scale = int(os.environ.get("ANSINH_BENCH_SCALE", "1000000"))
    target = int(os.environ.get("ANSINH_BENCH_DELIVERIES", str(5 * scale)))
    have = Person.objects.count()
    if have < scale:
        with ProgressLine(sys.stderr, label="Tạo dữ liệu") as line:
            seed_people(scale=scale - have, progress=line)
    have_deliveries = Delivery.objects.count()
    if have_deliveries < target:
        with ProgressLine(sys.stderr, label="Tạo lượt trao") as line:
            _programmes_bench().seed_deliveries(target=target - have_deliveries, progress=line)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    services.catalogue_sync()
    template = ReportTemplate.objects.get(code=HALF_TEMPLATE)
    city = figures.city_union(code="01")
    # The seeded deliveries span the last 36 months: report the last full half-year.
    period = current_period(HALF, timezone.localdate()).previous()
    units = figures.reporting_units(city=city, period=period)
    codes = list(template.template_indicators.values_list("indicator__code", flat=True))
    people = Person.objects.count()
    deliveries = Delivery.objects.count()
    in_period = Delivery.objects.filter(
        delivered_on__gte=period.start, delivered_on__lte=period.end
    ).count()
    note = (
        f"{len(units)} communes, {people:,} people, {deliveries:,} deliveries "
        f"({in_period:,} in {period.code}), {connection.vendor}"
    )

    figures_time, computed = _timed(
        lambda: figures.computed_values(codes=codes, period=period, units=units)
    )
    delivery_time, delivery_values = _timed(
        lambda: figures.computed_values(codes=list(DELIVERY_CODES), period=period, units=units)
    )

    def per_commune():
        result = {}
        with connection.cursor() as cursor:
            for unit in units:
                cursor.execute(
                    PER_COMMUNE_SQL, [HOUSING_PROGRAMME, period.start, period.end, unit.path + "%"]
                )
                people_, amount, houses = cursor.fetchone()
                result[unit.pk] = {
                    "PEOPLE_SUPPORTED": people_,
                    "SUPPORT_AMOUNT": int(amount),
                    "HOUSES": houses,
                }
        return result

    baseline_time, baseline = _timed(per_commune, repeat=1)
    for unit in units:
        for code in DELIVERY_CODES:
            assert delivery_values[unit.pk][code] == baseline[unit.pk][code], (unit.code, code)
    report(
        "delivery figures, 126 communes (grouped queries)",
        delivery_time,
        "s",
        baseline=baseline_time,
        note=f"baseline: one plain SQL query per commune; {note}",
    )
    report("all computed figures, every commune", figures_time, "s", note=note)

    ReportSubmission.objects.filter(period__template=template, period__code=period.code).delete()
    user = _bench_user()
    started = time.perf_counter()
    services.submissions_open(user=user, template=template, code=period.code, units=units)
    open_time = time.perf_counter() - started
    report("open 126 pre-filled submissions", open_time, "s", note=note)
    with transaction.atomic():
        now = timezone.now()
        ReportSubmission.objects.filter(period__template=template, period__code=period.code).update(
            status=ReportSubmission.Status.APPROVED,
            is_locked=True,
            first_submitted_at=now,
            submitted_at=now,
            approved_at=now,
        )

    def city_build():
        city_report = selectors.city_report(template=template, period_code=period.code, city=city)
        document = building.city_document(report=city_report)
        return city_report, document, render_docx(document)

    city_time, (city_report, document, docx) = _timed(city_build)
    totals = {line.code: line.total for line in city_report.indicators}
    for code in DELIVERY_CODES:
        assert totals[code] == sum(computed[unit.pk][code] for unit in units), code
    report(
        "city 6-month report build (approved submissions → DOCX)",
        city_time,
        "s",
        baseline=baseline_time,
        note=f"target ≤ 2 s on PostgreSQL; baseline: the delivery figures by one plain SQL "
        f"query per commune; {note}",
    )
    xlsx_time, _xlsx = _timed(lambda: render_xlsx(document))
    report("XLSX annex (126 communes)", xlsx_time, "s", note=note)
    report("DOCX size", len(docx) / 1024, "KiB", note=note)


def _bench_user():
    from ansinh.accounts.models import User

    user, _created = User.objects.get_or_create(
        username=BENCH_USER,
        defaults={"full_name": "Bench", "is_superuser": True, "is_staff": True},
    )
    return user
