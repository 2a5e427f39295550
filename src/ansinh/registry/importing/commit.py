"""Writing a validated file: all of it in one transaction, or nothing.

Rows go in with bulk operations: on PostgreSQL `COPY ... FROM STDIN` (primary keys reserved
from the tables' sequences first, so households and people can be linked without reading
anything back), elsewhere `bulk_create` in batches. The audit log gets ONE event for the
batch with its counts and the thôn/tổ dân phố it created, not one per row: the batch
record and `Person.import_batch` say which rows came from which file.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import Action, audit_record
from ansinh.core.text import fold
from ansinh.geo.models import Locality
from ansinh.org.models import UnionUnit

from ..models import Household, ImportBatch, Need, Person, PersonVulnerability
from ..search import pg_names_collect
from .normalising import poverty_standard
from .triggers import check_written, restore_row_triggers, skip_row_triggers
from .validation import Validation, collector_paused

BATCH_SIZE = 2000
COPY_LINES = 10000  # lines per write to the COPY stream


# Modules that keep rows derived from people by per-row triggers (programmes' left-behind
# facts) register `begin()` — switch that upkeep off for the import's transaction — and
# `end(person_ids, bare_ids)` — catch up once, set-based, for the people the import touched;
# `bare_ids` (a set, within `person_ids`): people it created without any vulnerability
# (their needs, if any, written), which a hook may know to need nothing.
EndHook = Callable[[list[int], set[int]], None]
BULK_HOOKS: list[tuple[Callable[[], None], EndHook]] = []


def register_bulk_hook(*, begin: Callable[[], None], end: EndHook) -> None:
    if (begin, end) not in BULK_HOOKS:
        BULK_HOOKS.append((begin, end))


def bulk_begin() -> None:
    for begin, _end in BULK_HOOKS:
        begin()


def bulk_end(person_ids: list[int], bare_ids: set[int] = frozenset()) -> None:
    for _begin, end in BULK_HOOKS:
        end(person_ids, bare_ids)


class CommitRefused(Exception):
    """The file cannot be written (message in Vietnamese); nothing was written."""


def sequence_oid(cursor, model) -> int:
    """The oid of the sequence of `model`'s primary key (for `nextval(%s::oid)`)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", [model._meta.db_table])
    return cursor.fetchone()[0]


def _reserve_ids(model, count: int) -> range | list[int]:
    """`count` new primary keys from the table's sequence, in one statement.

    Usually a contiguous range (then only its ends travel back); when another session drew
    from the sequence at the same moment they are not, and the keys are fetched one by one.
    """
    if count == 0:
        return []
    with connection.cursor() as cursor:
        # The sequence looked up once: `pg_get_serial_sequence` is STABLE, so written inside
        # `nextval(...)` it ran for every key (a catalog lookup each: 455 ms instead of
        # 58 ms for 200,000 keys, ADR 0006). `nextval(oid)` needs no cast per row.
        sequence = sequence_oid(cursor, model)
        cursor.execute(
            "SELECT min(v), max(v) FROM (SELECT nextval(%s::oid) AS v "
            "FROM generate_series(1, %s)) AS reserved",
            [sequence, count],
        )
        low, high = cursor.fetchone()
        if high - low + 1 == count:
            return range(low, high + 1)
        cursor.execute("SELECT nextval(%s::oid) FROM generate_series(1, %s)", [sequence, count])
        return [value for (value,) in cursor.fetchall()]


def _text(value: str) -> str:
    """A text field of COPY's text format: backslash, tab and line breaks escaped.

    Validated cells have no tabs or line breaks (`norm.text` collapses whitespace), so this is
    nearly always four substring tests.
    """
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _null(value) -> str:
    """An integer, date or NULL (`\\N`) field."""
    return "\\N" if value is None else str(value)


