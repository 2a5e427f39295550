"""Writes of the reports module: keyword-only, atomic, audited in the same transaction, scope
checked before anything changes (out of scope → 404 and nothing written)."""

from __future__ import annotations

import datetime as dt

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import Action, audit_create, audit_record, audit_update, snapshot
from ansinh.core.scoping import OutOfScope, ensure_in_scope
from ansinh.org.models import UnionUnit

from . import checks, figures
from .catalogue import catalogue_seed
from .models import (
    ReportingPeriod,
    ReportSubmission,
    ReportTemplate,
    SubmissionEvent,
    SubmissionValue,
)
from .periods import Period, parse_period

STATUS_FIELDS = ("status", "is_locked", "return_comment", "submitted_at", "approved_at")
MAX_VALUE = 10**15  # đồng: far above any report figure, well inside BIGINT
MAX_TEXT = 20000


def catalogue_sync() -> dict:
    """Indicators synced with the computed registry, and the plan's templates (idempotent)."""
    with transaction.atomic():
        return catalogue_seed(django_apps)


def default_deadline(template: ReportTemplate, period: Period) -> dt.date:
    return period.end + dt.timedelta(days=template.deadline_days)


@transaction.atomic
def period_open(*, user, template: ReportTemplate, code: str) -> ReportingPeriod:
    """The template's period (created with the default deadline the first time)."""
    period = parse_period(code, kind=template.period_type)
    row = ReportingPeriod.objects.filter(template=template, code=period.code).first()
    if row is not None:
        return row
    row = ReportingPeriod.objects.create(
        template=template,
        code=period.code,
        starts_on=period.start,
        ends_on=period.end,
        deadline=default_deadline(template, period),
    )
    audit_create(actor=user, obj=row, fields=["code", "starts_on", "ends_on", "deadline"])
    return row


@transaction.atomic
def period_deadline_set(*, user, period: ReportingPeriod, deadline: dt.date) -> ReportingPeriod:
    from ansinh.accounts.permissions import has_permission

    if not has_permission(user, "reports.approve_reportsubmission"):
        raise ValidationError(_("Chỉ lãnh đạo Hội Thành phố được đổi hạn nộp."))
    if deadline < period.starts_on:
        raise ValidationError({"deadline": _("Hạn nộp không được trước ngày đầu kỳ.")})
    before = snapshot(period, ["deadline"])
    period.deadline = deadline
    period.save(update_fields=["deadline"])
    audit_update(actor=user, obj=period, before=before, fields=["deadline"])
    return period


def _template_codes(template: ReportTemplate) -> list[str]:
    return list(
        template.template_indicators.order_by("order").values_list("indicator__code", flat=True)
    )


@transaction.atomic
def submissions_open(
    *, user, template: ReportTemplate, code: str, units: list[UnionUnit]
) -> list[ReportSubmission]:
    """Each unit's submission for the period, created pre-filled with the computed values
    where it does not exist yet (one grouped query per indicator for all the units)."""
    period_row = period_open(user=user, template=template, code=code)
    existing = {
        s.unit_id: s
        for s in ReportSubmission.objects.filter(period=period_row, unit__in=units).select_related(
            "unit"
        )
    }
    missing = [unit for unit in units if unit.pk not in existing]
    if missing:
        codes = _template_codes(template)
        indicators = dict(
            template.template_indicators.values_list("indicator__code", "indicator_id")
        )
        computed = figures.computed_values(codes=codes, period=period_row.period, units=missing)
        created = ReportSubmission.objects.bulk_create(
            [ReportSubmission(period=period_row, unit=unit) for unit in missing]
        )
        ids = [submission.pk for submission in created]
        # One check for all: every new submission must be inside the user's scope.
        allowed = ReportSubmission.objects.restrict(user, "add").filter(pk__in=ids).count()
        if allowed != len(ids):
            raise OutOfScope("A unit is outside the user's scope.")
        SubmissionValue.objects.bulk_create(
            [
                SubmissionValue(
                    submission=submission,
                    indicator_id=indicators[code_],
                    computed_value=computed[submission.unit.pk].get(code_),
                    value=computed[submission.unit.pk].get(code_),
                )
                for submission in created
                for code_ in codes
            ],
            batch_size=2000,
        )
        SubmissionEvent.objects.bulk_create(
            [
                SubmissionEvent(submission=submission, kind=SubmissionEvent.Kind.OPENED, actor=user)
                for submission in created
            ]
        )
        for submission in created:
            audit_record(
                action=Action.CREATE,
                actor=user,
                obj=submission,
                changes={
                    "period": [None, period_row.code],
                    "computed": computed[submission.unit.pk],
                },
            )
            existing[submission.unit.pk] = submission
    return [existing[unit.pk] for unit in units]


