"""Parsing rules for their owners (programmes store eligibility rules, reports validation
rules); this app stores nothing itself, so it has no writes."""

from __future__ import annotations

from .checker import Context, Rule, parse_rule
from .errors import RuleError
from .person import PersonContext


def rule_parse(text: str, context: Context | None = None) -> Rule:
    """Parse and check `text` (person context unless told); RuleError points at the mistake."""
    return parse_rule(text, context if context is not None else PersonContext())


__all__ = ["RuleError", "rule_parse"]
