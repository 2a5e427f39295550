"""A small fixed-window rate limiter for public pages, on Django's cache.

`rate_limited(request, key="feedback", limit=5, window=600)` counts hits per client IP (the
first address of X-Forwarded-For only when `ANSINH_TRUST_PROXY` is set, else REMOTE_ADDR) and
returns True once the limit is passed within the window. The `ratelimit` decorator answers
429 with a Vietnamese page then. With several gunicorn workers or machines the cache must be
shared (database or Redis cache, see docs/deployment.md); with the default local-memory cache
each worker counts on its own, which still stops a flood from one client.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string


def client_ip(request) -> str:
    if getattr(settings, "ANSINH_TRUST_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request, *, key: str, limit: int, window: int) -> bool:
    """Count this request; True when the client has gone over `limit` hits in `window` s."""
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{key}:{client_ip(request)}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
    return count > limit


def too_many_requests(request, *, window: int) -> HttpResponse:
    body = render_to_string(
        "core/too_many_requests.html",
        {"retry_minutes": max(1, window // 60)},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(window)
    return response


def ratelimit(*, key: str, limit: int, window: int, methods: tuple[str, ...] = ("POST",)):
    """View decorator: over the limit (for the given methods) → 429, the view does not run."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and rate_limited(
                request, key=key, limit=limit, window=window
            ):
                return too_many_requests(request, window=window)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


__all__ = ["client_ip", "rate_limited", "ratelimit", "too_many_requests"]
