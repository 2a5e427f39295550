"""Shortcuts the programmes tests share."""

from __future__ import annotations

from django.utils import timezone

from ansinh.programmes import services
from ansinh.programmes.models import Programme

from .conftest import TET_RULE


def tet():
    return Programme.objects.get(code="QUA_TET")


def approved_round(personas, staff, leader, *, rule=TET_RULE, amount=500_000, **kwargs):
    """A Tết round of the city, generated, submitted and approved."""
    round_ = services.round_create(
        user=staff,
        programme=tet(),
        unit=personas.city,
        title="Quà Tết 2027",
        budget=10_000_000,
        amount_per_person=amount,
        rule=rule,
        **kwargs,
    )
    services.round_generate_candidates(user=staff, round=round_)
    services.round_submit(user=staff, round=round_)
    services.round_approve(user=leader, round=round_)
    round_.refresh_from_db()
    return round_


def deliver(user, entitlement, on=None):
    return services.delivery_record(
        user=user, entitlement=entitlement, delivered_on=on or timezone.localdate()
    )
