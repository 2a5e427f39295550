"""API: the current user, token sign-in with lockout and audit, the scoped user list."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ansinh.accounts.models import User
from ansinh.accounts.permissions import Role
from ansinh.core.models import AuditEvent
from tests.factories import DEMO_PASSWORD, RoleAssignmentFactory

TOKEN_URL = reverse("api-auth-token")
Action = AuditEvent.Action


def token_login(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_me_lists_roles_with_unit(personas, client_for):
    RoleAssignmentFactory(
        user=personas.officer_hoankiem, role=Role.CASE_WORKER, unit=personas.hoankiem
    )
    response = client_for(personas.officer_hoankiem).get(reverse("api-me"))
    assert response.status_code == 200
    data = response.json()
    assert (data["username"], data["full_name"], data["language"]) == ("hoankiem", "Hoankiem", "vi")
    assert [
        (r["role"], r["unit"]["code"], r["unit"]["name"], r["unit"]["path"]) for r in data["roles"]
    ] == [
        ("case_worker", "00070", "Hội LHPN Phường Hoàn Kiếm", personas.hoankiem.path),
        ("commune_officer", "00070", "Hội LHPN Phường Hoàn Kiếm", personas.hoankiem.path),
    ]


def test_me_needs_authentication(client, db):
    assert client.get(reverse("api-me")).status_code in (401, 403)


def test_token_login_is_audited_and_the_token_works(personas):
    client = APIClient()
    response = token_login(client, "hoankiem", DEMO_PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=personas.officer_hoankiem).key
    assert list(AuditEvent.objects.values_list("action", "actor_username")) == [
        (Action.LOGIN, "hoankiem")
    ]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api-me")).json()["username"] == "hoankiem"


def test_token_login_failure_is_audited_once_and_generic(personas):
    client = APIClient()
    wrong = token_login(client, "hoankiem", "sai")
    unknown = token_login(client, "khongcoai", "sai")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert list(AuditEvent.objects.order_by("id").values_list("action", "object_repr")) == [
        (Action.LOGIN_FAILED, "hoankiem"),
        (Action.LOGIN_FAILED, "khongcoai"),
    ]
    assert not Token.objects.exists()


def test_token_login_respects_the_lockout(personas):
    client = APIClient()
    for attempt in range(5):
        token_login(client, "hoankiem", f"sai-{attempt}")
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT).count() == 1
    response = token_login(client, "hoankiem", DEMO_PASSWORD)
    assert response.status_code == 400
    assert "Tài khoản tạm thời bị khóa" in response.json()["non_field_errors"][0]
    assert not Token.objects.exists()
    # The lockout page and the API share the counter: the page refuses too.
    page = client.post(
        reverse("accounts:login"), {"username": "hoankiem", "password": DEMO_PASSWORD}
    )
    assert "Tài khoản tạm thời bị khóa" in page.content.decode()
    User.objects.filter(username="hoankiem").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert token_login(client, "hoankiem", DEMO_PASSWORD).status_code == 200


def test_users_api_is_scoped(personas, client_for):
    admin = client_for(personas.city_admin).get(reverse("user-list")).json()
    assert admin["count"] == 6
    RoleAssignmentFactory(
        user=personas.officer_hoankiem, role=Role.INSPECTOR, unit=personas.hoankiem
    )
    officer = client_for(personas.officer_hoankiem)
    data = officer.get(reverse("user-list")).json()
    assert [u["username"] for u in data["results"]] == ["hoankiem"]
    assert (
        officer.get(reverse("user-detail", args=[personas.officer_donganh.pk])).status_code == 404
    )


def test_users_api_is_404_without_permission_and_read_only(personas, client_for):
    officer = client_for(personas.officer_donganh)
    assert officer.get(reverse("user-list")).status_code == 404
    assert (
        officer.get(reverse("user-detail", args=[personas.officer_donganh.pk])).status_code == 404
    )
    admin = client_for(personas.city_admin)
    url = reverse("user-detail", args=[personas.officer_donganh.pk])
    response = admin.patch(url, {"full_name": "X"}, content_type="application/json")
    assert response.status_code == 405
    assert User.objects.get(pk=personas.officer_donganh.pk).full_name == "Donganh"
    assert admin.get(url).json()["roles"][0]["unit"]["code"] == "00454"


def test_schema_includes_accounts_endpoints(personas, client_for):
    response = client_for(personas.city_admin).get(reverse("api-schema"))
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/me/", "/api/v1/auth/token/", "/api/v1/users/{id}/"):
        assert path in text
