"""Batch deduplication of the registry: blocking, comparison, and the queue of candidate pairs.

Comparing every pair of a million people is 5·10¹¹ comparisons; instead each person gets a few
*blocking keys* and only people sharing a key are compared (with `matching.compare_weight`, the
comparison the registration form uses). Each key catches a kind of variation the others miss:

=================  ==============================================  ===========================
key                made of                                         catches
=================  ==============================================  ===========================
citizen ID         the 12 digits                                   anything, when both have it
phone              E.164                                           renamed, re-dated records
name + year        folded surname, given name, birth year          accents, tone marks, middle
                                                                   names, day/month swapped
syllables + year   the sorted syllables without Thị/Văn, year      swapped middle/given names
given + date       given name, full birth date                     surname typos, any middle
given + commune    given name, commune, birth year                 surname typos, year-only
given typo         surname, given name minus one letter, year      one typo in the given name
=================  ==============================================  ===========================

People are streamed from the database (`values_list(...).iterator()`) into compact tuples;
keys are built and blocks compared one key at a time, so only one key's index is in memory.
A pair found by an earlier key is not compared again. Blocks larger than `MAX_BLOCK` (an
office phone shared by a hundred people) are skipped: they would cost more than they find.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db import transaction
from django.utils import timezone

from .matching import (
    BIRTH_DATE,
    BIRTH_YEAR,
    CITIZEN_ID,
    COMMUNE,
    GENDER_MARKERS,
    NAME,
    NAME_ADJUST,
    PHONE,
    THRESHOLD,
    compare,
    compare_weight,
    name_frequency_adjust,
    score_of,
)
from .models import DuplicateCandidate, Person

# Rows fetched per round trip while streaming people.
CHUNK_SIZE = 20_000
# A block with more people than this is skipped (its pairs grow as the square).
MAX_BLOCK = 400


@dataclass(slots=True)
class Pair:
    """Two active people who are probably the same (`person_id_a` < `person_id_b`)."""

    person_id_a: int
    person_id_b: int
    score: float
    certain: bool = False
    reasons: list[str] = field(default_factory=list)


# --- blocking keys -------------------------------------------------------------------------
# Each returns the keys of one record (a tuple from `matching.record` layout); "" or None
# entries mean "no key". Keys of different kinds never meet: each kind has its own index.


def _split(name: str) -> list[str]:
    return name.split()


def key_citizen_id(rec: tuple) -> Iterable:
    return (rec[CITIZEN_ID],) if rec[CITIZEN_ID] else ()


def key_phone(rec: tuple) -> Iterable:
    return (rec[PHONE],) if rec[PHONE] else ()


def key_name_year(rec: tuple) -> Iterable:
    tokens = _split(rec[NAME])
    if len(tokens) < 2 or not rec[BIRTH_YEAR]:
        return ()
    return ((tokens[0], tokens[-1], rec[BIRTH_YEAR]),)


def key_syllables_year(rec: tuple) -> Iterable:
    tokens = [t for t in _split(rec[NAME]) if t not in GENDER_MARKERS]
    if len(tokens) < 2 or not rec[BIRTH_YEAR]:
        return ()
    return ((" ".join(sorted(tokens)), rec[BIRTH_YEAR]),)


def key_given_date(rec: tuple) -> Iterable:
    if not rec[NAME] or not rec[BIRTH_DATE]:
        return ()
    return ((rec[NAME].rsplit(" ", 1)[-1], rec[BIRTH_DATE]),)


def key_given_commune_year(rec: tuple) -> Iterable:
    if not rec[NAME] or not rec[BIRTH_YEAR] or not rec[COMMUNE]:
        return ()
    return ((rec[NAME].rsplit(" ", 1)[-1], rec[COMMUNE], rec[BIRTH_YEAR]),)


def key_given_typo(rec: tuple) -> Iterable:
    """Symmetric-deletion keys: two given names one edit apart share one of them."""
    tokens = _split(rec[NAME])
    if len(tokens) < 2 or not rec[BIRTH_YEAR]:
        return ()
    given = tokens[-1]
    if len(given) < 3:
        return ()
    surname, year = tokens[0], rec[BIRTH_YEAR]
    return {(surname, given[:i] + given[i + 1 :], year) for i in range(len(given))}


BLOCKING_KEYS: list[tuple[str, Callable[[tuple], Iterable]]] = [
    ("citizen_id", key_citizen_id),
    ("phone", key_phone),
    ("name_year", key_name_year),
    ("syllables_year", key_syllables_year),
    ("given_date", key_given_date),
    ("given_commune_year", key_given_commune_year),
    ("given_typo", key_given_typo),
]


# --- loading -------------------------------------------------------------------------------

_FIELDS = (
    "id",
    "name_folded",
    "birth_date",
    "birth_year",
    "citizen_id",
    "phone",
    "household__commune_id",
    "sex",
)


def active_people(scope_path: str | None = None):
    people = Person.objects.filter(status=Person.Status.ACTIVE, is_deidentified=False)
    if scope_path:
        people = people.filter(scope_path__startswith=scope_path)
    return people.order_by()


def load_records(scope_path: str | None = None) -> tuple[list[int], list[tuple]]:
    """(ids, records) of the active people in scope, as compact tuples."""
    ids: list[int] = []
    records: list[tuple] = []
    intern = sys.intern
    rows = active_people(scope_path).values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for pk, name, birth_date, birth_year, citizen_id, phone, commune_id, sex in rows:
        date = (
            birth_date.year * 10000 + birth_date.month * 100 + birth_date.day if birth_date else 0
        )
        ids.append(pk)
        records.append(
            (
                intern(name),
                date,
                birth_year or (birth_date.year if birth_date else 0),
                citizen_id or "",
                phone or "",
                commune_id or 0,
                sex or "",
            )
        )
    return ids, records


def with_name_frequencies(records: list[tuple]) -> list[tuple]:
    """Records with their name's frequency adjustment appended (see `matching`)."""
    counts = Counter(rec[NAME] for rec in records)
    adjust = {name: name_frequency_adjust(n) for name, n in counts.items()}
    return [(*rec[:NAME_ADJUST], adjust[rec[NAME]]) for rec in records]


