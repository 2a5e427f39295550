"""Batch deduplication of the registry: blocking, comparison, and the queue of candidate pairs.

Comparing every pair of a million people is 5·10¹¹ comparisons; instead each person gets a few
*blocking keys* and only people sharing a key are compared (with `matching.compare_weight`, the
comparison the registration form uses). Each key catches a kind of variation the others miss:

=================  ==============================================  ===========================
key                made of                                         catches
=================  ==============================================  ===========================
citizen ID         the 12 digits                                   anything, when both have it
phone              E.164                                           renamed, moved, re-dated
name + area        folded surname, given name, birth year, one     accents, tone marks, middle
                   pre-2025 district of the commune                names, a move next door
syllables + area   the sorted syllables without Thị/Văn, year,     swapped middle/given names
                   district
given + date       given name, full birth date                     surname typos, any middle,
                                                                   a move anywhere
given + commune    given name, commune, birth year                 surname typos, year-only
typo + date        given name minus one letter, birth date         one typo in the given name
typo + commune     given name minus one letter, commune, year      the same, year-only records
address            commune + folded address line (else household)  any name variation at home
=================  ==============================================  ===========================

The name keys are scoped to the old districts (a commune belongs to the 1–3 districts its
communes came from), not to the whole city: a namesake of a common name in a far commune with
only a birth year in common can never reach the threshold (the name is worth little, the
distance counts against), and comparing every such namesake is most of the cost at a million
people. Records with a full date, a phone or a citizen ID in common meet city-wide.

People are streamed from the database (`values_list(...).iterator()`) into compact tuples;
keys are built and blocks compared one key at a time, so only one key's index is in memory.
Within a key each pair is compared once; the typo keys leave out pairs with the same given
name (the given-name keys have them). Blocks larger than `MAX_BLOCK` (an office phone shared
by a hundred people) are skipped: they would cost more than they find.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter

from django.db import transaction
from django.utils import timezone

from .matching import (
    ADDRESS,
    BIRTH_DATE,
    BIRTH_YEAR,
    CITIZEN_ID,
    COMMUNE,
    DISTRICTS,
    GENDER_MARKERS,
    HOUSEHOLD,
    NAME,
    NAME_ADJUST,
    PHONE,
    SIGNATURE,
    THRESHOLD,
    address_key,
    commune_areas,
    compare,
    compare_weight,
    member_signature,
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
# Each returns the keys of one record (a tuple from `matching.record` layout); an empty result
# means "no key". Keys of different kinds never meet: each kind has its own index.


def _areas(rec: tuple) -> Iterable:
    """The old districts of the record's commune, or the commune itself when unknown."""
    return rec[DISTRICTS] or ((rec[COMMUNE],) if rec[COMMUNE] else (0,))


def key_citizen_id(rec: tuple) -> Iterable:
    return (rec[CITIZEN_ID],) if rec[CITIZEN_ID] else ()


def key_phone(rec: tuple) -> Iterable:
    return (rec[PHONE],) if rec[PHONE] else ()


def key_name_area(rec: tuple) -> Iterable:
    name = rec[NAME]
    if " " not in name or not rec[BIRTH_YEAR]:
        return ()
    surname = name.split(" ", 1)[0]
    given = name.rsplit(" ", 1)[-1]
    return [(surname, given, rec[BIRTH_YEAR], area) for area in _areas(rec)]


def key_syllables_area(rec: tuple) -> Iterable:
    tokens = [t for t in rec[NAME].split() if t not in GENDER_MARKERS]
    if len(tokens) < 2 or not rec[BIRTH_YEAR]:
        return ()
    syllables = " ".join(sorted(tokens))
    return [(syllables, rec[BIRTH_YEAR], area) for area in _areas(rec)]


def key_given_date(rec: tuple) -> Iterable:
    if not rec[NAME] or not rec[BIRTH_DATE]:
        return ()
    return ((rec[NAME].rsplit(" ", 1)[-1], rec[BIRTH_DATE]),)


def key_given_commune_year(rec: tuple) -> Iterable:
    if not rec[NAME] or not rec[BIRTH_YEAR] or not rec[COMMUNE]:
        return ()
    return ((rec[NAME].rsplit(" ", 1)[-1], rec[COMMUNE], rec[BIRTH_YEAR]),)


def _given_deletions(rec: tuple) -> set[str]:
    """The given name with each letter left out (symmetric deletion: two given names one edit
    apart share one of these); none for given names shorter than 3 letters."""
    given = rec[NAME].rsplit(" ", 1)[-1]
    if len(given) < 3:
        return set()
    return {given[:i] + given[i + 1 :] for i in range(len(given))}


def key_typo_date(rec: tuple) -> Iterable:
    """One typo in the given name, same full birth date."""
    if not rec[BIRTH_DATE]:
        return ()
    return {(deleted, rec[BIRTH_DATE]) for deleted in _given_deletions(rec)}


def key_typo_commune(rec: tuple) -> Iterable:
    """One typo in the given name, same commune and birth year."""
    if not rec[BIRTH_YEAR] or not rec[COMMUNE]:
        return ()
    return {(deleted, rec[COMMUNE], rec[BIRTH_YEAR]) for deleted in _given_deletions(rec)}


def key_address(rec: tuple) -> Iterable:
    """Everyone at one address of a commune (or in one household when it has no address)."""
    if rec[ADDRESS] and rec[COMMUNE]:
        return ((rec[COMMUNE], rec[ADDRESS]),)
    return (("household", rec[HOUSEHOLD]),) if rec[HOUSEHOLD] else ()


