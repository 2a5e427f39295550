"""Pages: registering a household through the form, the duplicate warning, the 360° page with
its panels and audit, the small forms, and 404 outside one's scope for GET and POST."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ansinh.core.models import AuditEvent
from ansinh.registry.models import (
    Consent,
    DataSubjectRequest,
    Household,
    Need,
    Person,
    PersonStatusChange,
    PersonVulnerability,
    VulnerabilityCategory,
)
from ansinh.registry.panels import register_panel, unregister_panel
from ansinh.registry.services import data_request_record, vulnerability_add

from ...permission_suite import snapshot
from .conftest import MOTHER_CCCD

MOTHER = {
    "full_name": "Nguyễn Thị Hoà",
    "sex": "F",
    "birth_date": "12/05/1990",
    "citizen_id": MOTHER_CCCD,
    "phone": "0912 345 678",
    "ethnicity": "01",
    "relation": "head",
    "vulnerabilities": ["PN_DON_THAN_NUOI_CON"],
    "needs": ["VON"],
}
DAUGHTER = {
    "full_name": "Trần Thị Mai",
    "sex": "F",
    "birth_date": "01/09/2018",
    "ethnicity": "01",
    "relation": "child",
}
SON = {
    "full_name": "Trần Văn Nam",
    "sex": "M",
    "birth_year": "2016",
    "ethnicity": "01",
    "relation": "child",
}


def household_post(unit, members, **extra) -> dict:
    data = {
        "unit": unit.pk,
        "address_line": "Số 5 phố Hàng Bạc",
        "poverty_status": "near_poor",
        "poverty_standard": "2022-2025",
        "poverty_year": "2024",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
    }
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    data.update(extra)
    return data


def test_the_form_renders_for_the_officer(personas, client_for):
    response = client_for(personas.officer_hoankiem).get(reverse("registry:household_create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="member-template"' in html
    assert "registry/people/household_form.js" in html
    assert list(response.context["form"].fields["unit"].queryset) == [personas.hoankiem]


def test_the_aggregate_viewer_has_no_registration_page(personas, client_for):
    response = client_for(personas.aggregate_viewer).get(reverse("registry:household_create"))
    assert response.status_code == 404


def test_registering_a_single_mother_and_two_children(personas, client_for):
    client = client_for(personas.officer_hoankiem)

    response = client.post(
        reverse("registry:household_create"),
        household_post(personas.hoankiem, [MOTHER, DAUGHTER, SON]),
    )

    household = Household.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:household_detail", args=[household.pk])
    people = {p.full_name: p for p in household.members.all()}
    assert sorted(people) == ["Nguyễn Thị Hoà", "Trần Thị Mai", "Trần Văn Nam"]
    mother = people["Nguyễn Thị Hoà"]
    assert (mother.birth_date, mother.phone) == (dt.date(1990, 5, 12), "+84912345678")
    assert people["Trần Văn Nam"].birth_year == 2016
    assert [link.category.code for link in mother.vulnerabilities.all()] == ["PN_DON_THAN_NUOI_CON"]
    assert household.poverty_status == "near_poor"
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.content.decode().count(reverse("registry:person_detail", args=[mother.pk])) == 1


def test_a_blank_extra_row_and_a_removed_row_are_ignored(personas, client_for):
    blank = {"ethnicity": "01", "relation": "child", "sex": ""}
    removed = {**SON, "DELETE": "on"}
    response = client_for(personas.officer_hoankiem).post(
        reverse("registry:household_create"),
        household_post(personas.hoankiem, [MOTHER, removed, blank]),
    )
    assert response.status_code == 302
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Nguyễn Thị Hoà"]


def test_service_errors_land_on_the_member_row(personas, client_for):
    son = {**SON, "citizen_id": "001316000002"}  # a girl's number
    response = client_for(personas.officer_hoankiem).post(
        reverse("registry:household_create"),
        household_post(personas.hoankiem, [MOTHER, DAUGHTER, son]),
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[2].errors["citizen_id"] == [
        "Thành viên thứ 3 (Trần Văn Nam): Chữ số thứ 4 của số CCCD là “3” (giới tính nữ), "
        "không khớp giới tính nam."
    ]
    assert not Household.objects.exists()


def test_two_heads_are_refused_in_the_form(personas, client_for):
    response = client_for(personas.officer_hoankiem).post(
        reverse("registry:household_create"),
        household_post(personas.hoankiem, [MOTHER, {**DAUGHTER, "relation": "head"}]),
    )
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "Hộ phải có đúng một chủ hộ (đang có 2)."
    ]
    assert not Household.objects.exists()


def test_posting_into_another_communes_unit_is_refused(personas, client_for):
    response = client_for(personas.officer_hoankiem).post(
        reverse("registry:household_create"),
        household_post(personas.donganh, [MOTHER]),
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Household.objects.exists()


def test_second_registration_warns_of_the_duplicate_then_saves_on_confirmation(
    personas, client_for, family, mother
):
    client = client_for(personas.officer_hoankiem)
    again = {**MOTHER, "full_name": "nguyen thi hoa", "citizen_id": "", "phone": ""}
    data = household_post(personas.hoankiem, [again])

    response = client.post(reverse("registry:household_create"), data)

    assert response.status_code == 200
    assert Household.objects.count() == 1
    duplicates = response.context["duplicates"]
    assert [hit.person_id for hit in duplicates[0]["hits"]] == [mother.pk]
    html = response.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert reverse("registry:person_detail", args=[mother.pk]) in html

    data["confirm_duplicates"] = response.context["signature"]
    response = client.post(reverse("registry:household_create"), data)
    assert response.status_code == 302
    assert Household.objects.count() == 2


def test_a_stale_confirmation_checks_again(personas, client_for, family):
    client = client_for(personas.officer_hoankiem)
    again = {**MOTHER, "citizen_id": "", "phone": ""}
    data = household_post(personas.hoankiem, [again], confirm_duplicates="0" * 24)

    response = client.post(reverse("registry:household_create"), data)

    assert response.status_code == 200
    assert response.context["duplicates"]
    assert Household.objects.count() == 1


def test_a_duplicate_out_of_scope_is_named_without_details(personas, client_for, family, mother):
    client = client_for(personas.officer_donganh)
    # Same phone and birth, registered by Đông Anh.
    same = {**MOTHER, "citizen_id": "", "full_name": "Nguyễn Thị Hoà"}

    response = client.post(
        reverse("registry:household_create"), household_post(personas.donganh, [same])
    )

    assert response.status_code == 200
    hits = response.context["duplicates"][0]["hits"]
    assert [(hit.person_id, hit.visible, hit.full_name, hit.reasons) for hit in hits] == [
        (mother.pk, False, "", [])
    ]
    html = response.content.decode()
    assert "Đã có hồ sơ ở đơn vị khác" in html
    assert reverse("registry:person_detail", args=[mother.pk]) not in html
    assert "Hội LHPN Phường Hoàn Kiếm" not in html
    assert Household.objects.count() == 1


# --- the 360° page ----------------------------------------------------------------------


@pytest.fixture
def test_panel():
    register_panel(
        "tests.support",
        title="Hỗ trợ đã nhận (thử)",
        template="registry/_panel_list.html",
        context=lambda request, person: {"items": [f"Quà Tết cho {person.full_name}"]},
        order=5,
    )
    register_panel(
        "tests.cases",
        title="Vụ việc (thử)",
        template="registry/_panel_list.html",
        context=lambda request, person: {"items": ["bí mật"]},
        permission="cases.view_case",
    )
    yield
    unregister_panel("tests.support")
    unregister_panel("tests.cases")


def test_person_page_shows_everything_and_registered_panels(
    personas, client_for, mother, test_panel
):
    response = client_for(personas.officer_hoankiem).get(
        reverse("registry:person_detail", args=[mother.pk])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="panel-tests.support"' in html
    assert "Quà Tết cho Nguyễn Thị Hoà" in html
    # A panel whose permission the officer lacks is not rendered.
    assert "tests.cases" not in html
    assert "bí mật" not in html
    assert "Phụ nữ đơn thân nuôi con nhỏ" in html
    assert "Vốn" in html
    assert "Trần Thị Mai" in html  # another member of her household
    assert "Đăng ký trực tiếp" in html


def test_each_view_of_a_person_page_is_one_audit_event(personas, client_for, mother):
    client = client_for(personas.officer_hoankiem)
    url = reverse("registry:person_detail", args=[mother.pk])

    client.get(url)
    client.get(url)

    events = AuditEvent.objects.filter(action="view", object_type="registry.person")
    assert list(events.values_list("object_id", "actor_username")) == [
        (str(mother.pk), "hoankiem"),
        (str(mother.pk), "hoankiem"),
    ]


def test_sensitive_categories_are_shown_only_with_the_permission(personas, client_for, mother):
    hiv = VulnerabilityCategory.objects.get(code="NGUOI_NHIEM_HIV")
    vulnerability_add(user=personas.city_admin, person=mother, category=hiv)
    url = reverse("registry:person_detail", args=[mother.pk])

    officer = client_for(personas.officer_hoankiem).get(url).content.decode()
    worker = client_for(personas.case_worker).get(url).content.decode()

    assert "Người nhiễm HIV" not in officer
    assert "Người nhiễm HIV" in worker


def test_aggregate_viewer_never_sees_a_person(personas, client_for, mother):
    client = client_for(personas.aggregate_viewer)
    assert client.get(reverse("registry:person_detail", args=[mother.pk])).status_code == 404
    assert (
        client.get(reverse("registry:household_detail", args=[mother.household_id])).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="view").exists()


# --- small forms ------------------------------------------------------------------------


def test_status_change_through_the_page(personas, client_for, mother):
    client = client_for(personas.officer_hoankiem)
    url = reverse("registry:person_status", args=[mother.pk])
    today = timezone.localdate().strftime("%d/%m/%Y")

    refused = client.post(url, {"status": "moved", "effective": today})
    assert refused.context["form"].errors == {
        "moved_to": ["Chuyển đi thì phải chọn xã/phường nơi chuyển đến."]
    }
    response = client.post(
        url, {"status": "moved", "effective": today, "moved_to": personas.donganh.admin_unit_id}
    )

    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.status == "moved"
    assert PersonStatusChange.objects.filter(person=mother).count() == 2


def test_consent_rule_is_shown_on_the_form(personas, client_for, family):
    child = family.members.get(full_name="Trần Thị Mai")  # born 2018: 7 or more from 2025
    client = client_for(personas.officer_hoankiem)
    url = reverse("registry:consent_record", args=[child.pk])
    data = {
        "purpose": "registry",
        "given_by": "guardian",
        "guardian_name": "Nguyễn Thị Hoà",
        "form": "paper",
        "given_on": "01/09/2025",
    }

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["given_by"] == [
        "Trẻ từ đủ 7 tuổi: cần sự đồng ý của cả trẻ và người giám hộ. (7 tuổi vào ngày đồng ý)"
    ]
    assert not Consent.objects.exists()

    assert client.post(url, {**data, "given_by": "both"}).status_code == 302
    consent = Consent.objects.get()
    assert (
        client.post(
            reverse("registry:consent_withdraw", args=[consent.pk]),
            {"withdrawn_on": timezone.localdate().strftime("%d/%m/%Y")},
        ).status_code
        == 302
    )
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()


def test_vulnerability_and_need_forms(personas, client_for, mother):
    client = client_for(personas.officer_hoankiem)
    form = client.get(reverse("registry:vulnerability_add", args=[mother.pk])).context["form"]
    codes = {category.code for category in form.fields["category"].queryset}
    assert "NGUOI_NHIEM_HIV" not in codes and "LD_NU_DI_CU" in codes

    category = VulnerabilityCategory.objects.get(code="LD_NU_DI_CU")
    response = client.post(
        reverse("registry:vulnerability_add", args=[mother.pk]),
        {"category": category.pk, "since": "01/01/2024"},
    )
    assert response.status_code == 302
    link = PersonVulnerability.objects.get(person=mother, category=category)
    response = client.post(
        reverse("registry:vulnerability_close", args=[link.pk]), {"until": "01/06/2025"}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.until == dt.date(2025, 6, 1)

    need = Need.objects.get(person=mother)
    response = client.post(
        reverse("registry:need_meet", args=[need.pk]),
        {"met_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "met"


def test_data_request_export_and_deidentification_pages(personas, client_for, family, mother):
    client = client_for(personas.officer_hoankiem)
    requests_url = reverse("registry:person_requests", args=[mother.pk])
    today = timezone.localdate().strftime("%d/%m/%Y")

    assert client.post(requests_url, {"kind": "export", "received_on": today}).status_code == 302
    export_request = DataSubjectRequest.objects.get(kind="export")
    download = client.post(
        reverse("registry:person_export", args=[mother.pk]), {"request": export_request.pk}
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json; charset=utf-8"
    assert "Nguyễn Thị Hoà" in download.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == 1

    client.post(requests_url, {"kind": "delete", "received_on": today})
    delete_request = DataSubjectRequest.objects.get(kind="delete")
    url = reverse("registry:person_deidentify", args=[mother.pk])
    unconfirmed = client.post(url, {"request": delete_request.pk})
    assert unconfirmed.context["form"].errors == {
        "confirm": ["Đánh dấu xác nhận trước khi khử định danh."]
    }
    mother.refresh_from_db()
    assert not mother.is_deidentified

    response = client.post(url, {"request": delete_request.pk, "confirm": "on"})
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.is_deidentified
    page = client.get(reverse("registry:person_detail", args=[mother.pk])).content.decode()
    assert "Nguyễn Thị Hoà" not in page.split('data-testid="other-members"')[0]
    assert f"Đã khử định danh #{mother.pk}" in page


# --- scope ------------------------------------------------------------------------------


def test_hoankiem_gets_404_on_every_dong_anh_page_and_nothing_changes(
    personas, client_for, donganh_person
):
    person = donganh_person
    household = person.household
    vulnerability = vulnerability_add(
        user=personas.officer_donganh,
        person=person,
        category=VulnerabilityCategory.objects.get(code="LD_NU_DI_CU"),
    )
    need = Need.objects.create(person=person, category_id=1, opened_on=timezone.localdate())
    consent = Consent.objects.create(
        person=person,
        purpose="registry",
        given_by="self",
        form="paper",
        given_on=dt.date(2025, 8, 1),
    )
    delete_request = data_request_record(
        user=personas.officer_donganh,
        person=person,
        kind="delete",
        received_on=timezone.localdate(),
    )
    client = client_for(personas.officer_hoankiem)
    before = [snapshot(obj) for obj in (person, household, vulnerability, need, consent)]
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    today = timezone.localdate().strftime("%d/%m/%Y")
    pages = [
        (reverse("registry:household_detail", args=[household.pk]), {}),
        (reverse("registry:household_update", args=[household.pk]), {"poverty_status": "none"}),
        (
            reverse("registry:household_member_add", args=[household.pk]),
            {"members-0-full_name": "X", "members-0-sex": "F", "members-0-birth_year": "1990"},
        ),
        (reverse("registry:person_detail", args=[person.pk]), {}),
        (reverse("registry:person_update", args=[person.pk]), {"full_name": "Đổi", "sex": "F"}),
        (
            reverse("registry:person_status", args=[person.pk]),
            {"status": "deceased", "effective": today},
        ),
        (reverse("registry:vulnerability_add", args=[person.pk]), {"category": 1}),
        (reverse("registry:vulnerability_close", args=[vulnerability.pk]), {"until": today}),
        (reverse("registry:need_open", args=[person.pk]), {"category": 2, "opened_on": today}),
        (reverse("registry:need_meet", args=[need.pk]), {"met_on": today}),
        (reverse("registry:consent_record", args=[person.pk]), {"purpose": "support"}),
        (reverse("registry:consent_withdraw", args=[consent.pk]), {"withdrawn_on": today}),
        (
            reverse("registry:person_requests", args=[person.pk]),
            {"kind": "export", "received_on": today},
        ),
        (reverse("registry:person_export", args=[person.pk]), {}),
        (reverse("registry:person_correct", args=[person.pk]), {"full_name": "Đổi"}),
        (
            reverse("registry:person_deidentify", args=[person.pk]),
            {"request": delete_request.pk, "confirm": "on"},
        ),
    ]
    for url, data in pages:
        if not url.endswith("/xuat/"):
            assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url

    assert [snapshot(obj) for obj in (person, household, vulnerability, need, consent)] == before
    assert list(AuditEvent.objects.filter(pk__gt=last_event).values_list("action")) == []
    assert DataSubjectRequest.objects.count() == 1
