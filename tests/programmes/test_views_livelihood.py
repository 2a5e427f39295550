"""Pages and API of loans, training and job referrals: the shared permission suite for each
scoped model, lists that filter, paginate and export (audited) real XLSX, forms that refuse
bad input in Vietnamese, the person-page panel."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.programmes import livelihood
from ansinh.programmes.models import (
    JobReferral,
    LoanFacilitation,
    TrainingCourse,
    TrainingEnrolment,
)
from tests.permission_suite import ScopedPermissionSuite

from .conftest import _person
from .livelihood_helpers import course, days_ago, grant_writes, loan, referral


def _people(personas):
    born = days_ago(365 * 35)
    return (
        _person(personas.hoankiem, born=born, name="Nguyễn Thị Hoa"),
        _person(personas.donganh, born=born, name="Trần Thị Lan"),
    )


def _officer(personas):
    grant_writes(personas.officer_hoankiem, personas.hoankiem)
    return personas.officer_hoankiem


class TestLoanPermissions(ScopedPermissionSuite):
    model = LoanFacilitation

    def make_objects(self, personas):
        hk, da = _people(personas)
        _officer(personas)
        return loan(personas.city_admin, hk), loan(personas.city_admin, da)

    def page_url(self, obj):
        return reverse("programmes:loan_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("loan-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("programmes:loan_update", args=[obj.pk]),
            {
                "bank": "nhcsxh",
                "amount": "45.000.000",
                "purpose": "Mở cửa hàng tạp hóa",
                "applied_on": obj.applied_on.strftime("%d/%m/%Y"),
                "term_months": "36",
            },
        )


class TestLoanStatusPermissions(ScopedPermissionSuite):
    """The status form of the loan page (the write moves the loan and keeps history)."""

    model = LoanFacilitation

    def make_objects(self, personas):
        hk, da = _people(personas)
        _officer(personas)
        return loan(personas.city_admin, hk), loan(personas.city_admin, da)

    def page_url(self, obj):
        return reverse("programmes:loan_update", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("programmes:loan_detail", args=[obj.pk]),
            {"status": "current", "changed_on": days_ago(5).strftime("%d/%m/%Y")},
        )


class TestCoursePermissions(ScopedPermissionSuite):
    model = TrainingCourse

    def make_objects(self, personas):
        _officer(personas)
        return (
            course(personas.city_admin, personas.hoankiem),
            course(personas.city_admin, personas.donganh),
        )

    def page_url(self, obj):
        return reverse("programmes:course_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("training-course-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("programmes:course_update", args=[obj.pk]),
            {
                "title": "Lớp nấu ăn",
                "provider": obj.provider,
                "occupation": "Nấu ăn",
                "unit": obj.unit_id,
                "starts_on": obj.starts_on.strftime("%d/%m/%Y"),
            },
        )


class TestEnrolmentPermissions(ScopedPermissionSuite):
    model = TrainingEnrolment

    def make_objects(self, personas):
        hk, da = _people(personas)
        _officer(personas)
        city_course = course(personas.city_admin, personas.city)
        return (
            livelihood.enrolment_create(user=personas.city_admin, course=city_course, person=hk),
            livelihood.enrolment_create(user=personas.city_admin, course=city_course, person=da),
        )

    def page_url(self, obj):
        return reverse("programmes:enrolment_update", args=[obj.pk])

    def api_url(self, obj):
        return reverse("training-enrolment-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("programmes:enrolment_update", args=[obj.pk]),
            {
                "completed": "on",
                "completed_on": days_ago(100).strftime("%d/%m/%Y"),
                "certificate": "CC-01",
                "outcome_3m": "self_employed",
                "outcome_3m_checked_on": days_ago(5).strftime("%d/%m/%Y"),
                "outcome_6m": "unknown",
            },
        )


class TestReferralPermissions(ScopedPermissionSuite):
    model = JobReferral

    def make_objects(self, personas):
        hk, da = _people(personas)
        _officer(personas)
        return referral(personas.city_admin, hk), referral(personas.city_admin, da)

    def page_url(self, obj):
        return reverse("programmes:referral_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("job-referral-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("programmes:referral_update", args=[obj.pk]),
            {
                "employer": obj.employer,
                "position": obj.position,
                "referred_on": obj.referred_on.strftime("%d/%m/%Y"),
                "outcome": "hired",
                "starts_on": days_ago(2).strftime("%d/%m/%Y"),
            },
        )


@pytest.fixture
def officer(personas):
    return _officer(personas)


def test_loan_created_from_the_form(personas, client_for, officer, world):
    response = client_for(officer).post(
        reverse("programmes:loan_create"),
        {
            "person": world.hk_young.pk,
            "bank": "nhcsxh",
            "group_name": "Tổ TK&VV số 3",
            "amount": "30.000.000 ₫",
            "purpose": "Mua máy khâu",
            "applied_on": days_ago(3).strftime("%d/%m/%Y"),
            "term_months": "24",
        },
    )
    created = LoanFacilitation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("programmes:loan_detail", args=[created.pk])
    assert (created.amount, created.status, created.created_by) == (30_000_000, "applied", officer)


def test_loan_form_refuses_someone_out_of_scope(personas, client_for, officer, world):
    response = client_for(officer).post(
        reverse("programmes:loan_create"),
        {
            "person": world.da_old[0].pk,
            "bank": "nhcsxh",
            "amount": "30.000.000",
            "purpose": "Mua máy khâu",
            "applied_on": days_ago(3).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 404
    assert LoanFacilitation.objects.count() == 0


def test_loan_form_shows_the_vietnamese_error_and_saves_nothing(client_for, officer, world):
    response = client_for(officer).post(
        reverse("programmes:loan_create"),
        {
            "person": world.hk_young.pk,
            "bank": "other",
            "amount": "30.000.000",
            "purpose": "Mua máy khâu",
            "applied_on": days_ago(3).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["bank_name"] == ["Cần ghi tên ngân hàng."]
    assert LoanFacilitation.objects.count() == 0


def test_loan_status_refused_transition_shows_message(client_for, officer, world):
    created = loan(officer, world.hk_young)
    response = client_for(officer).post(
        reverse("programmes:loan_detail", args=[created.pk]),
        {"status": "repaid", "changed_on": days_ago(1).strftime("%d/%m/%Y")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        "Không thể chuyển khoản vay từ “Đã nộp hồ sơ” sang “Đã trả hết”."
    ]
    created.refresh_from_db()
    assert (created.status, created.history.count()) == ("applied", 1)


def test_loan_list_filters_paginates_and_exports(personas, client_for, officer, world):
    loan(officer, world.hk_young, amount=10_000_000)
    loan(officer, world.hk_old[0], amount=20_000_000, disbursed_on=days_ago(30))
    loan(personas.city_admin, world.da_old[0], amount=40_000_000)
    client = client_for(officer)
    response = client.get(reverse("programmes:loan_list"))
    assert response.context["page"].paginator.count == 2  # Đông Anh's loan is not hers
    current = client.get(reverse("programmes:loan_list"), {"status": "current"})
    assert [row.amount for row in current.context["page"]] == [20_000_000]
    by_name = client.get(reverse("programmes:loan_list"), {"q": "chi tre"})
    assert [row.person_id for row in by_name.context["page"]] == [world.hk_young.pk]
    export = client.get(reverse("programmes:loan_list"), {"export": "xlsx", "status": "current"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã số", "Họ và tên", "Xã/phường")
    assert [(row[1], row[5], row[10]) for row in rows[1:]] == [
        ("Cụ Hoàn Kiếm 0", 20_000_000, "Đang vay, trả đúng hạn")
    ]
    event = AuditEvent.objects.get(action="export", object_type="programmes.loanfacilitation")
    assert event.changes["count"] == 1


def test_loan_detail_view_is_audited(client_for, officer, world):
    created = loan(officer, world.hk_young)
    client_for(officer).get(reverse("programmes:loan_detail", args=[created.pk]))
    assert AuditEvent.objects.filter(
        action="view", object_type="programmes.loanfacilitation", object_id=str(created.pk)
    ).exists()


def test_course_pages_enrol_record_outcome_and_export(personas, client_for, officer, world):
    client = client_for(officer)
    response = client.post(
        reverse("programmes:course_create"),
        {
            "title": "Lớp làm bánh",
            "provider": "Trung tâm dạy nghề Hoàn Kiếm",
            "occupation": "Làm bánh",
            "unit": personas.hoankiem.pk,
            "starts_on": days_ago(150).strftime("%d/%m/%Y"),
            "ends_on": days_ago(100).strftime("%d/%m/%Y"),
        },
    )
    created = TrainingCourse.objects.get()
    assert response.url == reverse("programmes:course_detail", args=[created.pk])
    enrol_url = reverse("programmes:enrolment_create", args=[created.pk])
    client.post(enrol_url, {"person": world.hk_young.pk})
    client.post(enrol_url, {"person": world.hk_old[0].pk})
    again = client.post(enrol_url, {"person": world.hk_young.pk}, follow=True)
    assert "Người này đã có trong lớp." in again.content.decode()
    assert client.post(enrol_url, {"person": world.da_old[0].pk}).status_code == 404
    assert TrainingEnrolment.objects.count() == 2
    enrolment = TrainingEnrolment.objects.get(person=world.hk_young)
    client.post(
        reverse("programmes:enrolment_update", args=[enrolment.pk]),
        {
            "completed": "on",
            "completed_on": days_ago(100).strftime("%d/%m/%Y"),
            "certificate": "Sơ cấp nghề 77",
            "outcome_3m": "employed",
            "outcome_3m_checked_on": days_ago(10).strftime("%d/%m/%Y"),
            "outcome_6m": "unknown",
        },
    )
    enrolment.refresh_from_db()
    assert (enrolment.completed, enrolment.outcome_3m) == (True, "employed")
    detail = client.get(reverse("programmes:course_detail", args=[created.pk]), {"completed": "1"})
    assert [e.person_id for e in detail.context["page"]] == [world.hk_young.pk]
    export = client.get(reverse("programmes:course_detail", args=[created.pk]), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert sorted((row[1], row[3], row[6]) for row in rows[1:]) == [
        ("Chị Trẻ", "Có", "Có việc làm"),
        ("Cụ Hoàn Kiếm 0", "Chưa", "Chưa rõ"),
    ]
    courses = client.get(reverse("programmes:course_list"), {"q": "bánh"})
    assert [(c.title, c.enrolled, c.finished) for c in courses.context["page"]] == [
        ("Lớp làm bánh", 2, 1)
    ]


def test_referral_pages(client_for, officer, world):
    client = client_for(officer)
    response = client.post(
        reverse("programmes:referral_create"),
        {
            "person": world.hk_young.pk,
            "employer": "Công ty CP Dệt 10/10",
            "position": "Công nhân",
            "referred_on": days_ago(3).strftime("%d/%m/%Y"),
            "outcome": "hired",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_on"] == [
        "Người được tuyển cần có ngày bắt đầu làm việc."
    ]
    assert JobReferral.objects.count() == 0
    referral(officer, world.hk_young)
    referral(officer, world.hk_old[1], outcome="not_hired")
    listing = client.get(reverse("programmes:referral_list"), {"outcome": "pending"})
    assert [r.person_id for r in listing.context["page"]] == [world.hk_young.pk]
    export = client.get(reverse("programmes:referral_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3


def test_person_panel_lists_loans_training_and_referrals(personas, client_for, officer, world):
    loan(officer, world.hk_young, amount=12_500_000)
    lop = course(officer, personas.hoankiem)
    livelihood.enrolment_create(user=officer, course=lop, person=world.hk_young)
    referral(officer, world.hk_young)
    response = client_for(officer).get(reverse("registry:person_detail", args=[world.hk_young.pk]))
    html = response.content.decode()
    assert 'data-testid="livelihood-panel"' in html
    assert "12.500.000 ₫" in html
    assert "Lớp may công nghiệp" in html
    assert "Công ty May Đức Giang" in html


def test_api_loan_create_goes_through_the_service(client_for, officer, world):
    client = client_for(officer)
    url = reverse("loan-list")
    body = {
        "person": world.hk_young.pk,
        "amount": 15_000_000,
        "purpose": "Trồng rau sạch",
        "applied_on": days_ago(2).isoformat(),
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "applied"
    outside = client.post(
        url, {**body, "person": world.da_old[0].pk}, content_type="application/json"
    )
    assert outside.status_code == 404
    bad = client.post(url, {**body, "purpose": " "}, content_type="application/json")
    assert bad.status_code == 400
    assert LoanFacilitation.objects.count() == 1
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="programmes.loanfacilitation"
        ).count()
        == 1
    )