# --- the batch -----------------------------------------------------------------------------


def find_duplicates(
    *, scope_path: str | None = None, progress=None, threshold: float = THRESHOLD
) -> list[Pair]:
    """Pairs of active people in scope (all people when None) that are probably the same.

    `progress(done, total)` is told about loading and then each blocking key (total = people ×
    (1 + number of keys)). Pairs come back ordered by (person_id_a, person_id_b).
    """
    ids, records = load_records(scope_path)
    return find_duplicates_in(ids, records, progress=progress, threshold=threshold)


def find_duplicates_in(
    ids: list[int], records: list[tuple], *, progress=None, threshold: float = THRESHOLD
) -> list[Pair]:
    """The batch itself over records already in memory (see `find_duplicates`)."""
    count = len(records)
    total = count * (1 + len(BLOCKING_KEYS))
    records = with_name_frequencies(records)
    if progress is not None:
        progress(count, total)
    found: dict[tuple[int, int], float] = {}
    for step, (_name, key_function) in enumerate(BLOCKING_KEYS, start=1):
        blocks: dict = {}
        for index, rec in enumerate(records):
            for key in key_function(rec):
                block = blocks.get(key)
                if block is None:
                    blocks[key] = index
                elif isinstance(block, int):
                    blocks[key] = [block, index]
                else:
                    block.append(index)
        for block in blocks.values():
            if isinstance(block, int) or len(block) > MAX_BLOCK:
                continue
            for i, j in combinations(block, 2):
                if (i, j) in found:
                    continue
                weight = compare_weight(records[i], records[j])
                if weight >= threshold:
                    found[(i, j)] = weight
        del blocks
        if progress is not None:
            progress(count * (1 + step), total)
    pairs = []
    for (i, j), weight in found.items():
        a, b = ids[i], ids[j]
        if a > b:
            a, b = b, a
        certain = weight == float("inf")
        pairs.append(
            Pair(
                person_id_a=a,
                person_id_b=b,
                score=1.0 if certain else round(score_of(weight), 4),
                certain=certain,
                reasons=compare(records[i], records[j]).reasons,
            )
        )
    pairs.sort(key=lambda p: (p.person_id_a, p.person_id_b))
    return pairs


def duplicate_candidates_store(pairs: Iterable[Pair]) -> dict:
    """Upsert pending `DuplicateCandidate` rows for `pairs`; decided pairs are left alone.

    A pair once decided "not the same person" is never proposed again, and a merged pair is
    gone (the merged record is no longer active). Returns {"created", "updated", "skipped"}.
    """
    pairs = list(pairs)
    created = updated = skipped = 0
    by_a: dict[int, list[Pair]] = {}
    for pair in pairs:
        by_a.setdefault(pair.person_id_a, []).append(pair)
    a_ids = sorted(by_a)
    batch = 2000
    with transaction.atomic():
        for start in range(0, len(a_ids), batch):
            chunk = a_ids[start : start + batch]
            existing = {
                (row.person_a_id, row.person_b_id): row
                for row in DuplicateCandidate.objects.filter(person_a_id__in=chunk)
            }
            new_rows = []
            changed_rows = []
            for a in chunk:
                for pair in by_a[a]:
                    row = existing.get((pair.person_id_a, pair.person_id_b))
                    if row is None:
                        new_rows.append(
                            DuplicateCandidate(
                                person_a_id=pair.person_id_a,
                                person_b_id=pair.person_id_b,
                                score=pair.score,
                                reasons=pair.reasons,
                            )
                        )
                    elif row.status != DuplicateCandidate.Status.PENDING:
                        skipped += 1
                    elif row.score != pair.score or row.reasons != pair.reasons:
                        row.score = pair.score
                        row.reasons = pair.reasons
                        changed_rows.append(row)
                    else:
                        skipped += 1
            DuplicateCandidate.objects.bulk_create(new_rows, batch_size=1000)
            DuplicateCandidate.objects.bulk_update(
                changed_rows, ["score", "reasons"], batch_size=1000
            )
            created += len(new_rows)
            updated += len(changed_rows)
    return {"created": created, "updated": updated, "skipped": skipped}


def duplicate_decide_distinct(*, user, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Record "not the same person"; the pair will not be proposed again."""
    from ansinh.core.audit import audit_update, snapshot
    from ansinh.core.scoping import ensure_in_scope

    fields = ["status", "decided_by", "decided_at"]
    with transaction.atomic():
        locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        before = snapshot(locked, fields)
        if locked.status != DuplicateCandidate.Status.PENDING:
            return locked
        locked.status = DuplicateCandidate.Status.DISTINCT
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=fields)
        ensure_in_scope(locked.person_a, user, "merge")
        ensure_in_scope(locked.person_b, user, "merge")
        audit_update(actor=user, obj=locked, before=before, fields=fields)
    return locked
