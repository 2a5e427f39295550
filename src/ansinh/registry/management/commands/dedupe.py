"""`ansinh dedupe [--unit CODE] [--export pairs.csv]`: find duplicate records and queue them.

Runs in this process (no worker needed): the pairs found are stored as pending
`DuplicateCandidate`s for the review pages (pairs already decided are left alone), and with
`--export` also written to a CSV with the columns `person_id_a,person_id_b,score`.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ansinh.core.progress import ProgressLine
from ansinh.registry.dedupe_jobs import UnknownUnit, dedupe_run, union_unit_for_code

CSV_COLUMNS = ("person_id_a", "person_id_b", "score")


class Command(BaseCommand):
    help = "Tìm các hồ sơ nghi trùng trong một đơn vị (hoặc toàn thành phố) và đưa vào hàng chờ."

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit",
            default="",
            help="Mã tỉnh/thành phố (01) hoặc xã/phường hiện hành (00070); mặc định: tất cả.",
        )
        parser.add_argument(
            "--export", default="", help="Ghi các cặp nghi trùng ra tệp CSV (person_id_a,...)."
        )

    def handle(self, *args, unit: str = "", export: str = "", **options):
        scope_path = None
        label = "tất cả"
        if unit:
            try:
                union = union_unit_for_code(unit)
            except UnknownUnit as exc:
                raise CommandError(str(exc)) from exc
            scope_path, label = union.path, union.name
        target = Path(export) if export else None
        if target is not None and not target.parent.exists():
            raise CommandError(f"Không có thư mục “{target.parent}” để ghi tệp CSV.")
        with ProgressLine(self.stderr, label="Tìm hồ sơ trùng") as line:
            result = dedupe_run(scope_path=scope_path, progress=line)
        pairs = result["pair_list"]
        if target is not None:
            with target.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(CSV_COLUMNS)
                for pair in pairs:
                    writer.writerow((pair.person_id_a, pair.person_id_b, f"{pair.score:.4f}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{label}: {result['pairs']} cặp nghi trùng; thêm mới {result['created']}, "
                f"cập nhật {result['updated']}, bỏ qua {result['skipped']} (đã xem xét hoặc "
                "không đổi)." + (f" Đã ghi {target}." if target is not None else "")
            )
        )
