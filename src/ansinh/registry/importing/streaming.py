"""People written while the file is still being checked (PostgreSQL, the command line's import).

Checking a file is Python's work and writing it is PostgreSQL's: done one after the other,
each waits for the other. So `import_file_run` opens the commit's transaction first and, as
each chunk of rows is checked, hands the rows whose values are already final to a writer
thread, which COPYs them into `registry_person` while the next chunk is checked (the
PostgreSQL backend does its indexing and most of its foreign-key checks on the other core).

It is speculation, checked before anything is kept:
- a row is written ahead only when nothing later in the file can change it: no cell error so
  far; its household is its own (no Mã hộ) or one already seen; its commune is its own or that
  of an earlier row of its household (or the importing commune's, for a row alone); its
  relation is written (or it is not the first row of its household, which makes it "other");
- the rest of the checks then run as always (households, duplicates in the file, people
  already in the registry: people of this batch are not counted there);
- any error in the file, or any row written ahead that the full checks see differently (it
  turned out to be already in the registry, its household already exists, its commune or
  relation differ), or a refusal by the database (a citizen ID already registered): back to
  the savepoint taken before the first row, and the import proceeds as without this module,
  from the checked rows. What is committed is always exactly what the checks decided.

A person's vulnerabilities and needs (from her own cells) are written with her, by the
writer. Households are written at the end (their address and poverty come from all their rows); the
people's foreign key to them is deferred to COMMIT, the others are checked as each chunk
ends, inside the overlap.
"""

from __future__ import annotations

import queue
import sys
import threading

from django.db import connection, transaction
from django.db.models import Q, UniqueConstraint
from django.utils import timezone

from ansinh.core.text import fold

from ..models import Household, Need, Person, PersonVulnerability
from ..search import pg_names_collect
from .commit import (
    LINK_COLUMNS,
    PERSON_COLUMNS,
    _reserve_ids,
    _text,
    copy_statement,
    link_tails,
    sequence_oid,
)
from .triggers import restore_row_triggers, skip_row_triggers

SWITCH_INTERVAL = 0.0005  # seconds
# Chunks of COPY lines the checking may be ahead of the writer (~1 MB each): the writer is
# the slower, and what the main thread does after the last chunk (households, duplicates in
# the file) then overlaps the writer's backlog.
QUEUE_CHUNKS = 16


def refused_twice() -> tuple[bool, bool]:
    """Whether the database itself refuses a second person with the same citizen ID, and
    with the same record number in a union unit (the model's unique constraints, which the
    migrations keep in the database): then a row written ahead that is someone's already
    fails its COPY, and needs no lookup by that key before it (ADR 0006)."""
    citizen_ids = Person._meta.get_field("citizen_id").unique
    records = any(
        isinstance(constraint, UniqueConstraint)
        and tuple(constraint.fields) == ("unit", "record_number")
        and constraint.condition == ~Q(record_number="")
        for constraint in Person._meta.constraints
    )
    return citizen_ids, records


