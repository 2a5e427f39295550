"""Demo data of the funds app: one public campaign with a few gifts (synthetic names)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Campaign, Donation
from .services import campaign_create, donation_record

SLUG = "tet-vi-nguoi-ngheo-2027"
GIFTS = [
    ("Nguyễn Thị Hòa", 200_000, Donation.Kind.BANK),
    ("Trần Văn Bình", 500_000, Donation.Kind.BANK),
    ("Công ty TNHH Ánh Dương", 20_000_000, Donation.Kind.BANK),
    ("Lê Thị Mai", 50_000, Donation.Kind.CASH),
    ("Phạm Thu Hà", 1_000_000, Donation.Kind.CASH),
]


def demo_load(*, world, say) -> dict:
    if Campaign.objects.filter(slug=SLUG).exists():
        return {}
    say("Tạo cuộc vận động mẫu và vài khoản ủng hộ…")
    today = timezone.localdate()
    campaign = campaign_create(
        actor=None,
        slug=SLUG,
        title="Tết vì người nghèo 2027",
        purpose="Quà Tết cho phụ nữ, trẻ em hoàn cảnh khó khăn",
        unit=world["city"],
        receive_from=today - dt.timedelta(days=10),
        receive_until=today + dt.timedelta(days=60),
        bank_account="0011009999999",
        target=500_000_000,
    )
    for offset, (name, amount, kind) in enumerate(GIFTS):
        donation_record(
            actor=None,
            campaign=campaign,
            kind=kind,
            amount=amount,
            received_on=today - dt.timedelta(days=offset),
            donor_name=name,
            memo=f"{name} ung ho Tet vi nguoi ngheo",
        )
    return {"campaign": campaign}
