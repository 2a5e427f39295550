from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ansinh.demo.services import DEMO_LOGINS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Migrate and load the demo data set (Hanoi units, union tree, demo logins, the plan)."

    def add_arguments(self, parser):
        parser.add_argument("--province", default=settings.ANSINH_PROVINCE_CODE)
        parser.add_argument("--no-migrate", action="store_true", help="Do not run migrate first.")

    def handle(self, *args, province, no_migrate, **options):
        if not no_migrate:
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            call_command("migrate", interactive=False, verbosity=0)
        try:
            demo_load(province_code=province, say=lambda text: self.stdout.write(text))
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"\nTài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):"))
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<10} {login.description}")
