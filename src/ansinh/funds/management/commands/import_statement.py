"""`ansinh import-statement FILE --campaign SLUG [--bank VCB]` with a progress line.

All-or-nothing: a bad row is printed with its row number and column, the exit code is
non-zero and nothing is saved. Importing the same file again adds nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ansinh.core.progress import ProgressLine
from ansinh.funds.models import Campaign
from ansinh.funds.statements import StatementRefused, statement_import


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = "Nhập sao kê ngân hàng (CSV/XLSX) vào một cuộc vận động."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True, help="Mã cuộc vận động.")
        parser.add_argument("--bank", default="VCB", help="Ngân hàng (cấu hình cột), mặc định VCB.")

    def handle(self, *args, file, campaign, bank, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp “{file}”.")
        target = Campaign.objects.filter(slug=campaign).first()
        if target is None:
            raise CommandError(f"Không có cuộc vận động mã “{campaign}”.")
        line = ProgressLine(self.stderr, label="Nhập sao kê")
        try:
            result = statement_import(
                campaign=target, path=path, actor=None, bank=bank, progress=line
            )
        except StatementRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError("Tệp bị từ chối: không có dòng nào được lưu.") from None
        line.finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đọc {_number(result.lines_read)} dòng; thêm {_number(result.lines_added)} khoản "
                f"ủng hộ, {_number(result.amount_added)} ₫; "
                f"{_number(result.lines_to_review)} dòng chờ xác định người ủng hộ."
            )
        )
