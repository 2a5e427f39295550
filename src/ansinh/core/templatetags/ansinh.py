"""Template filters for Vietnamese display: `{% load ansinh %}`.

`{{ amount|vnd }}` → 1.250.000 ₫, `{{ when|vndate }}` → 05/06/2024 (local time),
`{{ when|vndatetime }}` → 05/06/2024 14:30, `{{ e164|phone }}` → 0912 345 678,
`{{ number|vnint }}` → 12.345 (dot thousands whatever the active language).
"""

import datetime as dt

from django import template
from django.utils import timezone

from ansinh.core.money import format_vnd
from ansinh.core.validators import format_phone_display

register = template.Library()


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def vnd(value):
    if value in (None, ""):
        return ""
    try:
        return format_vnd(int(value))
    except (TypeError, ValueError):
        return value


@register.filter
def vndate(value):
    if not isinstance(value, dt.date):
        return "" if value is None else value
    return _local(value).strftime("%d/%m/%Y")


@register.filter
def vndatetime(value):
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    return vndate(value)


@register.filter
def phone(value):
    return format_phone_display(value) if value else ""


@register.filter
def vnint(value):
    if value in (None, ""):
        return ""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return f"{number:,}".replace(",", ".")
