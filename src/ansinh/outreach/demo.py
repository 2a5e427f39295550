"""Demo data of the outreach app: communication activities in Hoàn Kiếm, Đông Anh and the city,
a trusted-address model copied from Hoàn Kiếm by Đông Anh, and a few commendations (synthetic
text, no real people)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ansinh.org.models import UnionUnit
from ansinh.registry.models import Person

from . import services
from .models import (
    Commendation,
    CommunicationActivity,
    CommunicationTopic,
    CommunityModel,
    CommunityModelKind,
)

MODEL_NAME = "Địa chỉ tin cậy phường Hoàn Kiếm"

ACTIVITIES = [
    # (days ago, topic, channel, title, participants, reach)
    (40, "nq42", "meeting", "Hội nghị quán triệt Nghị quyết 42-NQ/TW", 120, None),
    (30, "nq42", "zalo", "Tóm tắt điểm mới của Nghị quyết 42 trên nhóm Zalo chi hội", None, 850),
    (25, "bhxh-tu-nguyen", "loudspeaker", "Phát thanh về BHXH tự nguyện", None, 3000),
    (
        20,
        "bao-luc-gia-dinh",
        "meeting",
        "Sinh hoạt chuyên đề phòng chống bạo lực gia đình",
        65,
        None,
    ),
    (12, "chuyen-doi-so", "facebook", "Hướng dẫn cài đặt VNeID trên fanpage", None, 2400),
    (5, "bhyt", "website", "Bài viết: quyền lợi BHYT hộ gia đình", None, 1300),
]


def demo_load(*, world, say) -> dict:
    services.lists_seed()
    if CommunityModel.objects.filter(name=MODEL_NAME).exists():
        return {}
    say("Tạo hoạt động tuyên truyền, mô hình và khen thưởng mẫu…")
    today = timezone.localdate()
    city = world["city"]
    communes = {
        unit.code: unit
        for unit in UnionUnit.objects.filter(
            kind=UnionUnit.Kind.COMMUNE, valid_to__isnull=True, code__in=["00070", "00454"]
        )
    }
    hoankiem = communes.get("00070", city)
    donganh = communes.get("00454", city)
    topics = {t.code: t for t in CommunicationTopic.objects.all()}
    created = 0
    for unit in (hoankiem, donganh, city):
        for days, topic, channel, title, participants, reach in ACTIVITIES:
            CommunicationActivity.objects.create(
                held_on=today - dt.timedelta(days=days + (unit.pk % 3)),
                unit=unit,
                topic=topics[topic],
                channel=channel,
                title=title,
                participants=participants,
                reach=reach,
                materials="Đề cương tuyên truyền của Ban Tuyên giáo Hội LHPN Thành phố.",
            )
            created += 1
    kind = CommunityModelKind.objects.get(code="dia-chi-tin-cay")
    source = CommunityModel.objects.create(
        kind=kind,
        name=MODEL_NAME,
        unit=hoankiem,
        established_on=today - dt.timedelta(days=400),
        members_count=12,
        description="Tiếp nhận, hỗ trợ tạm lánh cho phụ nữ, trẻ em bị bạo lực gia đình.",
    )
    copy = CommunityModel.objects.create(
        kind=kind,
        name="Địa chỉ tin cậy xã Đông Anh",
        unit=donganh,
        established_on=today - dt.timedelta(days=120),
        members_count=8,
        copied_from=source,
    )
    green = CommunityModel.objects.create(
        kind=CommunityModelKind.objects.get(code="ngoi-nha-xanh"),
        name="Ngôi nhà xanh tổ dân phố số 5",
        unit=hoankiem,
        established_on=today - dt.timedelta(days=200),
        members_count=40,
    )
    for model in (source, copy, green):
        model.status_changes.create(
            from_status="",
            to_status=model.status,
            changed_on=model.established_on,
            reason="Thành lập",
        )
    source.results.create(
        reported_on=today - dt.timedelta(days=30),
        text="6 tháng: tiếp nhận 4 trường hợp, phối hợp công an phường giải quyết 3 vụ việc.",
        members_count=12,
    )
    Commendation.objects.create(
        recipient_model=source,
        unit=source.unit,
        level=Commendation.Level.CITY_UNION,
        form=Commendation.Form.CERTIFICATE_OF_MERIT,
        reason="Mô hình hoạt động hiệu quả, được nhân rộng tại xã Đông Anh.",
        awarded_on=today - dt.timedelta(days=15),
        decision_number="125/QĐ-HPN",
    )
    Commendation.objects.create(
        recipient_unit=donganh,
        unit=donganh,
        level=Commendation.Level.CITY_UNION,
        form=Commendation.Form.CERTIFICATE,
        reason="Hoàn thành xuất sắc công tác tuyên truyền Nghị quyết 42-NQ/TW.",
        awarded_on=today - dt.timedelta(days=10),
        decision_number="130/QĐ-HPN",
    )
    commendations = 2
    member = (
        Person.objects.filter(scope_path__startswith=hoankiem.path, status=Person.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if member is not None:
        Commendation.objects.create(
            recipient_person=member,
            unit=member.unit,
            level=Commendation.Level.COMMUNE_UNION,
            form=Commendation.Form.CERTIFICATE,
            reason="Hội viên tích cực tuyên truyền BHXH tự nguyện tại tổ dân phố.",
            awarded_on=today - dt.timedelta(days=5),
            decision_number="08/QĐ-PN",
        )
        commendations += 1
    return {
        "communication_activities": created,
        "community_models": 3,
        "commendations": commendations,
    }
