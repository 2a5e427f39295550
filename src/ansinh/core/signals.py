"""Sign-in, sign-out and failed sign-in attempts go to the audit log."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import Action, audit_record, user_scope_path


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(
        action=Action.LOGIN, actor=user, obj=user, scope_path=user_scope_path(user), request=request
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            action=Action.LOGOUT,
            actor=user,
            obj=user,
            scope_path=user_scope_path(user),
            request=request,
        )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    audit_record(
        action=Action.LOGIN_FAILED,
        actor=user,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        object_repr=username,
        scope_path=user_scope_path(user) if user else "",
        request=request,
    )
