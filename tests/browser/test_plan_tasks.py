"""Plan tasks scenario (issue 6, item 1): the plan is loaded with its tasks for the city's
departments and the 126 commune unions; hoankiem reports progress on one of her commune's
tasks with an evidence photo, a bad percentage first; thanhpho sees it in the progress per
unit and an overdue task on the overdue page; giadinh sees only her department's task."""

import datetime as dt

import pytest
from django.urls import reverse

from ansinh.org.models import UnionUnit
from ansinh.plans.models import Task, TaskProgress
from ansinh.plans.services import default_plan_path, plan_load, plan_tasks_generate

from .conftest import login


def test_commune_reports_progress_and_city_follows_it(page, live_server, hanoi, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = default_plan_path()
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    city = UnionUnit.objects.get(parent__isnull=True, valid_to__isnull=True)
    plan = plan_load(path=path, city=city)
    communes = UnionUnit.objects.filter(kind="commune", valid_to__isnull=True).count()
    assert plan_tasks_generate(plan=plan) == 6 + 3 * communes
    donganh_task = Task.objects.filter(plan=plan, unit__code="00454").order_by("pk").first()
    Task.objects.filter(pk=donganh_task.pk).update(deadline=dt.date.today() - dt.timedelta(days=10))

    # hoankiem opens her commune's tasks from the menu
    login(page, live_server, "hoankiem")
    page.get_by_test_id("nav-plans").get_by_role("button").click()
    page.get_by_test_id("nav-plans").get_by_role("link", name="Nhiệm vụ").click()
    page.wait_for_load_state("networkidle")
    rows = page.get_by_test_id("task-table").locator("tbody tr")
    assert rows.count() == 3
    rows.first.get_by_role("link").click()
    page.wait_for_load_state("networkidle")

    # a percentage above 100 is refused in Vietnamese and nothing is saved
    page.get_by_label("Tiến độ (%)").fill("120")
    page.get_by_label("Kết quả thực hiện").fill("Đã xây dựng kế hoạch của phường")
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state("networkidle")
    assert (
        "Tiến độ phải là một số từ 0 đến 100." in page.get_by_test_id("progress-form").inner_text()
    )
    assert TaskProgress.objects.count() == 0

    # fixed, with a photo as evidence
    photo = tmp_path / "hoi-nghi.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 anh hoi nghi")
    page.get_by_label("Tiến độ (%)").fill("100")
    page.get_by_label("Kết quả thực hiện").fill("Đã xây dựng kế hoạch của phường")
    page.get_by_label("Minh chứng (ảnh, PDF, Word, Excel; tối đa 10 MB mỗi tệp)").set_input_files(
        str(photo)
    )
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("task-status").inner_text().startswith("Hoàn thành")
    history = page.get_by_test_id("progress-history")
    assert "Đã xây dựng kế hoạch của phường" in history.inner_text()
    with page.expect_download() as download:
        history.get_by_role("link", name="hoi-nghi.jpg").click()
    assert download.value.suggested_filename == "hoi-nghi.jpg"

    # thanhpho follows the units' progress and the overdue tasks
    page.context.clear_cookies()
    login(page, live_server, "thanhpho")
    page.goto(f"{live_server.url}{reverse('plans:task_overview')}")
    units = page.get_by_test_id("summary-units")
    hoankiem_row = units.locator("tr", has_text="Phường Hoàn Kiếm")
    assert "33,3%" in hoankiem_row.inner_text()
    departments = page.get_by_test_id("summary-departments").inner_text()
    assert "Báo Phụ nữ Thủ đô" in departments
    page.goto(f"{live_server.url}{reverse('plans:task_overdue')}")
    overdue = page.get_by_test_id("task-table").locator("tbody tr")
    assert overdue.count() == 1
    assert "Quá hạn" in overdue.first.inner_text()
    assert "Đông Anh" in page.get_by_test_id("overdue-counts").inner_text()

    # giadinh (Ban Gia đình xã hội) sees her department's task only
    page.context.clear_cookies()
    login(page, live_server, "giadinh")
    page.goto(f"{live_server.url}{reverse('plans:task_list')}")
    rows = page.get_by_test_id("task-table").locator("tbody tr")
    assert rows.count() == 1
    assert "Ban Gia đình xã hội" in rows.first.inner_text()
