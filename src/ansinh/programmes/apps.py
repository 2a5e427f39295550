from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "ansinh.programmes"
    label = "programmes"
    verbose_name = _("Chương trình hỗ trợ")
    nav = [
        {
            "label": _("Chương trình hỗ trợ"),
            "url": "programmes:programme_list",
            "icon": "gift",
            "perm": "programmes.view_programme",
            "group": "support",
        },
        {
            "label": _("Vay vốn, học nghề, việc làm"),
            "url": "programmes:loan_list",
            "icon": "briefcase",
            "perm": "programmes.view_loanfacilitation",
            "group": "support",
        },
    ]

    def ready(self) -> None:
        from . import hooks

        hooks.install()
