"""Funds pages and API: scoped (404 outside), exports audited, receipts, disclosure files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from ansinh.core.models import AuditEvent
from ansinh.funds.models import Campaign, Donation
from ansinh.funds.services import campaign_create, donation_record
from tests.permission_suite import ScopedPermissionSuite

DAY = dt.date(2024, 9, 10)


def _campaign(unit, slug):
    return campaign_create(
        actor=None,
        slug=slug,
        title=f"Vận động {slug}",
        unit=unit,
        receive_from=DAY,
        receive_until=DAY + dt.timedelta(days=30),
    )


def _gift(campaign, name="Nguyễn Thị Hòa", kind=Donation.Kind.BANK, amount=50_000):
    return donation_record(
        actor=None,
        campaign=campaign,
        kind=kind,
        amount=amount,
        received_on=DAY,
        donor_name=name,
        memo=f"{name} ung ho",
    )


class TestCampaignPermissions(ScopedPermissionSuite):
    model = Campaign

    def make_objects(self, personas):
        return _campaign(personas.hoankiem, "hk"), _campaign(personas.donganh, "da")

    def page_url(self, obj):
        return reverse("funds:campaign_detail", args=[obj.slug])

    def api_url(self, obj):
        return reverse("campaign-detail", args=[obj.pk])


class TestDonationPermissions(ScopedPermissionSuite):
    model = Donation

    def make_objects(self, personas):
        return (
            _gift(_campaign(personas.hoankiem, "hk"), kind=Donation.Kind.CASH),
            _gift(_campaign(personas.donganh, "da"), kind=Donation.Kind.CASH),
        )

    def page_url(self, obj):
        return reverse("funds:donation_receipt", args=[obj.pk])

    def api_url(self, obj):
        return reverse("donation-detail", args=[obj.pk])


@pytest.mark.django_db
def test_cash_receipts_are_sequential_and_print_as_pdf(personas, client_for):
    campaign = _campaign(personas.hoankiem, "hk")
    first = _gift(campaign, kind=Donation.Kind.CASH)
    second = _gift(campaign, name="Lê Thị Mai", kind=Donation.Kind.CASH)
    bank = _gift(campaign, name="Trần Văn Bình")

    assert (first.receipt_number, second.receipt_number, bank.receipt_number) == (1, 2, None)
    response = client_for(personas.officer_hoankiem).get(
        reverse("funds:donation_receipt", args=[second.pk]) + "?format=pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_donation_export_is_scoped_and_audited(personas, client_for):
    _gift(_campaign(personas.hoankiem, "hk"), name="Nguyễn Thị Hòa")
    _gift(_campaign(personas.donganh, "da"), name="Đỗ Văn Cường")
    from openpyxl import load_workbook

    response = client_for(personas.officer_hoankiem).get(
        reverse("funds:donation_list") + "?export=xlsx"
    )

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[4] for row in rows[1:]] == ["Nguyễn Thị Hòa"]
    assert AuditEvent.objects.filter(action="export", object_type="funds.donation").count() == 1


@pytest.mark.django_db
def test_donation_search_is_accent_insensitive(personas, client_for):
    campaign = _campaign(personas.hoankiem, "hk")
    _gift(campaign, name="Nguyễn Thị Hòa")
    _gift(campaign, name="Trần Văn Bình")

    page = client_for(personas.officer_hoankiem).get(
        reverse("funds:donation_list"), {"q": "nguyen thi hoa"}
    )
    assert [d.donor_name for d in page.context["page"]] == ["Nguyễn Thị Hòa"]


@pytest.mark.django_db
def test_campaign_create_page_warns_beyond_90_days(personas, client_for, settings):
    client = client_for(personas.city_admin)
    response = client.post(
        reverse("funds:campaign_create"),
        {
            "slug": "tet-2027",
            "title": "Tết 2027",
            "unit": personas.city.pk,
            "receive_from": "01/12/2026",
            "receive_until": "15/04/2027",
            "is_public": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Campaign.objects.filter(slug="tet-2027").exists()
    assert "vượt quá 90 ngày" in response.content.decode()


@pytest.mark.django_db
def test_officer_cannot_create_a_campaign(personas, client_for):
    response = client_for(personas.officer_hoankiem).post(
        reverse("funds:campaign_create"),
        {"slug": "x", "title": "x", "unit": personas.hoankiem.pk},
    )
    assert response.status_code == 404
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_disclosure_report_opens_in_readers(personas, client_for):
    from docx import Document
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    campaign = _campaign(personas.hoankiem, "hk")
    _gift(campaign, amount=1_250_000)
    client = client_for(personas.officer_hoankiem)

    xlsx = client.get(reverse("funds:disclosure", args=["hk"])).content
    docx = client.get(reverse("funds:disclosure", args=["hk"]) + "?format=docx").content

    summary = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert values["Tiền đã nhận (đồng)"] == 1_250_000
    assert CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).sheet_names[0] == "Tổng hợp"
    text = "\n".join(
        cell.text for t in Document(io.BytesIO(docx)).tables for r in t.rows for cell in r.cells
    )
    assert "1.250.000 ₫" in text


@pytest.mark.django_db
def test_review_queue_resolves_a_line(personas, client_for, tmp_path):
    from ansinh.funds.statements import statement_import

    campaign = _campaign(personas.hoankiem, "hk")
    path = tmp_path / "s.csv"
    path.write_text("date,money,content\n10/09/2024,100000,chuc binh an FT123\n", encoding="utf-8")
    statement_import(campaign=campaign, path=path, actor=None)
    line = Donation.objects.get()
    client = client_for(personas.officer_hoankiem)

    assert line.review == Donation.Review.PENDING
    assert client.get(reverse("funds:review_queue", args=["hk"])).status_code == 200
    client.post(reverse("funds:review_resolve", args=[line.pk]), {"donor_name": "Lê Thị Mai"})

    line.refresh_from_db()
    assert (line.donor_name, line.review) == ("Lê Thị Mai", Donation.Review.RESOLVED)
    assert line.amount == 100_000
    # the resolved name is in the word index: the officers' list finds the line by it
    listing = client.get(reverse("funds:donation_list"), {"q": "le thi mai"})
    assert listing.status_code == 200 and "chuc binh an" in listing.content.decode()
    listing = client.get(reverse("funds:donation_list"), {"q": "thi ma"})  # whole words only
    assert "chuc binh an" not in listing.content.decode()


@pytest.mark.django_db
def test_ledger_export_is_public_and_verifies(personas, client):
    _gift(_campaign(personas.hoankiem, "hk"))
    response = client.get(reverse("funds:ledger_export"))
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert body.count("\n") == 1 and '"seq":1' in body
    assert "Nguyễn" not in body


@pytest.mark.django_db
def test_ledger_export_is_rate_limited_per_client(personas, client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ANSINH_LEDGER_EXPORT_LIMIT = 2
    _gift(_campaign(personas.hoankiem, "hk"))
    url = reverse("funds:ledger_export")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    assert client.post(url).status_code == 405
    cache.clear()
