"""Pages: the Tết scenario end to end through the pages, the round form's rule errors,
exports and the person page panel."""

from __future__ import annotations

import html
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.programmes.models import Delivery, Entitlement, Round

from .conftest import TET_RULE
from .helpers import approved_round, tet


def _create_form(personas, **overrides):
    data = {
        "programme": tet().pk,
        "unit": personas.city.pk,
        "title": "Quà Tết Bính Ngọ",
        "rule": TET_RULE,
        "budget": "10.000.000",
        "amount_per_person": "500.000",
        "items": "",
        "funding_source": "Ngân sách",
        "quota_mode": "none",
        "quotas": "",
        "starts_on": "",
        "ends_on": "",
        "reference_date": "",
    }
    data.update(overrides)
    return data


def test_programme_list_and_detail(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    response = client.get(reverse("programmes:programme_list"))
    assert response.status_code == 200
    assert "Mái ấm tình thương" in response.content.decode()
    detail = client.get(reverse("programmes:programme_detail", args=[tet().pk]))
    assert detail.status_code == 200
    assert html.escape(tet().eligibility_rule) in detail.content.decode()


def test_rule_check_counts_in_scope_and_points_at_mistakes(personas, client_for, world):
    client = client_for(personas.officer_hoankiem)
    url = reverse("programmes:programme_detail", args=[tet().pk])
    response = client.get(url, {"rule": 'age >= 60 and household_has("HO_NGHEO")'})
    assert response.context["check"] == 3  # Hoàn Kiếm only
    bad = client.get(url, {"rule": 'has("HO_NGHEOO")'})
    assert bad.context["check"] is None
    [error] = bad.context["form"].errors["rule"]
    assert error.startswith('Không có mã diện đối tượng "HO_NGHEOO" — có phải "HO_NGHEO"?')
    assert html.escape(error) in bad.content.decode()


def test_round_form_prefills_the_rule(personas, client_for, staff):
    response = client_for(staff).get(reverse("programmes:round_create"), {"programme": tet().pk})
    assert response.status_code == 200
    assert response.context["form"].initial["rule"] == tet().eligibility_rule


def test_round_form_refuses_import_and_attribute_access(personas, client_for, staff):
    client = client_for(staff)
    url = reverse("programmes:round_create")
    for rule in ('__import__("os")', "age.real >= 60", 'eval("1")'):
        response = client.post(url, _create_form(personas, rule=rule))
        assert response.status_code == 200, rule
        errors = response.context["form"].errors["rule"]
        assert len(errors) == 1 and "^" in errors[0], errors
    assert Round.objects.count() == 0


def test_round_form_denied_to_commune_officer(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    response = client.get(reverse("programmes:round_create"), {"programme": tet().pk})
    assert response.status_code == 404


def test_tet_scenario_through_the_pages(
    personas, client_for, staff, leader, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    giadinh, hoankiem, lanhdao = (
        client_for(staff),
        client_for(personas.officer_hoankiem),
        client_for(leader),
    )
    response = giadinh.post(reverse("programmes:round_create"), _create_form(personas))
    round_ = Round.objects.get()
    assert response.url == reverse("programmes:round_detail", args=[round_.pk])
    giadinh.post(reverse("programmes:round_generate", args=[round_.pk]))
    assert round_.entitlements.count() == 5
    # hoankiem sees her commune's three and removes one with a reason.
    listing = hoankiem.get(reverse("programmes:candidate_list", args=[round_.pk]))
    assert [e.person.full_name for e in listing.context["page"]] == [
        "Cụ Hoàn Kiếm 0",
        "Cụ Hoàn Kiếm 1",
        "Cụ Hoàn Kiếm 2",
    ]
    removed = round_.entitlements.get(person=world.hk_old[2])
    hoankiem.post(reverse("programmes:entitlement_remove", args=[removed.pk]), {"reason": "Đã mất"})
    removed.refresh_from_db()
    assert (removed.status, removed.reason) == (Entitlement.Status.REMOVED, "Đã mất")
    giadinh.post(reverse("programmes:round_submit", args=[round_.pk]))
    # Department staff may approve rounds, but never their own: the page says so and a
    # posted approval changes nothing.
    own = giadinh.get(reverse("programmes:round_approve", args=[round_.pk]))
    assert own.status_code == 200
    assert 'data-testid="own-round"' in own.content.decode()
    assert 'data-testid="approve"' not in own.content.decode()
    giadinh.post(reverse("programmes:round_approve", args=[round_.pk]))
    round_.refresh_from_db()
    assert (round_.status, round_.approved_by) == (Round.Status.CANDIDATES, None)
    page = lanhdao.get(reverse("programmes:round_approve", args=[round_.pk]))
    assert page.status_code == 200
    assert page.context["summary"]["total"]["listed"] == 4
    lanhdao.post(reverse("programmes:round_approve", args=[round_.pk]))
    round_.refresh_from_db()
    assert (round_.status, round_.approved_by) == (Round.Status.APPROVED, leader)
    # hoankiem records a delivery with a photo taken on the phone.
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    form = hoankiem.get(reverse("programmes:delivery_create", args=[entitlement.pk]))
    assert 'accept="image/*,application/pdf"' in form.content.decode()
    assert 'capture="environment"' in form.content.decode()
    photo = SimpleUploadedFile("anh.jpg", b"\xff\xd8\xffjpeg", content_type="image/jpeg")
    response = hoankiem.post(
        reverse("programmes:delivery_create", args=[entitlement.pk]),
        {
            "delivered_on": timezone.localdate().strftime("%d/%m/%Y"),
            "amount": "500.000",
            "items": "Gạo, bánh chưng",
            "evidence": photo,
            "acknowledged": "on",
            "acknowledged_how": "signature",
            "note": "",
        },
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.amount, delivery.items, delivery.acknowledged) == (
        500_000,
        "Gạo, bánh chưng",
        True,
    )
    assert delivery.evidence.name.endswith(".jpg")
    # Left behind in Hoàn Kiếm: five vulnerable people, one reached.
    left = hoankiem.get(reverse("programmes:left_behind"))
    figures = left.context["figures"]
    assert (figures.total, figures.reached) == (5, 1)
    names = [p.full_name for p in left.context["page"]]
    assert "Cụ Hoàn Kiếm 0" not in names and "Cụ Hoàn Kiếm 1" in names
    # The person page shows the panel.
    person_page = hoankiem.get(reverse("registry:person_detail", args=[world.hk_old[0].pk]))
    body = person_page.content.decode()
    assert "Hỗ trợ đã nhận" in body and "Quà Tết Bính Ngọ" in body


def test_proposer_approving_own_round_is_refused(personas, client_for, staff, world):
    from ansinh.accounts.permissions import Role
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=staff, role=Role.CITY_LEADER, unit=personas.city)
    client = client_for(staff)
    client.post(reverse("programmes:round_create"), _create_form(personas))
    round_ = Round.objects.get()
    client.post(reverse("programmes:round_generate", args=[round_.pk]))
    client.post(reverse("programmes:round_submit", args=[round_.pk]))
    page = client.get(reverse("programmes:round_approve", args=[round_.pk]))
    assert page.context["is_proposer"] is True
    response = client.post(reverse("programmes:round_approve", args=[round_.pk]), follow=True)
    assert "Người đề xuất đợt không được tự phê duyệt" in response.content.decode()
    round_.refresh_from_db()
    assert (round_.status, round_.approved_by) == (Round.Status.CANDIDATES, None)


def test_candidate_export_is_audited(personas, client_for, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    client = client_for(personas.officer_hoankiem)
    response = client.get(
        reverse("programmes:candidate_list", args=[round_.pk]), {"export": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Cụ Hoàn Kiếm 0", "Cụ Hoàn Kiếm 1", "Cụ Hoàn Kiếm 2"]
    event = AuditEvent.objects.get(action="export", object_type="programmes.entitlement")
    assert event.changes["count"] == 3


def test_candidate_list_out_of_scope_round_is_404(personas, client_for, staff):
    from ansinh.programmes import services

    round_ = services.round_create(
        user=personas.city_admin,
        programme=tet(),
        unit=personas.donganh,
        title="Đông Anh",
        rule='household_has("HO_NGHEO")',
    )
    client = client_for(personas.officer_hoankiem)
    assert client.get(reverse("programmes:candidate_list", args=[round_.pk])).status_code == 404
    response = client.post(reverse("programmes:round_generate", args=[round_.pk]))
    assert response.status_code == 404
    round_.refresh_from_db()
    assert round_.status == Round.Status.DRAFT


def test_round_list_detail_and_summary_pages(personas, client_for, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    client = client_for(personas.officer_hoankiem)
    listing = client.get(reverse("programmes:round_list"), {"status": "approved"})
    assert [r.pk for r in listing.context["page"]] == [round_.pk]
    detail = client.get(reverse("programmes:round_detail", args=[round_.pk]))
    assert detail.context["counts"] == {"approved": 3}  # her commune's people only
    assert detail.context["can_approve"] is False
    summary = client.get(reverse("programmes:round_summary", args=[round_.pk]))
    assert summary.context["summary"]["total"]["listed"] == 5


def test_anonymous_is_sent_to_login(client):
    for name in ("programmes:programme_list", "programmes:round_list", "programmes:left_behind"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "next=" in response.url


def test_evidence_served_only_in_scope(
    personas, client_for, staff, leader, world, settings, tmp_path
):
    from ansinh.programmes import services

    settings.MEDIA_ROOT = tmp_path
    round_ = approved_round(personas, staff, leader)
    delivery, _created = services.delivery_record(
        user=personas.officer_hoankiem,
        entitlement=round_.entitlements.get(person=world.hk_old[0]),
        delivered_on=timezone.localdate(),
        evidence=SimpleUploadedFile("ky-nhan.pdf", b"%PDF-1.4 list", "application/pdf"),
    )
    url = reverse("programmes:delivery_evidence", args=[delivery.pk])
    response = client_for(personas.officer_hoankiem).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 list"
    listing = client_for(personas.officer_hoankiem).get(
        reverse("programmes:candidate_list", args=[round_.pk])
    )
    assert url in listing.content.decode()
    assert client_for(personas.officer_donganh).get(url).status_code == 404
