from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ansinh.registry"
    label = "registry"
    verbose_name = _("Dữ liệu phụ nữ, trẻ em khó khăn")
    nav = [
        {
            "label": _("Đối tượng"),
            "url": "registry:person_list",
            "icon": "people-fill",
            "perm": "registry.view_person",
            "group": "registry",
        },
        {
            "label": _("Thống kê đối tượng"),
            "url": "registry:counts",
            "icon": "bar-chart",
            "perm": "registry.count_person",
            "group": "registry",
        },
    ]