def copy_statement(model, columns: list[str]) -> str:
    """`COPY table (columns) FROM STDIN`, text format; `columns` are attribute names."""
    names = ", ".join(f'"{model._meta.get_field(name).column}"' for name in columns)
    return f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'


def copy_lines(model, columns: list[str], lines) -> None:
    """COPY lines already in PostgreSQL's text format (fields as `columns`, attribute names)
    into `model`'s table, written to the stream in large pieces."""
    sql = copy_statement(model, columns)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= COPY_LINES:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))


def insert_rows(model, columns: list[str], rows: list[tuple], *, with_ids: bool) -> list[int]:
    """Insert plain tuples (attribute names in `columns`) with `bulk_create` (not PostgreSQL,
    which gets COPY); the new primary keys when asked."""
    ids = []
    for start in range(0, len(rows), BATCH_SIZE):
        objects = [
            model(**dict(zip(columns, row, strict=True)))
            for row in rows[start : start + BATCH_SIZE]
        ]
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        if with_ids:
            ids.extend(obj.pk for obj in objects)
    return ids


def _create_localities(validation: Validation) -> tuple[dict[tuple[int, str], int], list[str]]:
    """Create the missing thôn/tổ dân phố in bulk; they are listed in the batch's audit event."""
    wanted = sorted(validation.new_localities.items())
    if not wanted:
        return {}, []
    communes = {commune_id for (commune_id, _key), _value in wanted}
    existing = {
        (commune_id, name): pk
        for pk, commune_id, name in Locality.objects.filter(commune_id__in=communes).values_list(
            "id", "commune_id", "name"
        )
    }
    missing = [
        Locality(commune_id=commune_id, name=name, kind=kind, name_folded=fold(name))
        for (commune_id, _key), (name, kind) in wanted
        if (commune_id, name) not in existing
    ]
    Locality.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    for pk, commune_id, name in Locality.objects.filter(commune_id__in=communes).values_list(
        "id", "commune_id", "name"
    ):
        existing[(commune_id, name)] = pk
    created = [
        f"{item.name} ({validation.commune_names.get(item.commune_id, '')})" for item in missing
    ]
    return {
        (commune_id, key): existing[(commune_id, name)]
        for (commune_id, key), (name, _kind) in wanted
    }, created


HOUSEHOLD_COLUMNS = [
    "unit_id",
    "scope_path",
    "commune_id",
    "locality_id",
    "address_line",
    "poverty_status",
    "poverty_standard",
    "poverty_year",
    "created_at",
    "updated_at",
    "created_by_id",
]
PERSON_COLUMNS = [
    "household_id",
    "unit_id",
    "scope_path",
    "full_name",
    "name_folded",
    "sex",
    "birth_date",
    "birth_year",
    "citizen_id",
    "phone",
    "ethnicity",
    "relation",
    "is_union_member",
    "occupation",
    "status",
    "record_number",
    "merged_into_id",
    "is_deidentified",
    "import_batch_id",
    "created_at",
    "updated_at",
]
STATUS_COLUMNS = ["status", "effective", "moved_to_id", "note", "recorded_by_id", "recorded_at"]
VULNERABILITY_COLUMNS = ["since", "until", "verified_by_id", "verified_at", "note"]
NEED_COLUMNS = ["status", "opened_on", "met_on", "note"]
# COPY of a person's vulnerabilities and needs from the file: "key, person, category" and
# one of these tails (since today, open since today).
LINK_COLUMNS = {
    "registry_personvulnerability": ["id", "person_id", "category_id", *VULNERABILITY_COLUMNS],
    "registry_need": ["id", "person_id", "category_id", *NEED_COLUMNS],
}


def link_tails(today) -> dict[str, str]:
    return {
        "registry_personvulnerability": f"\t{today.isoformat()}\t\\N\t\\N\t\\N\t\n",
        "registry_need": f"\t{Need.Status.OPEN}\t{today.isoformat()}\t\\N\t\n",
    }


