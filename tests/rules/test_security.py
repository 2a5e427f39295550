"""Hostile rules are refused before anything runs; nothing they ask for happens."""

import os

import pytest

from ansinh.registry.models import Person
from ansinh.rules.errors import RuleError
from ansinh.rules.services import rule_parse

HOSTILE = [
    ('__import__("os").system("touch pwned.txt")', "Tên không được bắt đầu bằng dấu gạch dưới"),
    ("().__class__.__bases__[0].__subclasses__()", "Cặp ngoặc rỗng"),
    ('open("pwned.txt", "w")', 'Không biết hàm "open"'),
    ('eval("1")', 'Không biết hàm "eval"'),
    ("exec(\"open('pwned.txt', 'w')\")", 'Không biết hàm "exec"'),
    ('compile("1", "f", "eval")', 'Không biết hàm "compile"'),
    ("age.real > 1", "Không được dùng dấu chấm (truy cập thuộc tính)"),
    ("x[0] = 1", "Không được dùng chỉ số [ ] sau một giá trị"),
    ('has("HO_NGHEO")[0]', "Không được dùng chỉ số [ ] sau một giá trị"),
    ("lambda: 1", '"lambda" không có trong ngôn ngữ quy tắc'),
    ("import os", '"import" không có trong ngôn ngữ quy tắc'),
    ("age >= 60; import os", 'Ký tự ";" không được dùng trong quy tắc'),
    ("{}", 'Ký tự "{" không được dùng trong quy tắc'),
    ("age >= 60 # comment", 'Ký tự "#" không được dùng trong quy tắc'),
    ("f'{1}'", "Thiếu phép toán hoặc and/or trước"),
    ("`ls`", 'Ký tự "`" không được dùng trong quy tắc'),
    ("@decorator", 'Ký tự "@" không được dùng trong quy tắc'),
    ("age := 1", 'Ký tự ":" không được dùng trong quy tắc'),
    ("(has)(1)", "Chỉ gọi được hàm bằng tên của hàm"),
    ("getattr(age, 'x')", 'Không biết hàm "getattr"'),
    ("globals()", 'Không biết hàm "globals"'),
    ("9" * 40 + " > age", "Số quá lớn: tối đa 15 chữ số"),
    ("age * 999999999999999 * 999999999999999 > 1", "có thể vượt quá 10^15"),
    ("(" * 500 + "age >= 1" + ")" * 500, "Biểu thức lồng nhau quá sâu"),
    ("not " * 5000 + "is_head", "Quy tắc quá dài"),
    ("age\x00 > 1", 'Ký tự "\x00" không được dùng trong quy tắc'),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE)
def test_hostile_rules_are_refused_and_nothing_runs(db, tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    people_before = Person.objects.count()

    with pytest.raises(RuleError) as caught:
        rule_parse(text)

    assert message in caught.value.message
    assert os.listdir(tmp_path) == []
    assert Person.objects.count() == people_before


def test_the_rule_module_never_calls_eval_exec_or_compile():
    """Belt and braces: the source of the rule language has no dynamic code at all."""
    import re
    from pathlib import Path

    import ansinh.rules

    root = Path(ansinh.rules.__file__).parent
    # re.compile is a regex, not code; `getattr(self, f"visit_…")` dispatches to our own
    # visit_* methods by node class name and is allowed in the two tree walkers.
    forbidden = re.compile(r"(?<![\w.])(eval|exec|compile|literal_eval|__import__|import_module)\(")
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert forbidden.findall(source) == [], path.name
        getattrs = re.findall(r"getattr\(self, f\"visit_\{type\(node\)\.__name__\}\"\)", source)
        assert source.count("getattr(") == len(getattrs), path.name


def test_a_rule_whose_query_would_explode_is_refused(db):
    """`(a = b) = c …` doubles the SQL at each level: refused, not sent."""
    from ansinh.rules.compiler import compile_person_rule

    text = "is_head"
    for _ in range(30):
        text = f"({text} = is_union_member)"
    rule = rule_parse(text)

    with pytest.raises(RuleError) as caught:
        compile_person_rule(rule)

    assert caught.value.message.startswith("Quy tắc quá phức tạp để tính trên cơ sở dữ liệu")
    assert (caught.value.start, caught.value.end) == (0, len(text))


def test_a_rule_with_a_long_list_is_not_too_big(db):
    from ansinh.rules.compiler import compile_person_rails, query_size

    rule = rule_parse("age in [" + ", ".join(str(n) for n in range(300)) + '] and has("HO_NGHEO")')

    assert query_size(compile_person_rails(rule)) < 20_000
