"""The city report: totals over approved submissions only, completeness and timeliness, the
previous period and the same period last year, and pre-2025 figures shown on today's
communes through the succession table (carried whole or split, totals unchanged)."""

import datetime as dt

import pytest
from django.utils import timezone

from ansinh.org.models import UnionUnit, UnionUnitSuccession
from ansinh.reports import building, figures, selectors, services
from ansinh.reports.models import ReportSubmission
from tests.factories import UnionUnitFactory

OLD_END = dt.date(2025, 6, 30)


def approve(personas, template, code, unit, values):
    submission = services.submission_open(
        user=personas.city_admin, template=template, code=code, unit=unit
    )
    services.submission_save(
        user=personas.city_admin,
        submission=submission,
        values={key: (value, "số liệu đơn vị") for key, value in values.items()},
    )
    services.submission_submit(user=personas.city_admin, submission=submission)
    return services.submission_approve(user=personas.city_admin, submission=submission)


@pytest.fixture
def old_tree(personas):
    """A pre-2025 district with two old communes: one went wholly to Hoàn Kiếm, one was
    split between Hoàn Kiếm and Đông Anh."""
    district = UnionUnitFactory(
        kind=UnionUnit.Kind.DISTRICT,
        code="001",
        name="Hội LHPN Quận Cũ",
        parent=personas.city,
        valid_from=None,
        valid_to=OLD_END,
    )
    whole = UnionUnitFactory(
        code="00001",
        name="Hội LHPN Phường Cũ A",
        parent=district,
        valid_from=None,
        valid_to=OLD_END,
    )
    split = UnionUnitFactory(
        code="00002",
        name="Hội LHPN Phường Cũ B",
        parent=district,
        valid_from=None,
        valid_to=OLD_END,
    )
    for old, new, kind in [
        (whole, personas.hoankiem, "whole"),
        (split, personas.hoankiem, "part"),
        (split, personas.donganh, "part"),
    ]:
        UnionUnitSuccession.objects.create(
            old=old, new=new, kind=kind, effective=dt.date(2025, 7, 1)
        )
    return district


def test_reporting_units_change_at_the_reform(personas, old_tree):
    assert figures.reporting_units(city=personas.city, period=figures.Period("half", 2025, 1)) == [
        old_tree
    ]
    assert figures.reporting_units(city=personas.city, period=figures.Period("half", 2025, 2)) == [
        personas.hoankiem,
        personas.donganh,
    ]


def test_apportion_adds_up_and_breaks_ties_by_unit():
    from fractions import Fraction

    shares = [figures.Share(1, Fraction(3, 4), "split"), figures.Share(2, Fraction(1, 4), "split")]
    assert figures.apportion(10, shares) == {1: 8, 2: 2}
    assert figures.apportion(0, shares) == {1: 0, 2: 0}
    assert sum(figures.apportion(7, shares).values()) == 7


def test_city_report_totals_completeness_and_old_periods(personas, half_template, old_tree):
    approve(personas, half_template, "2026H1", personas.hoankiem, {"TRAINED": 5, "HOUSES": 1})
    pending = services.submission_open(
        user=personas.officer_donganh,
        template=half_template,
        code="2026H1",
        unit=personas.donganh,
    )
    services.submission_save(
        user=personas.officer_donganh, submission=pending, values={"TRAINED": ("50", "x")}
    )
    services.submission_submit(user=personas.officer_donganh, submission=pending)
    approve(personas, half_template, "2025H2", personas.donganh, {"TRAINED": 4})
    approve(personas, half_template, "2025H1", old_tree, {"TRAINED": 10, "HOUSES": 3})

    report = selectors.city_report(template=half_template, period_code="2026H1", city=personas.city)
    totals = {line.code: line for line in report.indicators}
    assert totals["TRAINED"].total == 5  # Đông Anh's 50 is not approved
    assert totals["TRAINED"].previous == 4
    assert totals["TRAINED"].last_year == 10  # reported by the old district, total unchanged
    assert (report.expected, report.submitted, report.approved) == (2, 2, 1)
    assert report.completeness == 0.5
    assert report.last_year_redistributed and not report.previous_redistributed

    lines = {line.unit.code: line for line in report.lines}
    # district share: Hoàn Kiếm 1 + 1/2 old communes of 2, Đông Anh 1/2 of 2 → 3/4 and 1/4
    assert lines["00070"].last_year["TRAINED"] == 8 and lines["00454"].last_year["TRAINED"] == 2
    assert lines["00070"].last_year["HOUSES"] + lines["00454"].last_year["HOUSES"] == 3
    assert lines["00070"].last_year_carry.mode == figures.SPLIT
    assert "chia theo tỷ lệ từ Hội LHPN Quận Cũ" in lines["00454"].carry_note
    assert lines["00454"].previous["TRAINED"] == 4

    document = building.city_document(report=report, today=dt.date(2026, 7, 5))
    assert document.issuer_parent == "HỘI LHPN THÀNH PHỐ HÀ NỘI"
    assert document.issuer == "BAN THƯỜNG VỤ"
    assert document.place == "Hà Nội"
    figures_by_code = {row.code: row for row in document.figures}
    assert figures_by_code["TRAINED"].value == 5
    assert figures_by_code["TRAINED"].same_period_last_year == 10
    assert [row.status for row in document.annex_rows][0].startswith("Đã duyệt")
    assert "6 tháng đầu năm 2026" in document.title
    text = " ".join(p for section in document.sections for p in section.paragraphs)
    assert "đã duyệt: 1" in text and "chia theo tỷ lệ" in text


