"""The one scoping mechanism every module uses for pages, API and exports.

A scoped model declares `scope_field`: the lookup path from the model to the materialised path
of the union unit it belongs to (e.g. `"path"` on UnionUnit itself, `"unit__path"` elsewhere).
A tuple of lookups means the row
touches several subtrees and is visible only when every one of them is in scope (a pair of
possibly duplicate people in two communes). It may also declare `scope_also`: further lookups through to-many relations that also make a
row visible (a closed union unit is visible to the officers of the units that succeeded it);
those are matched in a subquery, so rows are never duplicated.
`Model.objects.restrict(user, "view")` returns only rows inside the subtrees where the user
holds a role granting `<app>.<action>_<model>`. What a user cannot see does not exist for her:
views answer 404 (`get_scoped_or_404`), never 403, so existence is not leaked.

After a write, services re-read the object through `restrict()` inside the same transaction
(`ensure_in_scope`) and roll back if the user could not see the result: one cannot create or
move data out of one's own scope.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.http import Http404


class OutOfScope(Http404):
    """Raised when an object is not visible to the acting user (rendered as 404)."""


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> ScopedQuerySet:
        from ansinh.accounts.permissions import ALL, scope_paths

        if user is None or not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, permission_name(self.model, action))
        if paths is ALL:
            return self
        if not paths:
            return self.none()
        fields = self.model.scope_field
        if isinstance(fields, str):
            fields = (fields,)
        condition = Q()
        for field in fields:
            in_scope = Q()
            for path in paths:
                in_scope |= Q(**{f"{field}__startswith": path})
            condition &= in_scope
        also = getattr(self.model, "scope_also", ())
        if also:
            related = Q()
            for lookup in also:
                for path in paths:
                    related |= Q(**{f"{lookup}__startswith": path})
            manager = self.model._base_manager
            condition |= Q(pk__in=manager.filter(related).values("pk"))
        return self.filter(condition)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def get_scoped_or_404(queryset, user, action: str = "view", **lookup):
    """Fetch one object visible to `user` for `action`, or raise 404."""
    try:
        return queryset.restrict(user, action).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise OutOfScope(f"No {queryset.model.__name__} matches the given query.") from exc


def ensure_in_scope(obj: models.Model, user, action: str = "change") -> None:
    """Re-check after a write (call inside the transaction): raise OutOfScope to roll back."""
    manager = type(obj)._default_manager
    if not manager.restrict(user, action).filter(pk=obj.pk).exists():
        raise OutOfScope("The object is outside the user's scope.")
