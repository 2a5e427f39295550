"""Evaluating a checked rule in Python, with an explanation of every step.

Logic is three-valued (Kleene, as in SQL): a value that is not known (a missing birth date, a
figure not entered, a division by zero) makes a comparison *unknown*; `not unknown` is
unknown; `false and unknown` is false; `true or unknown` is true. A rule *selects* only when
it is true. The SQL compiler (`person.compile_person_rule`) keeps to exactly these semantics,
and a randomised test checks that the two agree.

An `Environment` supplies the values of names and of the context's own functions; the
evaluator does the rest (literals, arithmetic, comparisons, logic, the built-in functions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .checker import BOOL, NUMBER, Choice, Rule, arithmetic, compare
from .nodes import (
    Arithmetic,
    Boolean,
    BoolOp,
    Call,
    Compare,
    ListLiteral,
    Name,
    Negative,
    Node,
    Not,
    Number,
    String,
)

SYMBOLS = {
    "=": "=",
    "!=": "≠",
    "<": "<",
    "<=": "≤",
    ">": ">",
    ">=": "≥",
    "in": "thuộc",
    "not in": "không thuộc",
}


@dataclass
class Explanation:
    """One sub-expression: its source text, value and a Vietnamese sentence."""

    source: str
    value: object
    sentence: str
    is_condition: bool = False
    children: list[Explanation] = field(default_factory=list)

    @property
    def is_true(self) -> bool:
        return self.value is True

    def lines(self, *, conditions_only: bool = True, indent: int = 0) -> list[str]:
        """The explanation as indented text lines (conditions only, by default)."""
        out = []
        shown = self.is_condition or not conditions_only
        if shown:
            out.append("  " * indent + self.sentence)
        for child in self.children:
            out.extend(
                child.lines(conditions_only=conditions_only, indent=indent + (1 if shown else 0))
            )
        return out

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "value": format_value(self.value),
            "sentence": self.sentence,
            "is_condition": self.is_condition,
            "children": [child.as_dict() for child in self.children],
        }


def truth(value: object) -> str:
    if value is True:
        return _("đúng")
    if value is False:
        return _("sai")
    return _("không rõ")


def format_number(value: Decimal) -> str:
    """Vietnamese number: 1.234.567 and 0,5."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    text = f"{whole:,}".replace(",", ".")
    if value != whole:
        text += "," + f"{(value - whole).normalize():f}"[2:]
    return sign + text


def format_value(value: object) -> str:
    if value is None:
        return _("không rõ")
    if isinstance(value, bool):
        return truth(value)
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, int):
        return format_number(Decimal(value))
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class Environment:
    """What the evaluator asks of the context: names, functions, today."""

    today: dt.date

    def name_value(self, name: str) -> object:
        raise NotImplementedError

    def name_note(self, name: str) -> str:
        """Why a name is unknown ("chưa có ngày sinh, năm sinh"); "" when nothing to say."""
        return ""

    def call(self, rule: Rule, call: Call) -> tuple[object, str]:
        """(value, sentence) of a context function."""
        raise NotImplementedError

    def call_value(self, rule: Rule, call: Call) -> object:
        """The value only (override when the sentence is costly)."""
        return self.call(rule, call)[0]

    def report(self, problem: str) -> None:
        """A reason a value is unknown (division by zero…); ignored unless collected."""