def test_old_commune_carried_whole_when_one_successor_takes_the_population(personas, half_template):
    old = UnionUnitFactory(
        code="00009", name="Hội LHPN Xã Cũ", parent=personas.city, valid_from=None, valid_to=OLD_END
    )
    UnionUnitSuccession.objects.create(
        old=old, new=personas.hoankiem, kind="part", effective=dt.date(2025, 7, 1)
    )
    UnionUnitSuccession.objects.create(
        old=old,
        new=personas.donganh,
        kind="part",
        takes_population=True,
        effective=dt.date(2025, 7, 1),
    )
    approve(personas, half_template, "2025H1", old, {"TRAINED": 7})
    values, carries = figures.redistribute(
        values=figures.approved_values(
            template=half_template, period=figures.Period("half", 2025, 1)
        ),
        units={old.pk: old},
        targets=[personas.hoankiem, personas.donganh],
    )
    assert values[personas.donganh.pk]["TRAINED"] == 7
    assert values[personas.hoankiem.pk] == {}
    assert carries[personas.donganh.pk].mode == figures.WHOLE


def test_submission_document_for_a_commune(personas, half_template, supervision):
    supervision(personas.hoankiem, dt.date(2026, 2, 1))
    submission = services.submission_open(
        user=personas.officer_hoankiem,
        template=half_template,
        code="2026H1",
        unit=personas.hoankiem,
    )
    services.submission_save(
        user=personas.officer_hoankiem,
        submission=submission,
        values={"SUPERVISIONS": ("2", "Một cuộc chưa nhập")},
        sections={
            "II.1": "Tổ chức 3 buổi tuyên truyền.\nPhát 200 tờ rơi.",
            "DE-XUAT": "Thêm kinh phí",
        },
    )
    submission.refresh_from_db()
    document = building.submission_document(
        submission=submission, city=personas.city, today=dt.date(2026, 7, 3)
    )
    assert document.issuer == "HỘI LHPN PHƯỜNG HOÀN KIẾM"
    assert document.issuer_parent == "HỘI LHPN THÀNH PHỐ HÀ NỘI"
    assert document.date == dt.date(2026, 7, 3)
    row = next(r for r in document.figures if r.code == "SUPERVISIONS")
    assert row.value == 2 and "điều chỉnh" in row.note
    headings = [section.heading for section in document.sections]
    assert headings[0] == "I. KẾT QUẢ THỰC HIỆN"
    assert any("BẤT CẬP" in heading for heading in headings)
    first_task = document.sections[1]
    assert first_task.paragraphs == ("Tổ chức 3 buổi tuyên truyền.", "Phát 200 tờ rơi.")
    assert document.annex_rows[0].unit_code == "00070"


def test_timeliness_counts_the_first_submission(personas, half_template):
    submission = approve(personas, half_template, "2026H1", personas.hoankiem, {})
    assert submission.is_on_time is (timezone.localdate() <= submission.period.deadline)
    ReportSubmission.objects.filter(pk=submission.pk).update(
        first_submitted_at=timezone.make_aware(dt.datetime(2026, 7, 10, 23, 0))
    )
    submission.refresh_from_db()
    assert submission.is_on_time is True
    report = selectors.city_report(template=half_template, period_code="2026H1", city=personas.city)
    assert (report.on_time, report.late) == (1, 0)


def test_demo_data_opens_and_approves_reports(personas, old_tree):
    from ansinh.reports import demo

    result = demo.demo_load(world={"city": personas.city, "plan": None}, say=lambda text: None)
    assert result["report_submissions"] == 3  # two communes now, the old district a year ago
    hoankiem = ReportSubmission.objects.filter(unit=personas.hoankiem).get()
    assert hoankiem.status == ReportSubmission.Status.DRAFT  # left for her officer
    old = ReportSubmission.objects.get(unit=old_tree)
    assert old.status == ReportSubmission.Status.APPROVED  # hand-made figures pass the rules
    assert old.values.get(indicator__code="TRAINED").reason
    assert demo.demo_load(world={"city": personas.city, "plan": None}, say=print) == {}
