"""`ansinh reach-rebuild`: re-derive the reach tables (who was reached first/last, how many
times, in total and per programme) from every delivery, in two set-based statements.

Run it after an upgrade or after loading deliveries in bulk without the services (COPY,
raw INSERT); the delivery services keep the tables up to date on their own."""

import time

from django.core.management.base import BaseCommand

from ansinh.programmes.reach import reach_rebuild


class Command(BaseCommand):
    help = "Tính lại bảng “đã được hỗ trợ” (lần đầu, lần gần nhất, số lần) từ các lần trao."

    def handle(self, *args, **options):
        self.stdout.write("Đang tính lại từ các lần trao hỗ trợ…")
        started = time.perf_counter()
        counts = reach_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong trong {time.perf_counter() - started:.1f} giây: "
                f"{counts['people']:,} người, {counts['programme_rows']:,} dòng theo chương trình."
            )
        )
