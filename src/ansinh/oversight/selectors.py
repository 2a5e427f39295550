"""Reads of the oversight module; every query goes through `restrict()`."""

from __future__ import annotations

from django.db.models import Q

from ansinh.accounts.permissions import ALL, SENSITIVE_FEEDBACK, scope_paths
from ansinh.core.scoping import OutOfScope

from .models import Feedback


def feedback_visible(user, action: str = "view"):
    """Feedback in the user's scope; sensitive cases only where she holds SENSITIVE_FEEDBACK
    over the unit the case is assigned to."""
    qs = Feedback.objects.restrict(user, action).select_related("category", "unit")
    paths = scope_paths(user, SENSITIVE_FEEDBACK)
    if paths is ALL:
        return qs
    allowed = Q(category__is_sensitive=False)
    for path in paths or []:
        allowed |= Q(unit__path__startswith=path)
    return qs.filter(allowed)


def feedback_get_or_404(user, pk: int, action: str = "view") -> Feedback:
    try:
        return feedback_visible(user, action).get(pk=pk)
    except Feedback.DoesNotExist as exc:
        raise OutOfScope("No Feedback matches the given query.") from exc
