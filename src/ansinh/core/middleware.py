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


class LanguageMiddleware:
    """Vietnamese unless the user chose otherwise (the language switch sets a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many officers'
    phones and office PCs are set to English: the UI must still open in Vietnamese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
