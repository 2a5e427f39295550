"""Queries run as prepared statements on PostgreSQL (server-side parameters).

Django's psycopg backend binds parameters on the client, so PostgreSQL parses and plans
every query afresh. For the few queries a public page runs on every request (the donation
search: `ansinh.funds.search`, `ansinh.portal.selectors`) planning costs as much as running
them; `fetch` prepares each on its connection once (psycopg keeps the statement per
connection and parameter types) and runs it with its parameters. Errors come out as
Django's database errors, as from the ORM.

The settings give psycopg a `prepare_threshold` no query reaches by repetition, so only
these queries are prepared (the ORM binds on the client and never prepares); behind a
connection pooler in transaction mode, `DB_PREPARED_STATEMENTS=0` leaves it unset and the
queries run with server-side parameters, unprepared. While Django records queries (DEBUG,
a test counting them) they are recorded, unprepared. On SQLite `fetch` is an ordinary
query.
"""

from __future__ import annotations

import psycopg
from django.db import connection


def fetch(sql: str, params: list | tuple, *, prepare: bool = True) -> list[tuple]:
    """All rows of `sql` (with %s placeholders) run with `params`. `prepare=False` for a
    query whose best plan depends on its parameters: PostgreSQL may run a prepared one
    with one plan for all (after five runs, when that plan's estimate is no worse)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        with connection.make_debug_cursor(raw) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with connection.wrap_database_errors, raw:
        raw.execute(sql, params, prepare=prepare, binary=True)
        return raw.fetchall()


__all__ = ["fetch"]
