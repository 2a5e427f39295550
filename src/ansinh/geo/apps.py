from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "ansinh.geo"
    label = "geo"
    verbose_name = _("Đơn vị hành chính")
    nav = [
        {
            "label": _("Đơn vị hành chính"),
            "url": "geo:unit_list",
            "icon": "map",
            "perm": None,
            "group": "admin",
        },
    ]
