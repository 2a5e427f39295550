from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ansinh.reports"
    label = "reports"
    verbose_name = _("Báo cáo định kỳ")
    nav = [
        {
            "label": _("Báo cáo định kỳ"),
            "url": "reports:submission_list",
            "icon": "file-earmark-bar-graph",
            "perm": "reports.view_reportsubmission",
            "group": "plans",
        },
        {
            "label": _("Báo cáo Thành phố"),
            "url": "reports:city_report",
            "icon": "bar-chart-line",
            "perm": "reports.approve_reportsubmission",
            "group": "plans",
        },
    ]
