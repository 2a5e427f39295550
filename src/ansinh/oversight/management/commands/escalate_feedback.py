from django.core.management.base import BaseCommand

from ansinh.oversight.services import escalate_overdue


class Command(BaseCommand):
    help = (
        "Chuyển góp ý quá hạn lên đơn vị cấp trên. Chạy mỗi 15 phút bằng cron/systemd timer; "
        "chạy lại nhiều lần không chuyển trùng."
    )

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(self.style.SUCCESS(f"Đã chuyển {count} góp ý quá hạn lên cấp trên."))
