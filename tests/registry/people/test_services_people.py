"""person_update, status, vulnerabilities, needs and consent: each rule and how it breaks."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.geo.models import AdminUnit
from ansinh.registry.models import (
    Consent,
    Need,
    NeedCategory,
    PersonStatusChange,
    PersonVulnerability,
    VulnerabilityCategory,
)
from ansinh.registry.selectors import visible_vulnerabilities
from ansinh.registry.services import (
    consent_givers,
    consent_record,
    consent_withdraw,
    need_meet,
    need_open,
    person_status_change,
    person_update,
    vulnerability_add,
    vulnerability_close,
)

from ...factories import AdminUnitFactory
from ..factories import HouseholdFactory, PersonFactory


def _today():
    return timezone.localdate()


def _years_ago(years: int, days: int = 0) -> dt.date:
    today = _today()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


# --- person_update ----------------------------------------------------------------------


def test_person_update_audits_each_changed_field(personas, mother):
    person_update(
        user=personas.officer_hoankiem,
        person=mother,
        phone="0987.654.321",
        occupation="Bán hàng",
        full_name="Nguyễn  Thị Hòa",
    )

    mother.refresh_from_db()
    assert (mother.phone, mother.occupation) == ("+84987654321", "Bán hàng")
    assert mother.name_folded == "nguyen thi hoa"
    event = AuditEvent.objects.get(action="update", object_type="registry.person")
    assert event.changes == {
        "full_name": ["Nguyễn Thị Hoà", "Nguyễn Thị Hòa"],
        "occupation": ["Công nhân", "Bán hàng"],
        "phone": ["+84912345678", "+84987654321"],
    }


def test_person_update_refuses_a_citizen_id_of_the_other_sex(personas, mother):
    with pytest.raises(ValidationError) as error:
        person_update(user=personas.officer_hoankiem, person=mother, citizen_id="001090012345")
    assert list(error.value.message_dict) == ["citizen_id"]
    mother.refresh_from_db()
    assert mother.citizen_id == "001190012345"
    assert not AuditEvent.objects.filter(action="update").exists()


def test_person_update_out_of_scope_is_404_and_unchanged(personas, mother):
    with pytest.raises(OutOfScope):
        person_update(user=personas.officer_donganh, person=mother, occupation="X")
    mother.refresh_from_db()
    assert mother.occupation == "Công nhân"


def test_person_update_cannot_make_a_second_head(personas, family, mother):
    child = family.members.get(full_name="Trần Thị Mai")
    with pytest.raises(ValidationError) as error:
        person_update(user=personas.officer_hoankiem, person=child, relation="head")
    assert list(error.value.message_dict) == ["relation"]


# --- status -----------------------------------------------------------------------------


def test_moved_requires_a_destination(personas, mother):
    with pytest.raises(ValidationError) as error:
        person_status_change(
            user=personas.officer_hoankiem, person=mother, status="moved", effective=_today()
        )
    assert error.value.message_dict == {
        "moved_to": ["Chuyển đi thì phải chọn xã/phường nơi chuyển đến."]
    }
    mother.refresh_from_db()
    assert mother.status == "active"
    assert mother.status_changes.count() == 1


def test_moved_to_a_pre_2025_commune_is_refused(personas, mother):
    old = AdminUnitFactory(era=AdminUnit.Era.PRE_2025, code="00454", name="Xã Cổ Loa")
    with pytest.raises(ValidationError) as error:
        person_status_change(
            user=personas.officer_hoankiem,
            person=mother,
            status="moved",
            effective=_today(),
            moved_to=old,
        )
    assert error.value.message_dict == {
        "moved_to": ["Xã Cổ Loa không phải xã/phường hiện hành (từ 01/7/2025)."]
    }


def test_status_history_is_kept(personas, mother):
    destination = personas.donganh.admin_unit
    person_status_change(
        user=personas.officer_hoankiem,
        person=mother,
        status="moved",
        effective=_today(),
        moved_to=destination,
        note="Theo chồng",
    )
    person_status_change(
        user=personas.officer_hoankiem, person=mother, status="active", effective=_today()
    )

    mother.refresh_from_db()
    assert mother.status == "active"
    history = list(
        PersonStatusChange.objects.filter(person=mother)
        .order_by("id")
        .values_list("status", "moved_to")
    )
    assert history == [("active", None), ("moved", destination.pk), ("active", None)]
    assert (
        AuditEvent.objects.filter(
            action="update", object_type="registry.person", object_id=str(mother.pk)
        ).count()
        == 2
    )


def test_deceased_in_the_future_and_same_status_are_refused(personas, mother):
    with pytest.raises(ValidationError) as error:
        person_status_change(
            user=personas.officer_hoankiem,
            person=mother,
            status="active",
            effective=_today() + dt.timedelta(days=1),
        )
    assert sorted(error.value.message_dict) == ["effective", "status"]


# --- vulnerabilities and needs ----------------------------------------------------------


def test_vulnerability_add_and_close(personas, mother):
    category = VulnerabilityCategory.objects.get(code="LD_NU_MAT_VIEC")
    link = vulnerability_add(
        user=personas.officer_hoankiem,
        person=mother,
        category=category,
        since=dt.date(2024, 1, 1),
    )
    assert (link.verified_by, link.verified_at) == (personas.officer_hoankiem, _today())

    with pytest.raises(ValidationError) as error:
        vulnerability_add(user=personas.officer_hoankiem, person=mother, category=category)
    assert list(error.value.message_dict) == ["category"]

    with pytest.raises(ValidationError) as error:
        vulnerability_close(
            user=personas.officer_hoankiem, vulnerability=link, until=dt.date(2023, 12, 31)
        )
    assert error.value.message_dict == {"until": ["Ngày kết thúc trước ngày bắt đầu 01/01/2024."]}

    vulnerability_close(
        user=personas.officer_hoankiem, vulnerability=link, until=dt.date(2025, 1, 1)
    )
    link.refresh_from_db()
    assert link.until == dt.date(2025, 1, 1)
    # Closed: the category may be recorded again.
    vulnerability_add(user=personas.officer_hoankiem, person=mother, category=category)
    assert PersonVulnerability.objects.filter(person=mother, category=category).count() == 2


def test_sensitive_vulnerability_is_hidden_from_the_officer(personas, mother):
    hiv = VulnerabilityCategory.objects.get(code="NGUOI_NHIEM_HIV")
    with pytest.raises(OutOfScope):
        vulnerability_add(user=personas.officer_hoankiem, person=mother, category=hiv)
    vulnerability_add(user=personas.city_admin, person=mother, category=hiv)

    officer_sees = {
        link.category.code
        for link in visible_vulnerabilities(user=personas.officer_hoankiem, person=mother)
    }
    worker_sees = {
        link.category.code
        for link in visible_vulnerabilities(user=personas.case_worker, person=mother)
    }
    assert officer_sees == {"PN_DON_THAN_NUOI_CON"}
    assert worker_sees == {"PN_DON_THAN_NUOI_CON", "NGUOI_NHIEM_HIV"}


def test_need_open_and_meet(personas, mother):
    category = NeedCategory.objects.get(code="HOC_NGHE")
    need = need_open(user=personas.officer_hoankiem, person=mother, category=category)
    with pytest.raises(ValidationError):
        need_open(user=personas.officer_hoankiem, person=mother, category=category)

    need_meet(user=personas.officer_hoankiem, need=need, note="Lớp may")
    need.refresh_from_db()
    assert (need.status, need.met_on, need.note) == ("met", _today(), "Lớp may")
    with pytest.raises(ValidationError) as error:
        need_meet(user=personas.officer_hoankiem, need=need)
    assert error.value.message_dict == {"met_on": ["Nhu cầu này đã được đáp ứng."]}
    assert Need.objects.filter(person=mother).count() == 2  # VON from registration


def test_need_out_of_scope_is_404(personas, mother):
    with pytest.raises(OutOfScope):
        need_open(
            user=personas.officer_donganh,
            person=mother,
            category=NeedCategory.objects.get(code="VIEC_LAM"),
        )
    assert Need.objects.filter(person=mother).count() == 1


# --- consent ----------------------------------------------------------------------------


def _child(personas, birth_date=None, birth_year=None):
    household = HouseholdFactory(unit=personas.hoankiem)
    return PersonFactory(
        household=household,
        full_name="Trần Thị Bé",
        birth_date=birth_date,
        birth_year=birth_year if birth_year else (birth_date.year if birth_date else None),
    )


def _consent(personas, person, given_by, guardian_name=""):
    return consent_record(
        user=personas.officer_hoankiem,
        person=person,
        purpose="registry",
        given_by=given_by,
        form="paper",
        given_on=_today(),
        guardian_name=guardian_name,
    )


def test_a_five_year_old_consents_through_her_guardian_only(personas):
    child = _child(personas, birth_date=_years_ago(5))
    for given_by in ("self", "both"):
        with pytest.raises(ValidationError) as error:
            _consent(personas, child, given_by, guardian_name="Nguyễn Thị Hoà")
        assert error.value.message_dict["given_by"] == [
            "Trẻ dưới 7 tuổi: người giám hộ đồng ý thay (không phải bản thân trẻ). "
            "(5 tuổi vào ngày đồng ý)"
        ]
    with pytest.raises(ValidationError) as error:
        _consent(personas, child, "guardian")
    assert error.value.message_dict == {"guardian_name": ["Chưa nhập họ tên người giám hộ."]}
    assert not Consent.objects.exists()

    consent = _consent(personas, child, "guardian", guardian_name="Nguyễn Thị Hoà")
    assert (consent.given_by, consent.guardian_name) == ("guardian", "Nguyễn Thị Hoà")


def test_a_ten_year_old_consents_with_her_guardian(personas):
    child = _child(personas, birth_date=_years_ago(10))
    for given_by in ("self", "guardian"):
        with pytest.raises(ValidationError) as error:
            _consent(personas, child, given_by, guardian_name="Nguyễn Thị Hoà")
        assert error.value.message_dict["given_by"] == [
            "Trẻ từ đủ 7 tuổi: cần sự đồng ý của cả trẻ và người giám hộ. (10 tuổi vào ngày đồng ý)"
        ]
    assert _consent(personas, child, "both", guardian_name="Nguyễn Thị Hoà").given_by == "both"


def test_seven_the_day_before_the_birthday_is_still_six(personas):
    child = _child(personas, birth_date=_years_ago(7, days=-1))
    assert consent_givers(child, _today()) == {"guardian"}
    child.birth_date = _years_ago(7)
    assert consent_givers(child, _today()) == {"both"}


def test_an_adult_consents_herself_or_through_a_guardian(personas, mother):
    with pytest.raises(ValidationError) as error:
        _consent(personas, mother, "both", guardian_name="Trần Văn Ba")
    assert list(error.value.message_dict) == ["given_by"]
    with pytest.raises(ValidationError) as error:
        _consent(personas, mother, "self", guardian_name="Trần Văn Ba")
    assert error.value.message_dict == {
        "guardian_name": ["Người tự đồng ý thì không ghi người giám hộ."]
    }
    consent = _consent(personas, mother, "self")
    consent_withdraw(user=personas.officer_hoankiem, consent=consent)
    # An adult under guardianship: her guardian consents.
    assert _consent(personas, mother, "guardian", guardian_name="Trần Văn Ba").is_active


def test_birth_year_only_accepts_either_answer_at_the_boundary(personas):
    child = _child(personas, birth_year=_today().year - 7)
    assert consent_givers(child, _today()) == {"guardian", "both"}


def test_one_active_consent_per_purpose_and_withdrawal(personas, mother):
    consent = _consent(personas, mother, "self")
    with pytest.raises(ValidationError) as error:
        _consent(personas, mother, "self")
    assert list(error.value.message_dict) == ["purpose"]

    consent_withdraw(user=personas.officer_hoankiem, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_on == _today()
    with pytest.raises(ValidationError):
        consent_withdraw(user=personas.officer_hoankiem, consent=consent)
    event = AuditEvent.objects.get(action="update", object_type="registry.consent")
    assert event.changes == {"withdrawn_on": [None, str(_today())]}


def test_consent_out_of_scope_is_404(personas, mother):
    with pytest.raises(OutOfScope):
        consent_record(
            user=personas.officer_donganh,
            person=mother,
            purpose="registry",
            given_by="self",
            form="paper",
            given_on=_today(),
        )
    assert not Consent.objects.exists()
