"""Keeps the current request's client address and path for the audit log."""

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("ansinh_current_request", default=None)


def current_request():
    return _current_request.get()


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: behind a proxy, the deployment sets it from X-Forwarded-For at the
    # proxy (docs/deployment.md); trusting the header here would let anyone forge it.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
