from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "ansinh.outreach"
    label = "outreach"
    verbose_name = _("Tuyên truyền và mô hình")
    nav = [
        {
            "label": _("Tuyên truyền, mô hình"),
            "url": "outreach:index",
            "icon": "megaphone",
            "perm": "outreach.count_communicationactivity",
            "group": "voice",
        },
    ]

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from ansinh.registry.panels import register_panel
        from ansinh.registry.selectors import holds_over

        from . import selectors

        register_panel(
            "outreach.commendations",
            title=gettext_lazy("Khen thưởng"),
            template="outreach/_person_panel.html",
            context=lambda request, person: {
                "commendations": selectors.person_commendations(user=request.user, person=person),
                "can_commend": holds_over(
                    request.user, "outreach.add_commendation", person.scope_path
                ),
            },
            permission="outreach.view_commendation",
            order=60,
        )
