"""Demo data of the programmes app, written through the services as the demo users would: a
Tết round of the city approved and half delivered in Hoàn Kiếm, a few loans, a sewing course
with its trainees, a job referral and two sponsored children (synthetic people only)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ansinh.funds.services import donor_create
from ansinh.org.models import UnionUnit
from ansinh.registry.models import Person

from . import livelihood, services, sponsorship
from .models import Programme, Round

ROUND_TITLE = "Quà Tết Nguyên đán 2026 cho người cao tuổi hộ nghèo"
TET_RULE = 'age >= 60 and (household_has("HO_NGHEO") or household_has("HO_CAN_NGHEO"))'


def _months_ago(today: dt.date, months: int) -> dt.date:
    total = today.year * 12 + today.month - 1 - months
    return dt.date(total // 12, total % 12 + 1, 1)


def demo_load(*, world, say) -> dict:
    if Round.objects.filter(title=ROUND_TITLE).exists():
        return {}
    users = world["users"]
    city, officer, staff, admin = (
        world["city"],
        users["hoankiem"],
        users["giadinh"],
        users["thanhpho"],
    )
    hoankiem = UnionUnit.objects.filter(
        kind=UnionUnit.Kind.COMMUNE, code="00070", valid_to__isnull=True
    ).first()
    if hoankiem is None:
        return {}
    say("Tạo đợt quà Tết mẫu, khoản vay, lớp học nghề và trẻ được đỡ đầu…")
    today = timezone.localdate()
    round_ = services.round_create(
        user=staff,
        programme=Programme.objects.get(code="QUA_TET"),
        unit=city,
        title=ROUND_TITLE,
        budget=200_000_000,
        amount_per_person=500_000,
        items="Gạo, bánh chưng",
        funding_source="Quỹ Tết vì người nghèo",
        rule=TET_RULE,
    )
    services.round_generate_candidates(user=staff, round=round_)
    services.round_submit(user=staff, round=round_)
    services.round_approve(user=admin, round=round_)
    entitlements = list(
        round_.entitlements.filter(person__scope_path__startswith=hoankiem.path).order_by("rank")
    )
    for index, entitlement in enumerate(entitlements[: len(entitlements) // 2]):
        services.delivery_record(
            user=officer,
            entitlement=entitlement,
            delivered_on=today - dt.timedelta(days=index % 20),
            acknowledged=True,
            acknowledged_how="signature",
        )

    people = Person.objects.filter(
        scope_path__startswith=hoankiem.path, status=Person.Status.ACTIVE
    )
    women = list(
        people.filter(sex=Person.Sex.FEMALE, birth_year__gte=1970, birth_year__lte=2000).order_by(
            "pk"
        )[:8]
    )
    for index, person in enumerate(women[:4]):
        loan = livelihood.loan_create(
            user=officer,
            person=person,
            amount=(30 + 10 * index) * 1_000_000,
            purpose=["Chăn nuôi", "Mở tiệm may", "Buôn bán nhỏ", "Trồng rau sạch"][index],
            applied_on=today - dt.timedelta(days=120 - 10 * index),
            group_name="Tổ tiết kiệm và vay vốn tổ dân phố số 5",
        )
        if index < 3:
            livelihood.loan_set_status(
                user=officer,
                loan=loan,
                status="current",
                changed_on=today - dt.timedelta(days=90 - 10 * index),
            )
    course = livelihood.course_create(
        user=officer,
        unit=hoankiem,
        title="Lớp may công nghiệp khóa 1/2026",
        provider="Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ",
        occupation="May công nghiệp",
        starts_on=today - dt.timedelta(days=240),
        ends_on=today - dt.timedelta(days=150),
    )
    for person in women[4:8]:
        livelihood.enrolment_create(user=officer, course=course, person=person)
    if women:
        livelihood.referral_create(
            user=officer,
            person=women[-1],
            employer="Công ty May 10",
            position="Công nhân may",
            referred_on=today - dt.timedelta(days=30),
        )

    sponsor = donor_create(
        actor=None, unit=hoankiem, name="Câu lạc bộ Nữ doanh nhân Hoàn Kiếm", kind="organisation"
    )
    children = list(
        people.filter(birth_year__gte=today.year - 14, birth_year__lte=today.year - 6).order_by(
            "pk"
        )[:2]
    )
    for child in children:
        item = sponsorship.sponsorship_create(
            user=officer,
            sponsor=sponsor,
            child=child,
            monthly_amount=500_000,
            starts_on=_months_ago(today, 3),
        )
        for months in (3, 2, 1):
            sponsorship.sponsorship_payment_log(
                user=officer,
                sponsorship=item,
                month=_months_ago(today, months),
                amount=500_000,
                paid_on=_months_ago(today, months) + dt.timedelta(days=4),
            )
    return {"round": round_}
