"""Turning a submission or the city's aggregate into a `ReportDocument` (the official report:
Decree 30/2020 layout through `ansinh.reports.documents`).

The body follows the template: "I. Kết quả thực hiện" with one part per group of tasks of the
plan (the plan's own headings when the plan is loaded), then difficulties and shortcomings
("bất cập, hạn chế"), proposals, and the figures table with the previous period and the same
period last year. The city's report also says how complete and timely the units were, and how
figures of periods before 01/07/2025 were brought onto today's communes.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.org.models import UnionUnit
from ansinh.org.services import UNION_PREFIX

from . import figures
from .document_model import AnnexRow, FigureRow, ReportDocument, Section
from .models import ReportSubmission, ReportTemplate, TemplateSection
from .periods import Period
from .selectors import CityReport, submission_rows, unit_history

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
NARRATIVE_ORDER = (
    TemplateSection.Kind.DIFFICULTIES,
    TemplateSection.Kind.PROPOSALS,
    TemplateSection.Kind.TEXT,
)
NOT_REPORTED = "Không có nội dung báo cáo."


def place_name(city: UnionUnit) -> str:
    """ "Hà Nội" for the Hanoi union (the province's short name)."""
    admin = city.admin_unit
    if admin is not None and admin.short_name:
        return admin.short_name
    name = admin.name if admin is not None else city.name.removeprefix(UNION_PREFIX)
    for prefix in ("Thành phố ", "Tỉnh "):
        name = name.removeprefix(prefix)
    return name


def plan_of(template: ReportTemplate) -> int | None:
    """The pk of the template's plan, or of the only plan loaded (None otherwise)."""
    from ansinh.plans.models import Plan

    if template.plan_id is not None:
        return template.plan_id
    plans = list(Plan.objects.values_list("pk", flat=True)[:2])
    return plans[0] if len(plans) == 1 else None


def _plan_headings(template: ReportTemplate) -> dict[str, str]:
    """Titles of the plan's sections by code ("II.1" → "Công tác tuyên truyền, …")."""
    from ansinh.plans.models import PlanSection

    plan_id = plan_of(template)
    if plan_id is None:
        return {}
    return dict(PlanSection.objects.filter(plan_id=plan_id).values_list("code", "title"))


def _section_heading(section: TemplateSection, headings: dict[str, str], number: int) -> str:
    title = headings.get(section.plan_section_code) if section.kind == "task_results" else ""
    return f"{number}. {title or section.heading}"


def _paragraphs(text: str) -> tuple[str, ...]:
    lines = tuple(line.strip() for line in (text or "").splitlines() if line.strip())
    return lines or (NOT_REPORTED,)


def _title(template: ReportTemplate, period: Period) -> str:
    return template.title.replace("{period}", period.label)


def _sections(template, texts_for) -> list[Section]:
    """The body: task results, then the other narrative parts; `texts_for(section)` gives a
    part's paragraphs."""
    headings = _plan_headings(template)
    template_sections = list(template.sections.order_by("order"))
    tasks = [s for s in template_sections if s.kind == TemplateSection.Kind.TASK_RESULTS]
    body: list[Section] = []
    number = 0
    if tasks:
        body.append(Section(f"{ROMAN[number]}. " + _("KẾT QUẢ THỰC HIỆN").upper()))
        number += 1
        for index, section in enumerate(tasks, start=1):
            body.append(Section(_section_heading(section, headings, index), texts_for(section)))
    for kind in NARRATIVE_ORDER:
        for section in template_sections:
            if section.kind == kind:
                body.append(
                    Section(f"{ROMAN[number]}. {section.heading.upper()}", texts_for(section))
                )
                number += 1
    return body, number


def _recipients(template: ReportTemplate) -> tuple[str, ...]:
    return tuple(line.strip() for line in template.recipients.splitlines() if line.strip())


def _number(template: ReportTemplate) -> str:
    # The office gives the number when the report is signed (Decree 30/2020, art. 15).
    return f"Số:      /{template.number_suffix}"


def submission_document(
    *, submission: ReportSubmission, city: UnionUnit, today: dt.date | None = None
) -> ReportDocument:
    """The report of one unit for one period, from its submission."""
    template = submission.period.template
    period = submission.period.period
    rows = submission_rows(submission)
    history = unit_history(
        template=template,
        unit=submission.unit,
        city=city,
        periods=[period.previous(), period.same_period_last_year()],
    )
    previous = history[period.previous().code]
    last_year = history[period.same_period_last_year().code]
    old_periods = [p for p in (period.previous(), period.same_period_last_year()) if _is_old(p)]
    figure_rows = []
    for row in rows:
        if row.is_corrected:
            note = _("đơn vị điều chỉnh (số tính từ dữ liệu: %(value)s)") % {
                "value": f"{row.computed_value:,}".replace(",", ".")
            }
        elif row.computed_value is not None:
            note = _("tính từ dữ liệu")
        else:
            note = _("đơn vị nhập")
        if old_periods:
            note += "; " + _("kỳ trước 01/7/2025 quy đổi theo đơn vị mới")
        figure_rows.append(
            FigureRow(
                code=row.indicator.code,
                name=row.indicator.name,
                unit=row.indicator.unit,
                value=row.value,
                previous=previous.get(row.indicator.code),
                same_period_last_year=last_year.get(row.indicator.code),
                note=note,
            )
        )
    body, number = _sections(
        template, lambda section: _paragraphs(submission.sections.get(section.code, ""))
    )
    unit = submission.unit
    return ReportDocument(
        issuer_parent=city.name.upper(),
        issuer=unit.name.upper(),
        number=_number(template),
        place=place_name(city),
        date=today or timezone.localdate(),
        kind=_("BÁO CÁO"),
        title=_title(template, period),
        sections=tuple(body),
        figures_heading=f"{ROMAN[number]}. " + _("SỐ LIỆU KẾT QUẢ THỰC HIỆN"),
        figures=tuple(figure_rows),
        recipients=(_("Ban Thường vụ %(city)s;") % {"city": city.name}, _("Lưu: VP.")),
        signature_authority=_("TM. BAN THƯỜNG VỤ"),
        signature_title=_("CHỦ TỊCH"),
        annex_title=_("Số liệu %(period)s của %(unit)s")
        % {"period": period.label, "unit": unit.name},
        annex_indicators=tuple(
            (r.indicator.code, r.indicator.name, r.indicator.unit) for r in rows
        ),
        annex_rows=(
            AnnexRow(
                unit_code=unit.code,
                unit_name=unit.name,
                values={r.indicator.code: r.value for r in rows},
                status=str(submission.get_status_display()),
            ),
        ),
    )


def _is_old(period: Period) -> bool:
    from ansinh.org.services import REFORM_DATE

    return period.end < REFORM_DATE


def _city_texts(report: CityReport):
    approved = [
        line.submission
        for line in report.lines
        if line.submission is not None and line.status == ReportSubmission.Status.APPROVED
    ]

    def texts_for(section: TemplateSection) -> tuple[str, ...]:
        paragraphs = []
        for submission in approved:
            text = (submission.sections.get(section.code) or "").strip()
            if text:
                joined = " ".join(line.strip() for line in text.splitlines() if line.strip())
                paragraphs.append(f"- {submission.unit.name}: {joined}")
        return tuple(paragraphs) or (NOT_REPORTED,)

    return texts_for


def city_document(*, report: CityReport, today: dt.date | None = None) -> ReportDocument:
    """The city union's report for a period: totals of the approved submissions."""
    template, period = report.template, report.period
    body, number = _sections(template, _city_texts(report))
    completeness = [
        _(
            "Số đơn vị phải báo cáo: %(expected)d; đã nộp: %(submitted)d; đã duyệt: %(approved)d "
            "(%(percent)s%%); nộp đúng hạn (%(deadline)s): %(on_time)d; nộp muộn: %(late)d."
        )
        % {
            "expected": report.expected,
            "submitted": report.submitted,
            "approved": report.approved,
            "percent": f"{report.completeness * 100:.1f}".replace(".", ","),
            "deadline": report.deadline.strftime("%d/%m/%Y"),
            "on_time": report.on_time,
            "late": report.late,
        },
        _("Số liệu tổng hợp chỉ gồm báo cáo của các đơn vị đã được duyệt."),
    ]
    moved = [
        p
        for p, flag in (
            (report.previous_period, report.previous_redistributed),
            (report.last_year_period, report.last_year_redistributed),
        )
        if flag
    ]
    if moved:
        whole = sum(
            1
            for line in report.lines
            for carry in (line.previous_carry, line.last_year_carry)
            if carry is not None and carry.mode == figures.WHOLE
        )
        split = sum(
            1
            for line in report.lines
            for carry in (line.previous_carry, line.last_year_carry)
            if carry is not None and carry.mode == figures.SPLIT
        )
        completeness.append(
            _(
                "Số liệu %(periods)s do Hội LHPN các quận, huyện, thị xã và xã, phường cũ báo "
                "cáo (trước 01/7/2025); tổng của Thành phố giữ nguyên. Trong phụ lục, số liệu "
                "đó được chuyển sang đơn vị mới theo bảng sáp nhập: %(whole)d lượt chuyển "
                "nguyên, %(split)d lượt chia theo tỷ lệ (chia đều giữa các đơn vị nhận, với "
                "quận, huyện: theo số xã, phường cũ mỗi đơn vị mới nhận)."
            )
            % {
                "periods": ", ".join(p.label for p in moved),
                "whole": whole,
                "split": split,
            }
        )
    body.append(
        Section(f"{ROMAN[number]}. " + _("TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ"), tuple(completeness))
    )
    number += 1
    figure_rows = tuple(
        FigureRow(
            code=line.code,
            name=line.name,
            unit=line.unit,
            value=line.total,
            previous=line.previous,
            same_period_last_year=line.last_year,
            note=_("tổng hợp %(approved)d/%(expected)d đơn vị")
            % {"approved": report.approved, "expected": report.expected},
        )
        for line in report.indicators
    )
    annex_rows = tuple(
        AnnexRow(
            unit_code=line.unit.code,
            unit_name=line.unit.name,
            values=dict(line.values),
            status=line.status_label
            + (
                f" ({figures.carry_text(line.last_year_carry)})"
                if line.last_year_carry and line.last_year_carry.sources
                else ""
            ),
        )
        for line in report.lines
    )
    return ReportDocument(
        issuer_parent=report.city.name.upper(),
        issuer=_("BAN THƯỜNG VỤ"),
        number=_number(template),
        place=place_name(report.city),
        date=today or timezone.localdate(),
        kind=_("BÁO CÁO"),
        title=_title(template, period),
        sections=tuple(body),
        figures_heading=f"{ROMAN[number]}. " + _("SỐ LIỆU KẾT QUẢ THỰC HIỆN TOÀN THÀNH PHỐ"),
        figures=figure_rows,
        recipients=_recipients(template),
        signature_authority=_("TM. BAN THƯỜNG VỤ"),
        signature_title=_("CHỦ TỊCH"),
        annex_title=_("Phụ lục: số liệu %(period)s theo đơn vị") % {"period": period.label},
        annex_indicators=tuple((line.code, line.name, line.unit) for line in report.indicators),
        annex_rows=annex_rows,
    )
