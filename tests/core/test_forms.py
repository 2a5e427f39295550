from django import forms

from ansinh.core.forms import CitizenIdField, PhoneField, VndField


class PersonForm(forms.Form):
    citizen_id = CitizenIdField(label="Số CCCD", required=False)
    phone = PhoneField(label="Điện thoại", required=False)
    amount = VndField(label="Số tiền", required=False, min_value=0)


def test_fields_clean_to_stored_forms():
    form = PersonForm(
        {"citizen_id": "79185012345", "phone": "0912.345.678", "amount": "1.250.000 ₫"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "citizen_id": "079185012345",
        "phone": "+84912345678",
        "amount": 1250000,
    }


def test_fields_report_errors_in_vietnamese():
    form = PersonForm({"citizen_id": "003185012345", "phone": "0123456789", "amount": "-5"})
    assert not form.is_valid()
    assert form.errors["citizen_id"] == [
        "Mã tỉnh nơi đăng ký khai sinh “003” (3 chữ số đầu của số CCCD) không có trong "
        "danh mục 63 tỉnh, thành phố."
    ]
    assert form.errors["phone"] == [
        "Số điện thoại “0123456789” không hợp lệ: số di động Việt Nam có 10 chữ số, bắt đầu "
        "bằng 03, 05, 07, 08 hoặc 09."
    ]
    assert form.errors["amount"] == ["Số tiền phải từ 0 ₫ trở lên."]


def test_stored_values_are_shown_back_for_people():
    form = PersonForm(initial={"phone": "+84912345678", "amount": 1250000})
    assert 'value="0912 345 678"' in str(form["phone"])
    assert 'value="1.250.000 ₫"' in str(form["amount"])
