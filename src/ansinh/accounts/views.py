"""Sign-in pages and the city administrator's user and role management.

Every user-management page answers 404 to someone without the permission or outside scope:
to a commune officer these pages do not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ansinh.accounts import selectors, services
from ansinh.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    RoleAssignForm,
    UserCreateForm,
    UserFilterForm,
    UserUpdateForm,
)
from ansinh.accounts.models import RoleAssignment
from ansinh.accounts.permissions import ALL, has_permission, scope_paths
from ansinh.core.audit import audit_export
from ansinh.core.listing import paginate, query_without_page, wants_export, xlsx_response
from ansinh.core.scoping import get_scoped_or_404
from ansinh.core.validators import format_phone_display


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out; POST only (Django refuses GET), so a link cannot sign anyone out."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        user = services.user_password_change(
            user=self.request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)
        return redirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
    title = gettext_lazy("Đã đổi mật khẩu")


def _require(user, permission: str) -> None:
    if not has_permission(user, permission):
        raise Http404("No such page.")


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _roles_text(user) -> str:
    return "; ".join(f"{r.get_role_display()} — {r.unit.name}" for r in user.roles.all())


@login_required
def user_list(request):
    _require(request.user, "accounts.view_user")
    form = UserFilterForm(request.GET or None, actor=request.user)
    filters = form.filters() if request.GET else {}
    users = selectors.user_list(user=request.user, filters=filters)
    if wants_export(request):
        rows = [
            [
                user.username,
                user.full_name,
                format_phone_display(user.phone),
                _roles_text(user),
                _("Đang hoạt động") if user.is_active else _("Đã vô hiệu hóa"),
                user.last_login,
            ]
            for user in users
        ]
        paths = scope_paths(request.user, "accounts.view_user")
        audit_export(
            actor=request.user,
            object_type="accounts.user",
            count=len(rows),
            filters={k: v for k, v in request.GET.items() if k not in ("page", "export")},
            scope_path="" if paths is ALL else paths[0],
        )
        return xlsx_response(
            filename="nguoi-dung",
            sheet_title=_("Người dùng"),
            headers=[
                _("Tên đăng nhập"),
                _("Họ và tên"),
                _("Điện thoại"),
                _("Vai trò"),
                _("Trạng thái"),
                _("Đăng nhập lần cuối"),
            ],
            rows=rows,
        )
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page": paginate(request, users),
            "query": query_without_page(request),
            "can_add": has_permission(request.user, "accounts.add_user"),
        },
    )


@login_required
def user_create(request):
    _require(request.user, "accounts.add_user")
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                password=data["password1"],
                role=data["role"],
                unit=data["unit"],
                department=data["department"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã tạo tài khoản “%(name)s”.") % {"name": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form})


@login_required
def user_detail(request, pk: int):
    user = get_object_or_404(selectors.user_visible(user=request.user, action="view"), pk=pk)
    can_manage = selectors.can_manage_user(actor=request.user, user=user)
    removable = set(
        RoleAssignment.objects.restrict(request.user, "delete")
        .filter(user=user)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "roles": selectors.user_roles(user=user),
            "removable": removable,
            "can_manage": can_manage,
            "can_assign": can_manage
            and has_permission(request.user, "accounts.add_roleassignment"),
        },
    )


@login_required
def user_update(request, pk: int):
    user = get_object_or_404(selectors.user_visible(user=request.user, action="change"), pk=pk)
    initial = {"full_name": user.full_name, "phone": user.phone, "is_active": user.is_active}
    form = UserUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin tài khoản."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_update.html", {"form": form, "account": user})


@login_required
@require_POST
def user_unlock(request, pk: int):
    user = get_object_or_404(selectors.user_visible(user=request.user, action="change"), pk=pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("Đã mở khóa tài khoản."))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
def role_add(request, pk: int):
    _require(request.user, "accounts.add_roleassignment")
    user = get_object_or_404(selectors.user_visible(user=request.user, action="change"), pk=pk)
    form = RoleAssignForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_assign(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã thêm vai trò."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/role_add.html", {"form": form, "account": user})


@login_required
def role_remove(request, pk: int):
    assignment = get_scoped_or_404(
        RoleAssignment.objects.select_related("user", "unit"), request.user, "delete", pk=pk
    )
    if request.method == "POST":
        try:
            services.role_revoke(actor=request.user, assignment=assignment)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã gỡ vai trò."))
            visible = selectors.user_visible(user=request.user, action="view")
            if not visible.filter(pk=assignment.user_id).exists():
                return redirect("accounts:user_list")
        return redirect("accounts:user_detail", pk=assignment.user_id)
    return render(request, "accounts/role_remove.html", {"assignment": assignment})
