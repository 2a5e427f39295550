"""Authentication with a temporary lockout after repeated failures.

After `LOGIN_FAILURE_LIMIT` consecutive wrong passwords the account is locked for
`LOGIN_LOCKOUT_MINUTES`; while locked even the right password is refused (and the attempt is
logged as a failure), so guessing cannot continue. A successful login resets the counter.

The backend marks the request (`request.ansinh_locked_out`, `request.ansinh_locked_until`) so
the login page and the token endpoint can say the account is locked and until when; for any
other failure they give one message that does not reveal whether the username exists.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from ansinh.core.audit import Action, audit_record


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        user = User._default_manager.filter(username=username).first()
        if user is not None and user.locked_until and user.locked_until > timezone.now():
            _mark_locked(request, user.locked_until)
            return None
        authenticated = super().authenticate(request, username=username, password=password)
        if user is None:
            return None
        if authenticated is None:
            self._record_failure(user, request)
            return None
        if user.failed_login_count or user.locked_until:
            User._default_manager.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
            authenticated.failed_login_count = 0
            authenticated.locked_until = None
        return authenticated

    def _record_failure(self, user, request) -> None:
        User = type(user)
        User._default_manager.filter(pk=user.pk).update(
            failed_login_count=F("failed_login_count") + 1
        )
        user.refresh_from_db(fields=["failed_login_count"])
        if user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
            until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            User._default_manager.filter(pk=user.pk).update(
                locked_until=until, failed_login_count=0
            )
            audit_record(
                action=Action.LOCKED_OUT, actor=user, obj=user, request=request, scope_path=""
            )
            _mark_locked(request, until)


def _mark_locked(request, until) -> None:
    if request is not None:
        request.ansinh_locked_out = True
        request.ansinh_locked_until = until
