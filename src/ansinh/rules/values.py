"""Validation rules over a report's figures (issue 6): `EMPLOYED_AFTER_TRAINING <= TRAINED`.

`ValuesContext` declares the figures a rule may name, with their types; `evaluate_values`
evaluates a checked rule over a dict of values in Python decimals, with the same
three-valued logic as person rules: a figure not entered, or a division by zero, makes the
comparisons that use it unknown, and each such problem is reported in Vietnamese. A rule
*passes* when it is true, *fails* when it is false and *cannot be checked* when unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .checker import BOOL, DATE, NUMBER, STRING, Context, NameSpec, Rule, Type
from .evaluate import Environment, Explanation, evaluate
from .nodes import Call

PYTHON_TYPES: dict[type, Type] = {
    int: NUMBER,
    float: NUMBER,
    Decimal: NUMBER,
    bool: BOOL,
    str: STRING,
    dt.date: DATE,
}


class ValuesContext(Context):
    """Names of figures and their types: `ValuesContext({"TRAINED": int, ...})`.

    Types are Python types (int, float, Decimal → số; bool, str, date) or rule types;
    `labels` gives each name a Vietnamese label for explanations.
    """

    label = _lazy("quy tắc kiểm tra số liệu")

    def __init__(self, names: dict[str, type | Type], labels: dict[str, str] | None = None):
        super().__init__()
        labels = labels or {}
        self._names: dict[str, NameSpec] = {}
        for name, kind in names.items():
            rule_type = kind if isinstance(kind, Type) else PYTHON_TYPES.get(kind)
            if rule_type is None:
                raise ValueError(f"unsupported type for {name!r}: {kind!r}")
            self._names[name] = NameSpec(
                name,
                rule_type,
                labels.get(name, name),
                nullable=True,
                integral=kind is int,
            )

    def name_specs(self) -> dict[str, NameSpec]:
        return dict(self._names)


@dataclass
class ValuesResult:
    value: bool | None
    explanation: Explanation
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.value is True

    @property
    def failed(self) -> bool:
        return self.value is False


class ValuesEnvironment(Environment):
    def __init__(self, rule: Rule, values: dict[str, object], today: dt.date):
        self.specs = rule.context.name_specs()
        self.values = values
        self.today = today
        self.problems: list[str] = []

    def report(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def name_value(self, name: str) -> object:
        spec = self.specs[name]
        value = self.values.get(name)
        if value is None or value == "":
            self.report(_("Chưa có số liệu %(name)s") % {"name": spec.label})
            return None
        if spec.type == NUMBER:
            if isinstance(value, bool):
                raise ValueError(_("%(name)s phải là một số") % {"name": spec.label})
            try:
                return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
            except (InvalidOperation, TypeError, ValueError) as exc:
                raise ValueError(_("%(name)s phải là một số") % {"name": spec.label}) from exc
        return value

    def name_note(self, name: str) -> str:
        return _("chưa có số liệu")

    def call(self, rule: Rule, call: Call) -> tuple[object, str]:  # pragma: no cover
        raise AssertionError("values rules have only built-in functions")


def evaluate_values(
    rule: Rule, values: dict[str, object], *, today: dt.date | None = None
) -> ValuesResult:
    """Evaluate a rule checked against a ValuesContext over `values` (missing → unknown)."""
    environment = ValuesEnvironment(rule, values, today or timezone.localdate())
    explanation = evaluate(rule, environment)
    return ValuesResult(explanation.value, explanation, environment.problems)
