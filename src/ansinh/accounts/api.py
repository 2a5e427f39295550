"""API of accounts: the current user, token sign-in, and the (read-only, scoped) user list.

The token endpoint signs in through `authenticate(request=...)` like the login page, so the
lockout applies and the attempt is audited: failures by Django's `user_login_failed` signal,
success by sending `user_logged_in` ourselves (DRF's view does not call `login()`).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from ansinh.accounts.forms import LoginForm, locked_out_error
from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.permissions import has_permission
from ansinh.accounts.selectors import user_roles, user_visible


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "role_display", "unit", "department"]

    def get_unit(self, obj) -> dict:
        unit = obj.unit
        return {"id": unit.pk, "code": unit.code, "name": unit.name, "path": unit.path}

    def get_department(self, obj) -> dict | None:
        if obj.department is None:
            return None
        return {"id": obj.department.pk, "code": obj.department.code, "name": obj.department.name}


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "roles", "language"]

    def get_roles(self, obj) -> list[dict]:
        return RoleAssignmentSerializer(user_roles(user=obj), many=True).data

    def get_language(self, obj) -> str:
        return get_language() or ""


class UserSerializer(serializers.ModelSerializer):
    roles = RoleAssignmentSerializer(many=True, read_only=True)
    is_locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "phone",
            "is_active",
            "is_locked",
            "last_login",
            "roles",
        ]


class MeView(APIView):
    """The signed-in user, her roles (with unit code, name and path) and UI language."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class LockoutAuthTokenSerializer(AuthTokenSerializer):
    def validate(self, attrs):
        request = self.context.get("request")
        try:
            return super().validate(attrs)
        except serializers.ValidationError:
            if getattr(request, "ansinh_locked_out", False):
                error = locked_out_error(getattr(request, "ansinh_locked_until", None))
                raise serializers.ValidationError(
                    {"non_field_errors": error.messages}, code="locked_out"
                ) from None
            raise serializers.ValidationError(
                {"non_field_errors": [str(LoginForm.error_messages["invalid_login"])]},
                code="authorization",
            ) from None


class TokenView(ObtainAuthToken):
    """POST username + password → {"token": ...}; locked accounts are refused."""

    serializer_class = LockoutAuthTokenSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": token.key})


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users the caller may see (`accounts.view_user`); anything else answers 404."""

    serializer_class = UserSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation
            return User.objects.none()
        if not has_permission(self.request.user, "accounts.view_user"):
            raise NotFound(_("Không tìm thấy."))
        return (
            user_visible(user=self.request.user, action="view")
            .order_by("username")
            .prefetch_related("roles__unit", "roles__department")
        )


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("users", UserViewSet, basename="user")


extra_urls: list = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
]