class PersonStream:
    """Writes people ahead, in a thread, inside the caller's transaction (see the module)."""

    def __init__(self, *, batch):
        self.batch = batch
        self.written: dict[int, tuple] = {}  # row number → (pk, household id, unit id, relation)
        # Vulnerabilities and needs of the people written ahead: table → their keys.
        self.links: dict[str, list[int]] = {table: [] for table in LINK_COLUMNS}
        self.household_ids: dict[object, int] = {}  # Mã hộ (or row number) → reserved id
        self.first_commune: dict[str, tuple[int, int]] = {}  # Mã hộ → (commune, unit)
        self.error: BaseException | None = None
        self.stopped = False
        self._thread: threading.Thread | None = None
        self._savepoint = None
        self.unchecked = False  # written without row triggers (`triggers`)
        self.registered = False  # a row written ahead may already be in the registry
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
        self._collected: set[str] = set()  # folded names already collected for search

    # --- the main thread ------------------------------------------------------------------

    def start(self, checker, *, total: int) -> None:
        """Reserve keys for at most `total` people and households; start the writer."""
        self.checker = checker
        self.scope = checker.unit.path
        self.paths = {union_id: _text(path) for union_id, path in checker.unions.values()}
        default = checker.default_commune_id
        self.default = (
            (default, checker.unions[default][0])
            if default is not None and checker.in_scope(default)
            else None
        )
        self._person_keys = iter(_reserve_ids(Person, total))
        self._household_keys = iter(_reserve_ids(Household, total))
        self._savepoint = transaction.savepoint()
        self._unique_citizen_id, self._unique_record = refused_twice()
        self._immediate = []
        with connection.cursor() as cursor:
            # Without row triggers when the role may (`triggers`: checked set-based at the
            # end, by `commit_validation`). Else the people's other foreign keys (union unit,
            # batch: rows that exist) are checked as each chunk's COPY ends, on the writer's
            # time; the household's waits for COMMIT.
            self.unchecked = skip_row_triggers(cursor)
            if not self.unchecked:
                cursor.execute(
                    "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = "
                    "'registry_person'::regclass AND confrelid <> 'registry_household'::regclass"
                )
                self._immediate = [name for (name,) in cursor.fetchall()]
            if self._immediate:
                cursor.execute(
                    "SET CONSTRAINTS " + ", ".join(f'"{n}"' for n in self._immediate) + " IMMEDIATE"
                )
        stamp = timezone.now().isoformat()
        self._tail = f"\t\\N\tf\t{self.batch.pk}\t{stamp}\t{stamp}\n"
        self._sql = copy_statement(Person, ["id", *PERSON_COLUMNS])
        # A person's vulnerabilities and needs go with her: (table, sequence, COPY, tail).
        tails = link_tails(timezone.localdate())
        with connection.cursor() as cursor:
            self._links = [
                (
                    model._meta.db_table,
                    sequence_oid(cursor, model),
                    copy_statement(model, LINK_COLUMNS[model._meta.db_table]),
                    tails[model._meta.db_table],
                )
                for model in (PersonVulnerability, Need)
            ]
        self._raw = connection.connection
        # The writer waits on the database with the GIL released, many times per chunk; it
        # gets the GIL back only when the checking thread lets go of it, by default every
        # 5 ms: a shorter interval while both run keeps the database fed (measured, ADR 0006).
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread = threading.Thread(target=self._write, name="registry-import-writer")
        self._thread.start()

    def chunk(self, rows, *, failed: bool) -> None:
        """The checked rows of one chunk: write ahead those that are final."""
        if failed or self.error is not None or self.registered:
            self.stopped = True  # the import will not be committed, or not from here
        if self.stopped:
            return
        head, other = Person.Relation.HEAD, Person.Relation.OTHER
        lines = []
        records: set[tuple[int, str]] = set()
        citizen_ids: list[str] = []
        names: set[tuple] = set()
        folded: set[str] = set()
        vulnerabilities: list[tuple[int, int]] = []  # (person, category)
        needs: list[tuple[int, int]] = []
        # Run on every row: names bound once.
        written, household_ids, first_commune = self.written, self.household_ids, self.first_commune
        next_person, next_household = self._person_keys.__next__, self._household_keys.__next__
        paths, default, tail = self.paths, self.default, self._tail
        unique_citizen_id, unique_record = self._unique_citizen_id, self._unique_record
        active, null = str(Person.Status.ACTIVE.value), "\\N"
        for row in rows:
            if not row.is_valid:
                continue
            code = row.household_code
            if not code:
                # A household of its own (keyed by its row number in `household_ids`).
                household_id = household_ids[row.row] = next_household()
                relation = row.relation or head
                if row.has_commune:
                    commune_id, unit_id = row.commune_id, row.unit_id
                elif default is not None:
                    commune_id, unit_id = default
                else:
                    continue
            else:
                household_id = household_ids.get(code)
                seen = household_id is not None
                if not seen:
                    household_id = household_ids[code] = next_household()
                if row.has_commune:
                    commune_id, unit_id = row.commune_id, row.unit_id
                    if code not in first_commune:
                        first_commune[code] = (commune_id, unit_id)
                else:
                    commune = first_commune.get(code)
                    if commune is None:
                        continue
                    commune_id, unit_id = commune
                relation = row.relation or (other if seen else None)
                if relation is None:
                    continue
            pk = next_person()
            written[row.row] = (pk, household_id, unit_id, relation)
            name_folded = row.name_folded or fold(row.full_name)
            folded.add(name_folded)
            # The keys `validation._match_existing` would look this row up by (those the
            # database refuses twice need no lookup: the COPY fails, and all is undone).
            record_number = row.record_number
            if record_number and not unique_record:
                records.add((unit_id, record_number))
            if row.vulnerability_ids:
                vulnerabilities.extend((pk, category) for category in row.vulnerability_ids)
            if row.need_ids:
                needs.extend((pk, category) for category in row.need_ids)
            citizen_id = row.citizen_id
            birth_date, birth_year = row.birth_date, row.birth_year
            if citizen_id:
                if not unique_citizen_id:
                    citizen_ids.append(citizen_id)
            elif not record_number and row.name_folded:
                names.add((row.name_folded, birth_date, birth_year, commune_id))
            lines.append(
                f"{pk}\t{household_id}\t{unit_id}\t{paths[unit_id]}\t"
                f"{_text(row.full_name)}\t{_text(name_folded)}\t{row.sex}\t"
                f"{null if birth_date is None else birth_date.isoformat()}\t"
                f"{null if birth_year is None else birth_year}\t"
                f"{null if citizen_id is None else citizen_id}\t{_text(row.phone)}\t"
                f"{row.ethnicity}\t{relation}\t"
                f"{'t' if row.is_union_member else 'f'}\t{_text(row.occupation)}\t"
                f"{active}\t{_text(record_number)}{tail}"
            )
        if lines:
            self._queue.put(
                ("".join(lines), records, citizen_ids, names, folded, (vulnerabilities, needs))
            )

    def _household_id(self, key) -> int:
        household_id = self.household_ids.get(key)
        if household_id is None:
            household_id = self.household_ids[key] = next(self._household_keys)
        return household_id

    def finish(self) -> None:
        """Wait for the writer (the database is the main thread's again)."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None
        sys.setswitchinterval(self._switch)
        if self.error is not None:  # the transaction is usable again from the savepoint
            transaction.savepoint_rollback(self._savepoint)
        elif self.unchecked:
            with connection.cursor() as cursor:
                restore_row_triggers(cursor)
        elif self._immediate:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET CONSTRAINTS " + ", ".join(f'"{n}"' for n in self._immediate) + " DEFERRED"
                )

    def known_new(self) -> set[int]:
        """Row numbers written ahead that are no one else's: looked up before they were
        written and found nowhere, or written past a unique index that would have refused
        them (`refused_twice`), so the final checks need not look them up again, and would
        only find the rows written ahead: all of them, while the stream is sound."""
        if self.stopped or self.registered or self.error is not None:
            return set()
        return set(self.written)

    def keep(self, validation) -> bool:
        """Whether every row written ahead is what the checks decided; if not (or on any
        error), everything written ahead is undone and False returned."""
        if self._savepoint is None:  # never started (the file could not be read)
            return False
        self.finish()
        agreed = None
        if self.error is None and not self.stopped and not validation.errors:
            agreed = self._agrees(validation)
        if agreed is not None:
            for household, key in agreed:
                household.written_id = key
            transaction.savepoint_commit(self._savepoint)
            return True
        transaction.savepoint_rollback(self._savepoint)
        self.written.clear()
        for keys in self.links.values():
            keys.clear()
        return False

    def _agrees(self, validation) -> list | None:
        """[(household, key it was written with)] when every row written ahead is right."""
        written = self.written
        found = 0
        agreed = []
        for household in validation.households:
            ids = {written[r.row][1] for r in household.rows if r.row in written}
            if not ids:
                continue
            if len(ids) > 1 or household.existing_household_id is not None:
                return None
            for row in household.rows:
                ahead = written.get(row.row)
                if ahead is None:
                    continue
                found += 1
                if (
                    not row.is_valid
                    or row.existing_person_id is not None
                    or row.unit_id != ahead[2]
                    or row.relation != ahead[3]
                ):
                    return None
            agreed.append((household, ids.pop()))
        return agreed if found == len(written) else None

    # --- the writer thread ----------------------------------------------------------------

    def _registered(self, cursor, records, citizen_ids, names) -> bool:
        """Whether any of these keys is someone's already (the lookups of
        `validation._match_existing`, made before the rows are written, so they need not
        skip this batch's own rows; a hit on one of them means a duplicate in the file,
        which the checks refuse anyway). One statement: each wait for the database costs
        this thread a turn at the GIL."""
        if not (records or citizen_ids or names):
            return False
        records, names = sorted(records), sorted(names, key=repr)
        scope = self.scope.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cursor.execute(
            """
            SELECT EXISTS (
                SELECT 1 FROM unnest(%(units)s::bigint[], %(numbers)s::text[]) AS k(unit, number)
                  JOIN registry_person p ON p.unit_id = k.unit AND p.record_number = k.number
                 WHERE p.record_number <> ''
            ) OR EXISTS (
                SELECT 1 FROM registry_person WHERE citizen_id = ANY(%(citizen_ids)s)
            ) OR EXISTS (
                SELECT 1
                  FROM unnest(%(names)s::text[], %(dates)s::date[], %(years)s::int[],
                              %(communes)s::bigint[]) AS k(name, born, year, commune)
                  JOIN registry_person p ON p.name_folded = k.name
                  JOIN registry_household h ON h.id = p.household_id
                 WHERE p.scope_path LIKE %(scope)s
                   AND p.import_batch_id IS DISTINCT FROM %(batch)s
                   AND p.birth_date IS NOT DISTINCT FROM k.born
                   AND p.birth_year IS NOT DISTINCT FROM k.year
                   AND h.commune_id IS NOT DISTINCT FROM k.commune
            )
            """,
            {
                "units": [unit for unit, _number in records],
                "numbers": [number for _unit, number in records],
                "citizen_ids": citizen_ids,
                "names": [key[0] for key in names],
                "dates": [key[1] for key in names],
                "years": [key[2] for key in names],
                "communes": [key[3] for key in names],
                "scope": scope + "%",
                "batch": self.batch.pk,
            },
        )
        return cursor.fetchone()[0]

    def _write_links(self, cursor, links) -> None:
        """The chunk's vulnerabilities and needs: keys reserved for both in one statement,
        then one COPY each."""
        if not any(links):
            return
        (_v, vulnerability_sequence, _vs, _vt), (_n, need_sequence, _ns, _nt) = self._links
        vulnerabilities, needs = links
        cursor.execute(
            "SELECT ARRAY(SELECT nextval(%s::oid) FROM generate_series(1, %s)), "
            "ARRAY(SELECT nextval(%s::oid) FROM generate_series(1, %s))",
            [vulnerability_sequence, len(vulnerabilities), need_sequence, len(needs)],
        )
        for (table, _sequence, sql, tail), pairs, keys in zip(
            self._links, links, cursor.fetchone(), strict=True
        ):
            if not pairs:
                continue
            with cursor.copy(sql) as copy:
                copy.write(
                    "".join(
                        f"{key}\t{person}\t{category}{tail}"
                        for key, (person, category) in zip(keys, pairs, strict=True)
                    )
                )
            self.links[table].extend(keys)

    def _write(self) -> None:
        try:
            with self._raw.cursor() as cursor:
                while (item := self._queue.get()) is not None:
                    if self.error is not None:
                        continue
                    text, records, citizen_ids, names, folded, links = item
                    if not self.registered:
                        self.registered = self._registered(cursor, records, citizen_ids, names)
                    with cursor.copy(self._sql) as copy:
                        copy.write(text)
                    self._write_links(cursor, links)
                    if self.unchecked:  # what the names' statement trigger does
                        # for the names this import has not collected yet (a file repeats
                        # its names: each one collected again was a lookup per syllable).
                        fresh = folded.difference(self._collected)
                        self._collected.update(fresh)
                        pg_names_collect(cursor, fresh)
        except BaseException as exc:  # reported to the main thread, which undoes it all
            self.error = exc
            while self._queue.get() is not None:
                pass
