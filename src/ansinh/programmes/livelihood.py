"""Writes for livelihood support: loans facilitated, vocational training and job referrals.

Same shape as the other services: keyword-only, atomic, audited in the same transaction, and
the written row is re-read through the user's scope (`ensure_in_scope`) so an out-of-scope
write rolls back and answers 404. The person (and the course's unit) must be visible to the
user before anything is written."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_create, audit_update, snapshot
from ansinh.core.scoping import OutOfScope, ensure_in_scope, get_scoped_or_404
from ansinh.org.models import UnionUnit
from ansinh.registry.models import Person

from .models import (
    JobOutcome,
    JobReferral,
    LoanFacilitation,
    LoanStatusChange,
    TrainingCourse,
    TrainingEnrolment,
)

LOAN_FIELDS = [
    "person",
    "bank",
    "bank_name",
    "group_name",
    "amount",
    "purpose",
    "applied_on",
    "disbursed_on",
    "term_months",
    "status",
    "note",
]
LOAN_EDITABLE = [f for f in LOAN_FIELDS if f not in ("person", "status")]
COURSE_FIELDS = ["title", "provider", "occupation", "unit", "starts_on", "ends_on", "note"]
ENROLMENT_FIELDS = [
    "completed",
    "completed_on",
    "certificate",
    "outcome_3m",
    "outcome_3m_checked_on",
    "outcome_6m",
    "outcome_6m_checked_on",
    "note",
]
REFERRAL_FIELDS = ["person", "employer", "position", "referred_on", "outcome", "starts_on", "note"]
REFERRAL_EDITABLE = [f for f in REFERRAL_FIELDS if f != "person"]


def _visible_person(user, person: Person) -> Person:
    return get_scoped_or_404(Person.objects, user, "view", pk=person.pk)


def _not_future(errors: dict, field: str, value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        errors.setdefault(field, []).append(_("Ngày không được sau hôm nay."))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# -- loans -------------------------------------------------------------------------------


def _loan_errors(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if not data.get("amount") or data["amount"] <= 0:
        errors["amount"] = [_("Số tiền vay phải lớn hơn 0.")]
    if not (data.get("purpose") or "").strip():
        errors["purpose"] = [_("Cần ghi mục đích vay.")]
    if (
        data.get("bank") == LoanFacilitation.Bank.OTHER
        and not (data.get("bank_name") or "").strip()
    ):
        errors["bank_name"] = [_("Cần ghi tên ngân hàng.")]
    applied, disbursed = data.get("applied_on"), data.get("disbursed_on")
    _not_future(errors, "applied_on", applied)
    _not_future(errors, "disbursed_on", disbursed)
    if applied and disbursed and disbursed < applied:
        errors.setdefault("disbursed_on", []).append(_("Ngày giải ngân trước ngày nộp hồ sơ."))
    term = data.get("term_months")
    if term is not None and not 1 <= term <= 240:
        errors["term_months"] = [_("Thời hạn vay từ 1 đến 240 tháng.")]
    return errors


def loan_create(
    *,
    user,
    person: Person,
    amount: int,
    purpose: str,
    applied_on: dt.date,
    bank: str = LoanFacilitation.Bank.POLICY_BANK,
    bank_name: str = "",
    group_name: str = "",
    disbursed_on: dt.date | None = None,
    term_months: int | None = None,
    note: str = "",
) -> LoanFacilitation:
    """Record a loan the union helped `person` apply for; disbursed already when
    `disbursed_on` is given (status "current"), else "applied". The first status is history."""
    data = {
        "amount": amount,
        "purpose": purpose,
        "bank": bank,
        "bank_name": bank_name,
        "applied_on": applied_on,
        "disbursed_on": disbursed_on,
        "term_months": term_months,
    }
    _raise(_loan_errors(data))
    with transaction.atomic():
        person = _visible_person(user, person)
        status = (
            LoanFacilitation.Status.CURRENT if disbursed_on else LoanFacilitation.Status.APPLIED
        )
        loan = LoanFacilitation.objects.create(
            person=person,
            bank=bank,
            bank_name=bank_name.strip() if bank == LoanFacilitation.Bank.OTHER else "",
            group_name=group_name.strip(),
            amount=amount,
            purpose=purpose.strip(),
            applied_on=applied_on,
            disbursed_on=disbursed_on,
            term_months=term_months,
            status=status,
            note=note.strip(),
            created_by=user,
        )
        LoanStatusChange.objects.create(
            loan=loan, status=status, changed_on=disbursed_on or applied_on, changed_by=user
        )
        ensure_in_scope(loan, user, "add")
        audit_create(actor=user, obj=loan, fields=LOAN_FIELDS)
    return loan


def loan_update(*, user, loan: LoanFacilitation, **fields) -> LoanFacilitation:
    """Correct a loan's details (not its status: `loan_set_status` keeps the history)."""
    unknown = set(fields) - set(LOAN_EDITABLE)
    if unknown:
        raise ValueError(f"loan_update: not editable {sorted(unknown)}")
    with transaction.atomic():
        loan = get_scoped_or_404(
            LoanFacilitation.objects.select_for_update(of=("self",)), user, "change", pk=loan.pk
        )
        data = {name: getattr(loan, name) for name in LOAN_EDITABLE} | fields
        errors = _loan_errors(data)
        if loan.status not in (
            LoanFacilitation.Status.APPLIED,
            LoanFacilitation.Status.REFUSED,
        ) and not data.get("disbursed_on"):
            errors.setdefault("disbursed_on", []).append(
                _("Khoản vay đã giải ngân cần có ngày giải ngân.")
            )
        _raise(errors)
        names = list(fields)
        before = snapshot(loan, names)
        for name, value in fields.items():
            setattr(loan, name, value.strip() if isinstance(value, str) else value)
        if loan.bank != LoanFacilitation.Bank.OTHER:
            loan.bank_name = ""
        loan.save()
        ensure_in_scope(loan, user, "change")
        audit_update(actor=user, obj=loan, before=before, fields=names)
    return loan


