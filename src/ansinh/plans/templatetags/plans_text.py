"""Rendering a plan's text: paragraphs, "-"/"+" bullets as lists, *emphasis* as <em>."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_EMPHASIS = re.compile(r"\*([^*\n]+)\*")


@register.filter
def plan_inline(text: str) -> str:
    """Escaped text with the plan's *emphasis* marks turned into <em>."""
    return mark_safe(_EMPHASIS.sub(r"<em>\1</em>", escape(text or "")))  # noqa: S308


@register.filter
def plan_body(text: str) -> str:
    """A section body: one paragraph per line; "- " items and their "+ " sub-items as lists."""
    html: list[str] = []
    depth = 0  # 0: no list open; 1: an item of the outer list open; 2: a sub-item list open

    def close_to(level: int) -> None:
        nonlocal depth
        while depth > level:
            html.append("</li></ul>" if depth == 1 else "</ul>")
            depth -= 1

    for line in (text or "").split("\n"):
        if not line.strip():
            continue
        mark, rest = line[:1], line[1:].strip()
        if mark == "+" and depth >= 1:
            if depth == 1:
                html.append('<ul class="plan-subitems">')
                depth = 2
            html.append(f"<li>{plan_inline(rest)}</li>")
        elif mark in "-+":
            close_to(1)
            if depth == 1:
                html.append("</li>")
            else:
                html.append('<ul class="plan-items">')
                depth = 1
            html.append(f"<li>{plan_inline(rest)}")
        else:
            close_to(0)
            html.append(f"<p>{plan_inline(line)}</p>")
    close_to(0)
    return mark_safe("".join(html))  # noqa: S308
