"""Data-subject requests: a copy of her data, a correction, de-identification."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.registry.models import (
    Consent,
    DataSubjectRequest,
    Person,
    PersonVulnerability,
    VulnerabilityCategory,
)
from ansinh.registry.services import (
    consent_record,
    data_request_record,
    person_correct,
    person_data_export,
    person_deidentify,
    vulnerability_add,
)


def _request(personas, person, kind):
    return data_request_record(
        user=personas.officer_hoankiem, person=person, kind=kind, received_on=timezone.localdate()
    )


def _counts():
    """What aggregate statistics read: people by sex, birth year, commune, category, need."""
    people = Person.objects.values("sex", "birth_year", "household__commune").annotate(
        n=Count("id")
    )
    categories = PersonVulnerability.objects.values("category__code").annotate(n=Count("id"))
    needs = Person.objects.values("needs__category__code").annotate(n=Count("id"))
    return (
        sorted(map(str, people)),
        sorted(map(str, categories)),
        sorted(map(str, needs)),
    )


def test_export_holds_her_data_and_is_audited(personas, mother):
    hiv = VulnerabilityCategory.objects.get(code="NGUOI_NHIEM_HIV")
    vulnerability_add(user=personas.city_admin, person=mother, category=hiv)
    request = _request(personas, mother, "export")

    content = person_data_export(user=personas.officer_hoankiem, person=mother, request=request)

    data = json.loads(content)
    assert data["person"]["full_name"] == "Nguyễn Thị Hoà"
    assert data["person"]["citizen_id"] == "001190012345"
    assert data["household"]["address_line"] == "Số 5 phố Hàng Bạc"
    # The officer may not see sensitive categories, so they are not in her export either.
    assert [item["code"] for item in data["vulnerabilities"]] == ["PN_DON_THAN_NUOI_CON"]
    assert [item["code"] for item in data["needs"]] == ["VON"]
    assert data["status_history"][0]["status"] == "Đang quản lý"
    event = AuditEvent.objects.get(action="export")
    assert event.changes == {
        "filters": {"person": mother.pk, "request": request.pk},
        "count": 1,
    }
    assert event.scope_path == mother.scope_path
    request.refresh_from_db()
    assert request.handled_by == personas.officer_hoankiem

    admin_copy = json.loads(person_data_export(user=personas.city_admin, person=mother))
    assert {item["code"] for item in admin_copy["vulnerabilities"]} == {
        "PN_DON_THAN_NUOI_CON",
        "NGUOI_NHIEM_HIV",
    }


def test_export_out_of_scope_is_404_and_not_audited(personas, mother):
    with pytest.raises(OutOfScope):
        person_data_export(user=personas.officer_donganh, person=mother)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_correction_is_an_update_with_the_request_handled(personas, mother):
    request = _request(personas, mother, "correct")

    person_correct(
        user=personas.officer_hoankiem, person=mother, request=request, phone="0987654321"
    )

    mother.refresh_from_db()
    request.refresh_from_db()
    assert mother.phone == "+84987654321"
    assert request.handled_at is not None
    with pytest.raises(ValidationError) as error:
        person_correct(user=personas.officer_hoankiem, person=mother, request=request, phone="")
    assert error.value.messages == ["Yêu cầu này đã được xử lý."]


def test_a_request_of_another_kind_is_refused(personas, mother):
    request = _request(personas, mother, "export")
    with pytest.raises(ValidationError) as error:
        person_deidentify(user=personas.officer_hoankiem, person=mother, request=request)
    assert error.value.messages == ["Yêu cầu này là “Cung cấp bản sao dữ liệu”."]
    mother.refresh_from_db()
    assert not mother.is_deidentified


def test_deidentification_keeps_the_counts(personas, family, mother, donganh_person):
    consent_record(
        user=personas.officer_hoankiem,
        person=mother,
        purpose="registry",
        given_by="self",
        form="paper",
        given_on=dt.date(2025, 8, 1),
    )
    child = family.members.get(full_name="Trần Thị Mai")
    consent_record(
        user=personas.officer_hoankiem,
        person=child,
        purpose="registry",
        given_by="guardian",
        guardian_name="Nguyễn Thị Hoà",
        form="paper",
        given_on=dt.date(2025, 8, 1),
    )
    before = _counts()
    request = _request(personas, mother, "delete")

    person_deidentify(user=personas.officer_hoankiem, person=mother, request=request)

    mother.refresh_from_db()
    assert mother.full_name == f"Đã khử định danh #{mother.pk}"
    assert mother.name_folded == f"da khu dinh danh #{mother.pk}"
    assert (mother.citizen_id, mother.phone, mother.record_number) == (None, "", "")
    assert (mother.birth_date, mother.birth_year, mother.sex) == (None, 1990, "F")
    assert mother.is_deidentified
    # Her household still has her children: its address stays.
    family.refresh_from_db()
    assert family.address_line == "Số 5 phố Hàng Bạc"
    assert _counts() == before
    event = AuditEvent.objects.get(
        action="update", object_type="registry.person", object_id=str(mother.pk)
    )
    assert event.changes == {
        "deidentified": ["full_name", "citizen_id", "phone", "birth_date", "occupation"],
        "request": request.pk,
    }
    assert "Nguyễn" not in json.dumps(event.changes, ensure_ascii=False)
    request.refresh_from_db()
    assert request.handled_at is not None
    assert Consent.objects.filter(person=mother).count() == 1

    # Irreversible and done once: no further request can even be recorded.
    with pytest.raises(ValidationError):
        data_request_record(
            user=personas.officer_hoankiem,
            person=mother,
            kind="delete",
            received_on=timezone.localdate(),
        )


def test_deidentifying_a_single_person_household_blanks_its_address(personas, donganh_person):
    request = data_request_record(
        user=personas.officer_donganh,
        person=donganh_person,
        kind="delete",
        received_on=timezone.localdate(),
    )
    person_deidentify(user=personas.officer_donganh, person=donganh_person, request=request)

    donganh_person.household.refresh_from_db()
    assert donganh_person.household.address_line == ""
    assert donganh_person.household.commune == personas.donganh.admin_unit


def test_deidentify_out_of_scope_is_404_and_unchanged(personas, mother):
    request = DataSubjectRequest.objects.create(
        person=mother, kind="delete", received_on=timezone.localdate()
    )
    with pytest.raises(OutOfScope):
        person_deidentify(user=personas.officer_donganh, person=mother, request=request)
    mother.refresh_from_db()
    assert mother.full_name == "Nguyễn Thị Hoà"
    assert not mother.is_deidentified
