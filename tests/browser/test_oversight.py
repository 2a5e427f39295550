"""Oversight scenario (issue 7): an anonymous visitor sends feedback on the public form and gets
a tracking code; Hoàn Kiếm does not act in time, the scheduled escalation moves the case to the
city union; thanhpho resolves it; the visitor follows it with her code and sees it resolved.
A supervision with three recommendations shows one overdue on its unit's page."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ansinh.org.models import UnionUnit
from ansinh.oversight import services
from ansinh.oversight.models import Feedback, FeedbackEvent

from .conftest import login


def test_feedback_escalation_and_tracking(page, live_server, hanoi):
    services.categories_seed()
    hoankiem = UnionUnit.objects.get(kind="commune", code="00070", valid_to__isnull=True)
    city = UnionUnit.objects.get(parent__isnull=True, valid_to__isnull=True)

    # an anonymous visitor sends feedback and receives a tracking code
    page.goto(f"{live_server.url}/gop-y/")
    page.get_by_label("Loại góp ý").select_option(label="Tâm tư, nguyện vọng")
    page.get_by_label("Xã/phường của bạn").select_option(label=hoankiem.name)
    page.get_by_label("Nội dung").fill("Đề nghị hỗ trợ học phí cho con <b>mẹ đơn thân</b>")
    page.get_by_test_id("feedback-submit").click()
    page.wait_for_load_state("networkidle")
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert len(code) == 10
    feedback = Feedback.objects.get()
    assert feedback.unit == hoankiem

    # hoankiem does not act in time: the deadline passes and the scheduled command escalates
    Feedback.objects.filter(pk=feedback.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    call_command("escalate_feedback")
    call_command("escalate_feedback")  # idempotent
    feedback.refresh_from_db()
    assert feedback.unit == city and feedback.escalation_level == 1
    assert feedback.events.filter(kind=FeedbackEvent.Kind.ESCALATED).count() == 1

    # thanhpho resolves it
    login(page, live_server, "thanhpho")
    page.goto(f"{live_server.url}{reverse('oversight:feedback_detail', args=[feedback.pk])}")
    assert "Chuyển lên cấp trên" in page.get_by_test_id("feedback-history").inner_text()
    page.get_by_label("Kết quả giải quyết").fill("Đã kết nối quỹ khuyến học của phường.")
    page.get_by_test_id("feedback-resolve").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("feedback-status").inner_text() == "Đã giải quyết"

    # the visitor follows it with her code (a fresh, anonymous browser context)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/gop-y/tra-cuu/")
    page.get_by_test_id("track-code").fill(code.lower())
    page.get_by_test_id("track-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("track-status").inner_text() == "Đã giải quyết"
    assert "quỹ khuyến học" in page.get_by_test_id("track-resolution").inner_text()
    assert "<b>mẹ đơn thân</b>" in page.get_by_test_id("track-text").inner_text()
    history = page.get_by_test_id("track-history").inner_text()
    assert "Chuyển lên cấp trên" in history
    assert "Nguyễn Thu Hà" not in page.content()  # no officer names


def test_supervision_overdue_on_unit_page(page, live_server, hanoi):
    hoankiem = UnionUnit.objects.get(kind="commune", code="00070", valid_to__isnull=True)
    officer = get_user_model().objects.get(username="hoankiem")
    today = timezone.localdate()
    activity = services.activity_create(
        user=officer,
        kind="supervision",
        topic="Giám sát hỗ trợ hộ nghèo",
        unit=hoankiem,
        starts_on=today - dt.timedelta(days=30),
    )
    for text, days in [("Rà soát hộ nghèo", -3), ("Công khai danh sách", 10), ("Đào tạo nghề", 30)]:
        services.recommendation_create(
            user=officer,
            activity=activity,
            text=text,
            addressed_to="UBND phường",
            deadline=today + dt.timedelta(days=days),
        )
    login(page, live_server, "hoankiem")
    page.goto(f"{live_server.url}{reverse('oversight:unit_follow_up', args=[hoankiem.pk])}")
    assert page.get_by_test_id("overdue-count").inner_text() == "1"
    assert page.get_by_test_id("open-count").inner_text() == "2"
    assert "Rà soát hộ nghèo" in page.get_by_test_id("overdue-list").inner_text()
