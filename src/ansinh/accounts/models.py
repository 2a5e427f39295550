"""Users and their scoped roles.

A user holds any number of `RoleAssignment`s; each grants a role's permissions inside one
subtree of the union tree (its `unit`). Scoping (`ansinh.core.scoping`) reads them.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager
from ansinh.core.text import fold, normalize_text

from .permissions import Role


class User(AbstractUser):
    """A person who signs in. Locked for a while after repeated failed logins."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # Accent-free key of full_name for search ("nguyen thi hoa" finds "Nguyễn Thị Hoà").
    full_name_folded = models.CharField(
        _("họ và tên không dấu"), max_length=150, blank=True, db_index=True, editable=False
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    failed_login_count = models.PositiveSmallIntegerField(_("số lần đăng nhập sai"), default=0)
    locked_until = models.DateTimeField(_("khóa đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        self.full_name = normalize_text(self.full_name)
        self.full_name_folded = fold(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "full_name_folded"}
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        """Locked out for now after repeated failed logins."""
        return self.locked_until is not None and self.locked_until > timezone.now()


class RoleAssignment(models.Model):
    """A role held by a user over a subtree of the union tree."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("phạm vi"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("ban"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = ScopedManager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="accounts_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
