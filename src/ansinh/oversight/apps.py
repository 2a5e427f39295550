from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "ansinh.oversight"
    label = "oversight"
    verbose_name = _("Giám sát và góp ý")
    nav: list = []
