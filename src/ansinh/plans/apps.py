from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "ansinh.plans"
    label = "plans"
    verbose_name = _("Kế hoạch")
    nav = [
        {
            "label": _("Kế hoạch"),
            "url": "plans:plan_list",
            "icon": "journal-text",
            "perm": None,
            "group": "plans",
        },
        {
            "label": _("Nhiệm vụ"),
            "url": "plans:task_list",
            "icon": "list-check",
            "perm": "plans.view_task",
            "group": "plans",
        },
    ]