# Which status may follow which: a loan is applied for, then granted (current) or refused;
# a current loan may fall overdue and come back, and ends repaid.
LOAN_TRANSITIONS = {
    "applied": {"current", "refused"},
    "current": {"overdue", "repaid"},
    "overdue": {"current", "repaid"},
    "repaid": set(),
    "refused": set(),
}


def loan_set_status(
    *,
    user,
    loan: LoanFacilitation,
    status: str,
    changed_on: dt.date,
    note: str = "",
    disbursed_on: dt.date | None = None,
) -> LoanFacilitation:
    """Move a loan to a new status and keep the change in its history. Granting an applied
    loan ("current") needs the disbursement date."""
    with transaction.atomic():
        loan = get_scoped_or_404(
            LoanFacilitation.objects.select_for_update(of=("self",)), user, "change", pk=loan.pk
        )
        errors: dict[str, list[str]] = {}
        if status not in LOAN_TRANSITIONS.get(loan.status, set()):
            errors["status"] = [
                _("Không thể chuyển khoản vay từ “%(old)s” sang “%(new)s”.")
                % {
                    "old": loan.get_status_display(),
                    "new": dict(LoanFacilitation.Status.choices).get(status, status),
                }
            ]
        _not_future(errors, "changed_on", changed_on)
        fields = ["status"]
        if loan.status == LoanFacilitation.Status.APPLIED and status == "current":
            disbursed_on = disbursed_on or changed_on
            if disbursed_on < loan.applied_on:
                errors.setdefault("disbursed_on", []).append(
                    _("Ngày giải ngân trước ngày nộp hồ sơ.")
                )
            fields.append("disbursed_on")
        last = loan.history.order_by("-changed_on", "-id").first()
        if last and changed_on < last.changed_on:
            errors.setdefault("changed_on", []).append(
                _("Ngày thay đổi trước lần thay đổi gần nhất (%(date)s).")
                % {"date": last.changed_on.strftime("%d/%m/%Y")}
            )
        _raise(errors)
        before = snapshot(loan, fields)
        loan.status = status
        if "disbursed_on" in fields:
            loan.disbursed_on = disbursed_on
        loan.save(update_fields=fields)
        LoanStatusChange.objects.create(
            loan=loan,
            status=status,
            changed_on=changed_on,
            note=note.strip()[:255],
            changed_by=user,
        )
        ensure_in_scope(loan, user, "change")
        audit_update(actor=user, obj=loan, before=before, fields=fields)
    return loan


