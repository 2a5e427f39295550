"""The public-page wrapper: GET only, rate-limited per client, cached for a short while."""

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from ansinh.portal.public import public_page

factory = RequestFactory()


def make_view(calls: list):
    @public_page(key="test", ttl=30)
    def view(request):
        calls.append(request.GET.get("q"))
        return HttpResponse(f"<p>{len(calls)}</p>")

    return view


def test_second_identical_request_is_served_from_the_cache():
    calls = []
    view = make_view(calls)
    first = view(factory.get("/minh-bach/x/", {"q": "an", "amount": "5"}))
    # the same parameters in another order are the same page
    second = view(factory.get("/minh-bach/x/?amount=5&q=an"))
    assert first.content == second.content == b"<p>1</p>"
    assert calls == ["an"]
    assert "public" in second["Cache-Control"] and "max-age=30" in second["Cache-Control"]


def test_other_parameters_are_another_page():
    calls = []
    view = make_view(calls)
    view(factory.get("/minh-bach/x/", {"q": "an"}))
    view(factory.get("/minh-bach/x/", {"q": "binh"}))
    assert calls == ["an", "binh"]


def test_error_answers_are_not_cached():
    calls = []

    @public_page(key="test", ttl=30)
    def failing(request):
        calls.append(1)
        return HttpResponse("no", status=404)

    assert failing(factory.get("/minh-bach/y/")).status_code == 404
    assert failing(factory.get("/minh-bach/y/")).status_code == 404
    assert len(calls) == 2


@override_settings(ANSINH_PORTAL_RATE_LIMIT=3)
def test_over_the_limit_answers_429_in_vietnamese_and_the_view_does_not_run():
    calls = []
    view = make_view(calls)
    statuses = [
        view(factory.get("/minh-bach/x/", {"q": str(n)}, REMOTE_ADDR="10.0.0.1")).status_code
        for n in range(3)
    ]
    refused = view(factory.get("/minh-bach/x/", {"q": "9"}, REMOTE_ADDR="10.0.0.1"))
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert refused["Retry-After"] == "60"
    assert calls == ["0", "1", "2"]
    # cached pages count too, and another client still gets through
    assert view(factory.get("/minh-bach/x/", {"q": "0"}, REMOTE_ADDR="10.0.0.1")).status_code == 429
    assert view(factory.get("/minh-bach/x/", {"q": "0"}, REMOTE_ADDR="10.0.0.2")).status_code == 200


def test_only_get_and_head():
    calls = []
    view = make_view(calls)
    assert view(factory.post("/minh-bach/x/", {"q": "an"})).status_code == 405
    assert calls == []
