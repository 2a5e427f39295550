"""Validation rules over report figures (issue 6): the same language over a dict."""

import datetime as dt
from decimal import Decimal

import pytest

from ansinh.rules.errors import RuleError
from ansinh.rules.services import rule_parse
from ansinh.rules.values import ValuesContext, evaluate_values

CONTEXT = ValuesContext(
    {"TRAINED": int, "EMPLOYED_AFTER_TRAINING": int, "AMOUNT": Decimal, "REPORTED_ON": dt.date},
    labels={
        "TRAINED": "Số phụ nữ được đào tạo nghề",
        "EMPLOYED_AFTER_TRAINING": "Số có việc làm sau đào tạo",
    },
)


def check(text: str, values: dict):
    return evaluate_values(rule_parse(text, CONTEXT), values, today=dt.date(2026, 7, 15))


def test_a_rule_that_holds_passes():
    result = check(
        "EMPLOYED_AFTER_TRAINING <= TRAINED", {"TRAINED": 120, "EMPLOYED_AFTER_TRAINING": 80}
    )

    assert result.passed
    assert result.problems == []
    assert result.explanation.sentence == (
        "Số có việc làm sau đào tạo 80 ≤ Số phụ nữ được đào tạo nghề 120: đúng"
    )


def test_a_rule_that_breaks_fails_with_the_figures():
    result = check(
        "EMPLOYED_AFTER_TRAINING <= TRAINED", {"TRAINED": 100, "EMPLOYED_AFTER_TRAINING": 1250}
    )

    assert result.failed
    assert result.explanation.sentence == (
        "Số có việc làm sau đào tạo 1.250 ≤ Số phụ nữ được đào tạo nghề 100: sai"
    )


def test_missing_figures_are_reported_and_the_rule_is_unknown():
    result = check("EMPLOYED_AFTER_TRAINING <= TRAINED", {"TRAINED": 100})

    assert result.value is None
    assert not result.passed and not result.failed
    assert result.problems == ["Chưa có số liệu Số có việc làm sau đào tạo"]
    assert result.explanation.sentence == (
        "Số có việc làm sau đào tạo (chưa có số liệu) ≤ Số phụ nữ được đào tạo nghề 100: không rõ"
    )


def test_division_by_zero_is_reported():
    result = check(
        "EMPLOYED_AFTER_TRAINING / TRAINED >= 0.5", {"TRAINED": 0, "EMPLOYED_AFTER_TRAINING": 0}
    )

    assert result.value is None
    assert result.problems == ['Chia cho 0 ở "EMPLOYED_AFTER_TRAINING / TRAINED": TRAINED bằng 0']


def test_decimals_are_exact():
    assert check("AMOUNT * 3 = 0.3", {"AMOUNT": Decimal("0.1")}).passed
    assert check("AMOUNT = 1250000.5", {"AMOUNT": 1250000.5}).passed
    result = check("AMOUNT >= 2000000", {"AMOUNT": Decimal("1250000.5")})
    assert result.explanation.sentence == "AMOUNT 1.250.000,5 ≥ 2.000.000: sai"


def test_logic_dates_and_lists():
    values = {"TRAINED": 10, "EMPLOYED_AFTER_TRAINING": 3, "REPORTED_ON": dt.date(2026, 7, 10)}
    assert check('REPORTED_ON <= date("15/07/2026") and TRAINED in [10, 20]', values).passed
    assert check("REPORTED_ON < today() hoặc không (TRAINED > 5)", values).passed
    # false and unknown is false; true or unknown is true
    assert check("TRAINED > 100 and AMOUNT > 0", values).value is False
    assert check("TRAINED > 1 or AMOUNT > 0", values).value is True


def test_unknown_figures_and_wrong_types_are_refused_when_the_rule_is_saved():
    with pytest.raises(RuleError) as caught:
        rule_parse("EMPLOYED_AFTER_TRAINNG <= TRAINED", CONTEXT)
    assert caught.value.message == (
        'Không biết tên "EMPLOYED_AFTER_TRAINNG" — có phải "EMPLOYED_AFTER_TRAINING"?'
    )
    with pytest.raises(RuleError, match='Không biết hàm "has"'):
        rule_parse('has("HO_NGHEO")', CONTEXT)
    with pytest.raises(RuleError, match="Không so sánh được ngày với số"):
        rule_parse("REPORTED_ON > 5", CONTEXT)


def test_a_value_of_the_wrong_type_is_an_error():
    with pytest.raises(ValueError, match="Số phụ nữ được đào tạo nghề phải là một số"):
        check("TRAINED > 1", {"TRAINED": "mười"})
