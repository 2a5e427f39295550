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

from django.db import IntegrityError, connection

from ansinh.core import bulk

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


def skip_row_triggers(cursor) -> bool:
    """Row triggers off for the rest of this transaction when the role may
    (`ansinh.core.bulk`); False (nothing changed) otherwise."""
    return SKIP_ROW_TRIGGERS and bulk.skip_row_triggers(cursor)


restore_row_triggers = bulk.restore_row_triggers


def _foreign_keys(cursor) -> dict[str, list[tuple[str, str, str]]]:
    """table → [(column, parent table, parent column)] of every foreign key on TABLES."""
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
    keys: dict[str, list[tuple[str, str, str]]] = {table: [] for table in TABLES}
    for table, name, width, column, parent, parent_column in cursor.fetchall():
        if width != 1:  # nothing here checks a composite key: refuse rather than skip it
            raise IntegrityError(f"registry import: composite foreign key {name} on {table}")
        keys[table].append((column, parent, parent_column))
    return keys


def check_written(*, batch_id: int, written: dict[str, list[int] | range]) -> None:
    """After COPYs without row triggers: every row written (`written`: table → the keys it
    was given) is there and joins to its parents, locked as the triggers lock them;
    `IntegrityError` otherwise (the caller's transaction is undone).

    One pass per table over the key range written (people: of this batch), which gives the
    distinct values of each foreign key; a value that is a row written here is known to
    exist; any other (a unit, commune, thôn/tổ, category, user, an existing household
    joined, or a row of someone else's that a concurrent writer put in the range) is looked
    up in its parent table FOR KEY SHARE, as `RI_FKey_check` does. (The names for search
    are collected by the writers, `search.pg_names_collect`, as they write.)"""
    written = {table: ids for table, ids in written.items() if len(ids)}
    if not written:
        return
    problems = []
    with connection.cursor() as cursor:
        keys = _foreign_keys(cursor)
        own: dict[str, set[int]] = {}
        values: list[tuple[str, str, str, str, set]] = []
        for table, ids in written.items():
            columns = [column for column, _parent, _parent_column in keys[table]]
            aggregates = "".join(f', array_agg(DISTINCT "{column}")' for column in columns)
            extra = " AND import_batch_id = %(batch)s" if table == PERSON else ""
            cursor.execute(
                f'SELECT array_agg(id){aggregates} FROM "{table}" '  # noqa: S608 (catalog names)
                f"WHERE id BETWEEN %(low)s AND %(high)s{extra}",
                {"low": min(ids), "high": max(ids), "batch": batch_id},
            )
            found, *distinct = cursor.fetchone()
            mine = set(ids)
            missing = len(mine.difference(found or ()))
            if missing:
                problems.append(f"{table}: {missing} of {len(mine)} rows written are not there")
            own[table] = mine
            for (column, parent, parent_column), items in zip(keys[table], distinct, strict=True):
                present = {value for value in items or () if value is not None}
                values.append((table, column, parent, parent_column, present))
        for table, column, parent, parent_column, present in values:
            if parent_column == "id" and parent in own:
                present = present.difference(own[parent])
            if not present:
                continue
            cursor.execute(
                f'SELECT count(*) FROM (SELECT 1 FROM "{parent}" '  # noqa: S608 (catalog names)
                f'WHERE "{parent_column}" = ANY(%s) FOR KEY SHARE) locked',
                [sorted(present)],
            )
            (locked,) = cursor.fetchone()
            if locked != len(present):
                problems.append(
                    f"{table}.{column}: {len(present) - locked} values without a row in {parent}"
                )
        if problems:
            raise IntegrityError(f"registry import {batch_id}: " + "; ".join(problems))
