"""Validation rules of a template over a submission's figures (the rule language,
`ansinh.rules.values`). A rule that is false blocks submitting; one that cannot be checked
(a figure left blank) is shown as a warning."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ansinh.rules.checker import parse_rule
from ansinh.rules.errors import RuleError
from ansinh.rules.values import ValuesContext, evaluate_values

PASSED = "passed"
FAILED = "failed"
UNKNOWN = "unknown"


@dataclass
class RuleCheck:
    expression: str
    message: str
    status: str
    details: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def template_context(template) -> ValuesContext:
    rows = template.template_indicators.select_related("indicator").order_by("order")
    return ValuesContext(
        {row.indicator.code: int for row in rows},
        labels={row.indicator.code: row.indicator.name for row in rows},
    )


def rules_check(*, template, values: dict[str, int | None]) -> list[RuleCheck]:
    """Every rule of the template over `values` ({code: value or None})."""
    context = template_context(template)
    results = []
    for rule in template.rules.order_by("order"):
        try:
            parsed = parse_rule(rule.expression, context)
        except RuleError as error:
            results.append(
                RuleCheck(
                    rule.expression,
                    rule.message,
                    UNKNOWN,
                    [_("Quy tắc viết sai: %(error)s") % {"error": error.message}],
                )
            )
            continue
        outcome = evaluate_values(parsed, values)
        if outcome.passed:
            status = PASSED
        elif outcome.failed:
            status = FAILED
        else:
            status = UNKNOWN
        details = outcome.explanation.lines() if status == FAILED else list(outcome.problems)
        results.append(RuleCheck(rule.expression, rule.message, status, details))
    return results


def rule_text_check(*, template, expression: str) -> str:
    """'' when `expression` is a valid rule over the template's figures, else the error."""
    try:
        parse_rule(expression, template_context(template))
    except RuleError as error:
        return str(error)
    return ""
