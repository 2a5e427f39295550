import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from ansinh.core.money import format_vnd, parse_vnd


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1250000, "1.250.000 ₫"), (-1250000, "-1.250.000 ₫"), (0, "0 ₫"), (999, "999 ₫")],
)
def test_format_vnd(amount, text):
    assert format_vnd(amount) == text


def test_format_vnd_refuses_fractions():
    with pytest.raises(TypeError):
        format_vnd(10.5)


@pytest.mark.parametrize(
    "text",
    ["1.250.000 ₫", "1,250,000", "1250000", "1.250.000đ", "1 250 000 VND", 1250000, "+1.250.000"],
)
def test_parse_vnd(text):
    assert parse_vnd(text) == 1250000


def test_parse_vnd_reads_negative_amounts():
    assert parse_vnd("-1.250.000 ₫") == -1250000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Chưa nhập số tiền."),
        ("1.250,50", "Số tiền “1.250,50” có phần lẻ: số tiền phải là số đồng nguyên."),
        ("12.34.567", "Số tiền “12.34.567” không hợp lệ: nhập số đồng, ví dụ 1.250.000."),
        ("một triệu", "Số tiền “một triệu” không hợp lệ: nhập số đồng, ví dụ 1.250.000."),
    ],
)
def test_parse_vnd_errors(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_vnd(text)
    assert caught.value.messages == [message]


def render(source: str, **context) -> str:
    return Template("{% load ansinh %}" + source).render(Context(context))


def test_template_filters():
    utc_evening = dt.datetime(2025, 6, 30, 18, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert render("{{ a|vnd }}", a=1250000) == "1.250.000 ₫"
    assert render("{{ d|vndate }}", d=dt.date(2024, 6, 5)) == "05/06/2024"
    # 18:30 UTC is 01:30 the next day in Hanoi.
    assert render("{{ d|vndate }}", d=utc_evening) == "01/07/2025"
    assert render("{{ d|vndatetime }}", d=utc_evening) == "01/07/2025 01:30"
    assert render("{{ p|phone }}", p="+84912345678") == "0912 345 678"
    assert render("{{ n|vnint }}", n=200364) == "200.364"
