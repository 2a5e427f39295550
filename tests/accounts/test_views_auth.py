"""Login, logout, password change and the lockout after repeated failed logins."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.models import User
from ansinh.core.models import AuditEvent
from tests.factories import DEMO_PASSWORD

LOGIN = reverse("accounts:login")
Action = AuditEvent.Action


def login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def events(action, username="hoankiem"):
    return AuditEvent.objects.filter(action=action, actor_username=username)


def test_login_page_is_vietnamese_and_mobile_ready(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html
    assert 'name="viewport"' in html


def test_login_succeeds_and_is_audited_once(client, personas):
    response = login(client, "hoankiem", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert AuditEvent.objects.count() == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id) == (Action.LOGIN, personas.officer_hoankiem.pk)
    assert event.scope_path == personas.hoankiem.path


def test_wrong_password_and_unknown_user_give_the_same_message(client, personas):
    wrong = login(client, "hoankiem", "not-the-password")
    unknown = login(client, "khongcoai", "not-the-password")
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert wrong.status_code == unknown.status_code == 200
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    assert "bị khóa" not in wrong.content.decode()
    # One event per attempt, each a failure.
    assert list(AuditEvent.objects.order_by("id").values_list("action", "object_repr")) == [
        (Action.LOGIN_FAILED, "hoankiem"),
        (Action.LOGIN_FAILED, "khongcoai"),
    ]
    assert not client.session.get("_auth_user_id")


def test_five_wrong_passwords_lock_the_account(client, personas):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    for attempt in range(1, 5):
        response = login(client, "hoankiem", f"wrong-{attempt}")
        assert "bị khóa" not in response.content.decode()
        assert events(Action.LOGIN_FAILED).count() == attempt
    response = login(client, "hoankiem", "wrong-5")
    html = response.content.decode()
    assert "Tài khoản tạm thời bị khóa" in html
    assert f"sau {settings.LOGIN_LOCKOUT_MINUTES} phút" in html
    assert events(Action.LOGIN_FAILED).count() == 5
    assert events(Action.LOCKED_OUT).count() == 1
    user = User.objects.get(username="hoankiem")
    assert user.locked_until > timezone.now()

    # The right password is refused while locked, and the attempt is logged as a failure.
    response = login(client, "hoankiem", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "Tài khoản tạm thời bị khóa" in response.content.decode()
    assert not client.session.get("_auth_user_id")
    assert events(Action.LOGIN_FAILED).count() == 6
    assert events(Action.LOGIN).count() == 0


def test_lock_expires_and_success_resets_the_counter(client, personas):
    for attempt in range(5):
        login(client, "hoankiem", f"wrong-{attempt}")
    # Time passes: the lock ends a second ago.
    User.objects.filter(username="hoankiem").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    response = login(client, "hoankiem", DEMO_PASSWORD)
    assert response.status_code == 302
    user = User.objects.get(username="hoankiem")
    assert (user.failed_login_count, user.locked_until) == (0, None)
    assert events(Action.LOGIN).count() == 1


def test_success_resets_failures_before_the_limit(client, personas):
    for attempt in range(4):
        login(client, "hoankiem", f"wrong-{attempt}")
    assert User.objects.get(username="hoankiem").failed_login_count == 4
    assert login(client, "hoankiem", DEMO_PASSWORD).status_code == 302
    assert User.objects.get(username="hoankiem").failed_login_count == 0
    client.post(reverse("accounts:logout"))
    # Four more failures do not lock: the count started again from zero.
    for attempt in range(4):
        login(client, "hoankiem", f"wrong-{attempt}")
    user = User.objects.get(username="hoankiem")
    assert (user.failed_login_count, user.locked_until) == (4, None)


def test_logout_is_post_only_and_audited(client_for, personas):
    client = client_for(personas.officer_hoankiem)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert events(Action.LOGOUT).count() == 0
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == LOGIN
    assert events(Action.LOGOUT).count() == 1
    assert client.get(reverse("core:home")).status_code == 302


def test_password_change_is_audited_and_keeps_the_session(client_for, personas):
    client = client_for(personas.officer_hoankiem)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Hoa-sen-nở-2026",
            "new_password2": "Hoa-sen-nở-2026",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    user = User.objects.get(username="hoankiem")
    assert user.check_password("Hoa-sen-nở-2026")
    event = events(Action.PASSWORD_CHANGE).get()
    assert event.actor_id == user.pk
    assert event.scope_path == personas.hoankiem.path
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        ("sai-mat-khau", "Hoa-sen-nở-2026", "Hoa-sen-nở-2026", "old_password"),
        (DEMO_PASSWORD, "Hoa-sen-nở-2026", "Hoa-sen-khác", "new_password2"),
        (DEMO_PASSWORD, "12345678", "12345678", "new_password2"),
    ],
)
def test_password_change_refused_changes_nothing(client_for, personas, old, new1, new2, message):
    client = client_for(personas.officer_hoankiem)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors
    assert User.objects.get(username="hoankiem").check_password(DEMO_PASSWORD)
    assert events(Action.PASSWORD_CHANGE).count() == 0
