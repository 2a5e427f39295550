"""The plan the platform carries out, loaded as data: its header, numbered sections, and the
tasks its "Tổ chức thực hiện" part assigns to departments and lower unions.

A plan is an official document, not personal data: every signed-in user may read it, so these
models are not scoped. Sections keep their numbering as written ("I", "1") and a full code
("II.3") that the reports module builds its tasks on; reloading the file updates sections in
place (matched by code) so anything pointing at them survives.
"""

from django.conf import settings
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


# ---------------------------------------------------------------------------------------------
# Tasks: the plan's assignments made trackable, per department and per commune union.


class TaskQuerySet(models.QuerySet):
    """Tasks visible to a user.

    Like every scoped model, a task belongs to a union unit (`unit`, the city union for the
    tasks of its departments, a commune union for the tasks of the communes) and a role
    grants its permissions in the subtree of the role's unit. One refinement: a department
    staff member whose role names her department holds a task's permissions only when that
    department leads or cooperates on it ("department staff see their department's tasks").
    """

    def restrict(self, user, action: str = "view", *, permission: str | None = None):
        from ansinh.accounts.models import RoleAssignment
        from ansinh.accounts.permissions import Role, role_grants

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        permission = permission or f"plans.{action}_task"
        condition = models.Q()
        granted = False
        roles = RoleAssignment.objects.filter(user=user).values_list(
            "role", "unit__path", "department_id"
        )
        for role, path, department_id in roles:
            if role == Role.SYSTEM_ADMIN and path.count("/") == 2:
                return self
            if not role_grants(role, permission):
                continue
            granted = True
            in_subtree = models.Q(unit__path__startswith=path)
            if role == Role.DEPARTMENT_STAFF and department_id is not None:
                cooperating = Task.cooperating_departments.through.objects.filter(
                    department_id=department_id
                ).values("task_id")
                in_subtree &= models.Q(lead_department_id=department_id) | models.Q(
                    pk__in=cooperating
                )
            condition |= in_subtree
        if not granted:
            return self.none()
        return self.filter(condition)

    def overdue(self, today=None):
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.exclude(status=Task.Status.DONE).filter(deadline__lt=today)


class Task(models.Model):
    """A trackable task of a plan, for one department of the city union or one union unit.

    Generated from a `PlanAssignment` (one task per department named in III.1, one per
    commune union for each bullet of III.2) or created by hand. `status` is what was last
    reported; "overdue" is derived (deadline passed and not done), never stored, so it is
    always true today. The progress history is the list of `TaskProgress` rows, append-only.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")

    OVERDUE = "overdue"
    OVERDUE_LABEL = _("Quá hạn")

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.PROTECT, related_name="tasks"
    )
    section = models.ForeignKey(
        PlanSection, verbose_name=_("mục"), on_delete=models.PROTECT, related_name="tasks"
    )
    assignment = models.ForeignKey(
        PlanAssignment,
        verbose_name=_("nhiệm vụ trong văn bản"),
        null=True,
        blank=True,
        # A reload that drops the line keeps the task and its history.
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    unit = models.ForeignKey(
        "org.UnionUnit",
        verbose_name=_("đơn vị thực hiện"),
        on_delete=models.PROTECT,
        related_name="plan_tasks",
    )
    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("ban, đơn vị chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    cooperating_departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("ban, đơn vị phối hợp"),
        blank=True,
        related_name="cooperating_tasks",
    )
    cooperating_units = models.ManyToManyField(
        "org.UnionUnit",
        verbose_name=_("cơ sở Hội phối hợp"),
        blank=True,
        related_name="cooperating_tasks",
    )
    title = models.CharField(_("nhiệm vụ"), max_length=300)
    description = models.TextField(_("nội dung"), blank=True)
    starts_on = models.DateField(_("ngày bắt đầu"))
    deadline = models.DateField(_("thời hạn"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = TaskQuerySet.as_manager()
    scope_field = "unit__path"

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["deadline", "section__order", "unit__path", "pk"]
        constraints = [
            # One task per assignment and unit: what makes the generation idempotent.
            models.UniqueConstraint(
                fields=["assignment", "unit", "lead_department"],
                condition=models.Q(assignment__isnull=False, lead_department__isnull=False),
                name="plans_task_assignment_department",
            ),
            models.UniqueConstraint(
                fields=["assignment", "unit"],
                condition=models.Q(assignment__isnull=False, lead_department__isnull=True),
                name="plans_task_assignment_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="plans_task_percent_max_100"
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("starts_on")),
                name="plans_task_deadline_after_start",
            ),
        ]
        indexes = [models.Index(fields=["plan", "status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.section.code} · {self.assignee_name}"

    @property
    def assignee_name(self) -> str:
        return self.lead_department.name if self.lead_department_id else self.unit.name

    def is_overdue_on(self, today) -> bool:
        return self.status != self.Status.DONE and self.deadline < today

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_overdue_on(timezone.localdate())

    @property
    def display_status(self) -> str:
        """The status as shown: "Quá hạn" when overdue, else the reported one."""
        return str(self.OVERDUE_LABEL) if self.is_overdue else self.get_status_display()

    @property
    def display_status_code(self) -> str:
        return self.OVERDUE if self.is_overdue else self.status


class TaskProgressQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        permission = f"plans.{action}_taskprogress"
        # A progress report is visible/changeable where its task is for that permission.
        return self.filter(task__in=Task.objects.restrict(user, permission=permission))


class TaskProgress(models.Model):
    """One progress report on a task: what was done, how far along, by whom, with evidence.

    Append-only: a wrong report is corrected by a new one, so the history stays as reported.
    """

    task = models.ForeignKey(
        Task, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="progress"
    )
    reported_on = models.DateField(_("ngày báo cáo"))
    text = models.TextField(_("kết quả thực hiện"))
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    status = models.CharField(_("trạng thái sau cập nhật"), max_length=12, choices=Task.Status)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="plan_progress_reports",
    )
    author_name = models.CharField(_("tên người báo cáo"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    objects = TaskProgressQuerySet.as_manager()
    scope_field = "task__unit__path"

    class Meta:
        verbose_name = _("cập nhật tiến độ")
        verbose_name_plural = _("cập nhật tiến độ")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="plans_progress_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.reported_on:%d/%m/%Y} · {self.percent}%"


class TaskEvidenceQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        permission = f"plans.{action}_taskevidence"
        return self.filter(progress__task__in=Task.objects.restrict(user, permission=permission))


class TaskEvidence(models.Model):
    """A file attached to a progress report (photo, scanned minutes, PDF). Stored under
    MEDIA_ROOT and served only through the scoped download view, never by its media URL."""

    progress = models.ForeignKey(
        TaskProgress,
        verbose_name=_("cập nhật tiến độ"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("tệp"), upload_to="plans/evidence/%Y/%m/")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)

    objects = TaskEvidenceQuerySet.as_manager()
    scope_field = "progress__task__unit__path"

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
