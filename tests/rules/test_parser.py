"""The lexer and parser: the tree a rule reads as, and mistakes pointed at."""

from decimal import Decimal

import pytest

from ansinh.rules.errors import RuleError
from ansinh.rules.nodes import (
    Arithmetic,
    Boolean,
    BoolOp,
    Call,
    Compare,
    Keyword,
    ListLiteral,
    Name,
    Negative,
    Not,
    Number,
    String,
)
from ansinh.rules.parser import MAX_DEPTH, MAX_LENGTH, parse


def test_eligibility_rule_parses_to_its_tree():
    tree = parse('age >= 60 and has("HO_NGHEO") and not received("QUA_TET", within_months=12)')

    assert tree == BoolOp(
        "and",
        (
            Compare(">=", Name("age"), Number(Decimal(60))),
            Call("has", (String("HO_NGHEO"),)),
            Not(
                Call(
                    "received",
                    (String("QUA_TET"),),
                    (Keyword("within_months", Number(Decimal(12))),),
                )
            ),
        ),
    )


def test_vietnamese_keywords_mean_the_same():
    english = parse('not (age >= 60 or sex = "nu") and x in [1, 2] and y not in [3] and true')
    vietnamese = parse(
        'không (age >= 60 hoặc sex = "nu") và x thuộc [1, 2] và y không thuộc [3] và đúng'
    )

    assert vietnamese == english


def test_precedence_and_associativity():
    assert parse("a + b * c - d / 2 > -e") == Compare(
        ">",
        Arithmetic(
            "-",
            Arithmetic("+", Name("a"), Arithmetic("*", Name("b"), Name("c"))),
            Arithmetic("/", Name("d"), Number(Decimal(2))),
        ),
        Negative(Name("e")),
    )
    assert parse("a or b and not c") == BoolOp(
        "or", (Name("a"), BoolOp("and", (Name("b"), Not(Name("c")))))
    )


def test_literals():
    tree = parse('x in [1.5, -2, "a\\"b\\\\c\\n", \'đơn\', true, sai, date("01/07/2025")]')

    assert tree.right == ListLiteral(
        (
            Number(Decimal("1.5")),
            Number(Decimal(-2)),
            String('a"b\\c\n'),
            String("đơn"),
            Boolean(True),
            Boolean(False),
            Call("date", (String("01/07/2025"),)),
        )
    )


def test_double_equals_is_equals_and_keywords_ignore_case():
    assert parse("a == 1 AND b = 2") == parse("a = 1 and b = 2")


def test_spans_cover_the_source():
    text = 'age >= 60 and has("HO_NGHEO")'
    tree = parse(text)

    assert [text[slice(*operand.span)] for operand in tree.operands] == [
        "age >= 60",
        'has("HO_NGHEO")',
    ]
    assert text[slice(*tree.operands[1].name_span)] == "has"


def error_of(text: str) -> RuleError:
    with pytest.raises(RuleError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "message", "column", "width"),
    [
        ("age >= ", "Biểu thức kết thúc đột ngột: còn thiếu một giá trị", 8, 1),
        ("(age >= 60", 'Thiếu dấu đóng ")" cho dấu "(" mở ở đây', 1, 1),
        ("age >= 60)", 'Thừa dấu đóng ngoặc ")"', 10, 1),
        ('age >= 60 has("X")', "Thiếu phép toán hoặc and/or trước", 11, 3),
        ("age < 60 < 70", "Không nối hai phép so sánh liền nhau", 10, 1),
        ("age <> 60", 'Dùng "!=" cho "khác"', 5, 2),
        ("a && b", "dùng and (và)", 3, 2),
        ("a || b", "dùng or (hoặc)", 3, 2),
        ("!a", "dùng not (không)", 1, 1),
        ("a ** 2", "Không có phép lũy thừa", 3, 2),
        ("a % 2", "không có phép chia lấy dư", 3, 1),
        ("x = “a”", "Dùng dấu nháy thẳng", 5, 1),
        ('x = "abc', "Chuỗi chưa có dấu nháy đóng", 5, 1),
        ('x = "a\\qb"', 'Ký tự thoát "\\q" không hợp lệ', 7, 2),
        ("tuổi >= 60", 'Tên "tuổi" không hợp lệ', 1, 4),
        ("age >= 1.000.000", "hãy viết liền: 1000000", 8, 9),
        ("age >= 60tuoi", "Số không được viết liền với chữ", 10, 1),
        ("age >= 6.", "Sau dấu chấm thập phân phải có chữ số", 9, 1),
        ("age not 60", '"not" ở đây phải đi với "in"', 5, 3),
        ("f(a=1, 2)", "Đối số không tên phải đứng trước các đối số có tên", 8, 1),
        ("f(a=1, a=2)", 'Đối số "a" được ghi hai lần', 8, 1),
        ("   ", "Quy tắc đang trống", 1, 1),
        ("x in [1, 2", 'Thiếu dấu đóng "]" cho dấu "[" mở ở đây', 6, 1),
        ("= 1", "Thiếu giá trị bên trái phép so sánh", 1, 1),
    ],
)
def test_mistakes_are_pointed_at(text, message, column, width):
    error = error_of(text)

    assert message in error.message
    assert (error.line, error.column) == (1, column)
    assert error.end - error.start == width
    assert error.caret.splitlines()[1] == "  " + " " * (column - 1) + "^" * width


def test_error_text_has_message_position_and_caret():
    error = error_of("age >= 60 and (sex = 1")

    assert str(error) == (
        'Thiếu dấu đóng ")" cho dấu "(" mở ở đây (cột 15)\n'
        "  age >= 60 and (sex = 1\n"
        "                ^"
    )


def test_multi_line_rule_reports_line_and_column():
    error = error_of('age >= 60\nand has("X")\nand x.y')

    assert (error.line, error.column) == (3, 6)
    assert error.position == "dòng 3, cột 6"
    assert error.caret == "  and x.y\n       ^"


def test_length_and_depth_are_limited():
    too_long = error_of("a" * (MAX_LENGTH + 1))
    assert "Quy tắc quá dài: tối đa 2.000 ký tự" in too_long.message

    nested = error_of("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    assert nested.message == f"Biểu thức lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp)"

    chained = error_of(" + ".join(["1"] * (MAX_DEPTH + 1)) + " > 0")
    assert chained.message == f"Biểu thức lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp)"

    negations = error_of("not " * (MAX_DEPTH + 1) + "a")
    assert "quá sâu" in negations.message


def test_deep_but_allowed_nesting_parses():
    depth = MAX_DEPTH - 2
    tree = parse("(" * depth + "a" + ")" * depth)
    assert tree == Name("a")


def test_huge_numbers_are_refused():
    error = error_of("x > 9999999999999999")
    assert error.message == "Số quá lớn: tối đa 15 chữ số"
    assert parse("x > 999999999999999") == Compare(
        ">", Name("x"), Number(Decimal("999999999999999"))
    )