def _copy_people(household_rows, new_households, new_people, paths, batch, now, written):
    """Households and people with COPY, their keys reserved first (one statement per table),
    so that people point at their households without reading anything back.

    `written`: people already written ahead (`streaming`), row number → (key, household
    key, ...): they keep their keys, and so do their households."""
    fresh = iter(_reserve_ids(Household, sum(1 for h in new_households if h.written_id is None)))
    household_ids = [h.written_id or next(fresh) for h in new_households]
    for household, pk in zip(new_households, household_ids, strict=True):
        household.existing_household_id = pk
    stamp = now.isoformat()
    copy_lines(
        Household,
        ["id", *HOUSEHOLD_COLUMNS],
        (
            f"{pk}\t{unit_id}\t{_text(path)}\t{_null(commune_id)}\t{_null(locality_id)}\t"
            f"{_text(address)}\t{poverty}\t{standard}\t{_null(year)}\t{stamp}\t{stamp}\t"
            f"{_null(created_by)}\n"
            for pk, (
                unit_id,
                path,
                commune_id,
                locality_id,
                address,
                poverty,
                standard,
                year,
                _created,
                _updated,
                created_by,
            ) in zip(household_ids, household_rows, strict=True)
        ),
    )
    to_write = [(row, household) for row, household in new_people if row.row not in written]
    fresh = iter(_reserve_ids(Person, len(to_write)))
    person_ids = [
        written[row.row][0] if row.row in written else next(fresh) for row, _household in new_people
    ]
    keys = (
        pk
        for (row, _household), pk in zip(new_people, person_ids, strict=True)
        if row.row not in written
    )
    escaped_paths = {unit_id: _text(path) for unit_id, path in paths.items()}
    tail = f"\t{Person.Status.ACTIVE}"
    batch_tail = f"\t\\N\tf\t{batch.pk}\t{stamp}\t{stamp}\n"
    copy_lines(
        Person,
        ["id", *PERSON_COLUMNS],
        (
            f"{pk}\t{household.existing_household_id}\t{row.unit_id}\t"
            f"{escaped_paths[row.unit_id]}\t{_text(row.full_name)}\t"
            f"{_text(row.name_folded or fold(row.full_name))}\t{row.sex}\t"
            f"{_null(row.birth_date)}\t{_null(row.birth_year)}\t{_null(row.citizen_id)}\t"
            f"{_text(row.phone)}\t{row.ethnicity}\t{row.relation}\t"
            f"{'t' if row.is_union_member else 'f'}\t{_text(row.occupation)}{tail}\t"
            f"{_text(row.record_number)}{batch_tail}"
            for pk, (row, household) in zip(keys, to_write, strict=True)
        ),
    )
    return household_ids, person_ids


