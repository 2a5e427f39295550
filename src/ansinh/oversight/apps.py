from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "ansinh.oversight"
    label = "oversight"
    verbose_name = _("Giám sát và góp ý")
    nav = [
        {
            "label": _("Giám sát, phản biện"),
            "url": "oversight:activity_list",
            "icon": "clipboard-check",
            "perm": "oversight.view_supervisionactivity",
            "group": "voice",
        },
        {
            "label": _("Góp ý, kiến nghị"),
            "url": "oversight:feedback_list",
            "icon": "chat-left-text",
            "perm": "oversight.view_feedback",
            "group": "voice",
        },
    ]
