"""Loading a plan from its text file (`ansinh load-plan`, the demo), and its tasks.

The file is read and parsed in full before anything is written; the write is one transaction
with its audit event. Reloading updates the same plan (identified by number, date and title)
and its sections in place, matched by code, so tasks that point at sections survive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_create, audit_record, audit_update, model_changes, snapshot
from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope, ensure_in_scope, get_scoped_or_404
from ansinh.core.text import fold
from ansinh.org.models import Department, UnionUnit

from .models import Plan, PlanAssignment, PlanSection, Task, TaskEvidence, TaskProgress
from .parsing import ParsedPlan, PlanParseError, parse_plan

PLAN_FILE_NAME = "ke-hoach-nq42-hoi-lhpn-ha-noi.txt"
AUDITED_FIELDS = (
    "code",
    "number",
    "issued_on",
    "issuer",
    "title",
    "union",
    "source_name",
    "source_sha256",
)


class PlanLoadError(PlanParseError):
    """The plan file is missing or cannot be read as a plan (Vietnamese message)."""


def default_plan_path() -> Path:
    """`settings.ANSINH_PLAN_FILE`, else the plan in ../shared/seed beside the checkout."""
    configured = getattr(settings, "ANSINH_PLAN_FILE", "")
    if configured:
        return Path(configured)
    return Path(settings.PROJECT_DIR).parent / "shared" / "seed" / PLAN_FILE_NAME


def plan_code(parsed: ParsedPlan) -> str:
    """Stable identity of a plan across reloads: its date, number and title."""
    digest = hashlib.sha1(  # noqa: S324 - an identifier, not a security hash
        f"{fold(parsed.number)}|{fold(parsed.title)}".encode()
    ).hexdigest()[:10]
    stamp = parsed.issued_on.strftime("%Y%m%d") if parsed.issued_on else "khongngay"
    return f"kh-{stamp}-{digest}"


def _department_key(name: str) -> str:
    key = fold(name).replace("gdnn", "giao duc nghe nghiep")
    key = re.sub(r"[^a-z0-9]+", " ", key).strip()
    return re.sub(r"^(?:giao )?(?:ban )?", "", key)


def department_match(name: str, departments: list[Department]) -> Department | None:
    """The department a plan names, by folded name ("Ban Gia đình xã hội" ~ "Gia đình - Xã
    hội"); a name longer than the department's ("… Hà Nội") matches on its start."""
    wanted = _department_key(name)
    if not wanted:
        return None
    best, best_length = None, 0
    for department in departments:
        key = _department_key(department.name)
        if not key:
            continue
        if key == wanted:
            return department
        shorter = min(len(key), len(wanted))
        prefix = wanted.startswith(key) or key.startswith(wanted)
        if prefix and shorter >= 6 and shorter > best_length:
            best, best_length = department, shorter
    return best


def _default_city() -> UnionUnit | None:
    return UnionUnit.objects.filter(
        kind=UnionUnit.Kind.CITY,
        code=getattr(settings, "ANSINH_PROVINCE_CODE", "01"),
        valid_to__isnull=True,
    ).first()


def plan_read(*, path: Path | str) -> tuple[ParsedPlan, bytes]:
    """Read and parse a plan file; PlanLoadError (Vietnamese) when it is missing or invalid."""
    path = Path(path)
    if not path.is_file():
        raise PlanLoadError(f"Không tìm thấy tệp kế hoạch: {path}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanLoadError(
            f"Tệp {path.name} không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start})."
        ) from exc
    try:
        return parse_plan(text), data
    except PlanLoadError:
        raise
    except PlanParseError as exc:
        raise PlanLoadError(f"Tệp {path.name}: {exc}") from exc


def _sections_save(*, plan: Plan, parsed: ParsedPlan, departments: list[Department]) -> None:
    existing = {section.code: section for section in plan.sections.all()}
    saved: dict[str, PlanSection] = {}
    for order, item in enumerate(parsed.sections, start=1):
        section = existing.pop(item.code, None) or PlanSection(plan=plan, code=item.code)
        section.parent = saved[item.parent_code] if item.parent_code else None
        section.number = item.number
        section.level = item.level
        section.title = item.title
        section.body = item.body
        section.footnotes = "\n".join(item.footnotes)
        section.order = order
        section.save()
        saved[item.code] = section

        assignments = {a.order: a for a in section.assignments.all()}
        for index, parsed_assignment in enumerate(item.assignments, start=1):
            assignment = assignments.pop(index, None) or PlanAssignment(
                section=section, order=index
            )
            assignment.unit_name = parsed_assignment.unit_name
            assignment.assignee_level = parsed_assignment.level
            assignment.role = parsed_assignment.role
            assignment.text = parsed_assignment.text
            assignment.department = (
                department_match(parsed_assignment.unit_name, departments)
                if parsed_assignment.level == PlanAssignment.Level.DEPARTMENT
                else None
            )
            assignment.save()
        PlanAssignment.objects.filter(pk__in=[a.pk for a in assignments.values()]).delete()
    # Children first: a section removed from the file goes with its subsections.
    for section in sorted(existing.values(), key=lambda s: -s.level):
        section.delete()


def plan_load(*, path: Path | str, city: UnionUnit | None = None, actor=None) -> Plan:
    """Load (or reload) the plan in `path`; its department tasks are matched to `city`'s
    departments (default: the current union of `settings.ANSINH_PROVINCE_CODE`)."""
    path = Path(path)
    parsed, data = plan_read(path=path)
    code = plan_code(parsed)
    with transaction.atomic():
        city = city or _default_city()
        departments = list(Department.objects.filter(union=city)) if city else []
        plan = Plan.objects.select_for_update().filter(code=code).first()
        created = plan is None
        before = {} if created else snapshot(plan, AUDITED_FIELDS)
        if created:
            plan = Plan(code=code)
        plan.number = parsed.number
        plan.issued_on = parsed.issued_on
        plan.issued_place = parsed.issued_place
        plan.issuer = parsed.issuer
        plan.union = city
        plan.title = parsed.title
        plan.title_folded = fold(f"{parsed.number} {parsed.title} {parsed.issuer}")
        plan.basis = parsed.basis
        plan.closing = parsed.closing
        plan.recipients = parsed.recipients
        plan.signature = parsed.signature
        plan.signer = parsed.signer
        plan.full_text = parsed.full_text
        plan.source_name = path.name
        plan.source_sha256 = hashlib.sha256(data).hexdigest()
        plan.loaded_at = timezone.now()
        plan.save()
        _sections_save(plan=plan, parsed=parsed, departments=departments)
        if created:
            audit_create(actor=actor, obj=plan, fields=AUDITED_FIELDS)
        else:
            audit_update(actor=actor, obj=plan, before=before, fields=AUDITED_FIELDS)
    return plan


# ---------------------------------------------------------------------------------------------
# Tasks

TASK_FIELDS = (
    "plan",
    "section",
    "unit",
    "lead_department",
    "title",
    "starts_on",
    "deadline",
    "status",
    "percent",
    "completed_on",
)
PROGRESS_FIELDS = ("task", "reported_on", "text", "percent", "status", "author")
# Resolution 42-NQ/TW sets its targets to 2030: a generated task runs until then unless the
# plan (or a later decision) gives it a nearer deadline.
DEFAULT_TASK_DEADLINE = dt.date(2030, 12, 31)
TITLE_LENGTH = 300
PROGRESS_TEXT_MAX = 5000
EVIDENCE_EXTENSIONS = (
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "webp",
    "heic",
    "heif",
    "doc",
    "docx",
    "xls",
    "xlsx",
)
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 10


def task_title(text: str) -> str:
    """A one-line title from an assignment's text: its first sentence, at most 300 chars."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0].rstrip(".;")
    if len(first) > TITLE_LENGTH:
        first = first[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return first


def _current_communes(city: UnionUnit):
    return UnionUnit.objects.filter(
        kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True, path__startswith=city.path
    ).order_by("path")


def plan_tasks_generate(
    *, plan: Plan, actor=None, deadline: dt.date = DEFAULT_TASK_DEADLINE
) -> int:
    """Turn the plan's assignments into tasks: one per matched department for the tasks of
    the issuing union's departments (III.1), one per current commune union for each task of
    the lower unions (III.2). Set-based (one read of what exists, one bulk insert) and
    idempotent: a task already generated for an (assignment, unit, department) is kept as is,
    with its progress. Returns how many tasks were created."""
    city = plan.union
    if city is None:
        return 0
    starts_on = plan.issued_on or timezone.localdate()
    deadline = max(deadline, starts_on)
    assignments = list(
        PlanAssignment.objects.filter(section__plan=plan)
        .select_related("section", "department")
        .order_by("section__order", "order")
    )
    communes = list(_current_communes(city).only("pk"))
    with transaction.atomic():
        existing = set(
            Task.objects.filter(plan=plan, assignment__isnull=False).values_list(
                "assignment_id", "unit_id", "lead_department_id"
            )
        )
        new: list[Task] = []

        def add(assignment: PlanAssignment, unit_id: int, department_id: int | None) -> None:
            if (assignment.pk, unit_id, department_id) in existing:
                return
            new.append(
                Task(
                    plan=plan,
                    section=assignment.section,
                    assignment=assignment,
                    unit_id=unit_id,
                    lead_department_id=department_id,
                    title=task_title(assignment.text),
                    description=assignment.text,
                    starts_on=starts_on,
                    deadline=deadline,
                )
            )

        for assignment in assignments:
            if assignment.assignee_level == PlanAssignment.Level.DEPARTMENT:
                if assignment.department is not None:
                    add(assignment, assignment.department.union_id, assignment.department_id)
            else:
                for commune in communes:
                    add(assignment, commune.pk, None)
        Task.objects.bulk_create(new, batch_size=1000)
        if new:
            audit_record(
                action=AuditEvent.Action.CREATE,
                actor=actor,
                object_type="plans.task",
                object_repr=f"{len(new)} nhiệm vụ từ {plan}"[:255],
                changes={"plan": plan.pk, "count": len(new), "source": "plan_assignments"},
                scope_path=city.path,
            )
    return len(new)


def _check_task_dates(starts_on, deadline) -> dict:
    errors = {}
    if starts_on is None:
        errors["starts_on"] = _("Chưa nhập ngày bắt đầu.")
    if deadline is None:
        errors["deadline"] = _("Chưa nhập thời hạn.")
    if starts_on and deadline and deadline < starts_on:
        errors["deadline"] = _("Thời hạn phải sau ngày bắt đầu.")
    return errors


def task_create(
    *,
    user,
    section: PlanSection,
    unit: UnionUnit,
    title: str,
    starts_on: dt.date,
    deadline: dt.date,
    description: str = "",
    lead_department: Department | None = None,
    cooperating_departments=(),
    cooperating_units=(),
) -> Task:
    """A task added by hand (a decision after the plan, a unit's own task)."""
    title = " ".join((title or "").split())
    errors = _check_task_dates(starts_on, deadline)
    if not title:
        errors["title"] = _("Chưa nhập tên nhiệm vụ.")
    elif len(title) > TITLE_LENGTH:
        errors["title"] = _("Tên nhiệm vụ dài quá 300 ký tự.")
    if lead_department is not None and lead_department.union_id != unit.pk:
        errors["lead_department"] = _("Ban, đơn vị chủ trì không thuộc đơn vị thực hiện.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        task = Task.objects.create(
            plan=section.plan,
            section=section,
            unit=unit,
            lead_department=lead_department,
            title=title,
            description=(description or "").strip(),
            starts_on=starts_on,
            deadline=deadline,
        )
        task.cooperating_departments.set(cooperating_departments)
        task.cooperating_units.set(cooperating_units)
        ensure_in_scope(task, user, "add")
        audit_create(actor=user, obj=task, fields=TASK_FIELDS)
    return task


def _m2m_snapshot(task: Task) -> dict:
    return {
        "cooperating_departments": sorted(
            task.cooperating_departments.values_list("pk", flat=True)
        ),
        "cooperating_units": sorted(task.cooperating_units.values_list("pk", flat=True)),
    }


def task_update(*, user, task: Task, **changes) -> Task:
    """Change a task's title, description, dates, lead and cooperating departments or units.

    Audited with the old and new values (cooperating ones as lists of ids). Outside the
    user's scope for `change`: 404, nothing written; bad dates: ValidationError, nothing
    written.
    """
    allowed = {
        "title",
        "description",
        "starts_on",
        "deadline",
        "lead_department",
        "cooperating_departments",
        "cooperating_units",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"task_update does not change {sorted(unknown)}")
    departments = changes.pop("cooperating_departments", None)
    units = changes.pop("cooperating_units", None)
    with transaction.atomic():
        task = get_scoped_or_404(Task.objects.select_for_update(), user, "change", pk=task.pk)
        before = {**snapshot(task, TASK_FIELDS), **_m2m_snapshot(task)}
        for name, value in changes.items():
            if isinstance(value, str):
                value = " ".join(value.split()) if name == "title" else value.strip()
            setattr(task, name, value)
        errors = _check_task_dates(task.starts_on, task.deadline)
        if not task.title:
            errors["title"] = _("Chưa nhập tên nhiệm vụ.")
        elif len(task.title) > TITLE_LENGTH:
            errors["title"] = _("Tên nhiệm vụ dài quá 300 ký tự.")
        if task.lead_department is not None and task.lead_department.union_id != task.unit_id:
            errors["lead_department"] = _("Ban, đơn vị chủ trì không thuộc đơn vị thực hiện.")
        if errors:
            raise ValidationError(errors)
        task.save()
        if departments is not None:
            task.cooperating_departments.set(departments)
        if units is not None:
            task.cooperating_units.set(units)
        ensure_in_scope(task, user, "change")
        changes_made = model_changes(before, {**snapshot(task, TASK_FIELDS), **_m2m_snapshot(task)})
        if changes_made:
            audit_record(
                action=AuditEvent.Action.UPDATE, actor=user, obj=task, changes=changes_made
            )
    return task


def _status_for(percent: int) -> str:
    if percent >= 100:
        return Task.Status.DONE
    if percent > 0:
        return Task.Status.IN_PROGRESS
    return Task.Status.NOT_STARTED


def validate_evidence_files(files) -> list[str]:
    """Vietnamese messages for the files that cannot be kept (type, size, count)."""
    problems = []
    if len(files) > EVIDENCE_MAX_FILES:
        problems.append(
            _("Đính kèm tối đa %(count)d tệp minh chứng mỗi lần.") % {"count": EVIDENCE_MAX_FILES}
        )
    for upload in files:
        name = getattr(upload, "name", "") or ""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in EVIDENCE_EXTENSIONS:
            problems.append(
                _("Tệp “%(name)s”: chỉ nhận ảnh, PDF, Word hoặc Excel.") % {"name": name}
            )
        elif upload.size > EVIDENCE_MAX_BYTES:
            problems.append(_("Tệp “%(name)s” lớn hơn 10 MB.") % {"name": name})
        elif upload.size == 0:
            problems.append(_("Tệp “%(name)s” rỗng.") % {"name": name})
    return problems


def _evidence_save(*, progress: TaskProgress, upload) -> TaskEvidence:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original = unicodedata.normalize("NFC", Path(upload.name).name)[:255]
    extension = original.rsplit(".", 1)[-1].lower()
    evidence = TaskEvidence(
        progress=progress, original_name=original, size=upload.size, sha256=digest.hexdigest()
    )
    # A random stored name: the original (which may name a person) stays in the database only.
    evidence.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
    evidence.save()
    return evidence


def task_progress_add(
    *,
    user,
    task: Task,
    text: str,
    percent,
    reported_on: dt.date | None = None,
    files=(),
) -> TaskProgress:
    """Report progress on a task: what was done, how far (0–100%), evidence files.

    The task's status follows the percentage (0: not started, 1–99: in progress, 100: done,
    with the report's date as completion date). Outside the user's scope: 404, nothing
    written; bad input: ValidationError with Vietnamese messages, nothing written.
    """
    if (
        not Task.objects.restrict(user, permission="plans.add_taskprogress")
        .filter(pk=task.pk)
        .exists()
    ):
        raise OutOfScope("The task is outside the user's scope.")
    files = list(files or ())
    today = timezone.localdate()
    reported_on = reported_on or today
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = [_("Chưa nhập kết quả thực hiện.")]
    elif len(text) > PROGRESS_TEXT_MAX:
        errors["text"] = [_("Nội dung dài quá 5000 ký tự.")]
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        errors["percent"] = [_("Tiến độ phải là một số từ 0 đến 100.")]
    else:
        if not 0 <= percent <= 100:
            errors["percent"] = [_("Tiến độ phải là một số từ 0 đến 100.")]
    if reported_on > today:
        errors["reported_on"] = [_("Ngày báo cáo không được sau hôm nay.")]
    elif reported_on < task.starts_on:
        errors["reported_on"] = [
            _("Ngày báo cáo trước ngày bắt đầu nhiệm vụ (%(date)s).")
            % {"date": task.starts_on.strftime("%d/%m/%Y")}
        ]
    problems = validate_evidence_files(files)
    if problems:
        errors["evidence"] = problems
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        before = snapshot(task, TASK_FIELDS)
        status = _status_for(percent)
        progress = TaskProgress.objects.create(
            task=task,
            reported_on=reported_on,
            text=text,
            percent=percent,
            status=status,
            author=user,
            author_name=(getattr(user, "full_name", "") or user.get_username())[:150],
        )
        for upload in files:
            _evidence_save(progress=progress, upload=upload)
        task.percent = percent
        task.status = status
        task.completed_on = reported_on if status == Task.Status.DONE else None
        task.save(update_fields=["percent", "status", "completed_on", "updated_at"])
        ensure_in_scope(progress, user, "add")
        audit_create(actor=user, obj=progress, fields=PROGRESS_FIELDS)
        audit_update(actor=user, obj=task, before=before, fields=TASK_FIELDS)
    return progress
