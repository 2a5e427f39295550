"""The reusable permission suite every scoped model inherits (NetBox-style).

Subclass `ScopedPermissionSuite` in a test module with a class name starting with `Test`;
pytest collects the inherited tests. A subclass says which model it covers and how to make one
object inside Phường Hoàn Kiếm and one inside Xã Đông Anh, and gives the URLs to check::

    class TestUnionUnitPermissions(ScopedPermissionSuite):
        model = UnionUnit

        def make_objects(self, personas):
            return (
                UnionUnitFactory(parent=personas.hoankiem, kind=UnionUnit.Kind.BRANCH),
                UnionUnitFactory(parent=personas.donganh, kind=UnionUnit.Kind.BRANCH),
            )

        def page_url(self, obj):
            return reverse("org:unit_detail", args=[obj.pk])

        def api_url(self, obj):
            return reverse("unionunit-detail", args=[obj.pk])

        def write_request(self, obj):
            return ("post", reverse("org:unit_update", args=[obj.pk]), {"name": "Chi hội 1"})

What is checked, always as `personas.officer_hoankiem` (officer of Hoàn Kiếm):
- anonymous: pages redirect to the login page, the API answers 401/403, a write changes nothing;
- in scope: page and API answer 200; the in-scope write succeeds (2xx/3xx, no form errors);
- out of scope: page, API and write answer 404 and the object's fields are unchanged;
- the city admin sees both objects (200);
- `Model.objects.restrict(officer, "view")` holds the in-scope object and not the other one.

`make_objects` may also give the officer extra roles when the model needs a permission a
commune officer does not hold by default (the accounts suite does that). Writes to URLs under
`/api/` are sent as JSON, other writes as a form post.
"""

from __future__ import annotations

import json

import pytest
from django import forms
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from ansinh.accounts.permissions import forget_roles


def snapshot(obj) -> dict | None:
    """Every concrete field of the object as stored now (None when the row is gone)."""
    fresh = type(obj)._base_manager.filter(pk=obj.pk).first()
    if fresh is None:
        return None
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


def send(client: Client, method: str, url: str, data):
    """Send a write: JSON for the API, a form post for pages."""
    method = method.lower()
    if url.startswith("/api/"):
        return client.generic(
            method.upper(),
            url,
            data=b"" if data is None else json.dumps(data),
            content_type="application/json",
        )
    if method == "post":
        return client.post(url, data or {})
    return client.generic(method.upper(), url, data="", content_type="text/plain")


def form_errors(response) -> list:
    """Errors of any bound form re-rendered in the response (a failed POST answers 200)."""
    errors = []
    for context in response.context or []:
        for value in context.dicts if hasattr(context, "dicts") else [context]:
            if not isinstance(value, dict):
                continue
            for item in value.values():
                if isinstance(item, forms.BaseForm) and item.is_bound and item.errors:
                    errors.append(item.errors)
    return errors


class ScopedPermissionSuite:
    """Subclass it in a test module (class name Test...); pytest collects the inherited tests."""

    model = None  # the scoped model class

    def make_objects(self, personas):  # -> (obj_in_hoankiem, obj_in_donganh)
        raise NotImplementedError

    def page_url(self, obj):  # detail page URL or None
        return None

    def api_url(self, obj):  # API detail URL or None
        return None

    def write_request(self, obj):  # optional (method, url, data) the officer may do in scope
        return None

    # -- helpers -------------------------------------------------------------------------

    def _objects(self, personas):
        inside, outside = self.make_objects(personas)
        assert inside.pk is not None and outside.pk is not None
        assert inside.pk != outside.pk
        # make_objects may have given the personas extra roles: drop any cached ones.
        for user in (personas.officer_hoankiem, personas.city_admin):
            forget_roles(user)
        return inside, outside

    def _urls(self, obj):
        urls = [("page", self.page_url(obj)), ("api", self.api_url(obj))]
        urls = [(kind, url) for kind, url in urls if url]
        if not urls:
            pytest.skip("neither page_url nor api_url is defined")
        return urls

    # -- the tests -----------------------------------------------------------------------

    def test_anonymous_is_sent_to_login(self, personas, client):
        inside, _outside = self._objects(personas)
        login_url = resolve_url(settings.LOGIN_URL)
        for kind, url in self._urls(inside):
            response = client.get(url)
            if kind == "page":
                assert response.status_code == 302, url
                assert response.url.startswith(login_url), response.url
            else:
                assert response.status_code in (401, 403), url

    def test_anonymous_write_changes_nothing(self, personas, client):
        inside, _outside = self._objects(personas)
        request = self.write_request(inside)
        if request is None:
            pytest.skip("no write_request")
        before = snapshot(inside)
        method, url, data = request
        response = send(client, method, url, data)
        assert response.status_code in (302, 401, 403), response.status_code
        assert snapshot(inside) == before

    def test_officer_sees_object_in_scope(self, personas, client_for):
        inside, _outside = self._objects(personas)
        client = client_for(personas.officer_hoankiem)
        for _kind, url in self._urls(inside):
            assert client.get(url).status_code == 200, url

    def test_officer_gets_404_out_of_scope_and_nothing_changes(self, personas, client_for):
        _inside, outside = self._objects(personas)
        client = client_for(personas.officer_hoankiem)
        before = snapshot(outside)
        for _kind, url in self._urls(outside):
            assert client.get(url).status_code == 404, url
        assert snapshot(outside) == before

    def test_officer_write_out_of_scope_is_404_and_unchanged(self, personas, client_for):
        _inside, outside = self._objects(personas)
        request = self.write_request(outside)
        if request is None:
            pytest.skip("no write_request")
        client = client_for(personas.officer_hoankiem)
        before = snapshot(outside)
        method, url, data = request
        response = send(client, method, url, data)
        assert response.status_code == 404, (url, response.status_code)
        assert snapshot(outside) == before

    def test_officer_write_in_scope_succeeds(self, personas, client_for):
        inside, _outside = self._objects(personas)
        request = self.write_request(inside)
        if request is None:
            pytest.skip("no write_request")
        client = client_for(personas.officer_hoankiem)
        method, url, data = request
        response = send(client, method, url, data)
        assert 200 <= response.status_code < 400, (url, response.status_code)
        assert form_errors(response) == [], form_errors(response)

    def test_city_admin_sees_both(self, personas, client_for):
        inside, outside = self._objects(personas)
        client = client_for(personas.city_admin)
        for obj in (inside, outside):
            for _kind, url in self._urls(obj):
                assert client.get(url).status_code == 200, url

    def test_restrict_gives_the_officer_only_her_object(self, personas):
        inside, outside = self._objects(personas)
        visible = self.model.objects.restrict(personas.officer_hoankiem, "view")
        assert set(visible.filter(pk__in=[inside.pk, outside.pk]).values_list("pk", flat=True)) == {
            inside.pk
        }
        every = self.model.objects.restrict(personas.city_admin, "view")
        assert every.filter(pk__in=[inside.pk, outside.pk]).count() == 2