def submission_open(
    *, user, template: ReportTemplate, code: str, unit: UnionUnit
) -> ReportSubmission:
    return submissions_open(user=user, template=template, code=code, units=[unit])[0]


def _require_editable(submission: ReportSubmission) -> None:
    if not submission.is_editable:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái “%(status)s”: không sửa được.")
            % {"status": submission.get_status_display()}
        )


def _parse_value(raw) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        number = raw
    else:
        text = str(raw).strip().replace(".", "").replace(" ", "").replace("\u00a0", "")
        if text == "":
            return None
        if not text.isdigit():
            raise ValueError
        number = int(text)
    if number < 0 or number > MAX_VALUE:
        raise ValueError
    return number


@transaction.atomic
def submission_save(
    *,
    user,
    submission: ReportSubmission,
    values: dict[str, tuple[object, str]] | None = None,
    sections: dict[str, str] | None = None,
) -> ReportSubmission:
    """Save figures ({code: (value, reason)}) and narrative sections of a draft or returned
    submission. A value that differs from the computed one needs a reason; both are kept.
    Any error: nothing is saved (ValidationError keyed `value_<code>` / `reason_<code>`)."""
    submission = ReportSubmission.objects.select_for_update().get(pk=submission.pk)
    ensure_in_scope(submission, user, "change")
    _require_editable(submission)
    rows = {row.indicator.code: row for row in submission.values.select_related("indicator").all()}
    errors: dict[str, str] = {}
    changed: dict[str, list] = {}
    updates = []
    for code, (raw, reason) in (values or {}).items():
        row = rows.get(code)
        if row is None:
            errors[f"value_{code}"] = _("Chỉ tiêu %(code)s không có trong báo cáo.") % {
                "code": code
            }
            continue
        try:
            value = _parse_value(raw)
        except (TypeError, ValueError):
            errors[f"value_{code}"] = _("%(name)s: phải là số nguyên không âm.") % {
                "name": row.indicator.name
            }
            continue
        reason = (reason or "").strip()[:2000]
        if row.computed_value is not None and value != row.computed_value:
            if not reason:
                errors[f"reason_{code}"] = _(
                    "%(name)s: số liệu khác số tính từ dữ liệu (%(computed)s), cần ghi lý do "
                    "điều chỉnh."
                ) % {
                    "name": row.indicator.name,
                    "computed": f"{row.computed_value:,}".replace(",", "."),
                }
                continue
        elif row.computed_value is not None:
            reason = ""  # back to the computed value: nothing to explain
        if value != row.value or reason != row.reason:
            changed[code] = [[row.value, row.reason], [value, reason]]
            row.value, row.reason = value, reason
            updates.append(row)
    new_sections = dict(submission.sections)
    allowed = set(submission.period.template.sections.values_list("code", flat=True))
    for code, text in (sections or {}).items():
        if code not in allowed:
            continue
        text = (text or "").strip()
        if len(text) > MAX_TEXT:
            errors[f"section_{code}"] = _("Nội dung quá dài (tối đa 20.000 ký tự).")
            continue
        new_sections[code] = text
    if errors:
        raise ValidationError(errors)
    if updates:
        SubmissionValue.objects.bulk_update(updates, ["value", "reason"])
    section_changes = {
        code: [submission.sections.get(code, ""), text]
        for code, text in new_sections.items()
        if submission.sections.get(code, "") != text
    }
    if section_changes:
        submission.sections = new_sections
        submission.save(update_fields=["sections", "updated_at"])
    if changed or section_changes:
        audit_record(
            action=Action.UPDATE,
            actor=user,
            obj=submission,
            changes={"values": changed, "sections": sorted(section_changes)},
        )
    return submission


def submission_values(submission: ReportSubmission) -> dict[str, int | None]:
    return dict(submission.values.values_list("indicator__code", "value"))


def submission_check(*, submission: ReportSubmission) -> list[checks.RuleCheck]:
    return checks.rules_check(
        template=submission.period.template, values=submission_values(submission)
    )


def _event(submission, kind, user, comment="") -> None:
    SubmissionEvent.objects.create(submission=submission, kind=kind, actor=user, comment=comment)


def _locked_get(submission: ReportSubmission, user, action: str) -> ReportSubmission:
    ensure_in_scope(submission, user, action)
    return ReportSubmission.objects.select_for_update().get(pk=submission.pk)


