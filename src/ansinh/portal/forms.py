"""The public donation search form: name fragment, amount, dates (all optional).

The amount is one box: `50.000` finds exactly 50.000 ₫, `50.000-200.000` (or "50.000 đến
200.000") a range. A fragment that holds a long number (an account, a phone, a citizen ID)
is refused: public pages mask those numbers, and searching by them would undo the mask.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ansinh.core.money import parse_vnd
from ansinh.core.text import fold

from .privacy import mask_numbers
from .selectors import DonationFilters

MIN_FRAGMENT = 2
MAX_FRAGMENT = 100
MAX_SPAN_DAYS = 3660
_RANGE = re.compile(r"^(?P<low>.*?\d.*?)\s*(?:[-–—]|đến|den)\s*(?P<high>.*\d.*)$", re.IGNORECASE)


class DonationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tên hoặc nội dung chuyển khoản"), required=False, max_length=MAX_FRAGMENT
    )
    amount = forms.CharField(label=_("Số tiền (đồng)"), required=False, max_length=40)
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
        if folded and not re.search(r"[a-z0-9]", folded):
            raise ValidationError(_("Nhập tên bằng chữ cái tiếng Việt hoặc không dấu."))
        if mask_numbers(folded) != folded:
            raise ValidationError(
                _("Không tìm theo số tài khoản, số điện thoại hay số giấy tờ: hãy nhập tên.")
            )
        return folded

    def clean_amount(self) -> tuple[int, int] | None:
        """(lowest, highest) đồng; equal for an exact amount."""
        raw = (self.cleaned_data.get("amount") or "").strip()
        if not raw:
            return None
        match = _RANGE.match(raw)
        low, high = (match.group("low"), match.group("high")) if match else (raw, raw)
        amounts = (parse_vnd(low), parse_vnd(high))
        if min(amounts) <= 0:
            raise ValidationError(_("Số tiền phải lớn hơn 0."))
        if amounts[0] > amounts[1]:
            raise ValidationError(
                _("Khoảng số tiền phải viết từ nhỏ đến lớn, ví dụ 50.000-200.000.")
            )
        return amounts

    def clean(self):
        cleaned = super().clean()
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        if start and end and (end - start).days > MAX_SPAN_DAYS:
            raise ValidationError(_("Khoảng ngày quá dài."))
        return cleaned

    def filters(self) -> DonationFilters:
        """The cleaned search as selector filters (call after is_valid())."""
        data = self.cleaned_data
        amount = data.get("amount")
        return DonationFilters(
            fragment=data.get("q") or "",
            amount_min=amount[0] if amount else None,
            amount_max=amount[1] if amount else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def is_empty(self) -> bool:
        return not any(self.data.get(name) for name in self.fields)
