from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data set: `ansinh demo`. No models; refuses to run outside DEBUG."""

    name = "ansinh.demo"
    label = "demo"
    verbose_name = _("Dữ liệu mẫu")
