"""Forms of the org pages: branches (chi hội) of a commune union, affiliated units."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.geo.models import Locality


class BranchCreateForm(forms.Form):
    locality_kind = forms.ChoiceField(
        label=_("Loại địa bàn"), choices=Locality.Kind.choices, initial=Locality.Kind.VILLAGE
    )
    locality_name = forms.CharField(
        label=_("Tên thôn, tổ dân phố"),
        max_length=120,
        help_text=_("Ví dụ: Thôn Đoài, Tổ dân phố số 5."),
    )
    name = forms.CharField(
        label=_("Tên chi hội"),
        max_length=200,
        required=False,
        help_text=_("Bỏ trống để đặt theo tên thôn, tổ dân phố (Chi hội Thôn Đoài)."),
    )


class BranchUpdateForm(forms.Form):
    name = forms.CharField(label=_("Tên chi hội"), max_length=200)
    locality_name = forms.CharField(label=_("Tên thôn, tổ dân phố"), max_length=120, required=False)


class AffiliatedCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Tên đơn vị trực thuộc"),
        max_length=200,
        help_text=_("Ví dụ: Trung tâm Hỗ trợ phụ nữ khởi nghiệp."),
    )
    code = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=32,
        required=False,
        help_text=_("Bỏ trống để hệ thống tự đặt mã."),
    )
