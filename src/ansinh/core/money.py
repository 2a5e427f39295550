"""Money is an integer number of đồng (VND has no subunit in use).

Stored as integers (`BigIntegerField`), never floats or decimals; shown `1.250.000 ₫`; read
back from what people type or paste: `1.250.000 ₫`, `1,250,000`, `1250000`, `1.250.000đ`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CURRENCY_SIGN = "₫"

# Currency words and signs people append, longest first so "vnđ" goes before "đ".
_CURRENCY = re.compile(r"(vnđ|vnd|đồng|dong|₫|đ)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
# 1-3 digits, then groups of exactly three separated by one consistent separator.
_GROUPED = re.compile(r"^\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*$")


def format_vnd(amount: int | None) -> str:
    """1250000 → "1.250.000 ₫"; -5000 → "-5.000 ₫"; None → ""."""
    if amount is None:
        return ""
    if isinstance(amount, bool) or int(amount) != amount:
        raise TypeError(f"an amount of money is a whole number of đồng, not {amount!r}")
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + f" {CURRENCY_SIGN}"


def parse_vnd(value) -> int:
    """Whole đồng from "1.250.000 ₫", "1,250,000", "1250000" (and ints); ValidationError else."""
    if isinstance(value, bool):
        raise ValidationError(_("Số tiền không hợp lệ."), code="invalid")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(
                _("Số tiền phải là số đồng nguyên, không có phần lẻ."), code="fraction"
            )
        return int(value)
    original = "" if value is None else str(value).strip()
    if not original:
        raise ValidationError(_("Chưa nhập số tiền."), code="required")
    text = _SPACES.sub("", _CURRENCY.sub("", original))
    sign = 1
    if text[:1] in ("-", "−"):
        sign, text = -1, text[1:]
    elif text[:1] == "+":
        text = text[1:]
    if text.isascii() and text.isdigit():
        return sign * int(text)
    if _GROUPED.match(text):
        return sign * int(re.sub(r"[.,]", "", text))
    if re.fullmatch(r"[\d.,]*\d[.,]\d{1,2}", text):
        raise ValidationError(
            _("Số tiền “%(value)s” có phần lẻ: số tiền phải là số đồng nguyên.")
            % {"value": original},
            code="fraction",
        )
    raise ValidationError(
        _("Số tiền “%(value)s” không hợp lệ: nhập số đồng, ví dụ 1.250.000.") % {"value": original},
        code="invalid",
    )


__all__ = ["CURRENCY_SIGN", "format_vnd", "parse_vnd"]
