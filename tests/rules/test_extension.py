"""Other modules add person functions (the programmes module will add `received`)."""

import datetime as dt

import pytest
from django.db.models import Exists, OuterRef

from ansinh.registry.models import Need, Person
from ansinh.rules import person as rule_person
from ansinh.rules.checker import BOOL, NUMBER, Choice, Option, Param, Signature
from ansinh.rules.compiler import compile_person_rule
from ansinh.rules.errors import RuleError
from ansinh.rules.person import explain_person, register_person_function, unregister_person_function
from ansinh.rules.services import rule_parse

from .conftest import TODAY

PROGRAMME = Choice(
    "choice",
    "mã chương trình",
    key="test_programme",
    options=lambda: [Option("QUA_TET", "Quà Tết"), Option("MAI_AM", "Mái ấm tình thương")],
)


def compile_received(arguments, *, today):
    """A stand-in for deliveries: a need met within the window counts as 'received'."""
    since = today - dt.timedelta(days=30 * arguments["within_months"])
    return Exists(Need.objects.filter(person=OuterRef("pk"), status="met", met_on__gt=since))


def explain_received(person, arguments, *, today):
    since = today - dt.timedelta(days=30 * arguments["within_months"])
    value = person.needs.filter(status="met", met_on__gt=since).exists()
    return value, f"Đã nhận {arguments['program']} trong {arguments['within_months']} tháng"


@pytest.fixture
def received():
    # The programmes app registers the real `received`: stand in for it during the test and
    # put the registry back as it was afterwards (later tests use the real one).
    saved = dict(rule_person._REGISTERED)
    register_person_function(
        "received",
        Signature(
            (
                Param("program", PROGRAMME, label="mã chương trình"),
                Param("within_months", NUMBER, default=12, constant=True, label="số tháng"),
            ),
            BOOL,
        ),
        compile_received,
        explain_received,
    )
    yield
    rule_person._REGISTERED.clear()
    rule_person._REGISTERED.update(saved)


def test_a_registered_function_is_checked_compiled_and_explained(village, received):
    rule = rule_parse('has("HO_NGHEO") and not received("QUA_TET", within_months=6)')

    assert set(Person.objects.filter(compile_person_rule(rule, today=TODAY))) == {
        village.grandmother
    }
    explanation = explain_person(rule, village.grandmother, today=TODAY)
    assert explanation.lines()[-1] == "    Đã nhận QUA_TET trong 6 tháng: sai"
    # the daughter's need was met today: she "received" within the default 12 months
    rule = rule_parse('received("QUA_TET")')
    assert set(Person.objects.filter(compile_person_rule(rule, today=TODAY))) == {village.daughter}
    assert explain_person(rule, village.daughter, today=TODAY).value is True


def test_its_signature_is_enforced(db, received):
    with pytest.raises(RuleError, match='Không có mã chương trình "QUA_TETT" — có phải "QUA_TET"?'):
        rule_parse('received("QUA_TETT")')
    with pytest.raises(
        RuleError, match="Đối số within_months của received phải là một giá trị cố định"
    ):
        rule_parse('received("QUA_TET", within_months=age)')
    with pytest.raises(
        RuleError, match='Hàm received không có đối số "within_month" — có phải "within_months"?'
    ):
        rule_parse('received("QUA_TET", within_month=3)')
    with pytest.raises(RuleError, match='Không biết hàm "recieved" — có phải "received"?'):
        rule_parse('age >= 60 and not recieved("QUA_TET")')


def test_unregistered_it_is_unknown_again(db, received):
    unregister_person_function("received")
    with pytest.raises(RuleError, match='Không biết hàm "received"'):
        rule_parse('received("QUA_TET")')


@pytest.mark.parametrize("name", ["has", "age", "date", "and", "_x", "x.y"])
def test_built_in_and_invalid_names_cannot_be_registered(name):
    with pytest.raises(ValueError):
        register_person_function(name, Signature((), BOOL), compile_received, explain_received)
