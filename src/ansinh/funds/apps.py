from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "ansinh.funds"
    label = "funds"
    verbose_name = _("Quỹ và vận động")
    nav: list = []
