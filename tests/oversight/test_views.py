import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.oversight import services
from ansinh.oversight.models import (
    Feedback,
    FeedbackCategory,
    Recommendation,
    SupervisionActivity,
)
from tests.permission_suite import ScopedPermissionSuite

pytestmark = pytest.mark.django_db
FORM = "/gop-y/"
TRACK = "/gop-y/tra-cuu/"
XSS = "<script>alert(1)</script>"


def cat(code="tam-tu"):
    return FeedbackCategory.objects.get(code=code)


def post_form(client, commune, **kw):
    data = {"category": cat().pk, "unit": commune.pk, "text": "Đề nghị hỗ trợ", **kw}
    return client.post(FORM, data)


def test_urls_are_fixed():
    assert reverse("feedback_public:form") == FORM
    assert reverse("feedback_public:track") == TRACK


def test_public_submit_and_track(personas):
    client = Client()
    assert client.get(FORM).status_code == 200
    response = post_form(client, personas.hoankiem, text=f"Xin hỗ trợ {XSS}", sender_name=XSS)
    assert response.status_code == 201
    code = response.context["code"]
    assert code.encode() in response.content
    feedback = Feedback.objects.get()
    assert feedback.channel == "public" and feedback.unit == personas.hoankiem
    services.feedback_start(user=personas.officer_hoankiem, feedback=feedback)
    page = client.post(TRACK, {"code": code})
    assert page.status_code == 200
    body = page.content.decode()
    assert XSS not in body and "&lt;script&gt;" in body
    assert "Đang xử lý" in body
    assert personas.officer_hoankiem.full_name not in body
    assert client.post(TRACK, {"code": "ZZZZZZZZZZ"}).status_code == 404


@pytest.mark.parametrize(
    "override, message",
    [
        ({"unit": "999999"}, "xã/phường hợp lệ"),
        ({"text": "   "}, "nhập nội dung"),
        ({"sender_phone": "09abc"}, "Số điện thoại không hợp lệ"),
        ({"text": "x" * 5001}, "quá dài"),
        ({"sender_name": "a" * 121}, "Họ tên quá dài"),
    ],
)
def test_public_refuses_bad_input(personas, override, message):
    response = post_form(Client(), personas.hoankiem, **override)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Feedback.objects.count() == 0


def test_public_refuses_city_unit(personas):
    response = post_form(Client(), personas.city)
    assert response.status_code == 400 and Feedback.objects.count() == 0


def test_public_whole_request_size_limit(personas):
    response = Client().post(
        FORM, {"category": cat().pk, "unit": personas.hoankiem.pk, "text": "a", "junk": "x" * 20000}
    )
    assert response.status_code == 413 and Feedback.objects.count() == 0


def test_public_flood_gets_429(personas):
    client = Client()
    statuses = [post_form(client, personas.hoankiem).status_code for _ in range(7)]
    assert statuses[:5] == [201] * 5
    assert statuses[5] == 429
    assert Feedback.objects.count() == 5


def test_tracking_lookup_rate_limited(personas):
    client = Client()
    statuses = [client.post(TRACK, {"code": f"AAAAAAAA{i:02d}"}).status_code for i in range(12)]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429


def test_csrf_enforced(personas):
    client = Client(enforce_csrf_checks=True)
    response = post_form(client, personas.hoankiem)
    assert response.status_code == 403 and Feedback.objects.count() == 0


def test_rate_and_reopen_from_tracking_page(personas):
    feedback, code = services.feedback_submit(
        channel="public", category=cat(), unit=personas.hoankiem, text="Góp ý"
    )
    services.feedback_resolve(user=personas.officer_hoankiem, feedback=feedback, resolution="Xong")
    client = Client()
    client.post(TRACK, {"code": code, "action": "rate", "satisfaction": "4"})
    feedback.refresh_from_db()
    assert feedback.satisfaction == 4
    client.post(TRACK, {"code": code, "action": "reopen", "reason": "Chưa ổn"})
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.REOPENED


def test_officer_page_escapes_markup(personas, client_for):
    feedback, _ = services.feedback_submit(
        channel="public", category=cat(), unit=personas.hoankiem, text=XSS, sender_name=XSS
    )
    client = client_for(personas.officer_hoankiem)
    for url in [
        reverse("oversight:feedback_detail", args=[feedback.pk]),
        reverse("oversight:feedback_list"),
    ]:
        body = client.get(url).content.decode()
        assert XSS not in body and "&lt;script&gt;" in body


def test_sensitive_feedback_404_for_others(personas, client_for):
    feedback, _ = services.feedback_submit(
        channel="public", category=cat("bao-luc"), unit=personas.hoankiem, text="Bạo lực"
    )
    url = reverse("oversight:feedback_detail", args=[feedback.pk])
    assert client_for(personas.officer_donganh).get(url).status_code == 404
    # hoankiem's officer role does not hold sensitive.view_feedback (see report)
    response = client_for(personas.officer_hoankiem).post(url, {"resolution": "x"})
    assert response.status_code == 404
    feedback.refresh_from_db()
    assert feedback.status == "received"
    api = reverse("feedback-detail", args=[feedback.pk])
    assert client_for(personas.officer_hoankiem).get(api).status_code == 404
    assert client_for(personas.city_admin).get(url).status_code == 200


