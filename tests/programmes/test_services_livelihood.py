"""Loans facilitated, training enrolments with job outcomes and job referrals: the services
write and audit in scope, refuse bad input in Vietnamese and write nothing then."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.programmes import livelihood
from ansinh.programmes.models import (
    JobReferral,
    LoanFacilitation,
    LoanStatusChange,
    TrainingCourse,
    TrainingEnrolment,
)

from .livelihood_helpers import course, days_ago, grant_writes, loan, referral


@pytest.fixture
def officer(personas):
    grant_writes(personas.officer_hoankiem, personas.hoankiem)
    return personas.officer_hoankiem


def test_loan_created_applied_with_history_and_audit(officer, world):
    created = loan(officer, world.hk_young)
    assert (created.status, created.bank, created.disbursed_on) == ("applied", "nhcsxh", None)
    assert list(created.history.values_list("status", "changed_on")) == [("applied", days_ago(60))]
    event = AuditEvent.objects.get(action="create", object_type="programmes.loanfacilitation")
    assert event.changes["amount"] == [None, 50_000_000]


def test_loan_goes_current_overdue_repaid_with_history(officer, world):
    created = loan(officer, world.hk_young)
    livelihood.loan_set_status(
        user=officer, loan=created, status="current", changed_on=days_ago(40)
    )
    livelihood.loan_set_status(
        user=officer, loan=created, status="overdue", changed_on=days_ago(10), note="Chậm 1 kỳ"
    )
    livelihood.loan_set_status(user=officer, loan=created, status="repaid", changed_on=days_ago(1))
    created.refresh_from_db()
    assert (created.status, created.disbursed_on) == ("repaid", days_ago(40))
    assert list(created.history.values_list("status", flat=True)) == [
        "applied",
        "current",
        "overdue",
        "repaid",
    ]
    # Nothing follows "repaid".
    with pytest.raises(ValidationError) as caught:
        livelihood.loan_set_status(
            user=officer, loan=created, status="overdue", changed_on=days_ago(0)
        )
    assert caught.value.message_dict == {
        "status": ["Không thể chuyển khoản vay từ “Đã trả hết” sang “Quá hạn”."]
    }
    assert created.history.count() == 4


def test_loan_status_date_before_last_change_is_refused(officer, world):
    created = loan(officer, world.hk_young, disbursed_on=days_ago(20))
    with pytest.raises(ValidationError) as caught:
        livelihood.loan_set_status(
            user=officer, loan=created, status="overdue", changed_on=days_ago(30)
        )
    assert list(caught.value.message_dict) == ["changed_on"]
    created.refresh_from_db()
    assert created.status == "current"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"amount": 0}, "amount", "Số tiền vay phải lớn hơn 0."),
        ({"purpose": " "}, "purpose", "Cần ghi mục đích vay."),
        ({"bank": "other"}, "bank_name", "Cần ghi tên ngân hàng."),
        ({"disbursed_on": days_ago(90)}, "disbursed_on", "Ngày giải ngân trước ngày nộp hồ sơ."),
        ({"term_months": 0}, "term_months", "Thời hạn vay từ 1 đến 240 tháng."),
        ({"applied_on": days_ago(-2)}, "applied_on", "Ngày không được sau hôm nay."),
    ],
)
def test_bad_loan_refused_and_nothing_written(officer, world, kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        loan(officer, world.hk_young, **kwargs)
    assert caught.value.message_dict[field] == [message]
    assert LoanFacilitation.objects.count() == LoanStatusChange.objects.count() == 0


def test_loan_for_someone_out_of_scope_is_404_and_nothing_written(officer, world):
    with pytest.raises(OutOfScope):
        loan(officer, world.da_old[0])
    assert LoanFacilitation.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="programmes.loanfacilitation").exists()


def test_loan_update_audited_and_out_of_scope_refused(personas, officer, world):
    grant_writes(personas.officer_donganh, personas.donganh)
    created = loan(officer, world.hk_young)
    livelihood.loan_update(user=officer, loan=created, amount=60_000_000, term_months=36)
    created.refresh_from_db()
    assert (created.amount, created.term_months) == (60_000_000, 36)
    event = AuditEvent.objects.get(action="update", object_type="programmes.loanfacilitation")
    assert event.changes["amount"] == [50_000_000, 60_000_000]
    with pytest.raises(OutOfScope):
        livelihood.loan_update(user=personas.officer_donganh, loan=created, amount=1)
    created.refresh_from_db()
    assert created.amount == 60_000_000


def test_course_enrolment_and_outcomes(personas, officer, world):
    lop = course(officer, personas.hoankiem)
    enrolment = livelihood.enrolment_create(user=officer, course=lop, person=world.hk_young)
    with pytest.raises(ValidationError) as caught:
        livelihood.enrolment_create(user=officer, course=lop, person=world.hk_young)
    assert caught.value.message_dict == {"person": ["Người này đã có trong lớp."]}
    livelihood.enrolment_update(
        user=officer,
        enrolment=enrolment,
        completed=True,
        completed_on=days_ago(110),
        certificate="Chứng chỉ sơ cấp nghề số 123",
        outcome_3m="employed",
        outcome_3m_checked_on=days_ago(20),
    )
    enrolment.refresh_from_db()
    assert (enrolment.completed, enrolment.outcome_3m, enrolment.outcome_6m) == (
        True,
        "employed",
        "unknown",
    )
    assert TrainingEnrolment.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"completed": True}, "completed_on", "Cần ghi ngày hoàn thành."),
        (
            {"outcome_3m": "employed", "outcome_3m_checked_on": days_ago(1)},
            "outcome_3m",
            "Chỉ ghi việc làm sau đào tạo khi học viên đã hoàn thành.",
        ),
        (
            {"completed": True, "completed_on": days_ago(100), "outcome_6m": "self_employed"},
            "outcome_6m_checked_on",
            "Cần ghi ngày kiểm tra.",
        ),
        (
            {"completed": True, "completed_on": days_ago(300)},
            "completed_on",
            "Ngày hoàn thành trước ngày khai giảng.",
        ),
    ],
)
def test_bad_outcome_refused_and_nothing_changed(personas, officer, world, fields, field, message):
    lop = course(officer, personas.hoankiem)
    enrolment = livelihood.enrolment_create(user=officer, course=lop, person=world.hk_young)
    with pytest.raises(ValidationError) as caught:
        livelihood.enrolment_update(user=officer, enrolment=enrolment, **fields)
    assert caught.value.message_dict[field] == [message]
    enrolment.refresh_from_db()
    assert (enrolment.completed, enrolment.outcome_3m, enrolment.outcome_6m) == (
        False,
        "unknown",
        "unknown",
    )


def test_course_of_another_commune_is_out_of_scope(personas, officer, world):
    with pytest.raises(OutOfScope):
        course(officer, personas.donganh)
    assert TrainingCourse.objects.count() == 0
    city_course = course(personas.city_admin, personas.donganh)
    with pytest.raises(OutOfScope):
        livelihood.enrolment_create(user=officer, course=city_course, person=world.hk_young)
    assert TrainingEnrolment.objects.count() == 0


def test_referral_hired_needs_start_date(officer, world):
    with pytest.raises(ValidationError) as caught:
        referral(officer, world.hk_young, outcome="hired")
    assert caught.value.message_dict == {
        "starts_on": ["Người được tuyển cần có ngày bắt đầu làm việc."]
    }
    assert JobReferral.objects.count() == 0
    created = referral(officer, world.hk_young)
    livelihood.referral_update(
        user=officer, referral=created, outcome="hired", starts_on=days_ago(5)
    )
    created.refresh_from_db()
    assert (created.outcome, created.starts_on) == ("hired", days_ago(5))
    assert AuditEvent.objects.filter(object_type="programmes.jobreferral").count() == 2


def test_referral_out_of_scope_is_404(personas, officer, world):
    with pytest.raises(OutOfScope):
        referral(officer, world.da_old[0])
    assert JobReferral.objects.count() == 0