class Evaluator:
    def __init__(self, rule: Rule, environment: Environment):
        self.rule = rule
        self.env = environment
        self.names = rule.context.name_specs()

    def run(self) -> Explanation:
        return self.visit(self.rule.tree)

    def value(self, node: Node) -> object:
        """The value alone, without sentences (same semantics as `visit`, for bulk use)."""
        info = self.rule.info_of(node)
        if info.is_constant:
            return info.constant
        kind = type(node)
        if kind is BoolOp:
            unknown = False
            stop = node.op == "or"  # `or` stops at the first true, `and` at the first false
            for operand in node.operands:
                value = self.value(operand)
                if value is None:
                    unknown = True
                elif value is stop:
                    return stop
            return None if unknown else not stop
        if kind is Not:
            value = self.value(node.operand)
            return None if value is None else not value
        if kind is Compare:
            left = self.value(node.left)
            if node.op in ("in", "not in"):
                found: bool | None = False
                for item in node.right.items:
                    same = compare("=", left, self.value(item))
                    if same is True:
                        found = True
                        break
                    if same is None:
                        found = None
                return found if node.op == "in" or found is None else not found
            return compare(node.op, left, self.value(node.right))
        if kind is Name:
            value = self.env.name_value(node.name)
            if isinstance(value, int) and not isinstance(value, bool):
                return Decimal(value)
            return value
        if kind is Arithmetic:
            return arithmetic(node.op, self.value(node.left), self.value(node.right))
        if kind is Negative:
            value = self.value(node.operand)
            return None if value is None else -value
        if kind is Call:
            if node.name == "today":
                return self.env.today
            if node.name == "abs":
                value = self.value(info.arguments["x"])
                return None if value is None else abs(value)
            value = self.env.call_value(self.rule, node)
            if isinstance(value, int) and not isinstance(value, bool):
                return Decimal(value)
            return value
        raise AssertionError(f"cannot evaluate {node!r}")  # pragma: no cover

    def visit(self, node: Node) -> Explanation:
        info = self.rule.info_of(node)
        if info.is_constant and not isinstance(node, (Compare, BoolOp, Not)):
            return Explanation(
                self.rule.source(node), info.constant, self.shown(node, info.constant)
            )
        return getattr(self, f"visit_{type(node).__name__}")(node)

    def shown(self, node: Node, value: object) -> str:
        """How a value reads inside a sentence: "Tuổi 63", "60", "Nữ"."""
        info = self.rule.info_of(node)
        if isinstance(info.type, Choice) and value is not None:
            option = self.rule.context.lookup_option(info.type, value)
            value = option.name if option else value
        if info.type == BOOL and not info.is_constant:
            if isinstance(node, Name):
                return f"{self.names[node.name].label} ({truth(value)})"
            return f"{self.rule.source(node)} ({truth(value)})"
        if isinstance(node, Name):
            spec = self.names[node.name]
            if isinstance(info.type, Choice) and value is not None:
                return f"{spec.label} ({value})"
            if value is None:
                note = self.env.name_note(node.name)
                return f"{spec.label} ({note or _('không rõ')})"
            return f"{spec.label} {format_value(value)}"
        if isinstance(node, (Number, String, Boolean)) or info.is_constant:
            if isinstance(value, str):
                return f'"{value}"' if not isinstance(info.type, Choice) else value
            return format_value(value)
        return f"{self.rule.source(node)} = {format_value(value)}"

    def visit_Name(self, node: Name) -> Explanation:
        value = self.env.name_value(node.name)
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if self.rule.info_of(node).type == BOOL:
            sentence = f"{self.names[node.name].label}: {truth(value)}"
            return Explanation(self.rule.source(node), value, sentence, is_condition=True)
        return Explanation(self.rule.source(node), value, self.shown(node, value))

    def visit_Number(self, node: Number) -> Explanation:  # pragma: no cover - constants
        return Explanation(self.rule.source(node), node.value, format_value(node.value))

    def visit_Call(self, node: Call) -> Explanation:
        info = self.rule.info_of(node)
        source = self.rule.source(node)
        if node.name == "today":
            return Explanation(
                source, self.env.today, f"{_('Hôm nay')} {format_value(self.env.today)}"
            )
        if node.name == "abs":
            inner = self.visit(info.arguments["x"])
            value = None if inner.value is None else abs(inner.value)
            return Explanation(source, value, self.shown(node, value), children=[inner])
        value, sentence = self.env.call(self.rule, node)
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if info.type == BOOL:
            return Explanation(source, value, f"{sentence}: {truth(value)}", is_condition=True)
        return Explanation(source, value, sentence or self.shown(node, value))

    def visit_Negative(self, node: Negative) -> Explanation:
        inner = self.visit(node.operand)
        value = None if inner.value is None else -inner.value
        return Explanation(self.rule.source(node), value, self.shown(node, value), children=[inner])

    def visit_Arithmetic(self, node: Arithmetic) -> Explanation:
        left = self.visit(node.left)
        right = self.visit(node.right)
        value = arithmetic(node.op, left.value, right.value)
        sentence = self.shown(node, value)
        if node.op == "/" and right.value == 0:
            sentence = f"{self.rule.source(node)}: {_('không rõ (chia cho 0)')}"
            self.env.report(
                _('Chia cho 0 ở "%(source)s": %(divisor)s bằng 0')
                % {"source": self.rule.source(node), "divisor": self.rule.source(node.right)}
            )
        return Explanation(self.rule.source(node), value, sentence, children=[left, right])

    def visit_Compare(self, node: Compare) -> Explanation:
        left = self.visit(node.left)
        symbol = SYMBOLS[node.op]
        if node.op in ("in", "not in"):
            items = [self.visit(item) for item in node.right.items]
            found: bool | None = False
            for item in items:
                same = compare("=", left.value, item.value)
                if same is True:
                    found = True
                    break
                if same is None:
                    found = None
            value = found if node.op == "in" or found is None else not found
            listed = ", ".join(
                self.shown(item_node, item.value)
                for item_node, item in zip(node.right.items, items, strict=True)
            )
            sentence = f"{self.shown(node.left, left.value)} {symbol} [{listed}]: {truth(value)}"
            return Explanation(
                self.rule.source(node), value, sentence, is_condition=True, children=[left, *items]
            )
        right = self.visit(node.right)
        value = compare(node.op, left.value, right.value)
        sentence = (
            f"{self.shown(node.left, left.value)} {symbol} "
            f"{self.shown(node.right, right.value)}: {truth(value)}"
        )
        return Explanation(
            self.rule.source(node), value, sentence, is_condition=True, children=[left, right]
        )

    def visit_Not(self, node: Not) -> Explanation:
        inner = self.visit(node.operand)
        value = None if inner.value is None else not inner.value
        sentence = _("Không phải (%(source)s): %(truth)s") % {
            "source": self.rule.source(node.operand),
            "truth": truth(value),
        }
        return Explanation(
            self.rule.source(node), value, sentence, is_condition=True, children=[inner]
        )

    def visit_BoolOp(self, node: BoolOp) -> Explanation:
        parts = [self.visit(operand) for operand in node.operands]
        values = [part.value for part in parts]
        count = len(parts)
        if node.op == "and":
            value = False if False in values else (None if None in values else True)
            sentence = {
                True: _("Đạt cả %(count)d điều kiện"),
                False: _("Không đạt: có điều kiện sai (trong %(count)d điều kiện)"),
                None: _("Chưa xác định: có điều kiện không rõ (trong %(count)d điều kiện)"),
            }[value] % {"count": count}
        else:
            value = True if True in values else (None if None in values else False)
            sentence = {
                True: _("Đạt: có ít nhất một trong %(count)d điều kiện đúng"),
                False: _("Không đạt điều kiện nào trong %(count)d điều kiện"),
                None: _(
                    "Chưa xác định: không điều kiện nào đúng, có điều kiện không rõ (trong %(count)d điều kiện)"
                ),
            }[value] % {"count": count}
        return Explanation(
            self.rule.source(node),
            value,
            f"{sentence}: {truth(value)}",
            is_condition=True,
            children=parts,
        )

    def visit_ListLiteral(self, node: ListLiteral) -> Explanation:  # pragma: no cover
        raise AssertionError("lists are evaluated by their comparison")


def evaluate(rule: Rule, environment: Environment) -> Explanation:
    """The rule's explanation tree; `.value` is True, False or None (unknown)."""
    return Evaluator(rule, environment).run()


def evaluate_value(rule: Rule, environment: Environment) -> object:
    """The rule's value alone: True, False or None (unknown)."""
    return Evaluator(rule, environment).value(rule.tree)


__all__ = ["NUMBER", "Environment", "Explanation", "evaluate", "format_value", "truth"]
