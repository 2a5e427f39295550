"""Panels of a person's 360° page that other modules contribute.

A later module (support received, donations, cases) adds what it knows about a person without
the registry knowing about it::

    from ansinh.registry.panels import register_panel

    register_panel(
        "programmes.deliveries",
        title=_("Hỗ trợ đã nhận"),
        template="programmes/_person_panel.html",
        context=lambda request, person: {"deliveries": delivery_list(person=person)},
        permission="programmes.view_delivery",
        order=20,
    )

Call it from the module's `AppConfig.ready()`. The page renders every registered panel whose
permission the user holds over the person's scope (no permission: every user who may see the
person), ordered by `order` then key. A panel's template gets the page's context plus
`person`, `panel` and whatever its `context` callable returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

_PANELS: dict[str, Panel] = {}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable
    permission: str | None = None
    order: int = 100


def register_panel(
    key: str,
    *,
    title: str,
    template: str,
    context: Callable,
    permission: str | None = None,
    order: int = 100,
) -> Panel:
    """Add (or replace, by key) a panel of the person page."""
    panel = Panel(
        key=key,
        title=title,
        template=template,
        context=context,
        permission=permission,
        order=order,
    )
    _PANELS[key] = panel
    return panel


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def registered_panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.key))


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    title: str
    html: str


def panels_for(request, person) -> list[RenderedPanel]:
    """The panels `request.user` may see for `person`, rendered."""
    from .selectors import holds_over

    rendered = []
    for panel in registered_panels():
        if panel.permission and not holds_over(request.user, panel.permission, person.scope_path):
            continue
        context = {"person": person, "panel": panel}
        context.update(panel.context(request, person) or {})
        html = render_to_string(panel.template, context, request=request)
        rendered.append(RenderedPanel(key=panel.key, title=str(panel.title), html=html))
    return rendered


__all__ = ["Panel", "RenderedPanel", "panels_for", "register_panel", "registered_panels"]