# -- training ----------------------------------------------------------------------------


def _course_errors(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    for name, message in (
        ("title", _("Cần ghi tên lớp.")),
        ("provider", _("Cần ghi cơ sở đào tạo.")),
        ("occupation", _("Cần ghi nghề đào tạo.")),
    ):
        if not (data.get(name) or "").strip():
            errors[name] = [message]
    if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = [_("Ngày kết thúc trước ngày khai giảng.")]
    return errors


def course_create(
    *,
    user,
    unit: UnionUnit,
    title: str,
    provider: str,
    occupation: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    note: str = "",
) -> TrainingCourse:
    data = {
        "title": title,
        "provider": provider,
        "occupation": occupation,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    _raise(_course_errors(data))
    with transaction.atomic():
        course = TrainingCourse.objects.create(
            unit=unit,
            title=title.strip(),
            provider=provider.strip(),
            occupation=occupation.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip(),
            created_by=user,
        )
        ensure_in_scope(course, user, "add")
        audit_create(actor=user, obj=course, fields=COURSE_FIELDS)
    return course


def course_update(*, user, course: TrainingCourse, **fields) -> TrainingCourse:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"course_update: not editable {sorted(unknown)}")
    with transaction.atomic():
        course = get_scoped_or_404(
            TrainingCourse.objects.select_for_update(of=("self",)), user, "change", pk=course.pk
        )
        data = {name: getattr(course, name) for name in COURSE_FIELDS} | fields
        _raise(_course_errors(data))
        names = list(fields)
        before = snapshot(course, names)
        for name, value in fields.items():
            setattr(course, name, value.strip() if isinstance(value, str) else value)
        course.save()
        # A moved course must stay inside the user's scope (its new unit too).
        ensure_in_scope(course, user, "change")
        audit_update(actor=user, obj=course, before=before, fields=names)
    return course


def enrolment_create(*, user, course: TrainingCourse, person: Person) -> TrainingEnrolment:
    """Put a person in a course (once per course)."""
    with transaction.atomic():
        course = get_scoped_or_404(TrainingCourse.objects, user, "view", pk=course.pk)
        person = _visible_person(user, person)
        if person.status != Person.Status.ACTIVE:
            raise ValidationError({"person": [_("Chỉ ghi danh người đang quản lý.")]})
        try:
            with transaction.atomic():
                enrolment = TrainingEnrolment.objects.create(course=course, person=person)
        except IntegrityError as error:
            raise ValidationError({"person": [_("Người này đã có trong lớp.")]}) from error
        ensure_in_scope(enrolment, user, "add")
        audit_create(actor=user, obj=enrolment, fields=["course", "person"])
    return enrolment


def _enrolment_errors(data: dict, course: TrainingCourse) -> dict:
    errors: dict[str, list[str]] = {}
    if data.get("completed") and not data.get("completed_on"):
        errors["completed_on"] = [_("Cần ghi ngày hoàn thành.")]
    if data.get("completed_on"):
        _not_future(errors, "completed_on", data["completed_on"])
        if data["completed_on"] < course.starts_on:
            errors.setdefault("completed_on", []).append(
                _("Ngày hoàn thành trước ngày khai giảng.")
            )
    for months in ("3m", "6m"):
        outcome, checked = data.get(f"outcome_{months}"), data.get(f"outcome_{months}_checked_on")
        if outcome and outcome != JobOutcome.UNKNOWN:
            if not data.get("completed"):
                errors.setdefault(f"outcome_{months}", []).append(
                    _("Chỉ ghi việc làm sau đào tạo khi học viên đã hoàn thành.")
                )
            if not checked:
                errors.setdefault(f"outcome_{months}_checked_on", []).append(
                    _("Cần ghi ngày kiểm tra.")
                )
        _not_future(errors, f"outcome_{months}_checked_on", checked)
        if checked and data.get("completed_on") and checked < data["completed_on"]:
            errors.setdefault(f"outcome_{months}_checked_on", []).append(
                _("Ngày kiểm tra trước ngày hoàn thành.")
            )
    return errors


def enrolment_update(*, user, enrolment: TrainingEnrolment, **fields) -> TrainingEnrolment:
    """Record completion, the certificate and the job outcome 3 and 6 months on."""
    unknown = set(fields) - set(ENROLMENT_FIELDS)
    if unknown:
        raise ValueError(f"enrolment_update: not editable {sorted(unknown)}")
    with transaction.atomic():
        enrolment = get_scoped_or_404(
            TrainingEnrolment.objects.select_for_update(of=("self",)).select_related("course"),
            user,
            "change",
            pk=enrolment.pk,
        )
        data = {name: getattr(enrolment, name) for name in ENROLMENT_FIELDS} | fields
        if not data.get("completed"):
            data["completed_on"] = None
            fields["completed_on"] = None
        _raise(_enrolment_errors(data, enrolment.course))
        names = list(fields)
        before = snapshot(enrolment, names)
        for name, value in fields.items():
            setattr(enrolment, name, value.strip() if isinstance(value, str) else value)
        enrolment.save()
        ensure_in_scope(enrolment, user, "change")
        audit_update(actor=user, obj=enrolment, before=before, fields=names)
    return enrolment


# -- job referrals -----------------------------------------------------------------------


def _referral_errors(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if not (data.get("employer") or "").strip():
        errors["employer"] = [_("Cần ghi nơi tuyển dụng.")]
    if not (data.get("position") or "").strip():
        errors["position"] = [_("Cần ghi vị trí việc làm.")]
    _not_future(errors, "referred_on", data.get("referred_on"))
    if data.get("outcome") == JobReferral.Outcome.HIRED and not data.get("starts_on"):
        errors["starts_on"] = [_("Người được tuyển cần có ngày bắt đầu làm việc.")]
    if (
        data.get("starts_on")
        and data.get("referred_on")
        and data["starts_on"] < data["referred_on"]
    ):
        errors.setdefault("starts_on", []).append(_("Ngày bắt đầu làm trước ngày giới thiệu."))
    return errors


def referral_create(
    *,
    user,
    person: Person,
    employer: str,
    position: str,
    referred_on: dt.date,
    outcome: str = JobReferral.Outcome.PENDING,
    starts_on: dt.date | None = None,
    note: str = "",
) -> JobReferral:
    data = {
        "employer": employer,
        "position": position,
        "referred_on": referred_on,
        "outcome": outcome,
        "starts_on": starts_on,
    }
    _raise(_referral_errors(data))
    with transaction.atomic():
        person = _visible_person(user, person)
        referral = JobReferral.objects.create(
            person=person,
            employer=employer.strip(),
            position=position.strip(),
            referred_on=referred_on,
            outcome=outcome,
            starts_on=starts_on,
            note=note.strip(),
            created_by=user,
        )
        ensure_in_scope(referral, user, "add")
        audit_create(actor=user, obj=referral, fields=REFERRAL_FIELDS)
    return referral


def referral_update(*, user, referral: JobReferral, **fields) -> JobReferral:
    unknown = set(fields) - set(REFERRAL_EDITABLE)
    if unknown:
        raise ValueError(f"referral_update: not editable {sorted(unknown)}")
    with transaction.atomic():
        referral = get_scoped_or_404(
            JobReferral.objects.select_for_update(of=("self",)), user, "change", pk=referral.pk
        )
        data = {name: getattr(referral, name) for name in REFERRAL_EDITABLE} | fields
        _raise(_referral_errors(data))
        names = list(fields)
        before = snapshot(referral, names)
        for name, value in fields.items():
            setattr(referral, name, value.strip() if isinstance(value, str) else value)
        referral.save()
        ensure_in_scope(referral, user, "change")
        audit_update(actor=user, obj=referral, before=before, fields=names)
    return referral


__all__ = [
    "OutOfScope",
    "course_create",
    "course_update",
    "enrolment_create",
    "enrolment_update",
    "loan_create",
    "loan_set_status",
    "loan_update",
    "referral_create",
    "referral_update",
]