def commit_validation(
    validation: Validation,
    *,
    batch: ImportBatch,
    actor=None,
    progress: Callable[..., None] | None = None,
    written: dict[int, tuple] | None = None,
    written_links: dict[str, list[int]] | None = None,
    written_unchecked: bool = False,
) -> dict[str, int]:
    """Write the new households and people of a validation without errors.

    Call inside `transaction.atomic()`; the batch row (saved, locked by the caller) is marked
    committed with its counts. `written`: the people `streaming.PersonStream` already wrote
    (PostgreSQL), which are not written again, nor their vulnerabilities and needs
    (`written_links`: table → the keys the stream gave them); `written_unchecked`: it wrote
    them without row triggers. On PostgreSQL the COPYs here skip the row triggers when the role may, and
    everything written is then checked set-based (`triggers`).
    """
    written = written or {}
    written_links = written_links or {}
    if validation.errors:
        raise CommitRefused(
            _("Tệp còn %(count)d lỗi: chưa ghi gì. Sửa tệp rồi nhập lại.")
            % {"count": len(validation.errors)}
        )
    bulk_begin()
    now = timezone.now()
    today = timezone.localdate()
    localities, localities_created = _create_localities(validation)
    paths = dict(
        UnionUnit.objects.filter(
            pk__in={r.unit_id for r in validation.rows if r.existing_person_id is None}
        ).values_list("id", "path")
    )
    actor_id = actor.pk if actor is not None and actor.pk else None

    # Households to create, in the order of the file.
    new_households = [
        h
        for h in validation.households
        if h.existing_household_id is None and any(r.existing_person_id is None for r in h.rows)
    ]
    head = Person.Relation.HEAD
    household_rows = []
    for household in new_households:
        rows = household.rows
        if len(rows) == 1:
            first = poverty_row = rows[0]
            address = first.address_line
        else:
            first = next((r for r in rows if r.relation == head), None) or rows[0]
            address = next((r.address_line for r in rows if r.address_line), "")
            poverty_row = next((r for r in rows if r.poverty != "none"), first)
        locality_id = household.locality_id
        if locality_id is None and household.locality_key is not None:
            locality_id = localities.get(household.locality_key)
        household_rows.append(
            (
                first.unit_id,
                paths[first.unit_id],
                first.commune_id,
                locality_id,
                address,
                poverty_row.poverty,
                poverty_standard(poverty_row.poverty_year) if poverty_row.poverty != "none" else "",
                poverty_row.poverty_year,
                now,
                now,
                actor_id,
            )
        )
    new_people = [
        (r, h) for h in validation.households for r in h.rows if r.existing_person_id is None
    ]
    skipped = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            skipped = skip_row_triggers(cursor)
        household_ids, person_ids = _copy_people(
            household_rows, new_households, new_people, paths, batch, now, written
        )
    else:
        household_ids = insert_rows(Household, HOUSEHOLD_COLUMNS, household_rows, with_ids=True)
        for household, pk in zip(new_households, household_ids, strict=True):
            household.existing_household_id = pk
        person_ids = insert_rows(
            Person,
            PERSON_COLUMNS,
            [
                (
                    household.existing_household_id,
                    row.unit_id,
                    paths[row.unit_id],
                    row.full_name,
                    row.name_folded or fold(row.full_name),
                    row.sex,
                    row.birth_date,
                    row.birth_year,
                    row.citizen_id,
                    row.phone,
                    row.ethnicity,
                    row.relation,
                    row.is_union_member,
                    row.occupation,
                    Person.Status.ACTIVE,
                    row.record_number,
                    None,
                    False,
                    batch.pk,
                    now,
                    now,
                )
                for row, household in new_people
            ],
            with_ids=True,
        )
    if progress is not None:
        progress(len(household_ids) + len(person_ids))

    vulnerability_count = sum(len(row.vulnerability_ids) for row, _household in new_people)
    need_count = sum(len(row.need_ids) for row, _household in new_people)
    if connection.vendor == "postgresql":
        # Vulnerabilities and needs from the file. (No first status row: a person without
        # status history is active since registration, and the page says so; ADR 0006.)
        # Keys reserved first, as for people: the set-based check (`triggers`) reads the
        # rows back by key range. People written ahead had theirs written with them.
        tails = link_tails(today)
        links = {}
        for model, attribute in ((PersonVulnerability, "vulnerability_ids"), (Need, "need_ids")):
            table = model._meta.db_table
            pairs = [
                (pk, category_id)
                for (row, _household), pk in zip(new_people, person_ids, strict=True)
                if row.row not in written
                for category_id in getattr(row, attribute)
            ]
            keys = _reserve_ids(model, len(pairs))
            if pairs:
                tail = tails[table]
                copy_lines(
                    model,
                    LINK_COLUMNS[table],
                    (
                        f"{key}\t{pk}\t{category_id}{tail}"
                        for key, (pk, category_id) in zip(keys, pairs, strict=True)
                    ),
                )
            links[table] = [*written_links.get(table, ()), *keys]
        vulnerability_ids = links[PersonVulnerability._meta.db_table]
        need_ids = links[Need._meta.db_table]
        if skipped:
            with connection.cursor() as cursor:
                restore_row_triggers(cursor)
                # What the names' statement trigger does, for the people written here.
                pg_names_collect(
                    cursor,
                    (
                        row.name_folded or fold(row.full_name)
                        for row, _household in new_people
                        if row.row not in written
                    ),
                )
        if skipped or written_unchecked:
            check_written(
                batch_id=batch.pk,
                written={
                    "registry_person": person_ids,
                    "registry_household": household_ids,
                    "registry_personvulnerability": vulnerability_ids,
                    "registry_need": need_ids,
                },
            )
    else:
        insert_rows(
            PersonVulnerability,
            ["person_id", "category_id", *VULNERABILITY_COLUMNS],
            [
                (pk, category_id, today, None, None, None, "")
                for (row, _household), pk in zip(new_people, person_ids, strict=True)
                for category_id in row.vulnerability_ids
            ],
            with_ids=False,
        )
        insert_rows(
            Need,
            ["person_id", "category_id", *NEED_COLUMNS],
            [
                (pk, category_id, Need.Status.OPEN, today, None, "")
                for (row, _household), pk in zip(new_people, person_ids, strict=True)
                for category_id in row.need_ids
            ],
            with_ids=False,
        )
    bulk_end(
        [*person_ids, *(r.existing_person_id for r in validation.rows if r.existing_person_id)],
        {
            pk
            for (row, _household), pk in zip(new_people, person_ids, strict=True)
            if not row.vulnerability_ids
        },
    )
    counts = {
        "households_created": len(household_ids),
        "people_created": len(person_ids),
        "people_existing": len(validation.rows) - len(person_ids),
        "vulnerabilities_created": vulnerability_count,
        "needs_created": need_count,
        "localities_created": len(localities_created),
    }
    batch.status = ImportBatch.Status.COMMITTED
    batch.rows_total = validation.rows_total
    batch.rows_valid = validation.rows_valid
    batch.rows_created = len(person_ids)
    batch.rows_unchanged = counts["people_existing"]
    batch.committed_at = now
    batch.save(
        update_fields=[
            "status",
            "rows_total",
            "rows_valid",
            "rows_created",
            "rows_unchanged",
            "committed_at",
        ]
    )
    audit_record(
        action=Action.CREATE,
        actor=actor,
        obj=batch,
        object_repr=_("Nhập tệp %(name)s: %(people)d người, %(households)d hộ")
        % {"name": batch.file_name, "people": len(person_ids), "households": len(household_ids)},
        changes={
            "file_sha256": batch.file_sha256,
            **counts,
            "localities": localities_created[:1000],
        },
    )
    return counts


def already_committed(*, unit: UnionUnit, sha256: str, exclude_pk: int | None = None):
    """The committed batch of this exact file in this unit, if any."""
    batches = ImportBatch.objects.filter(
        unit=unit, file_sha256=sha256, status=ImportBatch.Status.COMMITTED
    )
    if exclude_pk is not None:
        batches = batches.exclude(pk=exclude_pk)
    return batches.order_by("committed_at").first()


@collector_paused()
def commit_atomically(
    validation: Validation, *, batch: ImportBatch, actor=None, progress=None
) -> dict[str, int]:
    """Lock the batch, re-check that this file was not committed meanwhile, write everything."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportBatch.Status.COMMITTED:
            raise CommitRefused(_("Đợt nhập này đã được ghi."))
        earlier = already_committed(unit=batch.unit, sha256=batch.file_sha256, exclude_pk=batch.pk)
        if earlier is not None:
            raise CommitRefused(
                _("Tệp này đã được nhập (đợt #%(pk)d): không có gì để làm.") % {"pk": earlier.pk}
            )
        return commit_validation(validation, batch=batch, actor=actor, progress=progress)
