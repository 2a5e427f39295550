"""Sponsorships (Mẹ đỡ đầu): a sponsor takes a child, each month's support is logged once and
reaches the child, mistakes are reversed (never edited), the sponsorship ends with a reason;
pages, export, person panel and API keep the scope (404 outside, nothing written)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.funds.models import Donor
from ansinh.funds.services import donor_create
from ansinh.programmes import selectors, sponsorship
from ansinh.programmes.models import PersonReach, Sponsorship, SponsorshipPayment
from ansinh.programmes.reach import reach_rebuild
from ansinh.registry.models import Person
from tests.registry.factories import HouseholdFactory, PersonFactory

from .conftest import add_category


def months_ago(months: int) -> dt.date:
    today = timezone.localdate().replace(day=1)
    total = today.year * 12 + today.month - 1 - months
    return dt.date(total // 12, total % 12 + 1, 1)


@pytest.fixture
def child(personas):
    household = HouseholdFactory(unit=personas.hoankiem)
    person = PersonFactory(
        household=household, full_name="Lê Thu Trang", birth_date=dt.date(2016, 4, 2)
    )
    add_category(person, "TE_MO_COI")
    return person


@pytest.fixture
def far_child(personas):
    household = HouseholdFactory(unit=personas.donganh)
    return PersonFactory(
        household=household, full_name="Trẻ Đông Anh", birth_date=dt.date(2017, 1, 1)
    )


@pytest.fixture
def sponsor(personas):
    return donor_create(actor=None, unit=personas.hoankiem, name="Bà Nguyễn Minh Châu")


@pytest.fixture
def officer(personas):
    return personas.officer_hoankiem


def take(officer, sponsor, child, **kwargs):
    values = {"monthly_amount": 500_000, "starts_on": months_ago(3)}
    values.update(kwargs)
    return sponsorship.sponsorship_create(user=officer, sponsor=sponsor, child=child, **values)


def test_sponsorship_created_in_scope_and_audited(officer, sponsor, child):
    item = take(officer, sponsor, child)
    assert (item.child, item.sponsor, item.programme.code, item.is_active) == (
        child,
        sponsor,
        "ME_DO_DAU",
        True,
    )
    assert AuditEvent.objects.filter(
        action="create", object_type="programmes.sponsorship", object_id=str(item.pk)
    ).exists()


def test_an_adult_cannot_be_sponsored_and_nothing_is_written(personas, officer, sponsor):
    adult = PersonFactory(
        household=HouseholdFactory(unit=personas.hoankiem), birth_date=dt.date(1990, 1, 1)
    )
    with pytest.raises(ValidationError) as caught:
        take(officer, sponsor, adult)
    assert caught.value.message_dict["child"][0].startswith("Người được đỡ đầu phải dưới 18 tuổi")
    assert Sponsorship.objects.count() == 0


def test_a_child_of_another_commune_is_out_of_scope(officer, sponsor, far_child):
    with pytest.raises(OutOfScope):
        take(officer, sponsor, far_child)
    assert Sponsorship.objects.count() == 0


def test_the_same_sponsor_cannot_open_a_second_sponsorship_of_the_child(officer, sponsor, child):
    take(officer, sponsor, child)
    with pytest.raises(ValidationError) as caught:
        take(officer, sponsor, child)
    assert caught.value.message_dict == {"child": ["Nhà tài trợ này đang đỡ đầu trẻ này rồi."]}
    assert Sponsorship.objects.count() == 1


def test_a_logged_month_reaches_the_child_and_is_logged_once(officer, sponsor, child):
    item = take(officer, sponsor, child)
    paid = timezone.localdate()
    sponsorship.sponsorship_payment_log(
        user=officer, sponsorship=item, month=months_ago(1), amount=500_000, paid_on=paid
    )
    reach = PersonReach.objects.get(person=child)
    assert (reach.last_reached_on, reach.times) == (paid, 1)
    figures = selectors.left_behind(
        people=Person.objects.filter(pk=child.pk), today=timezone.localdate(), months=12
    )
    assert (figures.total, figures.reached) == (1, 1)
    with pytest.raises(ValidationError) as caught:
        sponsorship.sponsorship_payment_log(
            user=officer, sponsorship=item, month=months_ago(1), amount=500_000, paid_on=paid
        )
    assert caught.value.message_dict == {"month": [f"Tháng {months_ago(1):%m/%Y} đã được ghi."]}
    assert SponsorshipPayment.objects.count() == 1


def test_a_month_outside_the_sponsorship_is_refused(officer, sponsor, child):
    item = take(officer, sponsor, child, starts_on=months_ago(2))
    with pytest.raises(ValidationError) as caught:
        sponsorship.sponsorship_payment_log(
            user=officer,
            sponsorship=item,
            month=months_ago(5),
            amount=500_000,
            paid_on=timezone.localdate(),
        )
    assert caught.value.message_dict == {
        "month": [f"Tháng {months_ago(5):%m/%Y} nằm ngoài thời gian đỡ đầu."]
    }
    assert SponsorshipPayment.objects.count() == 0


def test_a_mistaken_month_is_reversed_not_edited_and_can_be_logged_again(officer, sponsor, child):
    item = take(officer, sponsor, child)
    line = sponsorship.sponsorship_payment_log(
        user=officer,
        sponsorship=item,
        month=months_ago(1),
        amount=5_000_000,
        paid_on=timezone.localdate(),
    )
    reversal = sponsorship.sponsorship_payment_reverse(
        user=officer, payment=line, reason="Nhập nhầm số tiền"
    )
    assert (reversal.amount, reversal.reverses) == (-5_000_000, line)
    line.refresh_from_db()
    assert line.amount == 5_000_000  # the original stays as it was
    assert not PersonReach.objects.filter(person=child).exists()
    with pytest.raises(ValidationError):
        sponsorship.sponsorship_payment_reverse(user=officer, payment=line, reason="Lần nữa")
    sponsorship.sponsorship_payment_log(
        user=officer,
        sponsorship=item,
        month=months_ago(1),
        amount=500_000,
        paid_on=timezone.localdate(),
    )
    assert [entry["is_reversed"] for entry in selectors.sponsorship_months(sponsorship=item)] == [
        True,
        False,
        False,
    ]
    assert PersonReach.objects.get(person=child).times == 1


def test_rebuild_counts_the_same_months_as_the_services(officer, sponsor, child):
    item = take(officer, sponsor, child)
    for months in (3, 2, 1):
        sponsorship.sponsorship_payment_log(
            user=officer,
            sponsorship=item,
            month=months_ago(months),
            amount=500_000,
            paid_on=timezone.localdate() - dt.timedelta(days=30 * months),
        )
    first = SponsorshipPayment.objects.order_by("month").first()
    sponsorship.sponsorship_payment_reverse(user=officer, payment=first, reason="Trùng")
    incremental = PersonReach.objects.values_list("first_reached_on", "last_reached_on", "times")
    before = list(incremental)
    reach_rebuild()
    assert list(incremental) == before
    assert before[0][2] == 2


def test_a_reversal_must_have_the_opposite_sign_in_the_database(officer, sponsor, child):
    item = take(officer, sponsor, child)
    line = sponsorship.sponsorship_payment_log(
        user=officer,
        sponsorship=item,
        month=months_ago(1),
        amount=500_000,
        paid_on=timezone.localdate(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SponsorshipPayment.objects.create(
            sponsorship=item,
            month=line.month,
            amount=500_000,
            paid_on=line.paid_on,
            means="cash",
            reverses=line,
            recorded_by=officer,
        )


def test_ending_needs_a_reason_and_stops_new_months(officer, sponsor, child):
    item = take(officer, sponsor, child, starts_on=months_ago(6))
    with pytest.raises(ValidationError) as caught:
        sponsorship.sponsorship_end(
            user=officer, sponsorship=item, ends_on=months_ago(2), reason="other"
        )
    assert caught.value.message_dict == {"end_note": ["Cần ghi rõ lý do khác."]}
    sponsorship.sponsorship_end(
        user=officer, sponsorship=item, ends_on=months_ago(2), reason="child_moved"
    )
    item.refresh_from_db()
    assert (item.is_active, item.end_reason) == (False, "child_moved")
    with pytest.raises(ValidationError):
        sponsorship.sponsorship_payment_log(
            user=officer,
            sponsorship=item,
            month=months_ago(0),
            amount=500_000,
            paid_on=timezone.localdate(),
        )
    # A new sponsorship by the same sponsor may start after the old one ended.
    take(officer, sponsor, child, starts_on=months_ago(1))
    assert Sponsorship.objects.filter(child=child).count() == 2


def test_pages_create_with_a_new_sponsor_log_a_month_and_export(
    personas, client_for, officer, child
):
    client = client_for(officer)
    response = client.post(
        reverse("programmes:sponsorship_create"),
        {
            "child": child.pk,
            "sponsor_name": "Công ty Hoa Sen",
            "sponsor_kind": "organisation",
            "sponsor_public": "on",
            "monthly_amount": "1.000.000 ₫",
            "starts_on": months_ago(2).strftime("%d/%m/%Y"),
        },
    )
    item = Sponsorship.objects.get()
    assert response.status_code == 302
    assert (item.sponsor.name, item.sponsor.kind, item.monthly_amount) == (
        "Công ty Hoa Sen",
        "organisation",
        1_000_000,
    )
    assert Donor.objects.get().unit == personas.hoankiem
    detail = reverse("programmes:sponsorship_detail", args=[item.pk])
    paid = client.post(
        detail,
        {
            "action": "pay",
            "month": months_ago(1).strftime("%m/%Y"),
            "amount": "1.000.000",
            "paid_on": timezone.localdate().strftime("%d/%m/%Y"),
            "means": "cash",
        },
    )
    assert paid.status_code == 302
    page = client.get(detail)
    assert "1.000.000 ₫" in page.content.decode()
    assert AuditEvent.objects.filter(
        action="view", object_type="programmes.sponsorship", object_id=str(item.pk)
    ).exists()
    export = client.get(reverse("programmes:sponsorship_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [(row[1], row[3], row[8]) for row in rows[1:]] == [
        ("Lê Thu Trang", "Công ty Hoa Sen", 1_000_000)
    ]
    assert AuditEvent.objects.filter(action="export", object_type="programmes.sponsorship").exists()
    panel = client.get(reverse("registry:person_detail", args=[child.pk])).content.decode()
    assert 'data-testid="sponsorship-panel"' in panel
    assert "Công ty Hoa Sen" in panel


def test_an_officer_of_another_commune_gets_404_and_changes_nothing(
    personas, client_for, officer, sponsor, child
):
    item = take(officer, sponsor, child)
    other = client_for(personas.officer_donganh)
    detail = reverse("programmes:sponsorship_detail", args=[item.pk])
    assert other.get(detail).status_code == 404
    response = other.post(
        detail,
        {
            "action": "pay",
            "month": months_ago(1).strftime("%m/%Y"),
            "amount": "500.000",
            "paid_on": timezone.localdate().strftime("%d/%m/%Y"),
            "means": "cash",
        },
    )
    assert response.status_code == 404
    assert SponsorshipPayment.objects.count() == 0
    listing = other.get(reverse("programmes:sponsorship_list"))
    assert listing.context["page"].paginator.count == 0


def test_the_form_shows_the_vietnamese_error_and_saves_nothing(client_for, officer, child):
    response = client_for(officer).post(
        reverse("programmes:sponsorship_create"),
        {"child": child.pk, "monthly_amount": "500.000", "starts_on": "01/01/2026"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cần chọn mẹ đỡ đầu hoặc nhập tên người mới."
    ]
    assert (Sponsorship.objects.count(), Donor.objects.count()) == (0, 0)


def test_api_lists_in_scope_and_creates_through_the_service(
    personas, client_for, officer, sponsor, child, far_child
):
    client = client_for(officer)
    url = reverse("sponsorship-list")
    body = {
        "child": child.pk,
        "sponsor": sponsor.pk,
        "monthly_amount": 300_000,
        "starts_on": months_ago(1).isoformat(),
    }
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    outside = client.post(url, {**body, "child": far_child.pk}, content_type="application/json")
    assert outside.status_code == 404
    assert Sponsorship.objects.count() == 1
    other_sponsor = donor_create(actor=None, unit=personas.donganh, name="Ông Đông Anh")
    take(personas.city_admin, other_sponsor, far_child)
    listed = client.get(url).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["child"] for row in rows] == [child.pk]
