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

from ..models import Household, ImportBatch, Need, Person, PersonStatusChange, PersonVulnerability
from .normalising import poverty_standard
from .validation import Validation

BATCH_SIZE = 2000


class CommitRefused(Exception):
    """The file cannot be written (message in Vietnamese); nothing was written."""


def _reserve_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [value for (value,) in cursor.fetchall()]


def insert_rows(model, columns: list[str], rows: list[tuple], *, with_ids: bool) -> list[int]:
    """Insert plain tuples (attribute names in `columns`); the new primary keys when asked."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        ids: list[int] = []
        names = [model._meta.get_field(name).column for name in columns]
        if with_ids:
            ids = _reserve_ids(model, len(rows))
            names = ["id", *names]
        sql = 'COPY "{}" ({}) FROM STDIN'.format(
            model._meta.db_table, ", ".join(f'"{name}"' for name in names)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            if with_ids:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row))
            else:
                for row in rows:
                    copy.write_row(row)
        return ids
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


def commit_validation(
    validation: Validation,
    *,
    batch: ImportBatch,
    actor=None,
    progress: Callable[..., None] | None = None,
) -> dict[str, int]:
    """Write the new households and people of a validation without errors.

    Call inside `transaction.atomic()`; the batch row (saved, locked by the caller) is marked
    committed with its counts.
    """
    if validation.errors:
        raise CommitRefused(
            _("Tệp còn %(count)d lỗi: chưa ghi gì. Sửa tệp rồi nhập lại.")
            % {"count": len(validation.errors)}
        )
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
    household_rows = []
    for household in new_households:
        first = next((r for r in household.rows if r.relation == Person.Relation.HEAD), None)
        first = first or household.rows[0]
        address = next((r.address_line for r in household.rows if r.address_line), "")
        poverty_row = next((r for r in household.rows if r.poverty != "none"), first)
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
    household_ids = insert_rows(
        Household,
        [
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
        ],
        household_rows,
        with_ids=True,
    )
    for household, pk in zip(new_households, household_ids, strict=True):
        household.existing_household_id = pk
    if progress is not None:
        progress(len(household_ids))

    new_people = [
        (r, h.existing_household_id)
        for h in validation.households
        for r in h.rows
        if r.existing_person_id is None
    ]
    person_ids = insert_rows(
        Person,
        [
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
        ],
        [
            (
                household_id,
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
            for row, household_id in new_people
        ],
        with_ids=True,
    )
    if progress is not None:
        progress(len(household_ids) + len(person_ids))
    note = _("Nhập từ tệp %(name)s") % {"name": batch.file_name}
    insert_rows(
        PersonStatusChange,
        [
            "person_id",
            "status",
            "effective",
            "moved_to_id",
            "note",
            "recorded_by_id",
            "recorded_at",
        ],
        [(pk, Person.Status.ACTIVE, today, None, note[:255], actor_id, now) for pk in person_ids],
        with_ids=False,
    )
    vulnerability_rows = [
        (pk, category_id, today, None, None, None, "")
        for (row, _household), pk in zip(new_people, person_ids, strict=True)
        for category_id in row.vulnerability_ids
    ]
    insert_rows(
        PersonVulnerability,
        ["person_id", "category_id", "since", "until", "verified_by_id", "verified_at", "note"],
        vulnerability_rows,
        with_ids=False,
    )
    need_rows = [
        (pk, category_id, Need.Status.OPEN, today, None, "")
        for (row, _household), pk in zip(new_people, person_ids, strict=True)
        for category_id in row.need_ids
    ]
    insert_rows(
        Need,
        ["person_id", "category_id", "status", "opened_on", "met_on", "note"],
        need_rows,
        with_ids=False,
    )
    counts = {
        "households_created": len(household_ids),
        "people_created": len(person_ids),
        "people_existing": len(validation.rows) - len(person_ids),
        "vulnerabilities_created": len(vulnerability_rows),
        "needs_created": len(need_rows),
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
