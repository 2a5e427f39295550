"""Per-row triggers off for the import's COPYs, and what they would have done, set-based
(PostgreSQL; ADR 0006).

Every row the import writes fires one foreign-key trigger per key (people: household, union
unit, batch, merged into; households: unit, commune, thôn/tổ, author; vulnerabilities and
needs: person, category, verifier), ~800,000 checks of ~5 µs each for 200,000 people, most
of them queued until COMMIT, plus the left-behind facts' row trigger (a no-op during an
import) and the names' statement trigger. When the role may (`session_replication_role`
needs a superuser, or `GRANT SET ON PARAMETER session_replication_role` on PostgreSQL 15+),
the import sets `session_replication_role = replica` for its COPYs only (this session, this
transaction) and then:

- checks once, set-based, that every row it wrote joins to its parents, with the same locks
  the triggers take (FOR KEY SHARE on parents written by others: units, communes, thôn/tổ,
  categories, users, an existing household joined), for every single-column foreign key the
  catalog lists on the tables written (a key added later is checked too); a row without its
  parent raises `IntegrityError`, and the caller's transaction leaves nothing;
- collects the new names and syllables for search (`search.pg_names_collect`, what the
  statement trigger does);
- relies on the bulk hook for the left-behind facts (refreshed once at the end, as with the
  triggers on).

`REPLACED_INSERT_TRIGGERS` lists the INSERT triggers so replaced; a test fails if any other
appears on these tables (it would be skipped silently). Unique indexes and CHECK constraints
are not triggers: a citizen ID already registered is refused as always.
"""

from __future__ import annotations

import psycopg
from django.db import IntegrityError, connection

from ..search import pg_names_collect

SKIP_ROW_TRIGGERS = True

PERSON = "registry_person"
HOUSEHOLD = "registry_household"
VULNERABILITY = "registry_personvulnerability"
NEED = "registry_need"
TABLES = (PERSON, HOUSEHOLD, VULNERABILITY, NEED)

# Non-internal triggers that fire on INSERT into TABLES, and who does their work instead.
REPLACED_INSERT_TRIGGERS = {
    (PERSON, "programmes_lb"): "the bulk hook (left-behind facts refreshed at the end)",
    (VULNERABILITY, "programmes_lb"): "the bulk hook (left-behind facts refreshed at the end)",
    (PERSON, "registry_person_name_token_ins"): "search.pg_names_collect",
}

# The rows of each table this import wrote, from the people of the batch (ids in a range).
_WRITTEN = {
    PERSON: "SELECT {columns} FROM registry_person "
    "WHERE id BETWEEN %(low)s AND %(high)s AND import_batch_id = %(batch)s",
    HOUSEHOLD: "SELECT {columns} FROM registry_household "
    "WHERE id IN (SELECT household_id FROM w_person)",
    VULNERABILITY: "SELECT {columns} FROM registry_personvulnerability "
    "WHERE person_id IN (SELECT id FROM w_person)",
    NEED: "SELECT {columns} FROM registry_need WHERE person_id IN (SELECT id FROM w_person)",
}


def skip_row_triggers(cursor) -> bool:
    """Row triggers off for the rest of this transaction (or up to `restore_row_triggers`)
    when the role may; False (nothing changed) otherwise. `cursor`: a psycopg cursor or a
    Django one."""
    if not SKIP_ROW_TRIGGERS or connection.vendor != "postgresql":
        return False
    cursor.execute("SAVEPOINT ansinh_replica")
    try:
        cursor.execute("SET LOCAL session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        cursor.execute("ROLLBACK TO SAVEPOINT ansinh_replica")
        return False
    except Exception as exc:  # Django wraps the driver's error
        if isinstance(exc.__cause__, psycopg.errors.InsufficientPrivilege):
            cursor.execute("ROLLBACK TO SAVEPOINT ansinh_replica")
            return False
        raise
    cursor.execute("RELEASE SAVEPOINT ansinh_replica")
    return True


def restore_row_triggers(cursor) -> None:
    cursor.execute("SET LOCAL session_replication_role = origin")


def _foreign_keys(cursor) -> list[tuple[str, str, str, str]]:
    """(table, column, parent table, parent column) of every foreign key on TABLES."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, array_length(c.conkey, 1),
               a.attname, c.confrelid::regclass::text, pa.attname
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
         ORDER BY 1, 2
        """,
        [list(TABLES)],
    )
    keys = []
    for table, name, width, column, parent, parent_column in cursor.fetchall():
        if width != 1:  # nothing here checks a composite key: refuse rather than skip it
            raise IntegrityError(f"registry import: composite foreign key {name} on {table}")
        keys.append((table, column, parent, parent_column))
    return keys


