"""The shared permission suite for the registry's other scoped records.

With pages of their own (suite subclasses): import batches, duplicate pairs, and a person's
categories, needs and consents (their close / meet / withdraw pages: GET shows the form, the
write is the POST). Without a page of their own (status changes, merges, data-subject
requests): `restrict()` and the parent page that lists them.
"""

import datetime as dt
import hashlib

from django.urls import reverse

from ansinh.core.models import Job
from ansinh.registry.models import (
    Consent,
    DataSubjectRequest,
    DuplicateCandidate,
    ImportBatch,
    Need,
    NeedCategory,
    Person,
    PersonMerge,
    PersonStatusChange,
    PersonVulnerability,
    VulnerabilityCategory,
)

from ..permission_suite import ScopedPermissionSuite, snapshot
from .factories import HouseholdFactory, PersonFactory

OPENED = dt.date(2025, 1, 2)


def person_in(unit, **fields) -> Person:
    return PersonFactory(household=HouseholdFactory(unit=unit), **fields)


def pair_of_people(personas) -> tuple[Person, Person]:
    return person_in(personas.hoankiem), person_in(personas.donganh)


# --------------------------------------------------------------------------------------
# Import batches
# --------------------------------------------------------------------------------------


def ready_batch(unit, name: str) -> ImportBatch:
    """A validated batch waiting to be committed (no split communes to choose)."""
    return ImportBatch.objects.create(
        unit=unit,
        scope_path=unit.path,
        file_name=name,
        file_sha256=hashlib.sha256(name.encode()).hexdigest(),
        status=ImportBatch.Status.READY,
        rows_total=2,
        rows_valid=2,
    )


class TestImportBatchPermissions(ScopedPermissionSuite):
    model = ImportBatch

    def make_objects(self, personas):
        return (
            ready_batch(personas.hoankiem, "hoan-kiem.xlsx"),
            ready_batch(personas.donganh, "dong-anh.xlsx"),
        )

    def page_url(self, obj):
        return reverse("registry:import_detail", args=[obj.pk])

    def write_request(self, obj):
        return ("post", reverse("registry:import_commit", args=[obj.pk]), {})


class TestImportBatchStatusPermissions(TestImportBatchPermissions):
    """The status fragment the preview page polls (`?partial=1`)."""

    def page_url(self, obj):
        return reverse("registry:import_detail", args=[obj.pk]) + "?partial=1"


def test_out_of_scope_commit_starts_no_job(personas, client_for):
    outside = ready_batch(personas.donganh, "dong-anh.xlsx")
    client = client_for(personas.officer_hoankiem)

    response = client.post(reverse("registry:import_commit", args=[outside.pk]))

    assert response.status_code == 404
    assert not Job.objects.filter(kind="registry.import_commit").exists()


def test_in_scope_commit_starts_the_commit_job(personas, client_for):
    inside = ready_batch(personas.hoankiem, "hoan-kiem.xlsx")
    client = client_for(personas.officer_hoankiem)

    response = client.post(reverse("registry:import_commit", args=[inside.pk]))

    assert response.status_code == 302
    job = Job.objects.get(kind="registry.import_commit")
    assert (job.params["batch_id"], job.scope_path) == (inside.pk, personas.hoankiem.path)


# --------------------------------------------------------------------------------------
# Duplicate pairs
# --------------------------------------------------------------------------------------


def duplicate_pair(unit) -> DuplicateCandidate:
    first, second = person_in(unit), person_in(unit)
    return DuplicateCandidate.objects.create(
        person_a=min(first, second, key=lambda p: p.pk),
        person_b=max(first, second, key=lambda p: p.pk),
        score=0.97,
        reasons=["Họ tên giống", "Cùng ngày sinh"],
    )


class TestDuplicateCandidatePermissions(ScopedPermissionSuite):
    model = DuplicateCandidate

    def make_objects(self, personas):
        return duplicate_pair(personas.hoankiem), duplicate_pair(personas.donganh)

    def page_url(self, obj):
        return reverse("registry:duplicate_detail", args=[obj.pk])

    def write_request(self, obj):
        # "Not the same person".
        return ("post", reverse("registry:duplicate_detail", args=[obj.pk]), {"action": "distinct"})


def test_in_scope_distinct_decision_is_recorded(personas, client_for):
    inside = duplicate_pair(personas.hoankiem)
    client = client_for(personas.officer_hoankiem)

    response = client.post(
        reverse("registry:duplicate_detail", args=[inside.pk]), {"action": "distinct"}
    )

    assert response.status_code == 302
    inside.refresh_from_db()
    assert (inside.status, inside.decided_by) == ("distinct", personas.officer_hoankiem)


