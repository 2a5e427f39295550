"""Merging two records of the same person.

`person_merge(user=, kept=, merged=)` folds `merged` into `kept` in one transaction: every link
moves to the kept record (vulnerabilities, needs, consents, status history, data-subject
requests, duplicate candidates, and whatever later modules register through
`register_merge_hook`), the kept record takes the citizen ID, phone and birth date it lacked,
and the merged record stays in the database, reachable from history: status "merged",
`merged_into` the kept one, and its full snapshot in the `PersonMerge` row.

Both rows are locked (`select_for_update`, in primary-key order so that two officers merging
crossing pairs cannot deadlock). Both people must be in the user's scope for
`registry.merge_person`, else 404 and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_create, audit_update, snapshot
from ansinh.core.scoping import OutOfScope, ensure_in_scope

from .models import (
    Consent,
    DataSubjectRequest,
    DuplicateCandidate,
    Need,
    Person,
    PersonMerge,
    PersonStatusChange,
    PersonVulnerability,
)

MergeHook = Callable[..., int]

# Later modules (support received, donations, cases) register a function
# `fn(*, kept, merged) -> int` that re-points their rows and returns how many moved.
MERGE_HOOKS: list[MergeHook] = []


def register_merge_hook(fn: MergeHook) -> MergeHook:
    """Register `fn(*, kept, merged) -> int`; usable as a decorator. Idempotent."""
    if fn not in MERGE_HOOKS:
        MERGE_HOOKS.append(fn)
    return fn


# Fields of the kept record filled from the merged one when the kept one has none.
FILLED_FIELDS = ("citizen_id", "phone", "birth_date", "birth_year")


def _person_snapshot(person: Person) -> dict:
    return snapshot(person, [f.attname for f in Person._meta.concrete_fields])


def _move_vulnerabilities(*, kept: Person, merged: Person) -> list[int]:
    """Move the merged record's vulnerabilities; an open category both have is folded into
    the kept one (earliest `since`, verification kept if the kept row has none)."""
    moved: list[int] = []
    open_on_kept = {
        link.category_id: link
        for link in PersonVulnerability.objects.filter(person=kept, until__isnull=True)
    }
    for link in PersonVulnerability.objects.filter(person=merged).order_by("id"):
        moved.append(link.pk)
        twin = open_on_kept.get(link.category_id) if link.until is None else None
        if twin is None:
            link.person = kept
            link.save(update_fields=["person"])
        else:
            if link.since and (twin.since is None or link.since < twin.since):
                twin.since = link.since
            if twin.verified_by_id is None and link.verified_by_id is not None:
                twin.verified_by_id = link.verified_by_id
                twin.verified_at = link.verified_at
            if link.note and link.note not in twin.note:
                twin.note = f"{twin.note}; {link.note}".strip("; ")[:255]
            twin.save(update_fields=["since", "verified_by", "verified_at", "note"])
            link.delete()
    return moved


def _move_candidates(*, user, kept: Person, merged: Person) -> dict:
    """The pair itself is decided "merged"; pairs of `merged` with others are re-pointed to
    `kept` (or dropped when `kept` already has that pair)."""
    now = timezone.now()
    decided = DuplicateCandidate.objects.filter(
        Q(person_a=kept, person_b=merged) | Q(person_a=merged, person_b=kept)
    ).update(status=DuplicateCandidate.Status.MERGED, decided_by=user, decided_at=now)
    existing = set(
        DuplicateCandidate.objects.filter(Q(person_a=kept) | Q(person_b=kept)).values_list(
            "person_a_id", "person_b_id"
        )
    )
    repointed = dropped = 0
    others = DuplicateCandidate.objects.filter(Q(person_a=merged) | Q(person_b=merged)).exclude(
        Q(person_a=kept) | Q(person_b=kept)
    )
    for pair in others.order_by("id"):
        other_id = pair.person_b_id if pair.person_a_id == merged.pk else pair.person_a_id
        a, b = sorted((kept.pk, other_id))
        if (a, b) in existing:
            pair.delete()
            dropped += 1
            continue
        DuplicateCandidate.objects.filter(pk=pair.pk).update(person_a_id=a, person_b_id=b)
        existing.add((a, b))
        repointed += 1
    return {"decided": decided, "repointed": repointed, "dropped": dropped}


def person_merge(*, user, kept: Person, merged: Person) -> PersonMerge:
    """Fold `merged` into `kept` (see the module docstring). Returns the `PersonMerge` row."""
    if kept.pk == merged.pk:
        raise ValidationError(_("Không thể gộp một hồ sơ vào chính nó."), code="same")
    with transaction.atomic():
        visible = Person.objects.restrict(user, "merge").filter(pk__in=(kept.pk, merged.pk))
        locked = {
            person.pk: person
            for person in visible.select_for_update().order_by("pk").select_related("household")
        }
        if len(locked) != 2:
            raise OutOfScope("Both records must be in the user's scope.")
        kept, merged = locked[kept.pk], locked[merged.pk]
        if merged.status == Person.Status.MERGED or kept.status == Person.Status.MERGED:
            raise ValidationError(
                _("Hồ sơ đã được gộp vào hồ sơ khác trước đó, không gộp được nữa."),
                code="already_merged",
            )
        merged_before = _person_snapshot(merged)
        kept_before = snapshot(kept, FILLED_FIELDS)

        moved: dict = {
            "vulnerabilities": _move_vulnerabilities(kept=kept, merged=merged),
            "needs": list(Need.objects.filter(person=merged).values_list("id", flat=True)),
            "consents": list(Consent.objects.filter(person=merged).values_list("id", flat=True)),
            "status_changes": list(
                PersonStatusChange.objects.filter(person=merged).values_list("id", flat=True)
            ),
            "requests": list(
                DataSubjectRequest.objects.filter(person=merged).values_list("id", flat=True)
            ),
        }
        Need.objects.filter(person=merged).update(person=kept)
        Consent.objects.filter(person=merged).update(person=kept)
        PersonStatusChange.objects.filter(person=merged).update(person=kept)
        DataSubjectRequest.objects.filter(person=merged).update(person=kept)
        moved["duplicate_candidates"] = _move_candidates(user=user, kept=kept, merged=merged)
        hooks = {}
        for hook in MERGE_HOOKS:
            hooks[f"{hook.__module__}.{hook.__qualname__}"] = int(hook(kept=kept, merged=merged))
        moved["hooks"] = hooks

        # Fill what the kept record lacks. The citizen ID is unique: free it first.
        filled = []
        if not kept.citizen_id and merged.citizen_id:
            kept.citizen_id = merged.citizen_id
            merged.citizen_id = None
            merged.save(update_fields=["citizen_id"])
            filled.append("citizen_id")
        if not kept.phone and merged.phone:
            kept.phone = merged.phone
            filled.append("phone")
        if (
            kept.birth_date is None
            and merged.birth_date is not None
            and kept.birth_year in (None, merged.birth_date.year)
        ):
            kept.birth_date = merged.birth_date
            kept.birth_year = merged.birth_date.year
            filled.append("birth_date")
        if kept.birth_year is None and merged.birth_year is not None:
            kept.birth_year = merged.birth_year
            filled.append("birth_year")
        if filled:
            kept.save(update_fields=[*dict.fromkeys([*filled, "birth_year"]), "updated_at"])
            audit_update(actor=user, obj=kept, before=kept_before, fields=FILLED_FIELDS)

        merged_fields = ("status", "merged_into_id", "citizen_id")
        before_status = {name: merged_before[name] for name in merged_fields}
        today = timezone.localdate()
        merged.status = Person.Status.MERGED
        merged.merged_into = kept
        merged.save(update_fields=["status", "merged_into", "updated_at"])
        change = PersonStatusChange.objects.create(
            person=merged,
            status=Person.Status.MERGED,
            effective=today,
            note=_("Gộp vào hồ sơ số %(id)s") % {"id": kept.pk},
            recorded_by=user,
        )
        audit_update(actor=user, obj=merged, before=before_status, fields=merged_fields)
        merge = PersonMerge.objects.create(
            kept=kept,
            merged=merged,
            snapshot=merged_before,
            moved={**moved, "filled": filled},
            merged_by=user,
        )
        audit_create(actor=user, obj=change, fields=("person", "status", "effective"))
        audit_create(actor=user, obj=merge, fields=("kept", "merged", "moved"))
        ensure_in_scope(kept, user, "merge")
        ensure_in_scope(merged, user, "merge")
    return merge