def test_feedback_list_filter_and_export(personas, client_for):
    for code in ["tam-tu", "tam-tu", "khieu-nai"]:
        services.feedback_submit(
            channel="public", category=cat(code), unit=personas.hoankiem, text="Nội dung"
        )
    services.feedback_submit(channel="public", category=cat(), unit=personas.donganh, text="Khác")
    client = client_for(personas.officer_hoankiem)
    response = client.get(reverse("oversight:feedback_list"), {"category": cat().pk})
    assert len(response.context["page"].object_list) == 2
    export = client.get(reverse("oversight:feedback_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 1 + 3


def test_officer_resolves_in_scope(personas, client_for):
    feedback, _ = services.feedback_submit(
        channel="public", category=cat(), unit=personas.hoankiem, text="Nội dung"
    )
    url = reverse("oversight:feedback_detail", args=[feedback.pk])
    assert client_for(personas.officer_donganh).post(url, {"resolution": "x"}).status_code == 404
    response = client_for(personas.officer_hoankiem).post(url, {"resolution": "Đã hỗ trợ"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == "resolved" and feedback.resolution == "Đã hỗ trợ"


def test_unit_follow_up_and_activity_export(personas, client_for):
    user = personas.officer_hoankiem
    today = timezone.localdate()
    activity = services.activity_create(
        user=user,
        kind="supervision",
        topic="Chính sách hỗ trợ phụ nữ nghèo",
        unit=personas.hoankiem,
        starts_on=today,
    )
    for days in (-2, 5, 10):
        services.recommendation_create(
            user=user,
            activity=activity,
            text=f"KN {days}",
            addressed_to="UBND",
            deadline=today + dt.timedelta(days=days),
        )
    client = client_for(user)
    page = client.get(reverse("oversight:unit_follow_up", args=[personas.hoankiem.pk]))
    assert len(page.context["overdue"]) == 1 and len(page.context["open"]) == 2
    assert (
        client_for(personas.officer_donganh)
        .get(reverse("oversight:unit_follow_up", args=[personas.hoankiem.pk]))
        .status_code
        == 404
    )
    listing = client.get(reverse("oversight:activity_list"), {"q": "chinh sach"})
    assert [a.pk for a in listing.context["page"]] == [activity.pk]
    export = client.get(reverse("oversight:activity_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[1][1] == "Chính sách hỗ trợ phụ nữ nghèo" and rows[1][8] == 1
    rec_export = client.get(
        reverse("oversight:recommendation_list"), {"state": "overdue", "export": "xlsx"}
    )
    assert load_workbook(io.BytesIO(rec_export.content)).active.max_row == 2


def test_activity_create_page(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    data = {
        "kind": "criticism",
        "topic": "Dự thảo",
        "unit": personas.donganh.pk,
        "starts_on": "2026-01-05",
    }
    response = client.post(reverse("oversight:activity_create"), data)
    assert response.status_code == 200 and SupervisionActivity.objects.count() == 0
    data["unit"] = personas.hoankiem.pk
    response = client.post(reverse("oversight:activity_create"), data)
    assert response.status_code == 302 and SupervisionActivity.objects.count() == 1


class TestActivityPermissions(ScopedPermissionSuite):
    model = SupervisionActivity

    def make_objects(self, personas):
        today = timezone.localdate()
        return tuple(
            SupervisionActivity.objects.create(
                kind="supervision", topic="T", unit=u, starts_on=today
            )
            for u in (personas.hoankiem, personas.donganh)
        )

    def page_url(self, obj):
        return reverse("oversight:activity_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("supervision-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("oversight:activity_detail", args=[obj.pk]),
            {"rec-text": "KN", "rec-addressed_to": "UBND", "rec-deadline": "2030-01-01"},
        )


class TestFeedbackPermissions(ScopedPermissionSuite):
    model = Feedback

    def make_objects(self, personas):
        return tuple(
            services.feedback_submit(channel="public", category=cat(), unit=u, text="N")[0]
            for u in (personas.hoankiem, personas.donganh)
        )

    def page_url(self, obj):
        return reverse("oversight:feedback_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("feedback-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("oversight:feedback_detail", args=[obj.pk]),
            {"resolution": "Đã giải quyết"},
        )


class TestRecommendationPermissions(ScopedPermissionSuite):
    model = Recommendation

    def make_objects(self, personas):
        today = timezone.localdate()
        return tuple(
            Recommendation.objects.create(
                activity=SupervisionActivity.objects.create(
                    kind="supervision", topic="T", unit=u, starts_on=today
                ),
                text="KN",
                addressed_to="UBND",
                deadline=today,
            )
            for u in (personas.hoankiem, personas.donganh)
        )

    def api_url(self, obj):
        return reverse("recommendation-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("oversight:recommendation_respond", args=[obj.pk]),
            {"received_on": "2026-01-05", "text": "Trả lời"},
        )
