import pytest
from django.core.exceptions import ValidationError

from ansinh.core.validators import format_phone_display, normalize_phone


@pytest.mark.parametrize(
    "value",
    ["091 234 5678", "0912.345.678", "+84912345678", "84912345678", "912345678", "0912-345-678"],
)
def test_usual_spellings_normalise_to_e164(value):
    assert normalize_phone(value) == "+84912345678"


def test_landline_keeps_its_area_code():
    assert normalize_phone("024 3825 1234") == "+842438251234"
    assert format_phone_display("+842438251234") == "024 3825 1234"


def test_display_is_the_vietnamese_way():
    assert format_phone_display("+84912345678") == "0912 345 678"
    assert format_phone_display("+14155552671") == "+1 415-555-2671"
    assert format_phone_display("") == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Chưa nhập số điện thoại."),
        ("09x2345678", "Số điện thoại “09x2345678” có ký tự không phải chữ số."),
        (
            "0123456789",
            "Số điện thoại “0123456789” không hợp lệ: số di động Việt Nam có 10 chữ số, bắt đầu "
            "bằng 03, 05, 07, 08 hoặc 09.",
        ),
        (
            "0912",
            "Số điện thoại “0912” không hợp lệ: số di động Việt Nam có 10 chữ số, bắt đầu "
            "bằng 03, 05, 07, 08 hoặc 09.",
        ),
    ],
)
def test_invalid_numbers_are_refused_in_vietnamese(value, message):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(value)
    assert caught.value.messages == [message]
