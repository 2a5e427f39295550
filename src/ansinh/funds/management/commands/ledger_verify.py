"""`ansinh ledger-verify [FILE]`: check the hash chain in the database or in an export.

Exit code 0 when every entry holds; 1 with the first broken entry named otherwise.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ansinh.funds.ledger import read_export, verify_stream
from ansinh.funds.selectors import ledger_verify_database


class Command(BaseCommand):
    help = "Kiểm tra chuỗi mã băm của sổ cái (trong CSDL hoặc trong tệp đã công bố)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Tệp xuất sổ cái (.jsonl hoặc .jsonl.gz).")

    def handle(self, *args, file=None, **options):
        if file:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"Không có tệp “{file}”.")
            opener = gzip.open if path.name.endswith(".gz") else open
            try:
                with opener(path, "rt", encoding="utf-8") as stream:
                    result = verify_stream(read_export(stream))
            except (ValueError, KeyError, TypeError) as error:
                raise CommandError(f"Tệp không đúng định dạng xuất sổ cái: {error}") from None
        else:
            result = ledger_verify_database()
        count = f"{result.entries:,}".replace(",", ".")
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Sổ cái toàn vẹn: {count} bút toán; mã băm cuối {result.last_hash}."
                )
            )
            return
        raise CommandError(
            f"Sổ cái KHÔNG toàn vẹn: bút toán số {result.broken.seq}: {result.broken.reason}."
        )
