"""Reads: the people a person rule selects."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from ansinh.registry.models import Person

from .checker import Rule
from .compiler import compile_person_rule


def person_select(
    *, rule: Rule, people: QuerySet | None = None, today: dt.date | None = None
) -> QuerySet:
    """`people` (default: all active people) narrowed to those the rule selects on `today`.

    Pass a scoped queryset (`Person.objects.restrict(user, "view")`) for a user's view; it is
    one query whatever the number of people.
    """
    if people is None:
        people = Person.objects.filter(status=Person.Status.ACTIVE)
    return people.filter(compile_person_rule(rule, today=today or timezone.localdate()))


def rule_count(*, rule: Rule, scope_path: str | None = None, today: dt.date | None = None) -> int:
    """How many active people (under `scope_path`, a union unit's path) the rule selects."""
    people = Person.objects.filter(status=Person.Status.ACTIVE)
    if scope_path:
        people = people.filter(scope_path__startswith=scope_path)
    return person_select(rule=rule, people=people, today=today).count()
