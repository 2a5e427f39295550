"""Forms of the funds pages (dates dd/mm/yyyy, money as integer đồng)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.org.models import UnionUnit

from .models import Donation

DATE_INPUT = ["%d/%m/%Y"]
MAX_STATEMENT_BYTES = 50 * 1024 * 1024


def _date_field(label):
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"class": "form-control", "placeholder": "dd/mm/yyyy"}
        ),
    )


def _text(**kwargs):
    return forms.CharField(widget=forms.TextInput(attrs={"class": "form-control"}), **kwargs)


def _money(label, **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        **kwargs,
    )


class CampaignForm(forms.Form):
    slug = forms.SlugField(
        label=_("Mã (không dấu, nối bằng gạch ngang)"),
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    title = _text(label=_("Tên cuộc vận động"), max_length=255)
    purpose = forms.CharField(
        label=_("Mục đích"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị tổ chức"),
        queryset=UnionUnit.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    receive_from = _date_field(_("Tiếp nhận từ ngày"))
    receive_until = _date_field(_("Tiếp nhận đến ngày"))
    bank_account = _text(label=_("Số tài khoản tiếp nhận"), max_length=40, required=False)
    bank_name = _text(label=_("Ngân hàng"), max_length=100, required=False)
    target = _money(_("Mục tiêu (đồng)"), required=False)
    is_public = forms.BooleanField(
        label=_("Công khai trên trang minh bạch"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            UnionUnit.objects.restrict(user, "view")
            .filter(valid_to__isnull=True, kind__in=["city", "commune"])
            .order_by("path")
        )


class StatementForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp sao kê (CSV hoặc XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".csv,.xlsx,.gz"}
        ),
    )
    bank = forms.ChoiceField(
        label=_("Ngân hàng"),
        choices=[("VCB", "Vietcombank")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 50 MB)."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".csv.gz")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv, .csv.gz hoặc .xlsx."))
        return upload


class DonationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Hình thức"),
        choices=Donation.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    donor_name = _text(label=_("Tên người ủng hộ"), max_length=255, required=False)
    shows_name_publicly = forms.BooleanField(
        label=_("Người ủng hộ đồng ý công khai tên"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    amount = _money(_("Số tiền (đồng)"), required=False)
    received_on = _date_field(_("Ngày nhận"))
    memo = _text(label=_("Nội dung"), max_length=500, required=False)
    item = _text(label=_("Hiện vật"), max_length=200, required=False)
    quantity = forms.IntegerField(
        label=_("Số lượng"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    unit_of_measure = _text(label=_("Đơn vị tính"), max_length=30, required=False)
    estimated_value = _money(_("Giá trị ước tính (đồng)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Donation.Kind.IN_KIND:
            if not data.get("item") or not data.get("quantity"):
                raise forms.ValidationError(_("Ủng hộ hiện vật cần tên hiện vật và số lượng."))
        elif not data.get("amount"):
            self.add_error("amount", _("Cần nhập số tiền lớn hơn 0."))
        return data


class ReviewForm(forms.Form):
    donor_name = _text(label=_("Tên người ủng hộ"), max_length=255)


class AllocationForm(forms.Form):
    round = forms.ModelChoiceField(
        label=_("Đợt hỗ trợ"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    amount = _money(_("Số tiền (đồng)"))
    note = _text(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        from ansinh.programmes.models import Round

        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = (
            Round.objects.restrict(user, "view")
            .exclude(status=Round.Status.CLOSED)
            .select_related("programme")
            .order_by("-id")
        )
