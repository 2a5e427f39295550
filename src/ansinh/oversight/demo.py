"""Demo data of the oversight app: two supervisions with recommendations and a few feedback
cases (synthetic text, no real people)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ansinh.org.models import UnionUnit

from . import services
from .models import Feedback, FeedbackCategory, SupervisionActivity

TOPIC = "Giám sát thực hiện chính sách hỗ trợ phụ nữ thuộc hộ nghèo"


def demo_load(*, world, say) -> dict:
    services.categories_seed()
    if SupervisionActivity.objects.filter(topic=TOPIC).exists():
        return {}
    say("Tạo hoạt động giám sát, kiến nghị và góp ý mẫu…")
    today = timezone.localdate()
    city = world["city"]
    communes = list(
        UnionUnit.objects.filter(
            kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True, code__in=["00070", "00454"]
        )
    )
    lead = communes[0] if communes else city
    activity = SupervisionActivity.objects.create(
        kind=SupervisionActivity.Kind.SUPERVISION,
        topic=TOPIC,
        policy_area="Giảm nghèo",
        subject_body="UBND phường",
        unit=lead,
        starts_on=today - dt.timedelta(days=40),
        ends_on=today - dt.timedelta(days=30),
        findings="Một số hộ chưa được rà soát kịp thời.",
    )
    recs = [
        ("Rà soát bổ sung hộ nghèo có chủ hộ là phụ nữ đơn thân", -5),
        ("Công khai danh sách hỗ trợ tại nhà văn hóa tổ dân phố", 20),
        ("Bố trí kinh phí đào tạo nghề cho phụ nữ thất nghiệp", 45),
    ]
    for text, days in recs:
        activity.recommendations.create(
            text=text, addressed_to="UBND phường", deadline=today + dt.timedelta(days=days)
        )
    SupervisionActivity.objects.create(
        kind=SupervisionActivity.Kind.CRITICISM,
        unit=city,
        starts_on=today - dt.timedelta(days=10),
        topic="Phản biện dự thảo đề án hỗ trợ phụ nữ khởi nghiệp",
        policy_area="Việc làm",
    )
    created = 0
    for commune in communes:
        for code, text in [
            ("tam-tu", "Mong Hội tổ chức thêm lớp dạy nghề buổi tối."),
            ("chinh-sach", "Đề nghị hướng dẫn thủ tục hưởng trợ cấp cho mẹ đơn thân."),
        ]:
            services.feedback_submit(
                channel=Feedback.Channel.MEETING,
                category=FeedbackCategory.objects.get(code=code),
                unit=commune,
                text=text,
            )
            created += 1
    return {"supervisions": 2, "recommendations": len(recs), "feedback": created}
