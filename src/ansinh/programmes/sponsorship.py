"""Writes for sponsorships (Mẹ đỡ đầu): a sponsor takes a child, logs each month's support,
and the sponsorship ends with a reason.

Same shape as the other services: keyword-only, atomic, audited in the same transaction, the
child (and the sponsor) read through the user's scope first, the written row re-read through
it after (`ensure_in_scope`). A logged month counts as reaching the child in the reach tables,
so the left-behind view sees sponsored children as reached. Payments are never edited: a
mistaken month is cancelled by a reversing line, and the month can then be logged again.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_create, audit_update, snapshot
from ansinh.core.scoping import ensure_in_scope, get_scoped_or_404
from ansinh.funds.models import Donor
from ansinh.registry.models import Person

from .models import Programme, Sponsorship, SponsorshipPayment
from .reach import reach_add, reach_refresh

SPONSORSHIP_FIELDS = ["programme", "sponsor", "child", "monthly_amount", "starts_on", "note"]
PAYMENT_FIELDS = ["sponsorship", "month", "amount", "paid_on", "means", "note", "reverses"]
CHILD_AGE_LIMIT = 18


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def default_programme() -> Programme:
    """The catalogue's sponsorship programme (Mẹ đỡ đầu), the first of kind "sponsorship"."""
    programme = (
        Programme.objects.filter(benefit_kind=Programme.BenefitKind.SPONSORSHIP, is_active=True)
        .order_by("order", "pk")
        .first()
    )
    if programme is None:
        raise ValidationError(_("Chưa có chương trình đỡ đầu nào trong danh mục."))
    return programme


def _age_on(person: Person, day: dt.date) -> int | None:
    if person.birth_date:
        born = person.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if person.birth_year:
        return day.year - person.birth_year
    return None


def sponsorship_create(
    *,
    user,
    sponsor: Donor,
    child: Person,
    monthly_amount: int,
    starts_on: dt.date,
    programme: Programme | None = None,
    note: str = "",
) -> Sponsorship:
    """A sponsor takes a child (under 18 on the first day) from `starts_on`."""
    errors: dict[str, list[str]] = {}
    if monthly_amount is None or monthly_amount < 0:
        errors["monthly_amount"] = [_("Mức hỗ trợ không được âm.")]
    if starts_on > timezone.localdate() + dt.timedelta(days=366):
        errors["starts_on"] = [_("Ngày bắt đầu quá xa trong tương lai.")]
    with transaction.atomic():
        child = get_scoped_or_404(Person.objects, user, "view", pk=child.pk)
        sponsor = get_scoped_or_404(Donor.objects, user, "view", pk=sponsor.pk)
        age = _age_on(child, starts_on)
        if age is not None and age >= CHILD_AGE_LIMIT:
            errors.setdefault("child", []).append(
                _("Người được đỡ đầu phải dưới %(limit)s tuổi (đủ %(age)s tuổi khi bắt đầu).")
                % {"limit": CHILD_AGE_LIMIT, "age": age}
            )
        if child.status != Person.Status.ACTIVE:
            errors.setdefault("child", []).append(
                _("Hồ sơ của trẻ không còn ở trạng thái đang quản lý.")
            )
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                sponsorship = Sponsorship.objects.create(
                    programme=programme or default_programme(),
                    sponsor=sponsor,
                    child=child,
                    monthly_amount=monthly_amount,
                    starts_on=starts_on,
                    note=note.strip(),
                    created_by=user,
                )
        except IntegrityError as error:
            raise ValidationError(
                {"child": [_("Nhà tài trợ này đang đỡ đầu trẻ này rồi.")]}
            ) from error
        ensure_in_scope(sponsorship, user, "add")
        audit_create(actor=user, obj=sponsorship, fields=SPONSORSHIP_FIELDS)
    return sponsorship


