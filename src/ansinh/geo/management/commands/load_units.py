"""`ansinh load-units --province 01`: load a province's administrative units (both eras)."""

from django.core.management.base import BaseCommand, CommandError

from ansinh.geo.services import UnitsLoadError, units_load


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính của một tỉnh/thành phố (trước và sau 01/7/2025)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            required=True,
            help="Mã tỉnh/thành phố sau 01/7/2025, ví dụ 01 (Hà Nội), 79 (TP Hồ Chí Minh).",
        )

    def handle(self, *args, province: str, **options):
        last_percent = -1

        def progress(done: int, total: int) -> None:
            nonlocal last_percent
            percent = int(done * 100 / total) if total else 100
            if percent != last_percent:
                last_percent = percent
                self.stdout.write(f"\rĐang nạp: {done}/{total} ({percent}%)", ending="")
                self.stdout.flush()

        try:
            counts = units_load(province_code=province, progress=progress)
        except UnitsLoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                "Đã nạp tỉnh/thành phố {code}: {communes} xã/phường mới ({wards} phường, "
                "{rural} xã); trước 01/7/2025: {old_provinces} tỉnh, {old_districts} quận/huyện, "
                "{old_communes} xã/phường; {successions} liên kết kế thừa. "
                "Thêm mới {created} đơn vị, cập nhật {updated}; liên kết: thêm {s_created}, "
                "cập nhật {s_updated}, xóa {s_deleted}.".format(
                    code=province,
                    communes=counts["communes"],
                    wards=counts["wards"],
                    rural=counts["rural_communes"],
                    old_provinces=counts["old_provinces"],
                    old_districts=counts["old_districts"],
                    old_communes=counts["old_communes"],
                    successions=counts["successions"],
                    created=counts["units_created"],
                    updated=counts["units_updated"],
                    s_created=counts["successions_created"],
                    s_updated=counts["successions_updated"],
                    s_deleted=counts["successions_deleted"],
                )
            )
        )
