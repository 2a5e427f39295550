"""`ansinh worker`: run background jobs from the database queue.

Wraps django-tasks-db's `db_worker` with this project's defaults: queue `default`, poll every
second when idle (a progress bar starts within a second of the click), no autoreload (even in
DEBUG: a reload would cut a running import), and log lines on stdout. Start as many workers as
wanted, on any machine that reaches the same database: each claims a task with a row lock
(`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL), so a task runs once.
"""

import logging

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from ansinh.core.jobs import JOB_HANDLERS


class Command(DatabaseWorkerCommand):
    help = (
        "Chạy tiến trình xử lý công việc nền (nhập dữ liệu, tìm trùng, lập báo cáo...) từ hàng "
        "đợi trong cơ sở dữ liệu. Có thể chạy nhiều tiến trình trên nhiều máy cùng một cơ sở "
        "dữ liệu. Ví dụ: `ansinh worker`, `ansinh worker --batch` (chạy hết việc đang chờ rồi "
        "thoát), `ansinh worker --interval 5`. Dừng bằng Ctrl+C (chờ việc đang chạy xong; nhấn "
        "lần nữa để dừng ngay)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False, interval=1.0)
        for action in parser._actions:
            if action.dest == "reload":
                action.help = (
                    "Reload the worker on code changes (development only; a reload cuts a "
                    "running job). Default: off."
                )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        ansinh_logger = logging.getLogger("ansinh.jobs")
        ansinh_logger.setLevel(logging.WARNING if verbosity == 0 else logging.INFO)
        if not ansinh_logger.hasHandlers():
            ansinh_logger.addHandler(logging.StreamHandler(self.stdout))

    def handle(self, *args, **options):
        if options["verbosity"]:
            kinds = ", ".join(sorted(JOB_HANDLERS)) or "(chưa có)"
            interval = f"{options['interval']:g}".replace(".", ",")
            self.stdout.write(
                f"ansinh worker: hàng đợi {options['queue_name']}, kiểm tra mỗi {interval} s "
                f"khi rảnh; loại công việc: {kinds}"
            )
        return super().handle(*args, **options)
