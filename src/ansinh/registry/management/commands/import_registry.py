"""`ansinh import-registry FILE --unit CODE [--dry-run]` and `--template OUT.xlsx`.

The same validation and commit as the import page, run in this process. Every error is
printed as `Dòng 12, cột "Ngày sinh": …`; the exit code is non-zero when anything was refused,
and nothing is written then (nor with `--dry-run`).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ansinh.core.progress import ProgressLine
from ansinh.geo.models import AdminUnit
from ansinh.registry.importing.services import import_file_run, unit_for_code
from ansinh.registry.importing.template import template_bytes


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = "Nhập danh sách đối tượng từ tệp XLSX/CSV, hoặc ghi tệp mẫu (--template)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Tệp .xlsx hoặc .csv cần nhập.")
        parser.add_argument(
            "--unit", help="Mã đơn vị: xã/phường (ví dụ 00070) hoặc tỉnh/thành phố (01)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì vào cơ sở dữ liệu."
        )
        parser.add_argument("--template", metavar="OUT.xlsx", help="Ghi tệp mẫu rồi dừng.")
        parser.add_argument(
            "--choose",
            action="append",
            default=[],
            metavar="DÒNG=MÃ_XÃ",
            help="Với xã/phường cũ bị chia: chọn xã/phường mới cho một dòng (lặp lại được).",
        )

    def handle(self, *args, file=None, unit=None, dry_run=False, template=None, choose=(), **kw):
        if template:
            Path(template).write_bytes(template_bytes())
            self.stdout.write(self.style.SUCCESS(f"Đã ghi tệp mẫu {template}."))
            return
        if not file:
            raise CommandError("Thiếu tệp cần nhập (hoặc --template OUT.xlsx).")
        if not unit:
            raise CommandError("Thiếu --unit: mã xã/phường (ví dụ 00070) hoặc tỉnh (01).")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp “{file}”.")
        union = unit_for_code(unit)
        if union is None:
            raise CommandError(f"Không có Hội cơ sở hoặc Hội tỉnh/thành phố mã “{unit}”.")
        choices = self._choices(choose, union)

        with ProgressLine(self.stderr, label="Kiểm tra") as line:
            outcome = import_file_run(
                content=path.read_bytes(),
                file_name=path.name,
                unit=union,
                dry_run=dry_run,
                choices=choices,
                progress=line,
            )
        if outcome.earlier is not None:
            when = outcome.earlier.committed_at
            self.stdout.write(
                f"Tệp này đã được nhập cho {union.name} (đợt #{outcome.earlier.pk}"
                + (f", {when:%d/%m/%Y}" if when else "")
                + "): không có gì để làm."
            )
            return
        validation = outcome.validation
        counts = validation.counts()
        for item in validation.errors:
            where = f"Dòng {item['row']}" if item.get("row") else "Tệp"
            column = f', cột "{item["column"]}"' if item.get("column") else ""
            candidates = ""
            if item.get("candidates"):
                codes = dict(
                    AdminUnit.objects.filter(
                        pk__in=[pk for pk, _name in item["candidates"]]
                    ).values_list("id", "code")
                )
                candidates = " Chọn bằng " + ", ".join(
                    f"--choose {item['row']}={codes[pk]} ({name})"
                    for pk, name in item["candidates"]
                )
            self.stdout.write(f"{where}{column}: {item['message']}{candidates}")
        self.stdout.write(
            f"{_number(counts['rows'])} dòng: {_number(counts['people_new'])} người mới "
            f"({_number(counts['households_new'])} hộ mới), "
            f"{_number(counts['people_existing'])} người đã có; "
            f"{_number(len(validation.errors))} lỗi."
        )
        if validation.errors:
            raise CommandError(
                f"Tệp có {_number(len(validation.errors))} lỗi ở "
                f"{_number(validation.error_rows)} dòng: chưa ghi gì."
            )
        if dry_run:
            self.stdout.write("Chạy thử (--dry-run): không ghi gì.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã ghi đợt nhập #{outcome.batch.pk}: {_number(outcome.counts['people_created'])} "
                f"người, {_number(outcome.counts['households_created'])} hộ."
            )
        )

    def _choices(self, items, union) -> dict[str, int]:
        choices = {}
        for item in items:
            row, _sep, code = item.partition("=")
            commune = AdminUnit.objects.filter(
                era=AdminUnit.Era.POST_2025, level=AdminUnit.Level.COMMUNE, code=code.strip()
            ).first()
            if not row.strip().isdigit() or commune is None:
                raise CommandError(f"--choose “{item}”: ghi DÒNG=MÃ_XÃ, ví dụ --choose 12=00070.")
            choices[row.strip()] = commune.pk
        return choices
