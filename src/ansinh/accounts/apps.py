from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ansinh.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản")
    nav = [
        {
            "label": _("Người dùng"),
            "url": "accounts:user_list",
            "icon": "people",
            "perm": "accounts.view_user",
            "group": "admin",
        },
    ]

    def ready(self) -> None:
        from . import signals  # noqa: F401