# (name, key function, which pairs of a block to compare: "all", "typos" — given names that
# differ, "typos_undated" — the same with at least one year-only record, "kin" — the same
# surname or the same given name)
BLOCKING_KEYS: list[tuple[str, Callable[[tuple], Iterable], str]] = [
    ("citizen_id", key_citizen_id, "all"),
    ("phone", key_phone, "all"),
    ("name_area", key_name_area, "all"),
    ("syllables_area", key_syllables_area, "all"),
    ("given_date", key_given_date, "all"),
    ("given_commune_year", key_given_commune_year, "all"),
    ("typo_date", key_typo_date, "typos"),
    ("typo_commune", key_typo_commune, "typos_undated"),
    ("address", key_address, "kin"),
]


def _block_pairs(block: list[int], records: list[tuple], which: str) -> Iterable:
    """The pairs (i < j) of a block worth comparing under that key (see `BLOCKING_KEYS`)."""
    if which == "all":
        return combinations(block, 2)
    if which == "kin":
        return (
            (i, j)
            for i, j in combinations(block, 2)
            if records[i][NAME].split(" ", 1)[0] == records[j][NAME].split(" ", 1)[0]
            or records[i][SIGNATURE].partition(":")[0] == records[j][SIGNATURE].partition(":")[0]
        )
    by_given: dict[str, list[int]] = {}
    for index in block:
        by_given.setdefault(records[index][NAME].rsplit(" ", 1)[-1], []).append(index)
    if len(by_given) < 2:
        return ()
    groups = list(by_given.values())
    pairs = []
    undated = which == "typos_undated"
    for g, group in enumerate(groups):
        for other in groups[g + 1 :]:
            for i in group:
                for j in other:
                    if undated and records[i][BIRTH_DATE] and records[j][BIRTH_DATE]:
                        continue
                    pairs.append((i, j) if i < j else (j, i))
    return pairs


# --- loading -------------------------------------------------------------------------------

_FIELDS = (
    "household_id",
    "id",
    "name_folded",
    "birth_date",
    "birth_year",
    "citizen_id",
    "phone",
    "sex",
    "relation",
    "ethnicity",
    "is_union_member",
    "household__commune_id",
    "household__locality_id",
    "household__address_line",
)


def active_people(scope_path: str | None = None):
    people = Person.objects.filter(status=Person.Status.ACTIVE, is_deidentified=False)
    if scope_path:
        people = people.filter(scope_path__startswith=scope_path)
    return people.order_by()


def load_records(scope_path: str | None = None) -> tuple[list[int], list[tuple]]:
    """(ids, records) of the active people in scope, as compact tuples (`matching.record`
    layout, with the name's frequency adjustment as the last item).

    Two passes: the names first (to count them), then the people ordered by household, so
    each household's address key and the set of its members' signatures are computed once
    and shared by its members' records.
    """
    counts = Counter(
        active_people(scope_path).values_list("name_folded", flat=True).iterator(CHUNK_SIZE)
    )
    adjust = {name: name_frequency_adjust(n) for name, n in counts.items()}
    del counts
    ids: list[int] = []
    records: list[tuple] = []
    intern = sys.intern
    districts, neighbours = commune_areas()
    nobody: frozenset = frozenset()
    rows = (
        active_people(scope_path)
        .order_by("household_id", "id")
        .values_list(*_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for _household_id, group in groupby(rows, key=itemgetter(0)):
        group = list(group)
        first = group[0]
        commune_id = first[11] or 0
        address = address_key(first[13])
        signatures = [
            member_signature(row[2], row[4] or (row[3].year if row[3] else 0)) for row in group
        ]
        members = frozenset(signatures)
        around = neighbours.get(commune_id, nobody)
        areas = districts.get(commune_id, nobody)
        for signature, (
            household_id,
            pk,
            name,
            birth_date,
            birth_year,
            citizen_id,
            phone,
            sex,
            relation,
            ethnicity,
            is_union_member,
            _commune,
            locality_id,
            _address,
        ) in zip(signatures, group, strict=True):
            date = (
                birth_date.year * 10000 + birth_date.month * 100 + birth_date.day
                if birth_date
                else 0
            )
            ids.append(pk)
            records.append(
                (
                    intern(name),
                    date,
                    birth_year or (birth_date.year if birth_date else 0),
                    citizen_id or "",
                    phone or "",
                    commune_id,
                    sex or "",
                    address,
                    locality_id or 0,
                    household_id,
                    around,
                    intern(relation or ""),
                    intern(ethnicity or ""),
                    1 if is_union_member else -1,
                    members,
                    areas,
                    signature,
                    adjust.get(name, 0.0),
                )
            )
    return ids, records


def with_name_frequencies(records: list[tuple]) -> list[tuple]:
    """Records with their name's frequency adjustment as the last item (see `matching`);
    records that already carry it are returned as they are."""
    if not records or len(records[0]) > NAME_ADJUST:
        return records
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
    weigh = compare_weight
    for step, (_name, key_function, which) in enumerate(BLOCKING_KEYS, start=1):
        blocks: dict = {}
        for index, rec in enumerate(records):
            for key in key_function(rec):
                block = blocks.get(key)
                if block is None:
                    blocks[key] = index
                elif block.__class__ is int:
                    blocks[key] = [block, index]
                else:
                    block.append(index)
        compared: set[tuple[int, int]] = set()
        once = which != "all"  # typo keys: one pair shares several deletions
        for block in blocks.values():
            if block.__class__ is int or len(block) > MAX_BLOCK:
                continue
            for pair in _block_pairs(block, records, which):
                if pair in found:
                    continue
                if once:
                    if pair in compared:
                        continue
                    compared.add(pair)
                weight = weigh(records[pair[0]], records[pair[1]])
                if weight >= threshold:
                    found[pair] = weight
        del blocks, compared
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
