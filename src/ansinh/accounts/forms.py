"""Forms of the sign-in pages and of user and role management (Vietnamese labels)."""

from __future__ import annotations

import math

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.accounts.models import User
from ansinh.accounts.permissions import Role
from ansinh.accounts.selectors import assignable_units
from ansinh.core.forms import PhoneField
from ansinh.core.text import normalize_text
from ansinh.org.models import Department, UnionUnit


def bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap 5 classes on every widget (the templates render fields one by one)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class LoginForm(AuthenticationForm):
    """Sign-in. One message for a wrong username or password; a clear one when locked out."""

    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị vô hiệu hóa."),
        "locked_out": _(
            "Tài khoản tạm thời bị khóa vì đăng nhập sai nhiều lần. "
            "Vui lòng thử lại sau %(minutes)s phút (khóa đến %(time)s)."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "autofocus": True})
        bootstrap(self)

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "ansinh_locked_out", False):
                raise self.locked_out_error(
                    getattr(self.request, "ansinh_locked_until", None)
                ) from None
            raise

    def locked_out_error(self, until) -> ValidationError:
        return locked_out_error(until, self.error_messages["locked_out"])


def locked_out_error(until, message=LoginForm.error_messages["locked_out"]) -> ValidationError:
    """The lockout message: how many minutes are left and the local time it ends."""
    until = until or timezone.now()
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ValidationError(
        message,
        code="locked_out",
        params={"minutes": minutes, "time": timezone.localtime(until).strftime("%H:%M")},
    )


class UnitChoiceField(forms.ModelChoiceField):
    """A union unit, shown indented by depth."""

    def label_from_instance(self, obj: UnionUnit) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


def _set_unit_choices(field: forms.ModelChoiceField, actor) -> None:
    # The form accepts any current unit; the service re-checks the scope after writing and
    # answers 404 for a unit outside the actor's subtree. The list only offers her own units.
    field.queryset = UnionUnit.objects.filter(valid_to__isnull=True)
    units = list(assignable_units(user=actor))
    field.widget.choices = [("", "---------")] + [
        (unit.pk, field.label_from_instance(unit)) for unit in units
    ]


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    unit = UnitChoiceField(label=_("Phạm vi (cơ sở Hội)"), queryset=UnionUnit.objects.none())
    department = forms.ModelChoiceField(
        label=_("Ban (với cán bộ ban chuyên môn)"),
        queryset=Department.objects.none(),
        required=False,
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        _set_unit_choices(self.fields["unit"], actor)
        self.fields["department"].queryset = (
            Department.objects.restrict(actor, "view").select_related("union").order_by("order")
        )
        bootstrap(self)


class UserCreateForm(RoleAssignForm):
    """A new account: who she is, an initial password, and her first role."""

    field_order = ["username", "full_name", "phone", "password1", "password2"]

    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Tối đa 150 ký tự: chữ, số và @ . + - _"),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    phone = PhoneField(label=_("Điện thoại"), required=False)
    password1 = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["password1"].help_text = password_validators_help_text_html()
        bootstrap(self)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Tên đăng nhập này đã có người dùng."))
        return username

    def clean_full_name(self) -> str:
        return normalize_text(self.cleaned_data["full_name"])

    def clean(self):
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif password1:
            candidate = User(
                username=cleaned.get("username", ""), full_name=cleaned.get("full_name", "")
            )
            try:
                validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserUpdateForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    phone = PhoneField(label=_("Điện thoại"), required=False)
    is_active = forms.BooleanField(
        label=_("Đang hoạt động"),
        required=False,
        help_text=_("Bỏ chọn để vô hiệu hóa tài khoản: người dùng không đăng nhập được nữa."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean_full_name(self) -> str:
        return normalize_text(self.cleaned_data["full_name"])


class UserFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("Tất cả")),
        ("active", _("Đang hoạt động")),
        ("inactive", _("Đã vô hiệu hóa")),
        ("locked", _("Đang bị khóa tạm thời")),
    ]

    q = forms.CharField(label=_("Tìm"), required=False)
    role = forms.ChoiceField(label=_("Vai trò"), required=False)
    unit = UnitChoiceField(label=_("Cơ sở Hội"), queryset=UnionUnit.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Tất cả"))] + list(Role.choices)
        self.fields["unit"].queryset = assignable_units(user=actor)
        self.fields["q"].widget.attrs["placeholder"] = _("Tên đăng nhập hoặc họ tên")
        bootstrap(self)

    def filters(self) -> dict:
        """The cleaned filters; an invalid value is dropped rather than failing the list."""
        if not self.is_valid():
            return {
                key: value
                for key, value in self.cleaned_data.items()
                if key not in self.errors and value
            }
        return {key: value for key, value in self.cleaned_data.items() if value}
