"""Upkeep of the reach tables (`PersonReach`, `ProgrammeReach`): who was reached first/last
and how many times, in total and per programme.

A reach is a delivery, or a month of sponsorship support that was logged and not reversed
(`sponsorship.py`). Three ways in, all set-based SQL that PostgreSQL and SQLite both run:
- `reach_add` — one new delivery: an upsert (`INSERT ... ON CONFLICT DO UPDATE`) in the
  delivery's transaction. Two deliveries to the same person committed at the same moment both
  land (the conflicting insert waits on the row, then updates it; `times` is `times + 1`).
- `reach_refresh(person_ids)` — re-derive the rows of some people from their deliveries
  (after a merge moved deliveries between two records, or a delivery was taken back).
- `reach_rebuild()` — re-derive everything: two `INSERT ... SELECT ... GROUP BY`, for
  upgrades and after bulk loads that wrote deliveries without the services; on PostgreSQL
  the left-behind facts (`facts.py`, kept by triggers on these tables) are switched off for
  the transaction and re-derived once at its end.

Only table names taken from the models' metadata are interpolated; values are bound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction

from .facts import TABLE as FACTS


def _tables() -> tuple[str, str, str]:
    from .models import Delivery, PersonReach, ProgrammeReach

    return (
        PersonReach._meta.db_table,
        ProgrammeReach._meta.db_table,
        Delivery._meta.db_table,
    )


def _upsert_sql(table: str, key: str, extra_columns: str) -> str:
    # `excluded` is the row that was refused; the CASE keeps the earliest first and the
    # latest last date (LEAST/GREATEST do not exist in SQLite).
    return f"""
        INSERT INTO {table} ({key}{extra_columns}, first_reached_on, last_reached_on, times)
        VALUES (%s{", %s" if extra_columns else ""}, %s, %s, 1)
        ON CONFLICT ({key}{extra_columns}) DO UPDATE SET
            first_reached_on = CASE WHEN excluded.first_reached_on < {table}.first_reached_on
                                    THEN excluded.first_reached_on
                                    ELSE {table}.first_reached_on END,
            last_reached_on = CASE WHEN excluded.last_reached_on > {table}.last_reached_on
                                   THEN excluded.last_reached_on
                                   ELSE {table}.last_reached_on END,
            times = {table}.times + 1
    """  # noqa: S608


def reach_add(*, person_id: int, programme_id: int, delivered_on: dt.date) -> None:
    """Count one new delivery in both tables (call inside the delivery's transaction)."""
    person_table, programme_table, _deliveries = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert_sql(person_table, "person_id", ""),
            [person_id, delivered_on, delivered_on],
        )
        cursor.execute(
            _upsert_sql(programme_table, "person_id", ", programme_id"),
            [person_id, programme_id, delivered_on, delivered_on],
        )


def _reaches() -> str:
    """Every reach as (person_id, programme_id, reached_on): deliveries, and the months of
    sponsorship support that were logged and not reversed."""
    from .models import Sponsorship, SponsorshipPayment

    _people, _programmes, deliveries = _tables()
    payments = SponsorshipPayment._meta.db_table
    sponsorships = Sponsorship._meta.db_table
    return f"""
        SELECT person_id, programme_id, delivered_on AS reached_on FROM {deliveries}
        UNION ALL
        SELECT s.child_id, s.programme_id, p.paid_on
          FROM {payments} p JOIN {sponsorships} s ON s.id = p.sponsorship_id
         WHERE p.reverses_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM {payments} r WHERE r.reverses_id = p.id)
    """  # noqa: S608


def _fill(cursor, where: str = "", params: list | None = None) -> None:
    person_table, programme_table, _deliveries = _tables()
    reaches = _reaches()
    cursor.execute(
        f"""
        INSERT INTO {person_table} (person_id, first_reached_on, last_reached_on, times)
        SELECT person_id, MIN(reached_on), MAX(reached_on), COUNT(*)
          FROM ({reaches}) d {where}
         GROUP BY person_id
        """,  # noqa: S608
        params or [],
    )
    cursor.execute(
        f"""
        INSERT INTO {programme_table}
               (person_id, programme_id, first_reached_on, last_reached_on, times)
        SELECT person_id, programme_id, MIN(reached_on), MAX(reached_on), COUNT(*)
          FROM ({reaches}) d {where}
         GROUP BY person_id, programme_id
        """,  # noqa: S608
        params or [],
    )


def reach_refresh(*, person_ids: Iterable[int]) -> None:
    """Re-derive the reach rows of `person_ids` from their deliveries and sponsorship months."""
    from .models import PersonReach, ProgrammeReach

    ids = sorted({int(pk) for pk in person_ids})
    if not ids:
        return
    with transaction.atomic():
        PersonReach.objects.filter(person_id__in=ids).delete()
        ProgrammeReach.objects.filter(person_id__in=ids).delete()
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            _fill(cursor, f"WHERE person_id IN ({marks})", ids)


def reach_rebuild() -> dict[str, int]:
    """Re-derive both tables from every delivery; returns the row counts written."""
    from .models import PersonReach, ProgrammeReach

    person_table, programme_table, _deliveries = _tables()
    # TRUNCATE is the fast way on PostgreSQL, but refuses a table written earlier in the
    # same transaction (pending foreign-key checks): inside a caller's transaction, DELETE.
    standalone = connection.vendor == "postgresql" and not connection.in_atomic_block
    from .facts import bulk, facts_rebuild

    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Millions of reach rows: the left-behind triggers stand aside for this
                # transaction and the facts are re-derived once at the end.
                bulk(cursor)
            if standalone:
                cursor.execute(f"TRUNCATE {person_table}, {programme_table}")
            else:
                cursor.execute(f"DELETE FROM {person_table}")  # noqa: S608
                cursor.execute(f"DELETE FROM {programme_table}")  # noqa: S608
            _fill(cursor)
            facts_rebuild(cursor)
        counts = {
            "people": PersonReach.objects.count(),
            "programme_rows": ProgrammeReach.objects.count(),
        }
    if standalone:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {person_table}, {programme_table}, {FACTS}")
    return counts
