"""`ansinh report-build --template CODE --period 2026H1 --unit CODE --format docx|xlsx
--output FILE`: the official report of a unit (a commune code) or of the whole city (`01`).

Everything is checked and the document built in memory before the file is written; on bad
input the command exits non-zero with a Vietnamese message and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ansinh.org.models import UnionUnit
from ansinh.reports import building, figures, selectors
from ansinh.reports.models import ReportSubmission, ReportTemplate
from ansinh.reports.periods import PeriodError, parse_period

FORMATS = ("docx", "xlsx")


class Command(BaseCommand):
    help = "Lập báo cáo chính thức (DOCX theo Nghị định 30/2020 hoặc phụ lục XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--template", required=True, help="Mã mẫu, ví dụ BC-NQ42-6THANG")
        parser.add_argument("--period", required=True, help="Kỳ: 2026H1, 2026H2, 2026, 2026Q1")
        parser.add_argument("--unit", required=True, help="Mã đơn vị: 01 (toàn thành phố), 00070")
        parser.add_argument("--format", required=True, dest="fmt", help="docx hoặc xlsx")
        parser.add_argument("--output", required=True, help="Tệp kết quả")

    def handle(self, *args, template, period, unit, fmt, output, **options):
        from ansinh.reports.documents import render_docx, render_xlsx

        fmt = (fmt or "").strip().lower()
        if fmt not in FORMATS:
            raise CommandError(f"Định dạng “{fmt}” không hợp lệ: dùng docx hoặc xlsx.")
        report_template = ReportTemplate.objects.filter(code=template.strip()).first()
        if report_template is None:
            known = ", ".join(
                ReportTemplate.objects.order_by("code").values_list("code", flat=True)
            )
            raise CommandError(
                f"Không có mẫu báo cáo “{template}”. Các mẫu hiện có: {known or 'chưa có'}."
            )
        try:
            the_period = parse_period(period, kind=report_template.period_type)
        except PeriodError as error:
            raise CommandError(str(error)) from error
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"Thư mục “{target.parent}” không tồn tại.")
        if target.is_dir():
            raise CommandError(f"“{target}” là một thư mục, hãy ghi tên tệp.")

        code = unit.strip()
        city = figures.city_union(code=code)
        if city is not None:
            report = selectors.city_report(
                template=report_template, period_code=the_period.code, city=city
            )
            document = building.city_document(report=report)
            summary = f"{report.approved}/{report.expected} đơn vị đã duyệt"
        else:
            commune = (
                UnionUnit.objects.filter(code=code, kind__in=figures.REPORTING_KINDS)
                .filter(figures.open_on(the_period.end))
                .first()
            )
            if commune is None:
                raise CommandError(
                    f"Không có đơn vị báo cáo mã “{code}” trong kỳ {the_period.code} "
                    "(dùng 01 cho toàn thành phố, hoặc mã xã, phường như 00070)."
                )
            submission = (
                ReportSubmission.objects.filter(
                    period__template=report_template, period__code=the_period.code, unit=commune
                )
                .select_related("unit", "period", "period__template")
                .first()
            )
            if submission is None:
                raise CommandError(
                    f"{commune.name} chưa mở báo cáo {report_template.code} kỳ {the_period.code}."
                )
            document = building.submission_document(submission=submission, city=_city_of(commune))
            summary = str(submission.get_status_display())
        content = render_docx(document) if fmt == "docx" else render_xlsx(document)
        target.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã ghi {target} ({len(content):,} byte; {summary}).".replace(",", ".")
            )
        )


def _city_of(unit: UnionUnit) -> UnionUnit:
    while unit.parent_id is not None:
        unit = unit.parent
    return unit