def sponsorship_end(
    *, user, sponsorship: Sponsorship, ends_on: dt.date, reason: str, note: str = ""
) -> Sponsorship:
    """End an open sponsorship on `ends_on` with a reason (kept; never reopened in place)."""
    if reason not in Sponsorship.EndReason.values:
        raise ValidationError({"end_reason": [_("Cần chọn lý do kết thúc.")]})
    if reason == Sponsorship.EndReason.OTHER and not note.strip():
        raise ValidationError({"end_note": [_("Cần ghi rõ lý do khác.")]})
    with transaction.atomic():
        sponsorship = get_scoped_or_404(
            Sponsorship.objects.select_for_update(of=("self",)), user, "change", pk=sponsorship.pk
        )
        if sponsorship.ends_on is not None:
            raise ValidationError(_("Việc đỡ đầu này đã kết thúc."))
        if ends_on < sponsorship.starts_on:
            raise ValidationError({"ends_on": [_("Ngày kết thúc trước ngày bắt đầu.")]})
        last_month = (
            sponsorship.payments.values("month")
            .annotate(total=Sum("amount"))
            .filter(total__gt=0)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
        if last_month and ends_on < last_month:
            raise ValidationError(
                {
                    "ends_on": [
                        _("Đã ghi hỗ trợ tháng %(month)s, sau ngày kết thúc.")
                        % {"month": last_month.strftime("%m/%Y")}
                    ]
                }
            )
        names = ["ends_on", "end_reason", "end_note"]
        before = snapshot(sponsorship, names)
        sponsorship.ends_on = ends_on
        sponsorship.end_reason = reason
        sponsorship.end_note = note.strip()
        sponsorship.save(update_fields=names)
        ensure_in_scope(sponsorship, user, "change")
        audit_update(actor=user, obj=sponsorship, before=before, fields=names)
    return sponsorship


def _month_paid(sponsorship: Sponsorship, month: dt.date) -> bool:
    total = sponsorship.payments.filter(month=month).aggregate(total=Sum("amount"))["total"]
    return bool(total and total > 0)


def sponsorship_payment_log(
    *,
    user,
    sponsorship: Sponsorship,
    month: dt.date,
    amount: int,
    paid_on: dt.date,
    means: str = SponsorshipPayment.Means.CASH,
    note: str = "",
) -> SponsorshipPayment:
    """Log one month's support. A month is logged once (unless its line was reversed), falls
    within the sponsorship, and is paid no later than today."""
    month = first_of_month(month)
    errors: dict[str, list[str]] = {}
    if not amount or amount <= 0:
        errors["amount"] = [_("Số tiền phải lớn hơn 0.")]
    if paid_on > timezone.localdate():
        errors["paid_on"] = [_("Ngày không được sau hôm nay.")]
    if means not in SponsorshipPayment.Means.values:
        errors["means"] = [_("Hình thức không hợp lệ.")]
    with transaction.atomic():
        # The sponsorship row is locked: two officers logging the same month end with one line.
        sponsorship = get_scoped_or_404(
            Sponsorship.objects.select_for_update(of=("self",)), user, "change", pk=sponsorship.pk
        )
        if month < first_of_month(sponsorship.starts_on) or (
            sponsorship.ends_on and month > first_of_month(sponsorship.ends_on)
        ):
            errors.setdefault("month", []).append(
                _("Tháng %(month)s nằm ngoài thời gian đỡ đầu.")
                % {"month": month.strftime("%m/%Y")}
            )
        elif _month_paid(sponsorship, month):
            errors.setdefault("month", []).append(
                _("Tháng %(month)s đã được ghi.") % {"month": month.strftime("%m/%Y")}
            )
        if errors:
            raise ValidationError(errors)
        payment = SponsorshipPayment.objects.create(
            sponsorship=sponsorship,
            month=month,
            amount=amount,
            paid_on=paid_on,
            means=means,
            note=note.strip(),
            recorded_by=user,
        )
        reach_add(
            person_id=sponsorship.child_id,
            programme_id=sponsorship.programme_id,
            delivered_on=paid_on,
        )
        ensure_in_scope(payment, user, "add")
        audit_create(actor=user, obj=payment, fields=PAYMENT_FIELDS)
    return payment


def sponsorship_payment_reverse(
    *, user, payment: SponsorshipPayment, reason: str
) -> SponsorshipPayment:
    """Cancel a logged month by a reversing line (the original stays, both are audited)."""
    if not reason.strip():
        raise ValidationError({"note": [_("Cần ghi lý do hủy.")]})
    with transaction.atomic():
        payment = get_scoped_or_404(
            SponsorshipPayment.objects.select_related("sponsorship"), user, "change", pk=payment.pk
        )
        Sponsorship.objects.select_for_update().filter(pk=payment.sponsorship_id).first()
        if payment.reverses_id is not None:
            raise ValidationError(_("Không thể hủy một dòng hủy."))
        if SponsorshipPayment.objects.filter(reverses=payment).exists():
            raise ValidationError(_("Dòng này đã được hủy."))
        reversal = SponsorshipPayment.objects.create(
            sponsorship=payment.sponsorship,
            month=payment.month,
            amount=-payment.amount,
            paid_on=timezone.localdate(),
            means=payment.means,
            note=reason.strip(),
            reverses=payment,
            recorded_by=user,
        )
        reach_refresh(person_ids=[payment.sponsorship.child_id])
        ensure_in_scope(reversal, user, "add")
        audit_create(actor=user, obj=reversal, fields=PAYMENT_FIELDS)
    return reversal
