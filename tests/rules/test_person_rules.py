"""Person rules: the compiled query and the explanation, on people with known facts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ansinh.registry.models import Person
from ansinh.rules.compiler import compile_person_rails, compile_person_rule
from ansinh.rules.person import explain_person
from ansinh.rules.selectors import person_select, rule_count
from ansinh.rules.services import rule_parse

from .conftest import TODAY


def selected(text: str, today: dt.date = TODAY) -> set[str]:
    rule = rule_parse(text)
    people = Person.objects.filter(compile_person_rule(rule, today=today))
    return set(people.values_list("full_name", flat=True))


def names(*people) -> set[str]:
    return {person.full_name for person in people}


def test_age_from_birth_date_or_birth_year(village):
    v = village
    assert selected("age >= 60") == names(v.grandmother, v.year_only)
    assert selected("age >= 60", TODAY + dt.timedelta(days=1)) == names(
        v.grandmother, v.year_only, v.turns_60_tomorrow
    )
    assert selected("age = 59") == names(v.turns_60_tomorrow)
    assert selected("age < 41 and age > 39.5") == names(v.daughter)
    assert selected("age = 40.5") == set()
    assert selected("60 <= age") == selected("age >= 60")


def test_age_in_arithmetic_agrees_with_the_index_friendly_form(village):
    for today in (TODAY, TODAY + dt.timedelta(days=1)):
        assert selected("age + 0 >= 60", today) == selected("age >= 60", today)
        assert selected("age * 1 = 59", today) == selected("age = 59", today)


def test_unknown_is_neither_true_nor_false(village):
    """Three-valued logic: an unknown age makes `age >= 60` and `not (age >= 60)` unknown."""
    rule = rule_parse("age >= 60")
    rails = compile_person_rails(rule, today=TODAY)
    unknown = village.unknown_age

    assert not Person.objects.filter(rails.true, pk=unknown.pk).exists()
    assert not Person.objects.filter(rails.false, pk=unknown.pk).exists()
    assert unknown.full_name not in selected("not (age >= 60)")
    assert unknown.full_name not in selected("age < 60")
    assert unknown.full_name in selected("age >= 60 or is_head = false")
    assert unknown.full_name not in selected("age >= 60 and true")
    assert explain_person(rule, unknown, today=TODAY).value is None
    assert explain_person(rule_parse("not (age >= 60)"), unknown, today=TODAY).value is None


def test_vulnerabilities_needs_and_household(village):
    v = village
    assert selected('has("HO_NGHEO")') == names(v.grandmother)
    # closed on TODAY (until is exclusive) and not started until tomorrow
    assert selected('has("PN_KHUYET_TAT")') == set()
    assert selected('has("PN_CAO_TUOI_CO_DON")') == set()
    assert selected('has("PN_CAO_TUOI_CO_DON")', TODAY + dt.timedelta(days=1)) == names(v.year_only)
    assert selected('need("VON")') == names(v.grandmother)
    assert selected('need("HOC_NGHE")') == set()
    assert selected('household_has("HO_NGHEO")') == names(
        v.grandmother, v.daughter, v.unknown_age, v.moved
    )
    # the moved member no longer counts for her old household
    assert selected('household_has("LD_NU_DI_CU")') == set()
    assert selected("household_size = 3") == names(
        v.grandmother, v.daughter, v.unknown_age, v.moved
    )
    assert selected("household_size = 2") == names(v.year_only, v.turns_60_tomorrow)


def test_person_and_household_fields(village):
    v = village
    assert selected('sex = "nam"') == names(v.turns_60_tomorrow)
    assert selected('poverty = "ngheo"') == names(v.grandmother, v.daughter, v.unknown_age, v.moved)
    assert selected('commune = "00454"') == names(v.year_only, v.turns_60_tomorrow)
    assert selected("is_union_member") == names(v.year_only)
    assert selected("is_head and not is_union_member") == names(v.grandmother)
    assert selected('status != "active"') == names(v.moved)
    assert selected('ethnicity = "Kinh"') == names(*Person.objects.all())
    assert selected('birth_date < date("01/01/1970")') == names(v.grandmother, v.turns_60_tomorrow)
    assert selected("birth_year = 1966") == names(v.year_only, v.turns_60_tomorrow)
    assert selected('has("HO_NGHEO") = need("VON")') == names(*Person.objects.all())


def test_the_rule_is_one_query(village, django_assert_num_queries):
    rule = rule_parse('age >= 60 and has("HO_NGHEO") and need("VON") and household_size >= 2')
    q = compile_person_rule(rule, today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        count = Person.objects.filter(q).count()

    assert count == 1
    assert len(queries) == 1


def test_rule_count_and_select_are_scoped(village, personas):
    rule = rule_parse("age >= 60")

    assert rule_count(rule=rule, today=TODAY) == 2
    assert rule_count(rule=rule, scope_path=personas.hoankiem.path, today=TODAY) == 1
    assert rule_count(rule=rule, scope_path=personas.donganh.path, today=TODAY) == 1
    # moved people are not counted, even when the rule says nothing about status
    assert rule_count(rule=rule_parse('household_has("HO_NGHEO")'), today=TODAY) == 3
    officer = Person.objects.restrict(personas.officer_hoankiem, "view")
    assert list(person_select(rule=rule, people=officer, today=TODAY)) == [village.grandmother]


def test_explanation_of_an_eligible_person(village):
    rule = rule_parse('age >= 60 and has("HO_NGHEO") and not need("HOC_NGHE")')
    explanation = explain_person(rule, village.grandmother, today=TODAY)

    assert explanation.value is True
    assert explanation.lines() == [
        "Đạt cả 3 điều kiện: đúng",
        "  Tuổi 66 ≥ 60: đúng",
        "  Có diện Hộ nghèo: đúng",
        '  Không phải (need("HOC_NGHE")): đúng',
        "    Có nhu cầu Học nghề (chưa đáp ứng): sai",
    ]


def test_explanation_of_a_person_who_is_not_eligible(village):
    rule = rule_parse('(age >= 60 or household_size > 3) and poverty in ["ngheo", "can_ngheo"]')
    explanation = explain_person(rule, village.year_only, today=TODAY)

    assert explanation.value is False
    assert explanation.lines() == [
        "Không đạt: có điều kiện sai (trong 2 điều kiện): sai",
        "  Đạt: có ít nhất một trong 2 điều kiện đúng: đúng",
        "    Tuổi 60 ≥ 60: đúng",
        "    Số người trong hộ 2 > 3: sai",
        "  Mức sống của hộ (Không nghèo) thuộc [Hộ nghèo, Hộ cận nghèo]: sai",
    ]


def test_explanation_of_an_unknown(village):
    rule = rule_parse("age >= 60 and is_head")
    explanation = explain_person(rule, village.unknown_age, today=TODAY)

    assert explanation.value is False
    assert explanation.lines() == [
        "Không đạt: có điều kiện sai (trong 2 điều kiện): sai",
        "  Tuổi (chưa có ngày sinh, năm sinh) ≥ 60: không rõ",
        "  Là chủ hộ: sai",
    ]
    alone = explain_person(rule_parse("age >= 60"), village.unknown_age, today=TODAY)
    assert alone.lines() == ["Tuổi (chưa có ngày sinh, năm sinh) ≥ 60: không rõ"]
    assert alone.as_dict()["value"] == "không rõ"


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (dt.date(1964, 2, 29), dt.date(2024, 2, 28), 59),
        (dt.date(1964, 2, 29), dt.date(2024, 2, 29), 60),
        (dt.date(1964, 2, 29), dt.date(2025, 2, 28), 60),
        (dt.date(1964, 2, 29), dt.date(2025, 3, 1), 61),
        (dt.date(1965, 3, 1), dt.date(2024, 2, 29), 58),
        (dt.date(1964, 2, 28), dt.date(2024, 2, 29), 60),
    ],
)
def test_leap_day_birthdays(personas, birth, today, age):
    from tests.registry.factories import HouseholdFactory, PersonFactory

    person = PersonFactory(household=HouseholdFactory(unit=personas.hoankiem), birth_date=birth)
    for text in (f"age = {age}", f"age + 0 = {age}", f"age >= {age}", f"not (age >= {age + 1})"):
        assert selected(text, today) == {person.full_name}, text
        assert explain_person(rule_parse(text), person, today=today).value is True


def test_sensitive_categories_named_by_a_rule(db):
    from ansinh.rules.person import sensitive_categories

    rule = rule_parse(
        'has("HO_NGHEO") or household_has("NGUOI_NHIEM_HIV") or has("PN_BI_BAO_LUC_GIOI")'
    )

    assert sensitive_categories(rule) == ["NGUOI_NHIEM_HIV", "PN_BI_BAO_LUC_GIOI"]
    assert sensitive_categories(rule_parse('has("HO_NGHEO") and need("VON")')) == []
