"""`ansinh campaign-create SLUG --title TEXT --start dd/mm/yyyy --end dd/mm/yyyy [--account N]`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ansinh.funds.selectors import campaign_warnings
from ansinh.funds.services import campaign_create
from ansinh.org.models import UnionUnit


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(f"{option}: ngày “{value}” không hợp lệ (cần dd/mm/yyyy).") from None


class Command(BaseCommand):
    help = "Tạo cuộc vận động (mã, tên, thời gian tiếp nhận, tài khoản nhận)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--title", required=True)
        parser.add_argument("--start", required=True, help="dd/mm/yyyy")
        parser.add_argument("--end", required=True, help="dd/mm/yyyy")
        parser.add_argument("--account", default="", help="Số tài khoản tiếp nhận.")
        parser.add_argument(
            "--unit", default="", help="Mã đơn vị tổ chức (mặc định: Hội cấp tỉnh)."
        )
        parser.add_argument("--private", action="store_true", help="Không công khai.")

    def handle(self, *args, slug, title, start, end, account, unit, private, **options):
        start_date, end_date = _date(start, "--start"), _date(end, "--end")
        units = UnionUnit.objects.filter(valid_to__isnull=True)
        owner = (
            units.filter(code=unit).first() if unit else units.filter(parent__isnull=True).first()
        )
        if owner is None:
            raise CommandError(f"Không có đơn vị Hội mã “{unit or 'gốc'}” (đã nạp đơn vị chưa?).")
        try:
            campaign = campaign_create(
                actor=None,
                slug=slug,
                title=title,
                unit=owner,
                receive_from=start_date,
                receive_until=end_date,
                bank_account=account,
                is_public=not private,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Đã tạo cuộc vận động “{campaign.slug}”."))
        for warning in campaign_warnings(campaign):
            self.stdout.write(self.style.WARNING(warning))
