"""Shortcuts for the loans / training / job-referral tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ansinh.accounts.permissions import Role, forget_roles, has_permission
from ansinh.programmes import livelihood
from tests.factories import RoleAssignmentFactory

WRITE_PERMISSIONS = (
    "programmes.add_loanfacilitation",
    "programmes.change_loanfacilitation",
    "programmes.add_trainingcourse",
    "programmes.change_trainingcourse",
    "programmes.add_trainingenrolment",
    "programmes.change_trainingenrolment",
    "programmes.add_jobreferral",
    "programmes.change_jobreferral",
)


def grant_writes(user, unit) -> None:
    """Give a commune officer the livelihood write permissions over her commune when her role
    does not hold them yet (a full-rights role limited to that commune)."""
    if all(has_permission(user, name) for name in WRITE_PERMISSIONS):
        return
    RoleAssignmentFactory(user=user, role=Role.SYSTEM_ADMIN, unit=unit)
    forget_roles(user)


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def loan(user, person, **kwargs):
    values = {
        "amount": 50_000_000,
        "purpose": "Chăn nuôi bò sinh sản",
        "applied_on": days_ago(60),
        "group_name": "Tổ TK&VV thôn Đông",
    }
    values.update(kwargs)
    return livelihood.loan_create(user=user, person=person, **values)


def course(user, unit, **kwargs):
    values = {
        "title": "Lớp may công nghiệp",
        "provider": "Trường Trung cấp nghề số 1",
        "occupation": "May công nghiệp",
        "starts_on": days_ago(200),
        "ends_on": days_ago(110),
    }
    values.update(kwargs)
    return livelihood.course_create(user=user, unit=unit, **values)


def referral(user, person, **kwargs):
    values = {
        "employer": "Công ty May Đức Giang",
        "position": "Công nhân may",
        "referred_on": days_ago(30),
    }
    values.update(kwargs)
    return livelihood.referral_create(user=user, person=person, **values)