def check_written(
    *,
    batch_id: int,
    person_ids: list[int],
    joined_households: list[int],
    vulnerabilities: int,
    needs: int,
) -> None:
    """After COPYs without row triggers: every row written joins to its parents (locked as
    the triggers lock them), the counts are what was written, and the new names are
    collected for search. `IntegrityError` otherwise (the caller's transaction is undone)."""
    if not person_ids:
        return
    with connection.cursor() as cursor:
        keys = _foreign_keys(cursor)
        params = {
            "low": min(person_ids),
            "high": max(person_ids),
            "batch": batch_id,
            "joined": sorted(set(joined_households)),
        }
        columns = {table: {"id"} for table in TABLES}
        columns[PERSON].add("household_id")
        for table, column, _parent, _parent_column in keys:
            columns[table].add(column)
        ctes = ", ".join(
            f"w_{table.split('_', 1)[1]} AS MATERIALIZED "
            f"({sql.format(columns=', '.join(sorted(columns[table])))})"
            for table, sql in _WRITTEN.items()
        )
        checks = [
            "(SELECT count(*) FROM w_person)",
            "(SELECT count(*) FROM w_personvulnerability)",
            "(SELECT count(*) FROM w_need)",
            # An existing household joined: locked as the person's household check would.
            "(SELECT count(*) FROM (SELECT 1 FROM registry_household WHERE id = ANY("
            "%(joined)s::bigint[]) FOR KEY SHARE) j)",
        ]
        labels = []
        for table, column, parent, parent_column in keys:
            # Names from the catalog, quoted; no value is interpolated.
            rows = f"w_{table.split('_', 1)[1]}"
            col, ptab, pcol = f'"{column}"', f'"{parent}"', f'"{parent_column}"'
            values = f"SELECT DISTINCT {col} FROM {rows} WHERE {col} IS NOT NULL"  # noqa: S608
            if parent in TABLES:  # rows of this transaction (or a joined household, above)
                found = (
                    f"(SELECT count(*) FROM ({values}) v WHERE EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {ptab} WHERE {ptab}.{pcol} = v.{col}))"
                )
            else:  # rows of others: KEY SHARE, as RI_FKey_check takes
                found = (
                    f"(SELECT count(*) FROM (SELECT 1 FROM {ptab} WHERE {pcol} IN "  # noqa: S608
                    f"(SELECT {col} FROM {rows}) FOR KEY SHARE OF {ptab}) v)"
                )
            checks.append(f"(SELECT count(*) FROM ({values}) d)")  # noqa: S608
            checks.append(found)
            labels.append(f"{table}.{column} → {parent}")
        cursor.execute(f"WITH {ctes} SELECT {', '.join(checks)}", params)  # noqa: S608 (catalog names)
        counts = cursor.fetchone()
        people, vulnerabilities_found, needs_found, joined = counts[:4]
        problems = []
        if (people, vulnerabilities_found, needs_found) != (
            len(person_ids),
            vulnerabilities,
            needs,
        ):
            problems.append(
                f"written {len(person_ids)} people, {vulnerabilities} vulnerabilities, {needs} "
                f"needs; found {people}, {vulnerabilities_found}, {needs_found}"
            )
        if joined != len(params["joined"]):
            problems.append(f"{len(params['joined']) - joined} joined households missing")
        for label, wanted, found in zip(labels, counts[4::2], counts[5::2], strict=True):
            if wanted != found:
                problems.append(f"{label}: {wanted - found} missing")
        if problems:
            raise IntegrityError(f"registry import {batch_id}: " + "; ".join(problems))
        pg_names_collect(cursor, _WRITTEN[PERSON].format(columns="name_folded"), params)
