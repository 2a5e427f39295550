from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ansinh.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")
    # Navigation entries this app contributes (see core.navigation).
    nav = [
        {"label": _("Trang chủ"), "url": "core:home", "icon": "house", "perm": None},
        {
            "label": _("Công việc nền"),
            "url": "core:job_list",
            "icon": "hourglass",
            "perm": "core.view_job",
            "group": "admin",
        },
        {
            "label": _("Nhật ký kiểm tra"),
            "url": "core:audit_list",
            "icon": "shield",
            "perm": "core.view_auditevent",
            "group": "admin",
        },
    ]

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import signals  # noqa: F401

        # Each app's jobs.py registers its job handlers (core.jobs.job_handler).
        autodiscover_modules("jobs")
        # Each app's indicators.py registers its computed report figures (core.indicators).
        autodiscover_modules("indicators")
