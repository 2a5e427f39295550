"""What makes a page public: no login, rate-limited per client, cached for a short while.

`public_page(key=..., ttl=...)` wraps a view that renders the same bytes for every visitor
(public templates are rendered without the request: no session is read, no CSRF token, no
officer's menu, so nothing personal can leak from one visitor's page into another's copy).
For each GET it:

1. counts the hit against the client's budget (`ANSINH_PORTAL_RATE_LIMIT` requests per
   minute, per IP, through `ansinh.core.ratelimit`) and answers 429 in Vietnamese past it —
   cached pages count too, a flood is a flood;
2. answers from the cache when the same page (path + normalised query string + language)
   was rendered less than `ttl` seconds ago; otherwise runs the view and keeps a 200 answer.

Streamed answers (CSV) are never cached; their views use `ratelimit` with their own tighter
budget. Money figures on these pages are therefore at most `ttl` seconds old, which the
footer says.
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control

from ansinh.core.ratelimit import rate_limited

RATE_WINDOW = 60
DEFAULT_RATE_LIMIT = 120  # requests per minute per client IP
DEFAULT_CACHE_SECONDS = 60
CACHE_PREFIX = "portal:page:"


def rate_limit() -> int:
    return int(getattr(settings, "ANSINH_PORTAL_RATE_LIMIT", DEFAULT_RATE_LIMIT))


def cache_seconds() -> int:
    return int(getattr(settings, "ANSINH_PORTAL_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def page_cache_key(request) -> str:
    """Path + query parameters in a fixed order + language: equal pages share one entry."""
    params = sorted((name, value) for name in request.GET for value in request.GET.getlist(name))
    raw = f"{translation.get_language()}|{request.path}|{urlencode(params)}"
    return CACHE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def render_public(template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """Render a public template without the request (no context processors, no session)."""
    return HttpResponse(render_to_string(template, context), status=status)


def over_limit(request, *, key: str, limit: int, window: int) -> HttpResponse | None:
    """429 (a public page, in Vietnamese, with Retry-After) once the client is past `limit`."""
    if rate_limited(request, key=key, limit=limit, window=window):
        response = render_public(
            "portal/too_many_requests.html",
            {"retry_minutes": max(1, window // 60)},
            status=429,
        )
        response["Retry-After"] = str(window)
        return response
    return None


def public_page(*, key: str, ttl: int | None = None):
    """View decorator: GET/HEAD only, rate-limited, cached for `ttl` seconds (see above;
    default `ANSINH_PORTAL_CACHE_SECONDS`, 60)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            refused = over_limit(
                request, key=f"portal:{key}", limit=rate_limit(), window=RATE_WINDOW
            )
            if refused is not None:
                return refused
            seconds = cache_seconds() if ttl is None else ttl
            cache_key = page_cache_key(request)
            cached = cache.get(cache_key)
            if cached is not None:
                content, content_type = cached
                response = HttpResponse(content, content_type=content_type)
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not response.streaming:
                    cache.set(cache_key, (response.content, response["Content-Type"]), seconds)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=seconds)
            return response

        return wrapper

    return decorate


__all__ = [
    "cache_seconds",
    "over_limit",
    "page_cache_key",
    "public_page",
    "rate_limit",
    "render_public",
]
