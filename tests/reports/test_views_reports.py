"""Pages, API and the report-build command: scope (404 out of scope, nothing changed), the
fill-in/submit/approve flow through the pages, exports and downloads."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from ansinh.reports import services
from ansinh.reports.models import ReportSubmission
from tests.permission_suite import ScopedPermissionSuite


def opened(personas, template, unit, user=None):
    return services.submission_open(
        user=user or personas.city_admin, template=template, code="2026H1", unit=unit
    )


class TestSubmissionPermissions(ScopedPermissionSuite):
    model = ReportSubmission

    @pytest.fixture(autouse=True)
    def _template(self, half_template):
        self.template = half_template

    def make_objects(self, personas):
        return (
            opened(personas, self.template, personas.hoankiem),
            opened(personas, self.template, personas.donganh),
        )

    def page_url(self, obj):
        return reverse("reports:submission_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("reportsubmission-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("reports:submission_detail", args=[obj.pk]),
            {"action": "save", "section_BAT-CAP": "Thiếu kinh phí"},
        )


def test_fill_in_check_and_submit_through_the_page(personas, half_template, client_for):
    submission = opened(personas, half_template, personas.hoankiem, personas.officer_hoankiem)
    client = client_for(personas.officer_hoankiem)
    url = reverse("reports:submission_detail", args=[submission.pk])
    page = client.get(url)
    assert (
        page.status_code == 200 and "EMPLOYED_AFTER_TRAINING &lt;= TRAINED" in page.content.decode()
    )

    # a corrected computed value without a reason: refused, nothing saved
    response = client.post(url, {"action": "save", "value_TRAINED": "4", "reason_TRAINED": ""})
    assert response.status_code == 200
    assert "cần ghi lý do" in response.content.decode()
    assert submission.values.get(indicator__code="TRAINED").value == 0

    # a rule fails: submitting is refused and the failure is shown
    response = client.post(
        url,
        {
            "action": "submit",
            "value_EMPLOYED_AFTER_TRAINING": "3",
            "reason_EMPLOYED_AFTER_TRAINING": "Khảo sát",
        },
    )
    assert response.status_code == 200
    assert "không được lớn hơn" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "draft"

    response = client.post(
        url, {"action": "submit", "value_TRAINED": "4", "reason_TRAINED": "Lớp của quận"}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "submitted"
    # the officer cannot approve
    review = reverse("reports:submission_review", args=[submission.pk])
    assert client.post(review, {"action": "approve"}).status_code == 404
    submission.refresh_from_db()
    assert submission.status == "submitted"

    admin = client_for(personas.city_admin)
    admin.post(review, {"action": "return", "comment": ""})
    submission.refresh_from_db()
    assert submission.status == "submitted"  # a return needs a comment
    admin.post(review, {"action": "approve"})
    submission.refresh_from_db()
    assert submission.status == "approved" and submission.is_locked


def test_list_filters_and_export(personas, half_template, client_for):
    opened(personas, half_template, personas.hoankiem)
    opened(personas, half_template, personas.donganh)
    client = client_for(personas.officer_hoankiem)
    page = client.get(reverse("reports:submission_list"))
    assert [s.unit.code for s in page.context["page"].object_list] == ["00070"]
    admin = client_for(personas.city_admin)
    assert (
        admin.get(reverse("reports:submission_list"), {"q": "dong anh"})
        .context["page"]
        .paginator.count
        == 1
    )
    export = admin.get(reverse("reports:submission_list"), {"export": "xlsx"})
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet.max_row == 3


def test_city_report_page_is_for_the_city_only(personas, half_template, client_for):
    url = reverse("reports:city_report") + "?template=BC-NQ42-6THANG&period=2026H1"
    assert client_for(personas.officer_hoankiem).get(url).status_code == 404
    viewer = client_for(personas.aggregate_viewer)
    page = viewer.get(url)
    assert page.status_code == 200 and page.context["report"].expected == 2
    download = viewer.get(url + "&format=docx")
    assert download.status_code == 200
    assert "HỘI LHPN THÀNH PHỐ HÀ NỘI" in "\n".join(
        cell.text
        for table in Document(BytesIO(download.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert viewer.get(reverse("reports:dashboard")).status_code == 200


def test_download_of_an_out_of_scope_submission_is_404(personas, half_template, client_for):
    other = opened(personas, half_template, personas.donganh)
    client = client_for(personas.officer_hoankiem)
    url = reverse("reports:submission_download", args=[other.pk, "docx"])
    assert client.get(url).status_code == 404
    mine = opened(personas, half_template, personas.hoankiem)
    response = client.get(reverse("reports:submission_download", args=[mine.pk, "xlsx"]))
    assert response.status_code == 200


def test_report_build_command(personas, half_template, tmp_path):
    opened(personas, half_template, personas.hoankiem)
    city_file = tmp_path / "tp.docx"
    call_command(
        "report_build",
        template="BC-NQ42-6THANG",
        period="2026H1",
        unit="01",
        fmt="docx",
        output=str(city_file),
    )
    document = Document(str(city_file))
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    commune_file = tmp_path / "hk.xlsx"
    call_command(
        "report_build",
        template="BC-NQ42-6THANG",
        period="2026h1",
        unit="00070",
        fmt="xlsx",
        output=str(commune_file),
    )
    assert load_workbook(str(commune_file)).sheetnames


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"template": "KHONG-CO"}, "Không có mẫu báo cáo"),
        ({"period": "2026"}, "không phải loại kỳ"),
        ({"period": "2026H7"}, "không hợp lệ"),
        ({"unit": "99999"}, "Không có đơn vị báo cáo"),
        ({"unit": "00454"}, "chưa mở báo cáo"),
        ({"fmt": "pdf"}, "docx hoặc xlsx"),
    ],
)
def test_report_build_bad_input_writes_nothing(
    personas, half_template, tmp_path, arguments, message
):
    target = tmp_path / "out.docx"
    options = {
        "template": "BC-NQ42-6THANG",
        "period": "2026H1",
        "unit": "01",
        "fmt": "docx",
        "output": str(target),
        **arguments,
    }
    with pytest.raises(CommandError, match=message):
        call_command("report_build", **options)
    assert not target.exists()


def test_api_lists_only_the_users_submissions(personas, half_template, client_for):
    opened(personas, half_template, personas.hoankiem)
    opened(personas, half_template, personas.donganh)
    response = client_for(personas.officer_hoankiem).get(reverse("reportsubmission-list"))
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [row["unit_code"] for row in rows] == ["00070"]
    assert {v["code"] for v in rows[0]["values"]} >= {"TRAINED"}
    assert dt.date.fromisoformat(rows[0]["deadline"]) == dt.date(2026, 7, 10)


def test_dashboard_shows_series_by_commune_and_plan_progress(personas, half_template, client_for):
    from django.utils import timezone

    from ansinh.plans.models import Plan, PlanSection

    plan = Plan.objects.create(
        code="kh-test",
        title="Kế hoạch thử",
        full_text="x",
        source_name="x.txt",
        source_sha256="0" * 64,
        loaded_at=timezone.now(),
    )
    section = PlanSection.objects.create(
        plan=plan,
        number="1",
        code="II.1",
        level=2,
        title="Công tác tuyên truyền",
        body="- Nhiệm vụ một\n- Nhiệm vụ hai\nđoạn văn",
        order=1,
    )
    submission = opened(personas, half_template, personas.hoankiem)
    services.submission_save(
        user=personas.city_admin,
        submission=submission,
        values={"TRAINED": ("7", "lớp của quận")},
        sections={"II.1": "Đã tuyên truyền"},
    )
    services.submission_submit(user=personas.city_admin, submission=submission)
    services.submission_approve(user=personas.city_admin, submission=submission)
    page = client_for(personas.aggregate_viewer).get(
        reverse("reports:dashboard"),
        {"template": "BC-NQ42-6THANG", "period": "2026H1", "indicator": "TRAINED"},
    )
    assert page.status_code == 200
    assert page.context["series"][-1] == {"period": "6 tháng đầu năm 2026", "value": 7}
    assert page.context["by_unit"] == [{"unit": "Hội LHPN Phường Hoàn Kiếm", "value": 7}]
    first = page.context["progress"][0]
    assert (first["heading"], first["tasks"], first["reported"], first["approved"]) == (
        "Công tác tuyên truyền",
        2,
        1,
        1,
    )
    # The plan's tracked tasks, as they stood at the period's end: one done, one overdue.
    from ansinh.plans.models import Task

    for title, status, deadline in (
        ("Tuyên truyền Nghị quyết 42", "done", dt.date(2026, 3, 31)),
        ("Lập dữ liệu địa chỉ", "in_progress", dt.date(2026, 5, 31)),
    ):
        Task.objects.create(
            plan=plan,
            section=section,
            unit=personas.hoankiem,
            title=title,
            starts_on=dt.date(2026, 1, 1),
            deadline=deadline,
            status=status,
            completed_on=dt.date(2026, 3, 20) if status == "done" else None,
        )
    page = client_for(personas.aggregate_viewer).get(
        reverse("reports:dashboard"),
        {"template": "BC-NQ42-6THANG", "period": "2026H1", "indicator": "TRAINED"},
    )
    tasks = page.context["tasks"]
    assert (tasks["total"], tasks["done"], tasks["overdue"]) == (2, 1, 1)
    assert 'data-testid="task-progress"' in page.content.decode()


def test_city_opens_every_report_and_sets_the_deadline(personas, half_template, client_for):
    url = reverse("reports:period_manage")
    data = {"template": "BC-NQ42-6THANG", "period": "2026H1"}
    officer = client_for(personas.officer_hoankiem)
    assert officer.post(url, {**data, "action": "open_all"}).status_code == 404
    assert not ReportSubmission.objects.exists()
    admin = client_for(personas.city_admin)
    admin.post(url, {**data, "action": "open_all"})
    assert ReportSubmission.objects.count() == 2
    admin.post(url, {**data, "action": "deadline", "deadline": "31/02/2026"})
    period = ReportSubmission.objects.first().period
    assert period.deadline == dt.date(2026, 7, 10)  # a bad date changes nothing
    admin.post(url, {**data, "action": "deadline", "deadline": "20/07/2026"})
    period.refresh_from_db()
    assert period.deadline == dt.date(2026, 7, 20)
    assert (
        officer.post(url, {**data, "action": "deadline", "deadline": "01/08/2026"}).status_code
        == 404
    )
    period.refresh_from_db()
    assert period.deadline == dt.date(2026, 7, 20)


def _docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_built_city_docx_has_the_decree_30_layout_and_opens_in_libreoffice(
    personas, half_template, tmp_path
):
    import os
    import shutil
    import subprocess

    submission = opened(personas, half_template, personas.hoankiem)
    services.submission_save(
        user=personas.city_admin,
        submission=submission,
        values={"TRAINED": ("12", "lớp của quận")},
        sections={"BAT-CAP": "Kinh phí dạy nghề còn hạn chế."},
    )
    services.submission_submit(user=personas.city_admin, submission=submission)
    services.submission_approve(user=personas.city_admin, submission=submission)
    target = tmp_path / "bc.docx"
    call_command(
        "report_build",
        template="BC-NQ42-6THANG",
        period="2026H1",
        unit="01",
        fmt="docx",
        output=str(target),
    )
    document = Document(str(target))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= section.top_margin.mm <= 25 and 20 <= section.bottom_margin.mm <= 25
    assert 30 <= section.left_margin.mm <= 35 and 15 <= section.right_margin.mm <= 20
    text = _docx_text(document)
    for expected in (
        "HỘI LHPN THÀNH PHỐ HÀ NỘI",
        "BAN THƯỜNG VỤ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "6 tháng đầu năm 2026",
        "Hội LHPN Phường Hoàn Kiếm: Kinh phí dạy nghề còn hạn chế.",
        "TM. BAN THƯỜNG VỤ",
    ):
        assert expected in text, expected
    fonts = {
        run.font.name for paragraph in document.paragraphs for run in paragraph.runs if run.text
    }
    assert fonts <= {"Times New Roman", None}
    trained = next(
        row
        for table in document.tables
        for row in table.rows
        if len(row.cells) > 3 and "hoàn thành học nghề" in row.cells[1].text
    )
    assert trained.cells[3].text == "12"

    if shutil.which("soffice") is None:
        return
    profile = tmp_path / "profile"
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(target),
        ],
        capture_output=True,
        timeout=180,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert (tmp_path / "bc.pdf").read_bytes().startswith(b"%PDF")


def test_dashboard_breaks_a_computed_indicator_down_inside_the_scope(
    personas, half_template, client_for
):
    from ansinh.oversight import services as oversight
    from ansinh.oversight.models import FeedbackCategory

    oversight.categories_seed()
    category = FeedbackCategory.objects.filter(is_sensitive=False).order_by("code").first()
    for unit in (personas.hoankiem, personas.hoankiem, personas.donganh):
        oversight.feedback_submit(channel="meeting", category=category, unit=unit, text="Góp ý")
    period = f"{dt.date.today().year}H{1 if dt.date.today().month <= 6 else 2}"
    params = {"template": "BC-NQ42-6THANG", "period": period, "indicator": "FEEDBACK_RECEIVED"}
    officer = client_for(personas.officer_hoankiem).get(reverse("reports:dashboard"), params)
    assert officer.context["breakdown"] == {"category": [(category.code, 2)]}
    viewer = client_for(personas.aggregate_viewer).get(reverse("reports:dashboard"), params)
    assert viewer.context["breakdown"] == {"category": [(category.code, 3)]}


def test_aggregate_viewer_reads_figures_but_changes_nothing(personas, half_template, client_for):
    submission = opened(personas, half_template, personas.hoankiem)
    viewer = client_for(personas.aggregate_viewer)
    url = reverse("reports:submission_detail", args=[submission.pk])
    page = viewer.get(url)
    assert page.status_code == 200 and not page.context["can_edit"]
    assert 'name="value_TRAINED"' not in page.content.decode()
    response = viewer.post(url, {"action": "submit", "value_TRAINED": "9", "reason_TRAINED": "x"})
    assert response.status_code == 404
    review = reverse("reports:submission_review", args=[submission.pk])
    assert viewer.post(review, {"action": "approve"}).status_code == 404
    submission.refresh_from_db()
    assert submission.status == "draft"
    assert submission.values.get(indicator__code="TRAINED").value == 0
