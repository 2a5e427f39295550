"""The public donation search form: name fragment, amount, dates (all optional)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ansinh.core.money import parse_vnd
from ansinh.core.text import fold

MIN_FRAGMENT = 2
MAX_FRAGMENT = 100
MAX_SPAN_DAYS = 3660


class DonationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tên hoặc nội dung chuyển khoản"), required=False, max_length=MAX_FRAGMENT
    )
    amount = forms.CharField(label=_("Số tiền (đồng)"), required=False, max_length=30)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy.")},
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy.")},
    )

    def clean_q(self) -> str:
        folded = fold(self.cleaned_data.get("q"))
        if folded and len(folded.replace(" ", "")) < MIN_FRAGMENT:
            raise ValidationError(
                _("Nhập ít nhất %(count)d chữ cái của tên.") % {"count": MIN_FRAGMENT}
            )
        return folded

    def clean_amount(self) -> int | None:
        raw = (self.cleaned_data.get("amount") or "").strip()
        if not raw:
            return None
        amount = parse_vnd(raw)
        if amount <= 0:
            raise ValidationError(_("Số tiền phải lớn hơn 0."))
        return amount

    def clean(self):
        cleaned = super().clean()
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        if start and end and (end - start).days > MAX_SPAN_DAYS:
            raise ValidationError(_("Khoảng ngày quá dài."))
        return cleaned
