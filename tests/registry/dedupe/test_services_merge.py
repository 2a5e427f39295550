"""Merging two records: every link moves, the merged record stays reachable."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from ansinh.core.models import AuditEvent
from ansinh.registry import merging
from ansinh.registry.merging import person_merge, register_merge_hook
from ansinh.registry.models import (
    Consent,
    DataSubjectRequest,
    DuplicateCandidate,
    Need,
    NeedCategory,
    Person,
    PersonMerge,
    PersonStatusChange,
    PersonVulnerability,
    VulnerabilityCategory,
)

TODAY = dt.date(2025, 9, 1)


@pytest.fixture
def pair(make_person):
    kept = make_person("Nguyễn Thị Hoà", birth_date=None, birth_year=1985)
    merged = make_person(
        "Nguyen Thi Hoa",
        birth_date=dt.date(1985, 3, 12),
        citizen_id="001185000777",
        phone="+84912345678",
    )
    return kept, merged


def _links(kept, merged):
    categories = list(VulnerabilityCategory.objects.filter(is_sensitive=False)[:2])
    need_category = NeedCategory.objects.first()
    # Both have the first category open: it must end up once on the kept record.
    PersonVulnerability.objects.create(person=kept, category=categories[0], since=TODAY)
    PersonVulnerability.objects.create(
        person=merged, category=categories[0], since=dt.date(2024, 1, 1), note="xác minh 2024"
    )
    PersonVulnerability.objects.create(person=merged, category=categories[1], since=TODAY)
    Need.objects.create(person=merged, category=need_category, opened_on=TODAY)
    Consent.objects.create(
        person=merged, purpose="registry", given_by="self", form="paper", given_on=TODAY
    )
    PersonStatusChange.objects.create(person=merged, status="active", effective=TODAY)
    DataSubjectRequest.objects.create(person=merged, kind="export", received_on=TODAY)
    return categories


def test_merge_moves_every_link_and_keeps_the_merged_record(pair, personas, make_person):
    kept, merged = pair
    categories = _links(kept, merged)
    other = make_person("Nguyễn Thị Hòa", birth_date=dt.date(1985, 3, 12))
    DuplicateCandidate.objects.create(person_a=kept, person_b=merged, score=0.9)
    DuplicateCandidate.objects.create(person_a=merged, person_b=other, score=0.8)

    merge = person_merge(user=personas.officer_hoankiem, kept=kept, merged=merged)

    kept.refresh_from_db()
    merged.refresh_from_db()
    assert (merged.status, merged.merged_into_id, merged.citizen_id) == ("merged", kept.pk, None)
    # Kept takes what it lacked.
    assert (kept.citizen_id, kept.phone, kept.birth_date, kept.birth_year) == (
        "001185000777",
        "+84912345678",
        dt.date(1985, 3, 12),
        1985,
    )
    open_links = PersonVulnerability.objects.filter(person=kept, until__isnull=True)
    assert sorted(link.category_id for link in open_links) == sorted(c.pk for c in categories)
    folded = open_links.get(category=categories[0])
    assert (folded.since, folded.note) == (dt.date(2024, 1, 1), "xác minh 2024")
    assert not PersonVulnerability.objects.filter(person=merged).exists()
    assert Need.objects.filter(person=kept).count() == 1
    assert Consent.objects.filter(person=kept).count() == 1
    assert DataSubjectRequest.objects.filter(person=kept).count() == 1
    assert list(
        PersonStatusChange.objects.filter(person=merged).values_list("status", flat=True)
    ) == ["merged"]
    assert PersonStatusChange.objects.filter(person=kept, status="active").count() == 1
    # The decided pair is marked merged; the other pair now points at the kept record.
    assert DuplicateCandidate.objects.get(person_a=kept, person_b=merged).status == "merged"
    assert DuplicateCandidate.objects.filter(person_a=kept, person_b=other).count() == 1
    assert not DuplicateCandidate.objects.filter(person_a=merged, person_b=other).exists()
    # The snapshot keeps the merged record as it was.
    assert merge.snapshot["full_name"] == "Nguyen Thi Hoa"
    assert merge.snapshot["citizen_id"] == "001185000777"
    assert merge.merged_by == personas.officer_hoankiem
    assert merge.moved["filled"] == ["citizen_id", "phone", "birth_date"]
    assert len(merge.moved["vulnerabilities"]) == 2
    assert (
        AuditEvent.objects.filter(object_type="registry.personmerge", action="create").count() == 1
    )
    assert AuditEvent.objects.filter(
        object_type="registry.person", object_id=str(merged.pk), action="update"
    ).exists()


def test_merge_hooks_move_links_of_later_modules(pair, personas, monkeypatch):
    kept, merged = pair
    monkeypatch.setattr(merging, "MERGE_HOOKS", [])
    seen = []

    @register_merge_hook
    def move_donations(*, kept, merged):
        seen.append((kept.pk, merged.pk))
        return 4

    merge = person_merge(user=personas.officer_hoankiem, kept=kept, merged=merged)
    assert seen == [(kept.pk, merged.pk)]
    assert list(merge.moved["hooks"].values()) == [4]


def test_merge_out_of_scope_is_404_and_nothing_changes(make_person, personas):
    kept = make_person("Nguyễn Thị Hoà")
    merged = make_person("Nguyen Thi Hoa", unit="donganh", phone="+84912345678")
    with pytest.raises(Http404):
        person_merge(user=personas.officer_hoankiem, kept=kept, merged=merged)
    merged.refresh_from_db()
    kept.refresh_from_db()
    assert (merged.status, merged.merged_into_id, kept.phone) == ("active", None, "")
    assert PersonMerge.objects.count() == 0
    assert PersonStatusChange.objects.count() == 0


def test_aggregate_viewer_cannot_merge(pair, personas):
    kept, merged = pair
    with pytest.raises(Http404):
        person_merge(user=personas.aggregate_viewer, kept=kept, merged=merged)
    assert Person.objects.filter(status="merged").count() == 0


def test_cannot_merge_into_herself(pair, personas):
    kept, _merged = pair
    with pytest.raises(ValidationError) as error:
        person_merge(user=personas.officer_hoankiem, kept=kept, merged=kept)
    assert error.value.messages == ["Không thể gộp một hồ sơ vào chính nó."]
    assert PersonMerge.objects.count() == 0


def test_cannot_merge_an_already_merged_record(pair, personas, make_person):
    kept, merged = pair
    person_merge(user=personas.officer_hoankiem, kept=kept, merged=merged)
    third = make_person("Nguyễn Thị Hoà")
    with pytest.raises(ValidationError) as error:
        person_merge(user=personas.officer_hoankiem, kept=third, merged=merged)
    assert error.value.messages == [
        "Hồ sơ đã được gộp vào hồ sơ khác trước đó, không gộp được nữa."
    ]
    with pytest.raises(ValidationError):
        person_merge(user=personas.officer_hoankiem, kept=merged, merged=third)
    assert PersonMerge.objects.count() == 1
    third.refresh_from_db()
    assert third.status == "active"
