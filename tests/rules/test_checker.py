"""Type checking against a context: names, functions, signatures, choices, constants."""

import datetime as dt
from decimal import Decimal

import pytest

from ansinh.rules.checker import NUMBER, Choice, Context, NameSpec, Option, parse_rule
from ansinh.rules.errors import RuleError
from ansinh.rules.person import PersonContext
from ansinh.rules.services import rule_parse

pytestmark = pytest.mark.django_db


def error_of(text: str, context=None) -> RuleError:
    with pytest.raises(RuleError) as caught:
        rule_parse(text, context)
    return caught.value


@pytest.mark.parametrize(
    ("text", "message", "pointed"),
    [
        (
            'has("HO_NGHEOO")',
            'Không có mã diện đối tượng "HO_NGHEOO" — có phải "HO_NGHEO"?',
            '"HO_NGHEOO"',
        ),
        ('need("VONN")', 'Không có mã nhu cầu "VONN" — có phải "VON"?', '"VONN"'),
        ("agee >= 60", 'Không biết tên "agee" — có phải "age"?', "agee"),
        ('hass("HO_NGHEO")', 'Không biết hàm "hass" — có phải "has"?', "hass"),
        ('age >= 60 and not recieved("QUA_TET")', 'Không biết hàm "recieved"', "recieved"),
        ("has >= 1", '"has" là một hàm: viết has(…)', "has"),
        ("age() > 1", '"age" không phải là hàm; bỏ dấu ngoặc', "age"),
        ("is_union_member = 1", "Không so sánh được đúng/sai với số", "="),
        ("age > true", "Không so sánh được số với đúng/sai", ">"),
        ('age = "60"', "Không so sánh được số với chuỗi", "="),
        ('sex < "nu"', 'Phép "<" chỉ dùng cho số hoặc ngày, không dùng cho giới tính', "<"),
        ('sex = "nuu"', 'Không có giới tính "nuu" — có phải "nu"?', '"nuu"'),
        (
            'poverty = "giau"',
            'Không có mức nghèo của hộ "giau" — các giá trị: "ngheo", "can_ngheo", "khong"',
            '"giau"',
        ),
        ("sex = ethnicity", "Không so sánh được giới tính với dân tộc", "="),
        ("age + 1", "Quy tắc phải cho kết quả đúng/sai, nhưng biểu thức này là số", "age + 1"),
        ('age + has("HO_NGHEO") > 1', 'Phép "+" chỉ dùng với số; ở đây có đúng/sai', "+"),
        ("not age", '"not" cần một điều kiện đúng/sai, nhưng ở đây là số', "age"),
        ("age >= 60 and 5", '"and" nối các điều kiện đúng/sai, nhưng đây là số', "5"),
        ('-has("HO_NGHEO")', 'Dấu "-" chỉ dùng trước một số', '-has("HO_NGHEO")'),
        ("has()", "Hàm has còn thiếu đối số code (mã diện)", "has()"),
        ('has("HO_NGHEO", "X")', "Hàm has nhận tối đa 1 đối số", '"X"'),
        ("today(1) = today()", "Hàm today không nhận đối số nào", "1"),
        ('has(kode="HO_NGHEO")', 'Hàm has không có đối số "kode" — có phải "code"?', "kode"),
        ('has("HO_NGHEO", code="HO_NGHEO")', 'Đối số "code" đã được cho ở vị trí trước', "code"),
        (
            "has(HO_NGHEO)",
            'Đối số code của has phải là một mã viết trong dấu nháy, ví dụ "HO_NGHEO"',
            "HO_NGHEO",
        ),
        ('birth_date < date("31/02/2025")', 'Ngày "31/02/2025" không hợp lệ', '"31/02/2025"'),
        ("birth_date < date(1)", "Đối số text của date phải là chuỗi, không phải số", "1"),
        ('birth_date < date("01/" + "02")', 'Phép "+" chỉ dùng với số; ở đây có chuỗi', "+"),
        ("age > 60 / 0", "Chia cho 0", "0"),
        ("age in 60", 'Sau "in" phải là một danh sách trong ngoặc vuông', "60"),
        ("age thuộc 60", 'Sau "thuộc" phải là một danh sách', "60"),
        ("age in [60, [1]]", "Danh sách không được lồng trong danh sách", "[1]"),
        ('age in [60, "x"]', "Không so sánh được số với chuỗi", "in"),
        ('sex in ["nu", "x"]', 'Không có giới tính "x"', '"x"'),
        ("[1, 2] = [1, 2]", 'Danh sách [ ] chỉ dùng sau "in" / "thuộc"', "[1, 2]"),
        ("age * 99999999999 * 99999 > 1", "có thể vượt quá 10^15", "age * 99999999999 * 99999"),
        ("999999999999999 * 10 > 1", "Giá trị quá lớn", "999999999999999 * 10"),
        (
            "age / (age - age) > 1 and age / 0.5 * 99999999999999 > 0",
            "có thể vượt quá",
            "age / 0.5 * 99999999999999",
        ),
    ],
)
def test_meaningless_rules_are_refused_and_pointed_at(text, message, pointed):
    error = error_of(text)

    assert message in error.message, error.message
    assert text[error.start : error.end] == pointed


def test_choice_literals_are_accepted_in_any_spelling_and_stored_canonical():
    rule = rule_parse(
        'sex = "Nữ" and poverty = "can_ngheo" and ethnicity = "Hmông" and status = "active"'
    )
    constants = [rule.info_of(operand.right).constant for operand in rule.tree.operands]

    assert constants == ["F", "near_poor", "08", "active"]
    reversed_rule = rule_parse('"NAM" = sex')
    assert reversed_rule.info_of(reversed_rule.tree.left).constant == "M"


def test_constants_are_folded():
    rule = rule_parse('age >= 2 * 30 and birth_date < date("1/7/1965") and 1 < 2')
    age, birth, constant = rule.tree.operands

    assert rule.info_of(age.right).constant == Decimal(60)
    assert rule.info_of(birth.right).constant == dt.date(1965, 7, 1)
    assert rule.info_of(constant).constant is True


def test_category_codes_come_from_the_database(db):
    from ansinh.registry.models import VulnerabilityCategory

    with pytest.raises(RuleError):
        rule_parse('has("PN_MOI")')
    VulnerabilityCategory.objects.create(code="PN_MOI", name="Diện mới")

    rule = rule_parse('has("PN_MOI")')
    assert rule.info_of(rule.tree.args[0]).constant == "PN_MOI"


def test_a_custom_context_declares_its_own_names():
    colour = Choice("choice", "màu", key="colour", options=lambda: [Option("red", "Đỏ")])

    class Shapes(Context):
        def name_specs(self):
            return {
                "sides": NameSpec("sides", NUMBER, "Số cạnh", integral=True),
                "colour": NameSpec("colour", colour, "Màu"),
            }

    rule = parse_rule('sides >= 3 and colour = "Đỏ"', Shapes())

    assert rule.info_of(rule.tree.operands[1].right).constant == "red"
    with pytest.raises(RuleError, match='Không biết tên "age"'):
        parse_rule("age > 1", Shapes())


def test_person_context_has_the_documented_names():
    context = PersonContext()

    assert sorted(context.name_specs()) == [
        "age",
        "birth_date",
        "birth_year",
        "commune",
        "ethnicity",
        "household_size",
        "is_head",
        "is_union_member",
        "poverty",
        "sex",
        "status",
    ]
    assert {"has", "need", "household_has", "date", "today", "abs"} <= set(context.functions())