def test_out_of_scope_merge_is_404_and_both_records_stay(personas, client_for):
    outside = duplicate_pair(personas.donganh)
    client = client_for(personas.officer_hoankiem)
    before = (snapshot(outside.person_a), snapshot(outside.person_b))

    response = client.post(
        reverse("registry:duplicate_detail", args=[outside.pk]), {"action": "keep_a"}
    )

    assert response.status_code == 404
    assert (snapshot(outside.person_a), snapshot(outside.person_b)) == before
    assert not PersonMerge.objects.exists()


def test_restrict_hides_a_pair_whose_other_record_is_out_of_scope(personas, client_for):
    mine, theirs = pair_of_people(personas)
    cross = DuplicateCandidate.objects.create(person_a=mine, person_b=theirs, score=0.6)
    officer = personas.officer_hoankiem

    assert (
        client_for(officer).get(reverse("registry:duplicate_detail", args=[cross.pk])).status_code
        == 404
    )
    assert not DuplicateCandidate.objects.restrict(officer, "view").filter(pk=cross.pk).exists()


# --------------------------------------------------------------------------------------
# A person's categories, needs and consents
# --------------------------------------------------------------------------------------


def vulnerability(person, code: str = "PN_DON_THAN_NUOI_CON") -> PersonVulnerability:
    return PersonVulnerability.objects.create(
        person=person, category=VulnerabilityCategory.objects.get(code=code), since=OPENED
    )


class TestPersonVulnerabilityPermissions(ScopedPermissionSuite):
    model = PersonVulnerability

    def make_objects(self, personas):
        inside, outside = pair_of_people(personas)
        return vulnerability(inside), vulnerability(outside)

    def page_url(self, obj):
        return reverse("registry:vulnerability_close", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("registry:vulnerability_close", args=[obj.pk]),
            {"until": "15/03/2025", "note": "Con đã lớn"},
        )


def test_sensitive_category_in_scope_is_404_without_the_sensitive_permission(personas, client_for):
    link = vulnerability(person_in(personas.hoankiem), code="PN_BI_BAO_LUC_GIOI")
    client = client_for(personas.officer_hoankiem)
    before = snapshot(link)
    url = reverse("registry:vulnerability_close", args=[link.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"until": "15/03/2025"}).status_code == 404
    assert snapshot(link) == before


def need(person) -> Need:
    return Need.objects.create(
        person=person, category=NeedCategory.objects.get(code="VON"), opened_on=OPENED
    )


class TestNeedPermissions(ScopedPermissionSuite):
    model = Need

    def make_objects(self, personas):
        inside, outside = pair_of_people(personas)
        return need(inside), need(outside)

    def page_url(self, obj):
        return reverse("registry:need_meet", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("registry:need_meet", args=[obj.pk]),
            {"met_on": "15/03/2025", "note": "Vay vốn 20 triệu"},
        )


def test_in_scope_need_is_met(personas, client_for):
    inside = need(person_in(personas.hoankiem))
    client = client_for(personas.officer_hoankiem)

    client.post(reverse("registry:need_meet", args=[inside.pk]), {"met_on": "15/03/2025"})

    inside.refresh_from_db()
    assert (inside.status, inside.met_on) == ("met", dt.date(2025, 3, 15))


def consent(person) -> Consent:
    return Consent.objects.create(
        person=person,
        purpose=Consent.Purpose.REGISTRY,
        given_by=Consent.GivenBy.SELF,
        form=Consent.Form.PAPER,
        given_on=OPENED,
    )


class TestConsentPermissions(ScopedPermissionSuite):
    model = Consent

    def make_objects(self, personas):
        inside, outside = pair_of_people(personas)
        return consent(inside), consent(outside)

    def page_url(self, obj):
        return reverse("registry:consent_withdraw", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("registry:consent_withdraw", args=[obj.pk]),
            {"withdrawn_on": "15/03/2025"},
        )


# --------------------------------------------------------------------------------------
# Records without a page of their own: restrict() and the parent page
# --------------------------------------------------------------------------------------


def visible_pks(model, user, *objects) -> set[int]:
    return set(
        model.objects.restrict(user, "view")
        .filter(pk__in=[obj.pk for obj in objects])
        .values_list("pk", flat=True)
    )


