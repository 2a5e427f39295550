"""Form fields for the identifiers and amounts every module collects.

`CitizenIdField` checks the number's own structure; the checks against the person's sex and
date of birth need the other fields, so a form's `clean()` calls
`validate_citizen_id(number, sex=..., birth_date=...)` and attaches the error to the field:

    def clean(self):
        data = super().clean()
        if data.get("citizen_id"):
            try:
                validate_citizen_id(data["citizen_id"], sex=data.get("sex"),
                                    birth_date=data.get("birth_date"))
            except ValidationError as error:
                self.add_error("citizen_id", error)
        return data
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from .money import format_vnd, parse_vnd
from .validators import format_phone_display, normalize_phone, parse_citizen_id


class CitizenIdField(forms.CharField):
    """A 12-digit citizen ID, cleaned to its digits ("001 085 000123" → "001085000123")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "numeric")
        attrs.setdefault("autocomplete", "off")
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        return parse_citizen_id(value).number


class PhoneField(forms.CharField):
    """A phone number, cleaned to E.164 and shown back as "0912 345 678"."""

    def __init__(self, *, region: str = "VN", **kwargs):
        self.region = region
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "tel")
        attrs.setdefault("autocomplete", "tel")
        return attrs

    def prepare_value(self, value):
        if isinstance(value, str) and value.startswith("+"):
            return format_phone_display(value)
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        return normalize_phone(value, self.region)


class VndField(forms.CharField):
    """An amount in whole đồng; accepts "1.250.000 ₫", "1,250,000", "1250000"."""

    def __init__(self, *, min_value: int | None = None, **kwargs):
        self.min_value = min_value
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", "numeric")
        return attrs

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_vnd(value)
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        amount = parse_vnd(value)
        if self.min_value is not None and amount < self.min_value:
            raise forms.ValidationError(
                _("Số tiền phải từ %(min)s trở lên.") % {"min": format_vnd(self.min_value)},
                code="min_value",
            )
        return amount
