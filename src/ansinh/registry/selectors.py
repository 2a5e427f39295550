"""Reads of households and people for pages and the API, always through the user's scope.

A sensitive vulnerability (GBV survivor, HIV) exists only for users holding
`SENSITIVE_REGISTRY` over the person: every read of vulnerabilities here filters them out for
everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from ansinh.accounts.permissions import ALL, scope_paths
from ansinh.core.scoping import get_scoped_or_404
from ansinh.org.models import UnionUnit

from .matching import likely_duplicates
from .models import (
    Consent,
    DataSubjectRequest,
    Household,
    Need,
    NeedCategory,
    Person,
    PersonMerge,
    PersonStatusChange,
    PersonVulnerability,
    VulnerabilityCategory,
)
from .services import can_see_sensitive


def holds_over(user, permission: str, scope_path: str) -> bool:
    """Whether `user` holds `permission` over a record at `scope_path`."""
    paths = scope_paths(user, permission)
    if paths is ALL:
        return True
    return any(scope_path.startswith(path) for path in paths)


def household_unit_choices(*, user) -> QuerySet[UnionUnit]:
    """Union units where `user` may register households: current commune unions and branches."""
    units = UnionUnit.objects.filter(
        kind__in=(UnionUnit.Kind.COMMUNE, UnionUnit.Kind.BRANCH), valid_to__isnull=True
    ).select_related("admin_unit", "parent__admin_unit", "locality")
    paths = scope_paths(user, "registry.add_household")
    if paths is ALL:
        return units.order_by("path")
    if not paths:
        return units.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition).order_by("path")


def vulnerability_categories(*, user, scope_path: str | None = None) -> QuerySet:
    """Active categories the user may record (sensitive ones only with the permission)."""
    categories = VulnerabilityCategory.objects.filter(is_active=True)
    if scope_path is None:
        paths = scope_paths(user, "sensitive.view_registry")
        allowed = paths is ALL or bool(paths)
    else:
        allowed = can_see_sensitive(user, scope_path)
    if not allowed:
        categories = categories.filter(is_sensitive=False)
    return categories


def need_categories() -> QuerySet:
    return NeedCategory.objects.filter(is_active=True)


def household_get(*, user, pk: int, action: str = "view") -> Household:
    return get_scoped_or_404(
        Household.objects.select_related("unit", "commune", "locality"), user, action, pk=pk
    )


def household_members(*, user, household: Household) -> list[Person]:
    """The members the user may see, the head first."""
    members = Person.objects.restrict(user, "view").filter(household=household).order_by("id")
    return sorted(members, key=lambda person: person.relation != Person.Relation.HEAD)


def person_get(*, user, pk: int, action: str = "view") -> Person:
    return get_scoped_or_404(
        Person.objects.select_related(
            "household__commune",
            "household__locality",
            "household__unit",
            "unit",
            "merged_into",
            "import_batch",
        ),
        user,
        action,
        pk=pk,
    )


def visible_vulnerabilities(*, user, person: Person) -> QuerySet[PersonVulnerability]:
    links = (
        PersonVulnerability.objects.restrict(user, "view")
        .filter(person=person)
        .select_related("category", "verified_by")
    )
    if not can_see_sensitive(user, person.scope_path):
        links = links.filter(category__is_sensitive=False)
    return links


def visible_vulnerabilities_prefetch(*, user, sensitive_ok: bool) -> Prefetch:
    """Prefetch of a person list's vulnerabilities without the sensitive ones when not allowed."""
    links = PersonVulnerability.objects.select_related("category")
    if not sensitive_ok:
        links = links.filter(category__is_sensitive=False)
    return Prefetch("vulnerabilities", queryset=links, to_attr="visible_vulnerabilities")


@dataclass
class PersonPage:
    """What the 360° page shows besides the panels."""

    members: list
    vulnerabilities: list
    needs: list
    consents: list
    status_history: list
    requests: list
    merges: list
    merged_into_visible: bool


def person_page(*, user, person: Person) -> PersonPage:
    members = list(
        Person.objects.restrict(user, "view")
        .filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .order_by("id")
    )
    merges = list(
        PersonMerge.objects.restrict(user, "view")
        .filter(Q(kept=person) | Q(merged=person))
        .select_related("kept", "merged", "merged_by")
    )
    merged_into_visible = bool(
        person.merged_into_id
        and Person.objects.restrict(user, "view").filter(pk=person.merged_into_id).exists()
    )
    return PersonPage(
        members=members,
        vulnerabilities=list(visible_vulnerabilities(user=user, person=person)),
        needs=list(
            Need.objects.restrict(user, "view").filter(person=person).select_related("category")
        ),
        consents=list(
            Consent.objects.restrict(user, "view")
            .filter(person=person)
            .select_related("recorded_by")
        ),
        status_history=list(
            PersonStatusChange.objects.restrict(user, "view")
            .filter(person=person)
            .select_related("moved_to", "recorded_by")
        ),
        requests=list(
            DataSubjectRequest.objects.restrict(user, "view")
            .filter(person=person)
            .select_related("handled_by")
        ),
        merges=merges,
        merged_into_visible=merged_into_visible,
    )


@dataclass
class DuplicateHit:
    """A likely duplicate as shown to the registering officer."""

    person_id: int
    score: float
    reasons: list[str]
    certain: bool
    visible: bool
    full_name: str = ""
    birth: str = ""
    unit_name: str = ""


def duplicate_hits(
    *,
    user,
    full_name: str,
    birth_date=None,
    birth_year=None,
    citizen_id=None,
    phone=None,
    commune_id=None,
    exclude_ids=(),
) -> list[DuplicateHit]:
    """Likely duplicates of someone being registered, revealing only what `user` may see."""
    matches = likely_duplicates(
        full_name=full_name,
        birth_date=birth_date,
        birth_year=birth_year,
        citizen_id=citizen_id or None,
        phone=phone or None,
        commune_id=commune_id,
        exclude_ids=exclude_ids,
    )
    if not matches:
        return []
    visible = {
        person.pk: person
        for person in Person.objects.restrict(user, "view")
        .filter(pk__in=[match.person_id for match in matches])
        .select_related("unit")
    }
    hits = []
    for match in matches:
        person = visible.get(match.person_id)
        hit = DuplicateHit(
            person_id=match.person_id,
            score=match.score,
            reasons=list(match.reasons) if person else [],
            certain=match.certain,
            visible=person is not None,
        )
        if person is not None:
            hit.full_name = person.full_name
            hit.birth = (
                person.birth_date.strftime("%d/%m/%Y")
                if person.birth_date
                else str(person.birth_year or "")
            )
            hit.unit_name = person.unit.name
        hits.append(hit)
    return hits