def test_status_changes_are_scoped_like_their_person(personas, client_for):
    inside, outside = pair_of_people(personas)
    change_inside = PersonStatusChange.objects.create(
        person=inside, status="moved", effective=OPENED, note="Chuyển về Hàng Bạc"
    )
    change_outside = PersonStatusChange.objects.create(
        person=outside, status="moved", effective=OPENED, note="Chuyển về Uy Nỗ"
    )
    officer = personas.officer_hoankiem
    client = client_for(officer)

    assert visible_pks(PersonStatusChange, officer, change_inside, change_outside) == {
        change_inside.pk
    }
    assert visible_pks(PersonStatusChange, personas.city_admin, change_inside, change_outside) == {
        change_inside.pk,
        change_outside.pk,
    }
    page = client.get(reverse("registry:person_detail", args=[inside.pk]))
    assert [c.pk for c in page.context["page"].status_history] == [change_inside.pk]
    assert "Chuyển về Hàng Bạc" in page.content.decode()
    assert "Chuyển về Uy Nỗ" not in page.content.decode()
    assert client.get(reverse("registry:person_detail", args=[outside.pk])).status_code == 404
    api = client.get(reverse("person-detail", args=[inside.pk])).json()
    assert [row["note"] for row in api["status_history"]] == ["Chuyển về Hàng Bạc"]
    assert client.get(reverse("person-detail", args=[outside.pk])).status_code == 404


def test_merges_are_scoped_by_the_kept_record(personas, client_for):
    kept_inside = person_in(personas.hoankiem)
    merged_inside = person_in(personas.hoankiem, status=Person.Status.MERGED)
    merged_inside.merged_into = kept_inside
    merged_inside.save()
    kept_outside = person_in(personas.donganh)
    # A record of Hoàn Kiếm the city admin merged into one of Đông Anh.
    moved_away = person_in(personas.hoankiem, status=Person.Status.MERGED, merged_into=kept_outside)
    merge_inside = PersonMerge.objects.create(kept=kept_inside, merged=merged_inside)
    merge_outside = PersonMerge.objects.create(kept=kept_outside, merged=moved_away)
    officer = personas.officer_hoankiem
    client = client_for(officer)

    assert visible_pks(PersonMerge, officer, merge_inside, merge_outside) == {merge_inside.pk}
    assert visible_pks(PersonMerge, personas.city_admin, merge_inside, merge_outside) == {
        merge_inside.pk,
        merge_outside.pk,
    }
    page = client.get(reverse("registry:person_detail", args=[kept_inside.pk]))
    assert [m.pk for m in page.context["page"].merges] == [merge_inside.pk]
    # The Hoàn Kiếm record merged away: its page is hers, the merge into Đông Anh is not.
    page = client.get(reverse("registry:person_detail", args=[moved_away.pk]))
    assert page.status_code == 200
    assert page.context["page"].merges == []
    assert page.context["page"].merged_into_visible is False
    assert reverse("registry:person_detail", args=[kept_outside.pk]) not in page.content.decode()
    assert client.get(reverse("registry:person_detail", args=[kept_outside.pk])).status_code == 404


def data_request(person, note: str) -> DataSubjectRequest:
    return DataSubjectRequest.objects.create(
        person=person, kind=DataSubjectRequest.Kind.EXPORT, received_on=OPENED, note=note
    )


def test_data_subject_requests_are_scoped_like_their_person(personas, client_for):
    inside, outside = pair_of_people(personas)
    request_inside = data_request(inside, "Xin bản sao hồ sơ")
    request_outside = data_request(outside, "Xin bản sao của Đông Anh")
    officer = personas.officer_hoankiem
    client = client_for(officer)

    assert visible_pks(DataSubjectRequest, officer, request_inside, request_outside) == {
        request_inside.pk
    }
    assert visible_pks(
        DataSubjectRequest, personas.city_admin, request_inside, request_outside
    ) == {request_inside.pk, request_outside.pk}
    page = client.get(reverse("registry:person_requests", args=[inside.pk]))
    assert [r.pk for r in page.context["requests"]] == [request_inside.pk]
    assert "Xin bản sao của Đông Anh" not in page.content.decode()
    assert client.get(reverse("registry:person_requests", args=[outside.pk])).status_code == 404


def test_export_against_an_out_of_scope_request_is_404_and_it_stays_open(personas, client_for):
    inside, outside = pair_of_people(personas)
    request_outside = data_request(outside, "Xin bản sao của Đông Anh")
    client = client_for(personas.officer_hoankiem)
    before = snapshot(request_outside)

    # Her own person, somebody else's request; then the other person outright.
    mixed = client.post(
        reverse("registry:person_export", args=[inside.pk]), {"request": request_outside.pk}
    )
    foreign = client.post(
        reverse("registry:person_export", args=[outside.pk]), {"request": request_outside.pk}
    )

    assert (mixed.status_code, foreign.status_code) == (404, 404)
    assert snapshot(request_outside) == before
