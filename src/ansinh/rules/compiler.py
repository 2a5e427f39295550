"""Compiling a person rule to one database query (a `Q` over `registry.Person`).

Three-valued logic without trusting SQL NULL or Django's negation: every condition compiles
to two rails — a Q that holds where the condition is *true* and a Q that holds where it is
*false* (where it is unknown, neither holds). `not` swaps the rails; `and` is true where all
are true and false where any is false; `or` the reverse. Rails are built from positive
lookups and explicit `IS NOT NULL` guards only, so an unknown birth date never sneaks into
either side through `NOT (NULL)` or Django's `~Q` null handling. The rule selects the true
rail. The Python evaluator (`evaluate.py`) follows the same truth tables; a randomised test
checks that both rails agree with it, person by person, on SQLite and PostgreSQL.

`age` compared with a constant becomes a range on `birth_date` (or on `birth_year` when the
date is missing), which an index can use; elsewhere (`age + 1 > household_size`) it is
computed in SQL from the year, month and day.
"""

from __future__ import annotations

import datetime as dt
import operator
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import reduce
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Abs, Coalesce, ExtractYear, NullIf
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.registry.models import (
    Need,
    NeedCategory,
    Person,
    PersonVulnerability,
    VulnerabilityCategory,
)

from .checker import BOOL, Rule
from .errors import RuleError
from .nodes import Arithmetic, BoolOp, Call, Compare, Name, Negative, Node, Not
from .person import _BASE_FUNCTIONS, _REGISTERED, CURRENT_MEMBER_STATUSES, PersonContext, open_on

ALWAYS = Q(pk__isnull=False)
NEVER = Q(pk__isnull=True)
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
LOOKUPS = {
    "<": LessThan,
    "<=": LessThanOrEqual,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
}
OPPOSITE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


class Rails(NamedTuple):
    true: Q
    false: Q

    def negated(self) -> Rails:
        return Rails(self.false, self.true)


class Constant(Expression):
    """A number parameter: an integer, or a decimal (numeric on PostgreSQL, float on SQLite,
    whose driver would otherwise bind a Decimal as text and compare it as a string)."""

    def __init__(self, value: Decimal):
        self.value = value
        self.integral = value == value.to_integral_value()
        super().__init__(output_field=IntegerField() if self.integral else DecimalField())

    def as_sql(self, compiler, connection):
        if self.integral:
            return "%s", [int(self.value)]
        if connection.vendor == "sqlite":
            return "%s", [float(self.value)]
        return "%s", [self.value]


def _all(parts: list[Q]) -> Q:
    return reduce(operator.and_, parts) if parts else ALWAYS


def _any(parts: list[Q]) -> Q:
    return reduce(operator.or_, parts) if parts else NEVER


def _years_before(today: dt.date, years: int) -> dt.date | None:
    """The same day `years` earlier (29/2 → 28/2); None when before year 1."""
    year = today.year - years
    if year < 1:
        return None
    if year > 9999:
        return dt.date.max
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


MAX_QUERY_NODES = 20_000


def query_size(rails: Rails, limit: int = MAX_QUERY_NODES) -> int:
    """Nodes in the query's condition tree, counted up to `limit` + 1.

    Rails share sub-trees, but SQL spells every shared one out: comparing conditions with
    each other (`(a = b) = c`, `cond in [true, false]`) doubles the text at each level, so a
    short rule could ask for a gigantic query. Counting with a budget stays cheap.
    """
    count = 0
    stack: list[object] = [rails.true, rails.false]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, Q):
            stack.extend(item.children)
        elif isinstance(item, tuple):
            stack.extend(item[1:])
        elif hasattr(item, "get_source_expressions"):
            stack.extend(item.get_source_expressions())
            if isinstance(item, Subquery | Exists):
                count += 10
    return count


