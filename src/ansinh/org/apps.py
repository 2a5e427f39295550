from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "ansinh.org"
    label = "org"
    verbose_name = _("Tổ chức Hội")
    nav = [
        {
            "label": _("Tổ chức Hội"),
            "url": "org:unit_list",
            "icon": "diagram-3",
            "perm": "org.view_unionunit",
            "group": "admin",
        },
    ]
