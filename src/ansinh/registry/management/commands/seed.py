"""`ansinh seed --scale N [--unit CODE] [--seed 42]`: synthetic registry data.

Loads the province's units and union tree first when they are missing. Writes the injected
duplicate pairs to var/seed/duplicates-truth.csv for the deduplication benchmark.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ansinh.core.progress import ProgressLine
from ansinh.registry.synthetic import seed_people


class Command(BaseCommand):
    help = "Tạo dữ liệu đối tượng giả lập (hộ, người, diện, nhu cầu, bản ghi trùng cài sẵn)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True, help="Số người cần tạo.")
        parser.add_argument(
            "--unit", default=None, help="Chỉ tạo trong một xã/phường (mã, ví dụ 00070)."
        )
        parser.add_argument("--province", default=settings.ANSINH_PROVINCE_CODE)
        parser.add_argument("--seed", type=int, default=42, help="Hạt giống ngẫu nhiên.")

    def handle(self, *args, scale, unit, province, seed, **options):
        if scale < 1:
            raise CommandError("Số người (--scale) phải lớn hơn 0.")
        with ProgressLine(self.stderr, label="Tạo đối tượng") as line:
            try:
                result = seed_people(
                    scale=scale,
                    province_code=province,
                    unit_code=unit,
                    random_seed=seed,
                    progress=line,
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        rate = f"{result.rate:,.0f}".replace(",", ".")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {result.people} người trong {result.households} hộ "
                f"({result.duplicates} bản ghi trùng cài sẵn, {result.hard_negatives} người "
                f"trùng tên và năm sinh), {result.vulnerabilities} diện, {result.needs} nhu cầu "
                f"trong {result.seconds:.1f} s ({rate} người/s)."
            )
        )
        if result.index_seconds:
            self.stdout.write(
                f"Trong đó dựng lại chỉ mục và khóa ngoại: {result.index_seconds:.1f} s."
            )
        self.stdout.write(f"Cặp trùng đúng: {result.truth_path}")
