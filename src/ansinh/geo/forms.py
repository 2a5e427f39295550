from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AdminUnit
from .selectors import units_data_provinces


class UnitFilterForm(forms.Form):
    """GET filters of the unit list. An empty era means all eras; the page defaults to the
    current (post-2025) units when no era is given at all."""

    era = forms.ChoiceField(
        label=_("Thời kỳ"),
        required=False,
        choices=[("all", _("Tất cả"))] + list(AdminUnit.Era.choices),
    )
    level = forms.ChoiceField(
        label=_("Cấp"), required=False, choices=[("", _("Mọi cấp"))] + list(AdminUnit.Level.choices)
    )
    province = forms.CharField(label=_("Tỉnh/thành phố"), required=False, max_length=3)
    parent = forms.IntegerField(label=_("Đơn vị cấp trên"), required=False, min_value=1)
    q = forms.CharField(label=_("Tìm theo tên hoặc mã"), required=False, max_length=120)


class UnitLoadForm(forms.Form):
    province_code = forms.ChoiceField(label=_("Tỉnh/thành phố (sau 01/7/2025)"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province_code"].choices = [
            (code, f"{code} – {name}") for code, name in units_data_provinces()
        ]
