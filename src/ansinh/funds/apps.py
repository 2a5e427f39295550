from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "ansinh.funds"
    label = "funds"
    verbose_name = _("Quỹ và vận động")
    nav = [
        {
            "label": _("Vận động, ủng hộ"),
            "url": "funds:campaign_list",
            "icon": "piggy-bank",
            "perm": "funds.view_campaign",
            "group": "funds",
        },
    ]
