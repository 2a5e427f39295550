"""Demo data of the reports module: the plan's templates linked to the loaded plan, the last
finished 6-month period opened for every commune (pre-filled from the demo data), most of
them submitted and approved, and the same period a year earlier reported by the old
districts when it falls before 01/07/2025 (so the succession view has something to show).
Hoàn Kiếm's report is left as a draft for its officer."""

from __future__ import annotations

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ansinh.accounts.models import User

from . import figures, services
from .catalogue import HALF_TEMPLATE
from .models import ReportSubmission, ReportTemplate
from .periods import HALF, current_period

KEEP_AS_DRAFT = {"00070"}


def _file(user, submissions, rng, *, approve_share: float, reported_by_hand=False) -> int:
    approved = 0
    for submission in submissions:
        if submission.status != ReportSubmission.Status.DRAFT:
            continue
        if submission.unit.code in KEEP_AS_DRAFT or rng.random() > approve_share:
            continue
        # Old units' figures predate the software: they are what the units reported by hand.
        reason = "Số liệu đơn vị báo cáo trước khi dùng phần mềm" if reported_by_hand else ""
        entered = {
            row.indicator.code: (rng.randint(0, 40), reason)
            for row in submission.values.select_related("indicator")
            if row.computed_value is None or reported_by_hand
        }
        _consistent(entered, rng)
        services.submission_save(
            user=user,
            submission=submission,
            values=entered,
            sections={
                "II.1": "Tổ chức các buổi tuyên truyền Nghị quyết số 42-NQ/TW tại chi hội.",
                "II.2": "Phối hợp trao hỗ trợ cho phụ nữ, trẻ em có hoàn cảnh khó khăn.",
                "BAT-CAP": "Một số hộ chưa được cập nhật kịp thời vào danh sách hỗ trợ.",
            },
        )
        try:
            services.submission_submit(user=user, submission=submission)
        except ValidationError:  # a demo figure failing a rule stays a draft
            pass
        else:
            services.submission_approve(user=user, submission=submission)
            approved += 1
    return approved


# Amounts follow their head counts so that hand-made figures pass the template's rules.
AMOUNT_OF = {"SUPPORT_AMOUNT": "PEOPLE_SUPPORTED", "LOAN_AMOUNT": "LOAN_WOMEN"}


def _consistent(entered: dict, rng) -> None:
    if "EMPLOYED_AFTER_TRAINING" in entered and "TRAINED" in entered:
        employed, reason = entered["EMPLOYED_AFTER_TRAINING"]
        entered["EMPLOYED_AFTER_TRAINING"] = (min(employed, entered["TRAINED"][0]), reason)
    for amount, people in AMOUNT_OF.items():
        if amount in entered and people in entered:
            count, reason = entered[people]
            entered[amount] = (count * rng.randint(1, 5) * 1_000_000, reason)


def demo_load(*, world, say) -> dict:
    services.catalogue_sync()
    plan = world.get("plan")
    if plan is None:
        from ansinh.plans.models import Plan

        plan = Plan.objects.order_by("-issued_on").first()
    if plan is not None:
        ReportTemplate.objects.filter(plan__isnull=True).update(plan=plan)
    template = ReportTemplate.objects.get(code=HALF_TEMPLATE)
    city = world["city"]
    admin = User.objects.filter(username="thanhpho").first()
    period = current_period(HALF, timezone.localdate()).previous()
    if ReportSubmission.objects.filter(
        period__template=template, period__code=period.code
    ).exists():
        return {}
    say(f"Mở báo cáo {template.code} kỳ {period.code} cho các xã, phường…")
    rng = random.Random(42)  # noqa: S311 - demo data
    with transaction.atomic():
        units = figures.reporting_units(city=city, period=period)
        submissions = services.submissions_open(
            user=admin, template=template, code=period.code, units=units
        )
        approved = _file(admin, submissions, rng, approve_share=0.7)
        last_year = period.same_period_last_year()
        old_units = figures.reporting_units(city=city, period=last_year)
        old = services.submissions_open(
            user=admin, template=template, code=last_year.code, units=old_units
        )
        approved_old = _file(admin, old, rng, approve_share=1.0, reported_by_hand=True)
    return {
        "report_submissions": len(submissions) + len(old),
        "reports_approved": approved + approved_old,
    }
