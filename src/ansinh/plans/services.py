"""Loading a plan from its text file (`ansinh load-plan`, the demo).

The file is read and parsed in full before anything is written; the write is one transaction
with its audit event. Reloading updates the same plan (identified by number, date and title)
and its sections in place, matched by code, so tasks that point at sections survive.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ansinh.core.audit import audit_create, audit_update, snapshot
from ansinh.core.text import fold
from ansinh.org.models import Department, UnionUnit

from .models import Plan, PlanAssignment, PlanSection
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
