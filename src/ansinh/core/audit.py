"""Writing the audit log. Services call these inside their own transaction.

Every write of personal data, every view and export of it, and every sign-in attempt leaves
one `AuditEvent`. Nothing here updates or deletes an event.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from .middleware import client_ip, current_request
from .models import AuditEvent

Action = AuditEvent.Action


def user_scope_path(user) -> str:
    """Path of the user's first assigned unit: where events about her, and her own exports
    and jobs, are filed (so inspectors of that subtree see them)."""
    if user is None or not user.pk:
        return ""
    path = user.roles.order_by("unit__path").values_list("unit__path", flat=True).first()
    return path or ""


def object_scope_path(obj: models.Model | None) -> str:
    """The union-tree path an object belongs to, following its model's `scope_field`."""
    if obj is None:
        return ""
    field = getattr(type(obj), "scope_field", None)
    if not field:
        return ""
    if not isinstance(field, str):  # several subtrees: file the event under the first
        field = field[0]
    value = obj
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    scope_path: str | None = None,
    request=None,
) -> AuditEvent:
    request = request or current_request()
    request_user = getattr(request, "user", None)
    if actor is None and request_user is not None and request_user.is_authenticated:
        actor = request_user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_username=getattr(actor, "username", "") or "",
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        changes=changes or {},
        ip=client_ip(request) if request is not None else None,
        path=(request.path[:255] if request is not None else ""),
        scope_path=object_scope_path(obj) if scope_path is None else scope_path,
    )


def model_changes(before: dict, after: dict) -> dict:
    """{"field": [old, new]} for the fields whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """JSON-safe values of `fields` for `model_changes`."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        values[name] = value
    return values


def audit_create(*, actor, obj, fields: Iterable[str]) -> AuditEvent:
    return audit_record(
        action=Action.CREATE, actor=actor, obj=obj, changes=model_changes({}, snapshot(obj, fields))
    )


def audit_update(*, actor, obj, before: dict, fields: Iterable[str]) -> AuditEvent | None:
    changes = model_changes(before, snapshot(obj, fields))
    if not changes:
        return None
    return audit_record(action=Action.UPDATE, actor=actor, obj=obj, changes=changes)


def audit_delete(*, actor, obj) -> AuditEvent:
    return audit_record(action=Action.DELETE, actor=actor, obj=obj)


def audit_view(*, actor, obj) -> AuditEvent:
    """A person's personal data was shown to `actor`."""
    return audit_record(action=Action.VIEW, actor=actor, obj=obj)


def audit_export(*, actor, object_type: str, count: int, filters: dict, scope_path: str = ""):
    """A list was exported; what was asked for and how many rows left the system."""
    return audit_record(
        action=Action.EXPORT,
        actor=actor,
        object_type=object_type,
        object_repr=f"{count} dòng",
        changes={"filters": filters, "count": count},
        scope_path=scope_path,
    )