@transaction.atomic
def submission_submit(*, user, submission: ReportSubmission) -> ReportSubmission:
    """Submit for approval; refused while a validation rule fails."""
    submission = _locked_get(submission, user, "submit")
    _require_editable(submission)
    failing = [check for check in submission_check(submission=submission) if check.failed]
    if failing:
        raise ValidationError([check.message for check in failing])
    before = snapshot(submission, STATUS_FIELDS)
    now = timezone.now()
    submission.status = ReportSubmission.Status.SUBMITTED
    submission.submitted_at = now
    submission.first_submitted_at = submission.first_submitted_at or now
    submission.save()
    _event(submission, SubmissionEvent.Kind.SUBMITTED, user)
    audit_update(actor=user, obj=submission, before=before, fields=STATUS_FIELDS)
    return submission


@transaction.atomic
def submission_return(*, user, submission: ReportSubmission, comment: str) -> ReportSubmission:
    """Send a submitted report back to its unit with a comment."""
    submission = _locked_get(submission, user, "approve")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Cần ghi ý kiến khi trả lại báo cáo.")})
    if submission.status != ReportSubmission.Status.SUBMITTED:
        raise ValidationError(_("Chỉ trả lại được báo cáo đã nộp, đang chờ duyệt."))
    before = snapshot(submission, STATUS_FIELDS)
    submission.status = ReportSubmission.Status.RETURNED
    submission.return_comment = comment[:MAX_TEXT]
    submission.save()
    _event(submission, SubmissionEvent.Kind.RETURNED, user, comment[:MAX_TEXT])
    audit_update(actor=user, obj=submission, before=before, fields=STATUS_FIELDS)
    return submission


@transaction.atomic
def submission_approve(*, user, submission: ReportSubmission) -> ReportSubmission:
    """Approve a submitted report: it counts in the city's figures and is locked."""
    submission = _locked_get(submission, user, "approve")
    if submission.status != ReportSubmission.Status.SUBMITTED:
        raise ValidationError(_("Chỉ duyệt được báo cáo đã nộp, đang chờ duyệt."))
    before = snapshot(submission, STATUS_FIELDS)
    submission.status = ReportSubmission.Status.APPROVED
    submission.is_locked = True
    submission.approved_at = timezone.now()
    submission.approved_by = user
    submission.return_comment = ""
    submission.save()
    _event(submission, SubmissionEvent.Kind.APPROVED, user)
    audit_update(actor=user, obj=submission, before=before, fields=STATUS_FIELDS)
    return submission


@transaction.atomic
def submission_unlock(*, user, submission: ReportSubmission, reason: str) -> ReportSubmission:
    """Reopen an approved report for correction (city admin; audited with the reason). It
    leaves the city's figures until approved again."""
    submission = _locked_get(submission, user, "unlock")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do mở khóa.")})
    if not submission.is_locked:
        raise ValidationError(_("Báo cáo chưa bị khóa."))
    before = snapshot(submission, STATUS_FIELDS)
    submission.status = ReportSubmission.Status.RETURNED
    submission.is_locked = False
    submission.approved_at = None
    submission.approved_by = None
    submission.return_comment = reason[:MAX_TEXT]
    submission.save()
    _event(submission, SubmissionEvent.Kind.UNLOCKED, user, reason[:MAX_TEXT])
    audit_update(actor=user, obj=submission, before=before, fields=STATUS_FIELDS)
    return submission


@transaction.atomic
def submission_refresh(*, user, submission: ReportSubmission) -> ReportSubmission:
    """Recompute the computed values of an editable submission; figures the unit had not
    corrected follow the new computed value, corrected ones keep the unit's value."""
    submission = _locked_get(submission, user, "change")
    _require_editable(submission)
    codes = list(submission.values.values_list("indicator__code", flat=True))
    fresh = figures.computed_values(
        codes=codes, period=submission.period.period, units=[submission.unit]
    )[submission.unit_id]
    changed = {}
    rows = []
    for row in submission.values.select_related("indicator"):
        new = fresh.get(row.indicator.code)
        if new is None or new == row.computed_value:
            continue
        following = row.value is None or (
            row.computed_value is not None and row.value == row.computed_value
        )
        changed[row.indicator.code] = [row.computed_value, new]
        row.computed_value = new
        if following:
            row.value, row.reason = new, ""
        rows.append(row)
    if rows:
        SubmissionValue.objects.bulk_update(rows, ["computed_value", "value", "reason"])
        audit_record(
            action=Action.UPDATE, actor=user, obj=submission, changes={"computed": changed}
        )
    return submission
