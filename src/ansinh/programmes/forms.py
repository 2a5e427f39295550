"""Forms of the programmes pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ansinh.accounts.permissions import ALL, scope_paths
from ansinh.core.forms import VndField
from ansinh.org.models import UnionUnit

from .models import Delivery, Round

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def date_field(label, required=False, **kwargs):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        **kwargs,
    )


def proposing_units(user):
    """Units where the user may propose a round (city, district or commune unions)."""
    paths = scope_paths(user, "programmes.add_round")
    units = UnionUnit.objects.filter(
        kind__in=[UnionUnit.Kind.CITY, UnionUnit.Kind.DISTRICT, UnionUnit.Kind.COMMUNE]
    )
    if paths is ALL:
        return units.order_by("path")
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition).order_by("path") if paths else units.none()


class RuleCheckForm(StyledForm):
    rule = forms.CharField(
        label=gettext_lazy("Điều kiện"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )


class RoundForm(StyledForm):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị đề xuất"), queryset=UnionUnit.objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Tên đợt"), max_length=200)
    rule = forms.CharField(
        label=gettext_lazy("Điều kiện xét chọn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    budget = VndField(label=gettext_lazy("Kinh phí (đồng)"), required=False, min_value=0)
    amount_per_person = VndField(
        label=gettext_lazy("Mức hỗ trợ mỗi người (đồng)"), required=False, min_value=0
    )
    items = forms.CharField(label=gettext_lazy("Hiện vật mỗi suất"), max_length=255, required=False)
    funding_source = forms.CharField(
        label=gettext_lazy("Nguồn kinh phí"), max_length=255, required=False
    )
    quota_mode = forms.ChoiceField(
        label=gettext_lazy("Cách phân bổ"), choices=Round.QuotaMode.choices
    )
    quotas = forms.CharField(
        label=gettext_lazy("Chỉ tiêu cố định"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "00070: 20"}),
        help_text=gettext_lazy("Mỗi dòng một xã/phường: mã xã/phường, dấu hai chấm, số người."),
    )
    starts_on = date_field(gettext_lazy("Từ ngày"))
    ends_on = date_field(gettext_lazy("Đến ngày"))
    reference_date = date_field(
        gettext_lazy("Ngày xét điều kiện"), help_text=gettext_lazy("Bỏ trống: ngày lập danh sách.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = proposing_units(user)

    def clean_quotas(self):
        text = self.cleaned_data.get("quotas") or ""
        quotas = {}
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            code, sep, count = line.partition(":")
            if not sep or not count.strip().isdigit() or not code.strip():
                raise forms.ValidationError(
                    _('Dòng %(n)s: cần viết "mã xã/phường: số người", ví dụ "00070: 20".')
                    % {"n": number}
                )
            quotas[code.strip()] = int(count.strip())
        return quotas


class ReasonForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Lý do"), max_length=255)


class AddForm(ReasonForm):
    person = forms.IntegerField(
        label=gettext_lazy("Mã số đối tượng"), min_value=1, widget=forms.NumberInput()
    )


class DeliveryForm(StyledForm):
    delivered_on = date_field(gettext_lazy("Ngày trao"), required=True)
    amount = VndField(label=gettext_lazy("Số tiền (đồng)"), required=False, min_value=0)
    items = forms.CharField(label=gettext_lazy("Hiện vật"), max_length=255, required=False)
    evidence = forms.FileField(
        label=gettext_lazy("Minh chứng (ảnh chụp, danh sách ký nhận)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )
    acknowledged = forms.BooleanField(label=gettext_lazy("Người nhận đã xác nhận"), required=False)
    acknowledged_how = forms.ChoiceField(
        label=gettext_lazy("Hình thức xác nhận"),
        choices=Delivery.Acknowledgement.choices,
        initial=Delivery.Acknowledgement.NONE,
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()


class LeftBehindForm(forms.Form):
    months = forms.IntegerField(min_value=0, max_value=120, required=False)
