"""Outreach scenario (issue 7): hoankiem records a communication activity on Zalo about
Resolution 42 with its reach and sees it in the totals by channel; then records a community
model and a commendation for it."""

from django.utils import timezone

from ansinh.org.models import UnionUnit
from ansinh.outreach import services
from ansinh.outreach.models import Commendation, CommunicationActivity, CommunityModel

from .conftest import login


def test_activity_totals_model_and_commendation(page, live_server, hanoi):
    services.lists_seed()
    hoankiem = UnionUnit.objects.get(kind="commune", code="00070", valid_to__isnull=True)
    today = timezone.localdate().strftime("%d/%m/%Y")
    login(page, live_server, "hoankiem")

    # the menu leads to the outreach pages
    # The module sits in the "Giám sát, góp ý" menu of the bar.
    page.get_by_test_id("nav-voice").get_by_role("button").click()
    page.get_by_role("link", name="Tuyên truyền, mô hình").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("activity-add").click()

    # a Zalo post without its reach is refused, in Vietnamese, and nothing is saved
    form = page.get_by_test_id("activity-form")
    form.locator("[name=held_on]").fill(today)
    form.locator("[name=unit]").select_option(str(hoankiem.pk))
    form.locator("[name=topic]").select_option(label="Nghị quyết 42-NQ/TW về chính sách xã hội")
    form.locator("[name=channel]").select_option(label="Nhóm Zalo")
    form.locator("[name=title]").fill("Tóm tắt điểm mới Nghị quyết 42 gửi nhóm Zalo chi hội")
    page.get_by_test_id("save").click()
    page.wait_for_load_state("networkidle")
    assert "phải ghi lượt tiếp cận" in page.get_by_test_id("activity-form").inner_text()
    assert CommunicationActivity.objects.count() == 0

    page.get_by_test_id("activity-form").locator("[name=reach]").fill("850")
    page.get_by_test_id("save").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("activity-channel").inner_text() == "Nhóm Zalo"
    assert page.get_by_test_id("activity-reach").inner_text() == "850"
    activity = CommunicationActivity.objects.get()
    assert (activity.unit, activity.reach, activity.topic.code) == (hoankiem, 850, "nq42")

    # the totals by channel show it
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("nav-totals").click()
    page.wait_for_load_state("networkidle")
    row = page.get_by_test_id("channel-zalo")
    cells = row.locator("td").all_inner_texts()
    assert cells == ["Nhóm Zalo", "1", "0", "850"]
    assert page.get_by_test_id("total-reach").inner_text() == "850"
    assert page.locator("#channel-chart").is_visible()
    assert page.evaluate("() => typeof window.Chart") == "function"

    # a community model
    page.get_by_test_id("nav-models").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("model-add").click()
    form = page.get_by_test_id("model-form")
    form.locator("[name=kind]").select_option(label="Địa chỉ tin cậy tại cộng đồng")
    form.locator("[name=name]").fill("Địa chỉ tin cậy tổ dân phố 3")
    form.locator("[name=unit]").select_option(str(hoankiem.pk))
    form.locator("[name=established_on]").fill(today)
    form.locator("[name=members_count]").fill("9")
    page.get_by_test_id("save").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("model-name").inner_text().startswith("Địa chỉ tin cậy tổ dân phố 3")
    assert page.get_by_test_id("model-status").inner_text() == "Đang hoạt động"
    model = CommunityModel.objects.get()

    # and a commendation for it, from its page
    page.get_by_test_id("model-commend").click()
    page.wait_for_load_state("networkidle")
    form = page.get_by_test_id("commendation-form")
    assert form.locator("[name=recipient_kind][value=model]").is_checked()
    form.locator("[name=level]").select_option(label="Hội LHPN Thành phố")
    form.locator("[name=form]").select_option(label="Giấy khen")
    form.locator("[name=decision_number]").fill("125/QĐ-HPN")
    form.locator("[name=reason]").fill("Mô hình hỗ trợ phụ nữ bị bạo lực gia đình hiệu quả")
    page.get_by_test_id("save").click()
    page.wait_for_load_state("networkidle")
    assert (
        "Địa chỉ tin cậy tổ dân phố 3" in page.get_by_test_id("commendation-recipient").inner_text()
    )
    commendation = Commendation.objects.get()
    assert commendation.recipient_model == model and commendation.unit == hoankiem

    # the model's page lists it
    page.get_by_test_id("commendation-recipient").get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert "125/QĐ-HPN" in page.get_by_test_id("model-commendations").inner_text()
