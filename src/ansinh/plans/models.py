"""The plan the platform carries out, loaded as data: its header, numbered sections, and the
tasks its "Tổ chức thực hiện" part assigns to departments and lower unions.

A plan is an official document, not personal data: every signed-in user may read it, so these
models are not scoped. Sections keep their numbering as written ("I", "1") and a full code
("II.3") that the reports module builds its tasks on; reloading the file updates sections in
place (matched by code) so anything pointing at them survives.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """A plan (kế hoạch) issued by a union, with its title block, basis and closing parts."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    number = models.CharField(_("số, ký hiệu"), max_length=64, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_place = models.CharField(_("địa danh"), max_length=100, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    union = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("Hội ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    title = models.TextField(_("trích yếu"))
    title_folded = models.TextField(_("trích yếu không dấu"), blank=True, editable=False)
    basis = models.TextField(_("căn cứ"), blank=True)
    closing = models.TextField(_("đoạn kết"), blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True)
    signature = models.TextField(_("thẩm quyền ký"), blank=True)
    signer = models.CharField(_("người ký"), max_length=100, blank=True)
    full_text = models.TextField(_("toàn văn"))
    source_name = models.CharField(_("tệp nguồn"), max_length=255)
    source_sha256 = models.CharField(_("mã băm tệp nguồn"), max_length=64)
    loaded_at = models.DateTimeField(_("nạp lúc"))

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        parts = [str(_("Kế hoạch"))]
        if self.number:
            parts.append(str(_("số %(number)s")) % {"number": self.number})
        if self.issued_on:
            parts.append(str(_("ngày %(date)s")) % {"date": self.issued_on.strftime("%d/%m/%Y")})
        return " ".join(parts)


class PlanSection(models.Model):
    """A numbered part of a plan: "I. MỤC ĐÍCH, YÊU CẦU", its item "1.", and so on.

    `number` is as written ("II", "3", "a"); `code` joins the numbers of the section and its
    ancestors ("II.3"). `body` holds the section's own paragraphs, one per line, bullets kept
    with their "-"/"+" marks; footnotes referenced in it are kept apart in `footnotes`.
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("mục cha"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    number = models.CharField(_("số thứ tự"), max_length=10)
    code = models.CharField(_("mã mục"), max_length=32)
    level = models.PositiveSmallIntegerField(_("cấp"))
    title = models.TextField(_("tiêu đề"))
    body = models.TextField(_("nội dung"), blank=True)
    footnotes = models.TextField(_("chú thích"), blank=True)
    order = models.PositiveIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("mục kế hoạch")
        verbose_name_plural = _("mục kế hoạch")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plans_section_plan_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def anchor(self) -> str:
        """HTML id of the section on the plan page."""
        return "muc-" + self.code.replace(".", "-")

    @property
    def heading(self) -> str:
        """The section's number as the document writes it: "I.", "1.", "a)"."""
        return f"{self.number})" if self.level >= 3 else f"{self.number}."


class PlanAssignment(models.Model):
    """A task the plan gives to a department of the issuing union or to the lower unions.

    Parsed from the "Tổ chức thực hiện" part: "- *Giao Ban …*: …" lines name a department
    (`department` when it matches one of the union's departments, `unit_name` always keeps the
    name as written); the bullets of a part addressed to the lower unions become tasks of those.
    """

    class Level(models.TextChoices):
        DEPARTMENT = "department", _("Ban, đơn vị của Hội ban hành")
        UNITS = "units", _("Hội cấp dưới, đơn vị trực thuộc")

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COOPERATE = "cooperate", _("Phối hợp")

    section = models.ForeignKey(
        PlanSection, verbose_name=_("mục"), on_delete=models.CASCADE, related_name="assignments"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("ban, đơn vị"),
        null=True,
        blank=True,
        # The name stays in `unit_name`; losing the link loses nothing written in the plan.
        on_delete=models.SET_NULL,
        related_name="plan_assignments",
    )
    assignee_level = models.CharField(
        _("đối tượng được giao"), max_length=12, choices=Level.choices
    )
    unit_name = models.CharField(_("tên ban, đơn vị trong văn bản"), max_length=255)
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    text = models.TextField(_("nhiệm vụ"))
    order = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("nhiệm vụ được giao")
        verbose_name_plural = _("nhiệm vụ được giao")
        ordering = ["section__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "order"], name="plans_assignment_section_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section.code} · {self.unit_name}"
