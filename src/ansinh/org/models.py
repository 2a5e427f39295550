"""The union's structure: city union → commune/ward unions → branches, plus affiliated units.

`UnionUnit.path` is a materialised path of primary keys ("/1/17/203/"); a scope is a subtree
and scoping is one indexed `LIKE 'path%'`. Units are never overwritten when boundaries change:
the pre-2025 district and commune unions stay, closed (`valid_to`), and
`UnionUnitSuccession` records which new union took each of them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager
from ansinh.core.text import fold


class UnionUnit(models.Model):
    """A unit of the Women's Union (Hội LHPN) at some level of the tree."""

    class Kind(models.TextChoices):
        CITY = "city", _("Hội LHPN tỉnh/thành phố")
        DISTRICT = "district", _("Hội LHPN quận/huyện (trước 01/7/2025)")
        COMMUNE = "commune", _("Hội LHPN xã/phường")
        BRANCH = "branch", _("Chi hội")
        AFFILIATED = "affiliated", _("Đơn vị trực thuộc")

    kind = models.CharField(_("cấp"), max_length=10, choices=Kind.choices, db_index=True)
    code = models.CharField(_("mã"), max_length=32, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(_("tên không dấu"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("đường dẫn cây"), max_length=255, db_index=True, editable=False)
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("đơn vị hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="union_units",
    )
    locality = models.ForeignKey(
        "geo.Locality",
        verbose_name=_("thôn, tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="union_units",
    )
    valid_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    valid_to = models.DateField(_("hoạt động đến"), null=True, blank=True)

    objects = ScopedManager()
    scope_field = "path"
    # A closed unit stays visible to the officers of the units that took it over.
    scope_also = ("successions__new__path",)

    class Meta:
        verbose_name = _("cơ sở Hội")
        verbose_name_plural = _("cơ sở Hội")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code", "valid_from"], name="org_unit_kind_code_from"
            ),
            # SQL treats NULLs as distinct, so the constraint above does not hold for units
            # without a start date (the city union, the pre-2025 unions): this one does.
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=models.Q(valid_from__isnull=True),
                name="org_unit_kind_code_open_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)
        expected = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if self.path != expected:
            self.path = expected
            type(self).objects.filter(pk=self.pk).update(path=expected)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class UnionUnitSuccession(models.Model):
    """A closed union unit merged, wholly or in part, into another (e.g. on 01/7/2025)."""

    class Kind(models.TextChoices):
        WHOLE = "whole", _("Nhập toàn bộ")
        PART = "part", _("Nhập một phần")

    old = models.ForeignKey(
        UnionUnit, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successions"
    )
    new = models.ForeignKey(
        UnionUnit,
        verbose_name=_("đơn vị mới"),
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices, default=Kind.WHOLE)
    takes_population = models.BooleanField(
        _("nhận toàn bộ dân số"),
        default=False,
        help_text=_("Với đơn vị cũ bị chia: đơn vị mới này nhận hội viên, dân cư của đơn vị cũ."),
    )
    effective = models.DateField(_("ngày hiệu lực"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    objects = ScopedManager()
    scope_field = "new__path"

    class Meta:
        verbose_name = _("sáp nhập, chia tách cơ sở Hội")
        verbose_name_plural = _("sáp nhập, chia tách cơ sở Hội")
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="org_succession_old_new")
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class Department(models.Model):
    """A department (ban) or unit of the city union's standing office."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Ban chuyên môn")
        CENTRE = "centre", _("Trung tâm")
        NEWSPAPER = "newspaper", _("Báo")
        OFFICE = "office", _("Văn phòng")
        INSPECTION = "inspection", _("Ủy ban kiểm tra")

    union = models.ForeignKey(
        UnionUnit, verbose_name=_("Hội"), on_delete=models.PROTECT, related_name="departments"
    )
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    objects = ScopedManager()
    scope_field = "union__path"

    class Meta:
        verbose_name = _("ban, đơn vị")
        verbose_name_plural = _("ban, đơn vị")
        ordering = ["union", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["union", "code"], name="org_department_code")
        ]

    def __str__(self) -> str:
        return self.name
