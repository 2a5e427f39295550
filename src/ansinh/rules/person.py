"""Eligibility rules over a registry person and her household.

`PersonContext` declares what a rule may say about a person (see docs/rules.md for the list);
`explain_person` evaluates a rule for one person with a sentence per condition, and
`compiler.compile_person_rule` turns the same rule into one database query. Both read "today"
from the caller so a rule means the same on the page, in the query and in tests.

Other modules add functions through `register_person_function` (the programmes module adds
`received("QUA_TET", within_months=12)` over its deliveries) — the rule module knows nothing
of their tables.

Definitions shared by the query and the explanation:
- a vulnerability is *open* on a day when `since` is empty or ≤ that day and `until` is empty
  or after it; a need is open while its status is "open";
- the *current members* of a household are its people who are active or exited poverty (not
  moved, deceased or merged); `household_size` counts them and `household_has` looks at them;
- `age` is full years at today from the birth date, else today's year minus the birth year,
  else unknown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ansinh.core.text import fold
from ansinh.registry.models import (
    Need,
    NeedCategory,
    Person,
    PersonVulnerability,
    VulnerabilityCategory,
)
from ansinh.registry.reference import ETHNICITIES

from .checker import (
    BOOL,
    BUILTINS,
    DATE,
    MAX_VALUE,
    NUMBER,
    Choice,
    Context,
    FunctionSpec,
    NameSpec,
    Option,
    Param,
    Rule,
    Signature,
)
from .evaluate import Environment, Evaluator, Explanation, evaluate, evaluate_value
from .nodes import Call, Node, walk
from .parser import KEYWORDS, NAME_RE

CURRENT_MEMBER_STATUSES = (Person.Status.ACTIVE, Person.Status.EXITED_POVERTY)


def _sex_options() -> list[Option]:
    return [
        Option("F", "Nữ", ("nu", "female"), hint="nu"),
        Option("M", "Nam", ("nam", "male"), hint="nam"),
    ]


def _poverty_options() -> list[Option]:
    return [
        Option("poor", "Hộ nghèo", ("ngheo", "ho_ngheo"), hint="ngheo"),
        Option("near_poor", "Hộ cận nghèo", ("can_ngheo", "ho_can_ngheo"), hint="can_ngheo"),
        Option("none", "Không nghèo", ("khong", "khong_ngheo"), hint="khong"),
    ]


def _status_options() -> list[Option]:
    return [
        Option(value, str(label), (fold(str(label)).replace(" ", "_"),))
        for value, label in Person.Status.choices
    ]


def _ethnicity_options() -> list[Option]:
    return [Option(code, name) for code, name in ETHNICITIES]


def _vulnerability_options() -> list[Option]:
    return [
        Option(code, name)
        for code, name in VulnerabilityCategory.objects.order_by("order", "code").values_list(
            "code", "name"
        )
    ]


def _need_options() -> list[Option]:
    return [
        Option(code, name)
        for code, name in NeedCategory.objects.order_by("order", "code").values_list("code", "name")
    ]


def _commune_options() -> list[Option]:
    from ansinh.geo.models import AdminUnit

    communes = AdminUnit.objects.filter(
        level=AdminUnit.Level.COMMUNE, era=AdminUnit.Era.POST_2025
    ).order_by("code")
    return [
        Option(code, name, (short_name,) if short_name else ())
        for code, name, short_name in communes.values_list("code", "name", "short_name")
    ]


SEX = Choice("choice", _lazy("giới tính"), key="sex", options=_sex_options)
POVERTY = Choice("choice", _lazy("mức nghèo của hộ"), key="poverty", options=_poverty_options)
STATUS = Choice("choice", _lazy("tình trạng"), key="person_status", options=_status_options)
ETHNICITY = Choice("choice", _lazy("dân tộc"), key="ethnicity", options=_ethnicity_options)
COMMUNE = Choice("choice", _lazy("mã xã/phường"), key="commune", options=_commune_options)
VULNERABILITY_CODE = Choice(
    "choice", "mã diện đối tượng", key="vulnerability", options=_vulnerability_options
)
NEED_CODE = Choice("choice", _lazy("mã nhu cầu"), key="need", options=_need_options)

PERSON_NAMES: dict[str, NameSpec] = {
    spec.name: spec
    for spec in [
        NameSpec(
            "age",
            NUMBER,
            _lazy("Tuổi"),
            nullable=True,
            integral=True,
            bound=Decimal(10_000),
            help=_lazy(
                "Tuổi tròn tính đến ngày xét (theo ngày sinh, nếu không có thì theo năm sinh)"
            ),
        ),
        NameSpec(
            "birth_year",
            NUMBER,
            _lazy("Năm sinh"),
            nullable=True,
            integral=True,
            bound=Decimal(32767),
        ),
        NameSpec("birth_date", DATE, _lazy("Ngày sinh"), nullable=True),
        NameSpec("sex", SEX, _lazy("Giới tính"), help=_lazy('"nu" / "nam" (hoặc "F" / "M")')),
        NameSpec(
            "ethnicity", ETHNICITY, _lazy("Dân tộc"), help=_lazy('Mã ("01") hoặc tên ("Kinh")')
        ),
        NameSpec("is_union_member", BOOL, _lazy("Là hội viên")),
        NameSpec("is_head", BOOL, _lazy("Là chủ hộ")),
        NameSpec(
            "status", STATUS, _lazy("Tình trạng"), help=_lazy('"active", "moved", "deceased"…')
        ),
        NameSpec(
            "poverty",
            POVERTY,
            _lazy("Mức sống của hộ"),
            help=_lazy('"ngheo", "can_ngheo", "khong" (hoặc "poor", "near_poor", "none")'),
        ),
        NameSpec(
            "household_size",
            NUMBER,
            _lazy("Số người trong hộ"),
            integral=True,
            bound=Decimal(100_000),
        ),
        NameSpec(
            "commune", COMMUNE, _lazy("Xã/phường"), help=_lazy('Mã chính thức, ví dụ "00070"')
        ),
    ]
}


@dataclass(frozen=True)
class PersonFunction:
    """A function of person rules: its signature, SQL compiler and Python explainer.

    `compile_fn(arguments, *, today)` returns a Q / boolean expression (functions returning
    đúng/sai) or a Django expression (other types), correlated to the person through
    `OuterRef("pk")`; `explain_fn(person, arguments, *, today)` returns `(value, sentence)`
    for one `Person`, the sentence without the truth word ("Đã nhận Quà Tết trong 12 tháng").
    Constant arguments arrive as values, others (compile only) as expressions.
    """

    name: str
    signature: Signature
    compile_fn: Callable[..., object]
    explain_fn: Callable[..., tuple[object, str]]


_REGISTERED: dict[str, PersonFunction] = {}


def register_person_function(
    name: str,
    signature: Signature,
    compile_fn: Callable[..., object],
    explain_fn: Callable[..., tuple[object, str]],
) -> None:
    """Add a function to person rules (call it from an AppConfig.ready())."""
    if not NAME_RE.match(name) or name.lower() in KEYWORDS:
        raise ValueError(f"invalid rule function name: {name!r}")
    if name in PERSON_NAMES or name in BUILTINS or name in _BASE_FUNCTIONS:
        raise ValueError(f"rule function {name!r} is built in")
    _REGISTERED[name] = PersonFunction(name, signature, compile_fn, explain_fn)


def unregister_person_function(name: str) -> None:
    _REGISTERED.pop(name, None)


def registered_person_functions() -> dict[str, PersonFunction]:
    return dict(_REGISTERED)


def _code_param(choice: Choice, label: str) -> tuple[Param, ...]:
    return (Param("code", choice, label=label),)


_BASE_FUNCTIONS: dict[str, FunctionSpec] = {
    "has": FunctionSpec(
        "has",
        Signature(
            _code_param(VULNERABILITY_CODE, _lazy("mã diện")),
            BOOL,
            _lazy("Người đang thuộc diện này (tính đến ngày xét)"),
        ),
    ),
    "need": FunctionSpec(
        "need",
        Signature(
            _code_param(NEED_CODE, _lazy("mã nhu cầu")),
            BOOL,
            _lazy("Người có nhu cầu này chưa đáp ứng"),
        ),
    ),
    "household_has": FunctionSpec(
        "household_has",
        Signature(
            _code_param(VULNERABILITY_CODE, _lazy("mã diện")),
            BOOL,
            _lazy("Có người trong hộ (đang ở cùng hộ) thuộc diện này"),
        ),
    ),
}


class PersonContext(Context):
    """Names and functions of eligibility rules over a registry person."""

    label = _lazy("điều kiện đối với người")
    max_number = MAX_VALUE

    def name_specs(self) -> dict[str, NameSpec]:
        return dict(PERSON_NAMES)

    def function_specs(self) -> dict[str, FunctionSpec]:
        functions = dict(_BASE_FUNCTIONS)
        for name, function in _REGISTERED.items():
            functions[name] = FunctionSpec(name, function.signature)
        return functions


def open_on(today: dt.date, prefix: str = "") -> Q:
    """A vulnerability (via `prefix`) open on `today`."""
    return (Q(**{f"{prefix}since__isnull": True}) | Q(**{f"{prefix}since__lte": today})) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gt": today})
    )


def age_on(today: dt.date, birth_date: dt.date | None, birth_year: int | None) -> int | None:
    if birth_date is not None:
        return (
            today.year
            - birth_date.year
            - ((birth_date.month, birth_date.day) > (today.month, today.day))
        )
    if birth_year is not None:
        return today.year - birth_year
    return None


@dataclass
class PersonFacts:
    """What person rules read about one person, loaded once."""

    person_id: int
    birth_date: dt.date | None
    birth_year: int | None
    sex: str
    ethnicity: str
    is_union_member: bool
    relation: str
    status: str
    poverty: str
    commune: str
    household_size: int
    vulnerabilities: set[str] = field(default_factory=set)
    needs: set[str] = field(default_factory=set)
    household_vulnerabilities: set[str] = field(default_factory=set)
    _person: Person | None = None

    @cached_property
    def person(self) -> Person:
        return self._person or Person.objects.get(pk=self.person_id)


_FACT_FIELDS = (
    "id",
    "household_id",
    "birth_date",
    "birth_year",
    "sex",
    "ethnicity",
    "is_union_member",
    "relation",
    "status",
    "household__poverty_status",
    "household__commune__code",
)


def iter_person_facts(people, *, today: dt.date, chunk: int = 20_000) -> Iterator[PersonFacts]:
    """Facts of every person of a queryset, a few queries per `chunk` people (pk order)."""
    last = 0
    people = people.order_by("pk")
    while True:
        rows = list(people.filter(pk__gt=last).values(*_FACT_FIELDS)[:chunk])
        if not rows:
            return
        last = rows[-1]["id"]
        ids = [row["id"] for row in rows]
        households = {row["household_id"] for row in rows}
        sizes: dict[int, int] = defaultdict(int)
        for household_id in Person.objects.filter(
            household_id__in=households, status__in=CURRENT_MEMBER_STATUSES
        ).values_list("household_id", flat=True):
            sizes[household_id] += 1
        vulnerabilities: dict[int, set[str]] = defaultdict(set)
        household_vulnerabilities: dict[int, set[str]] = defaultdict(set)
        links = PersonVulnerability.objects.filter(
            open_on(today),
            person__household_id__in=households,
        ).values_list("person_id", "person__household_id", "person__status", "category__code")
        wanted = set(ids)
        for person_id, household_id, status, code in links:
            if person_id in wanted:
                vulnerabilities[person_id].add(code)
            if status in CURRENT_MEMBER_STATUSES:
                household_vulnerabilities[household_id].add(code)
        needs: dict[int, set[str]] = defaultdict(set)
        for person_id, code in Need.objects.filter(
            person_id__in=ids, status=Need.Status.OPEN
        ).values_list("person_id", "category__code"):
            needs[person_id].add(code)
        for row in rows:
            yield PersonFacts(
                person_id=row["id"],
                birth_date=row["birth_date"],
                birth_year=row["birth_year"],
                sex=row["sex"],
                ethnicity=row["ethnicity"],
                is_union_member=row["is_union_member"],
                relation=row["relation"],
                status=row["status"],
                poverty=row["household__poverty_status"],
                commune=row["household__commune__code"],
                household_size=sizes[row["household_id"]],
                vulnerabilities=vulnerabilities[row["id"]],
                needs=needs[row["id"]],
                household_vulnerabilities=household_vulnerabilities[row["household_id"]],
            )


def person_facts(person: Person, *, today: dt.date) -> PersonFacts:
    facts = next(iter_person_facts(Person.objects.filter(pk=person.pk), today=today))
    facts._person = person
    return facts


class PersonEnvironment(Environment):
    def __init__(self, facts: PersonFacts, today: dt.date):
        self.facts = facts
        self.today = today

    def name_value(self, name: str) -> object:
        facts = self.facts
        if name == "age":
            return age_on(self.today, facts.birth_date, facts.birth_year)
        if name == "is_head":
            return facts.relation == Person.Relation.HEAD
        return {
            "birth_date": facts.birth_date,
            "birth_year": facts.birth_year,
            "sex": facts.sex,
            "ethnicity": facts.ethnicity,
            "is_union_member": facts.is_union_member,
            "status": facts.status,
            "poverty": facts.poverty,
            "commune": facts.commune,
            "household_size": facts.household_size,
        }[name]

    def name_note(self, name: str) -> str:
        if name == "age":
            return _("chưa có ngày sinh, năm sinh")
        if name in ("birth_date", "birth_year"):
            return _("chưa có")
        return ""

    def call_value(self, rule: Rule, call: Call) -> object:
        if call.name in _BASE_FUNCTIONS:
            code = rule.argument(call, "code")
            if call.name == "has":
                return code in self.facts.vulnerabilities
            if call.name == "need":
                return code in self.facts.needs
            return code in self.facts.household_vulnerabilities
        return self.call(rule, call)[0]

    def call(self, rule: Rule, call: Call) -> tuple[object, str]:
        context = rule.context
        if call.name in _BASE_FUNCTIONS:
            code = rule.argument(call, "code")
            choice = VULNERABILITY_CODE if call.name != "need" else NEED_CODE
            option = context.lookup_option(choice, code)
            name = option.name if option else code
            if call.name == "has":
                return code in self.facts.vulnerabilities, _("Có diện %(name)s") % {"name": name}
            if call.name == "need":
                return code in self.facts.needs, _("Có nhu cầu %(name)s (chưa đáp ứng)") % {
                    "name": name
                }
            return code in self.facts.household_vulnerabilities, _(
                "Hộ có người thuộc diện %(name)s"
            ) % {"name": name}
        function = _REGISTERED[call.name]
        arguments = {}
        for param in function.signature.params:
            value = rule.argument(call, param.name)
            if not isinstance(value, Node):
                arguments[param.name] = value
            else:
                arguments[param.name] = Evaluator(rule, self).value(value)
        return function.explain_fn(self.facts.person, arguments, today=self.today)


def sensitive_categories(rule: Rule) -> list[str]:
    """Codes of sensitive vulnerability categories the rule names (has, household_has…)."""
    codes = set()
    for node in walk(rule.tree):
        if isinstance(node, Call) and node.name in rule.context.functions():
            for param in rule.context.functions()[node.name].signature.params:
                if param.type == VULNERABILITY_CODE:
                    codes.add(rule.argument(node, param.name))
    return sorted(
        VulnerabilityCategory.objects.filter(code__in=codes, is_sensitive=True).values_list(
            "code", flat=True
        )
    )


def explain_person(rule: Rule, person: Person, *, today: dt.date | None = None) -> Explanation:
    """Why `person` is (not) selected by `rule` on `today`: a tree of sentences.

    `.value` is True (selected), False or None (unknown — not selected either).
    """
    today = today or timezone.localdate()
    return evaluate(rule, PersonEnvironment(person_facts(person, today=today), today))


def evaluate_facts(rule: Rule, facts: PersonFacts, *, today: dt.date) -> object:
    """The rule's value for already loaded facts (the Python baseline of the benchmark)."""
    return evaluate_value(rule, PersonEnvironment(facts, today))


__all__ = [
    "COMMUNE",
    "ETHNICITY",
    "NEED_CODE",
    "POVERTY",
    "SEX",
    "STATUS",
    "VULNERABILITY_CODE",
    "PersonContext",
    "PersonFacts",
    "explain_person",
    "register_person_function",
]
