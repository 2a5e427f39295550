"""Reports scenario (issue 6): `hoankiem` opens her 6-month report pre-filled from the data,
corrects one figure with a reason, fails a validation rule, fixes it and submits; `thanhpho`
returns it with a comment; it is resubmitted and approved; the city report shows the total
and the completeness."""

import datetime as dt

from django.urls import reverse

from ansinh.org.models import UnionUnit
from ansinh.oversight.models import SupervisionActivity
from ansinh.reports import services
from ansinh.reports.models import ReportSubmission

from .conftest import login


def test_six_month_report_from_draft_to_city_total(page, live_server, hanoi):
    services.catalogue_sync()
    hoankiem = UnionUnit.objects.get(kind="commune", code="00070", valid_to__isnull=True)
    for day in (dt.date(2026, 2, 10), dt.date(2026, 5, 20)):
        SupervisionActivity.objects.create(
            kind="supervision", topic="Giám sát hỗ trợ hộ nghèo", unit=hoankiem, starts_on=day
        )

    # hoankiem opens her H1 report: pre-filled with the two supervisions from the data
    login(page, live_server, "hoankiem")
    page.goto(f"{live_server.url}{reverse('reports:submission_list')}")
    page.get_by_test_id("submission-open").click()
    page.get_by_label("Mẫu báo cáo").select_option("BC-NQ42-6THANG")
    page.get_by_label("Kỳ báo cáo").fill("2026H1")
    page.get_by_test_id("open-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("computed-SUPERVISIONS").inner_text() == "2"
    assert page.get_by_test_id("submission-status").inner_text() == "Đang soạn"

    # she corrects one figure with a reason, and enters one that breaks a rule
    page.locator("#value_SUPERVISIONS").fill("3")
    page.get_by_test_id("reason-SUPERVISIONS").fill("Một cuộc giám sát chưa nhập vào phần mềm")
    page.locator("#value_EMPLOYED_AFTER_TRAINING").fill("4")
    page.get_by_test_id("reason-EMPLOYED_AFTER_TRAINING").fill("Theo khảo sát của phường")
    page.locator("#section_BAT-CAP").fill("Kinh phí hỗ trợ học nghề còn hạn chế.")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    assert (
        "không được lớn hơn số người hoàn thành học nghề"
        in page.get_by_test_id("submit-error").inner_text()
    )
    assert page.get_by_test_id("check-failed").count() == 1
    assert page.get_by_test_id("submission-status").inner_text() == "Đang soạn"

    # she fixes it and submits
    page.locator("#value_TRAINED").fill("6")
    page.get_by_test_id("reason-TRAINED").fill("Lớp học nghề do quận tổ chức")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("submission-status").inner_text() == "Đã nộp, chờ duyệt"
    submission = ReportSubmission.objects.get(unit=hoankiem)
    values = dict(submission.values.values_list("indicator__code", "computed_value"))
    assert values["SUPERVISIONS"] == 2
    assert submission.values.get(indicator__code="SUPERVISIONS").value == 3
    detail = f"{live_server.url}{reverse('reports:submission_detail', args=[submission.pk])}"

    # thanhpho returns it with a comment
    page.context.clear_cookies()
    login(page, live_server, "thanhpho")
    page.goto(detail)
    page.get_by_label("Ý kiến khi trả lại").fill("Bổ sung đề xuất, kiến nghị.")
    page.get_by_test_id("return").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("submission-status").inner_text() == "Trả lại để sửa"

    # hoankiem sees the comment, completes and resubmits
    page.context.clear_cookies()
    login(page, live_server, "hoankiem")
    page.goto(detail)
    assert "Bổ sung đề xuất" in page.get_by_test_id("return-comment").inner_text()
    page.locator("#section_DE-XUAT").fill("Đề nghị bổ sung kinh phí dạy nghề cho phụ nữ.")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("submission-status").inner_text() == "Đã nộp, chờ duyệt"

    # thanhpho approves it
    page.context.clear_cookies()
    login(page, live_server, "thanhpho")
    page.goto(detail)
    page.get_by_test_id("approve").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("submission-status").inner_text() == "Đã duyệt"
    assert "Trả lại" in page.get_by_test_id("history").inner_text()

    # the city report shows the total and the completeness
    page.goto(
        f"{live_server.url}{reverse('reports:city_report')}?template=BC-NQ42-6THANG&period=2026H1"
    )
    assert page.get_by_test_id("total-value-SUPERVISIONS").inner_text() == "3"
    assert page.get_by_test_id("total-value-TRAINED").inner_text() == "6"
    assert page.get_by_test_id("approved").inner_text() == "1"
    expected = UnionUnit.objects.filter(
        kind="commune", valid_to__isnull=True, parent__kind="city"
    ).count()
    assert page.get_by_test_id("expected").inner_text() == str(expected)
    percent = f"{100 / expected:.1f}".replace(".", ",") + "%"
    assert page.get_by_test_id("completeness-percent").inner_text() == percent
