"""Administrative units before and after the 1 July 2025 reform, and how they succeed.

Two trees live side by side: the pre-2025 three-level tree (province → district → commune,
`era=PRE_2025`, valid until 30/06/2025) and the post-2025 two-level tree (province → commune,
`era=POST_2025`, valid from 01/07/2025). Official codes repeat across eras (old commune 00004
"Phường Trúc Bạch" and new commune 00004 "Phường Ba Đình"), so a unit is identified by
(era, level, code). `AdminUnitSuccession` links each old commune to the new commune(s) that
took it, whole or in part.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.text import fold


class AdminUnit(models.Model):
    """An official administrative unit (tỉnh, quận/huyện, xã/phường) of one era."""

    class Era(models.TextChoices):
        PRE_2025 = "pre2025", _("Trước 01/7/2025")
        POST_2025 = "post2025", _("Từ 01/7/2025")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/thành phố")
        DISTRICT = "district", _("Quận/huyện")
        COMMUNE = "commune", _("Xã/phường")

    era = models.CharField(_("thời kỳ"), max_length=8, choices=Era.choices)
    level = models.CharField(_("cấp"), max_length=8, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=120)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    unit_type = models.CharField(_("loại hình"), max_length=30, blank=True)
    name_folded = models.CharField(_("tên không dấu"), max_length=120, db_index=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province_code = models.CharField(_("mã tỉnh"), max_length=3, db_index=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["era", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["era", "level", "code"], name="geo_unit_era_level_code")
        ]
        indexes = [models.Index(fields=["province_code", "era", "level"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.era == self.Era.POST_2025


class AdminUnitSuccession(models.Model):
    """An old (pre-2025) commune merged, wholly or in part, into a new commune."""

    class Kind(models.TextChoices):
        WHOLE = "whole", _("Nhập toàn bộ")
        PART = "part", _("Nhập một phần")

    old = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị cũ"),
        on_delete=models.CASCADE,
        related_name="successions",
    )
    new = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị mới"),
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    kind = models.CharField(_("hình thức"), max_length=5, choices=Kind.choices)
    takes_population = models.BooleanField(
        _("nhận toàn bộ dân số"),
        default=False,
        help_text=_("Với xã cũ bị chia: đơn vị mới này nhận dân cư của xã cũ."),
    )
    note = models.CharField(_("ghi chú"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị hành chính")
        verbose_name_plural = _("kế thừa đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="geo_succession_old_new")
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class Locality(models.Model):
    """A village or residential group (thôn, tổ dân phố) under a current commune.

    Managed by the commune's officers; the branch (chi hội) of the union sits on it.
    """

    class Kind(models.TextChoices):
        VILLAGE = "thon", _("Thôn")
        RESIDENTIAL_GROUP = "to_dan_pho", _("Tổ dân phố")
        HAMLET = "ap", _("Ấp")
        QUARTER = "khu_pho", _("Khu phố")
        OTHER = "khac", _("Khác")

    commune = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã/phường"),
        on_delete=models.PROTECT,
        related_name="localities",
        limit_choices_to={"level": "commune", "era": "post2025"},
    )
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=120)
    name_folded = models.CharField(_("tên không dấu"), max_length=120, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("thôn, tổ dân phố")
        verbose_name_plural = _("thôn, tổ dân phố")
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="geo_locality_commune_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.commune}"

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)
