"""Bulk writes on PostgreSQL: per-row triggers off for one transaction, when the role may.

An import that writes hundreds of thousands of rows with COPY pays one foreign-key trigger
per key per row, most of them queued until COMMIT. `skip_row_triggers` sets
`session_replication_role = replica` for the rest of the transaction (this session only)
when the role may (a superuser, or `GRANT SET ON PARAMETER session_replication_role` on
PostgreSQL 15+); the caller must then check, set-based, what the skipped triggers would have
checked, and call `restore_row_triggers` after its COPYs. Without the privilege nothing
changes and the normal triggers run. Used by the statement import (`funds.statements`) and
the registry import (`registry.importing.triggers`).
"""

from __future__ import annotations

import psycopg
from django.db import connection


def skip_row_triggers(cursor) -> bool:
    """Row triggers off for the rest of this transaction (or up to `restore_row_triggers`)
    when the role may; False (nothing changed) otherwise. `cursor`: a psycopg cursor or a
    Django one."""
    if connection.vendor != "postgresql":
        return False
    cursor.execute("SAVEPOINT ansinh_replica")
    try:
        cursor.execute("SET LOCAL session_replication_role = replica")
    except Exception as exc:  # psycopg's error, or Django's wrapper around it
        if isinstance(exc, psycopg.errors.InsufficientPrivilege) or isinstance(
            exc.__cause__, psycopg.errors.InsufficientPrivilege
        ):
            cursor.execute("ROLLBACK TO SAVEPOINT ansinh_replica")
            return False
        raise
    cursor.execute("RELEASE SAVEPOINT ansinh_replica")
    return True


def restore_row_triggers(cursor) -> None:
    cursor.execute("SET LOCAL session_replication_role = origin")