class PersonCompiler:
    def __init__(self, rule: Rule, today: dt.date):
        self.rule = rule
        self.today = today
        self.conditions: dict[int, Rails] = {}
        self.values: dict[int, tuple[object, bool]] = {}

    # --- conditions ---------------------------------------------------------------------

    def condition(self, node: Node) -> Rails:
        """The rails of a condition (each node compiled once, then shared)."""
        if id(node) not in self.conditions:
            self.conditions[id(node)] = self.compile_condition(node)
        return self.conditions[id(node)]

    def compile_condition(self, node: Node) -> Rails:
        info = self.rule.info_of(node)
        if info.is_constant:
            return Rails(ALWAYS, NEVER) if info.constant else Rails(NEVER, ALWAYS)
        if isinstance(node, Not):
            return self.condition(node.operand).negated()
        if isinstance(node, BoolOp):
            parts = [self.condition(operand) for operand in node.operands]
            trues = [part.true for part in parts]
            falses = [part.false for part in parts]
            if node.op == "and":
                return Rails(_all(trues), _any(falses))
            return Rails(_any(trues), _all(falses))
        if isinstance(node, Name):
            if node.name == "is_union_member":
                return Rails(Q(is_union_member=True), Q(is_union_member=False))
            if node.name == "is_head":
                head = Q(relation=Person.Relation.HEAD)
                return Rails(head, ~head)
        if isinstance(node, Call):
            condition = self.call(node)
            return Rails(Q(condition), ~Q(condition))
        if isinstance(node, Compare):
            return self.compare(node)
        raise AssertionError(f"not a condition: {node!r}")  # pragma: no cover

    def compare(self, node: Compare) -> Rails:
        if node.op in ("in", "not in"):
            parts = [self.equal(node.left, item) for item in node.right.items]
            rails = Rails(_any([part.true for part in parts]), _all([part.false for part in parts]))
            return rails if node.op == "in" else rails.negated()
        if node.op in ("=", "!="):
            rails = self.equal(node.left, node.right)
            return rails if node.op == "=" else rails.negated()
        for name_side, constant_side, op in (
            (node.left, node.right, node.op),
            (node.right, node.left, FLIPPED[node.op]),
        ):
            if self.is_age(name_side) and self.rule.info_of(constant_side).is_constant:
                return self.age_compare(op, self.rule.info_of(constant_side).constant)
        left, left_nullable = self.value(node.left)
        right, right_nullable = self.value(node.right)
        return Rails(
            Q(LOOKUPS[node.op](left, right))
            & self.known(left, left_nullable, right, right_nullable),
            Q(LOOKUPS[OPPOSITE[node.op]](left, right))
            & self.known(left, left_nullable, right, right_nullable),
        )

    def equal(self, left: Node, right: Node) -> Rails:
        if self.rule.info_of(left).type == BOOL:
            a, b = self.condition(left), self.condition(right)
            return Rails(
                (a.true & b.true) | (a.false & b.false), (a.true & b.false) | (a.false & b.true)
            )
        for name_side, constant_side in ((left, right), (right, left)):
            if self.is_age(name_side) and self.rule.info_of(constant_side).is_constant:
                return self.age_compare("=", self.rule.info_of(constant_side).constant)
        left_value, left_nullable = self.value(left)
        right_value, right_nullable = self.value(right)
        known = self.known(left_value, left_nullable, right_value, right_nullable)
        same = Q(Exact(left_value, right_value))
        return Rails(same & known, ~same & known)

    @staticmethod
    def known(left, left_nullable: bool, right, right_nullable: bool) -> Q:
        guards = [
            Q(IsNull(side, False))
            for side, nullable in ((left, left_nullable), (right, right_nullable))
            if nullable
        ]
        return _all(guards)

    def is_age(self, node: Node) -> bool:
        return isinstance(node, Name) and node.name == "age"

    def age_at_least(self, years: int) -> Rails:
        """age ≥ years, as ranges on birth_date / birth_year."""
        threshold = _years_before(self.today, years)
        year = self.today.year - years
        if threshold is None:
            by_date = Rails(NEVER, Q(birth_date__isnull=False))
        else:
            by_date = Rails(Q(birth_date__lte=threshold), Q(birth_date__gt=threshold))
        no_date = Q(birth_date__isnull=True)
        return Rails(
            by_date.true | (no_date & Q(birth_year__lte=year)),
            by_date.false | (no_date & Q(birth_year__gt=year)),
        )

    def age_compare(self, op: str, constant: Decimal) -> Rails:
        ceiling = int(constant.to_integral_value(rounding=ROUND_CEILING))
        floor = int(constant.to_integral_value(rounding=ROUND_FLOOR))
        if op == ">=":
            return self.age_at_least(ceiling)
        if op == ">":
            return self.age_at_least(floor + 1)
        if op == "<=":
            return self.age_at_least(floor + 1).negated()
        if op == "<":
            return self.age_at_least(ceiling).negated()
        if constant != ceiling:  # age = 60.5 is never true, and false wherever age is known
            known = Q(birth_date__isnull=False) | Q(birth_year__isnull=False)
            rails = Rails(NEVER, known)
        else:
            at_least, above = self.age_at_least(ceiling), self.age_at_least(ceiling + 1)
            rails = Rails(at_least.true & above.false, at_least.false | above.true)
        return rails if op == "=" else rails.negated()

    # --- values -------------------------------------------------------------------------

    def value(self, node: Node) -> tuple[object, bool]:
        """(expression, may be NULL) of a number, string, choice or date sub-expression."""
        if id(node) not in self.values:
            self.values[id(node)] = self.compile_value(node)
        return self.values[id(node)]

    def compile_value(self, node: Node) -> tuple[object, bool]:
        info = self.rule.info_of(node)
        if info.is_constant:
            constant = info.constant
            if isinstance(constant, Decimal):
                return Constant(constant), False
            if isinstance(constant, dt.date):
                return Value(constant, output_field=DateField()), False
            return Value(constant), False
        if isinstance(node, Name):
            return self.name(node.name), info.nullable
        if isinstance(node, Negative):
            inner, nullable = self.value(node.operand)
            return (
                CombinedExpression(
                    Constant(Decimal(0)), "-", inner, output_field=self.number_field(info)
                ),
                nullable,
            )
        if isinstance(node, Arithmetic):
            left, left_nullable = self.value(node.left)
            right, right_nullable = self.value(node.right)
            if node.op == "/":
                numerator = CombinedExpression(
                    left, "*", Constant(Decimal("1.0")), output_field=DecimalField()
                )
                divisor = NullIf(right, Constant(Decimal(0)))
                return CombinedExpression(
                    numerator, "/", divisor, output_field=DecimalField()
                ), True
            return (
                CombinedExpression(left, node.op, right, output_field=self.number_field(info)),
                left_nullable or right_nullable,
            )
        if isinstance(node, Call):
            if node.name == "today":
                return Value(self.today, output_field=DateField()), False
            if node.name == "abs":
                inner, nullable = self.value(info.arguments["x"])
                return Abs(inner, output_field=self.number_field(info)), nullable
            return self.call(node), info.nullable
        raise AssertionError(f"not a value: {node!r}")  # pragma: no cover

    @staticmethod
    def number_field(info):
        return IntegerField() if info.integral else DecimalField()

    def name(self, name: str):
        today = self.today
        if name == "age":
            before_birthday = Case(
                When(
                    Q(birth_date__month__gt=today.month)
                    | Q(birth_date__month=today.month, birth_date__day__gt=today.day),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
            return Case(
                When(
                    birth_date__isnull=False,
                    then=CombinedExpression(
                        CombinedExpression(
                            Constant(Decimal(today.year)),
                            "-",
                            ExtractYear("birth_date"),
                            output_field=IntegerField(),
                        ),
                        "-",
                        before_birthday,
                        output_field=IntegerField(),
                    ),
                ),
                When(
                    birth_year__isnull=False,
                    then=CombinedExpression(
                        Constant(Decimal(today.year)),
                        "-",
                        F("birth_year"),
                        output_field=IntegerField(),
                    ),
                ),
                default=None,
                output_field=IntegerField(),
            )
        if name == "household_size":
            members = (
                Person.objects.filter(
                    household=OuterRef("household"), status__in=CURRENT_MEMBER_STATUSES
                )
                .order_by()
                .values("household")
            )
            count = members.annotate(size=Count("pk")).values("size")
            return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
        fields = {
            "birth_year": "birth_year",
            "birth_date": "birth_date",
            "sex": "sex",
            "ethnicity": "ethnicity",
            "status": "status",
            "poverty": "household__poverty_status",
            "commune": "household__commune__code",
        }
        return F(fields[name])

    def call(self, node: Call):
        rule = self.rule
        if node.name in _BASE_FUNCTIONS:
            code = rule.argument(node, "code")
            if node.name == "need":
                category = (
                    NeedCategory.objects.filter(code=code).values_list("pk", flat=True).first()
                )
                return Exists(
                    Need.objects.filter(
                        person=OuterRef("pk"), category_id=category, status=Need.Status.OPEN
                    )
                )
            category = (
                VulnerabilityCategory.objects.filter(code=code).values_list("pk", flat=True).first()
            )
            if node.name == "has":
                links = PersonVulnerability.objects.filter(person=OuterRef("pk"))
            else:
                links = PersonVulnerability.objects.filter(
                    person__household=OuterRef("household"),
                    person__status__in=CURRENT_MEMBER_STATUSES,
                )
            return Exists(links.filter(open_on(self.today), category_id=category))
        function = _REGISTERED[node.name]
        arguments = {}
        for param in function.signature.params:
            value = rule.argument(node, param.name)
            arguments[param.name] = self.value(value)[0] if isinstance(value, Node) else value
        return function.compile_fn(arguments, today=self.today)


def compile_person_rails(rule: Rule, *, today: dt.date | None = None) -> Rails:
    """(where the rule is true, where it is false) over `registry.Person`.

    RuleError when the query would be too large to send (see `query_size`).
    """
    if not isinstance(rule.context, PersonContext):
        raise ValueError("compile_person_rails needs a rule checked against PersonContext")
    rails = PersonCompiler(rule, today or timezone.localdate()).condition(rule.tree)
    if query_size(rails) > MAX_QUERY_NODES:
        raise RuleError(
            _(
                "Quy tắc quá phức tạp để tính trên cơ sở dữ liệu (so sánh lồng nhau giữa các "
                "điều kiện); hãy viết gọn lại"
            ),
            text=rule.text,
            start=0,
            end=len(rule.text),
        )
    return rails


def compile_person_rule(rule: Rule, *, today: dt.date | None = None) -> Q:
    """A Q selecting the people for whom `rule` is true on `today` (unknown is not true)."""
    return compile_person_rails(rule, today=today).true
