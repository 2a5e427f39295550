"""The shared scoped-permission suite over rounds, entitlements and deliveries."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.permissions import Role
from ansinh.programmes import services
from ansinh.programmes.models import Delivery, Entitlement, Round
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.permission_suite import ScopedPermissionSuite

from .conftest import _person
from .helpers import tet


def _city_round(personas):
    """A city round listing one person in each commune, approved by a leader."""
    staff = UserFactory(username="giadinh")
    RoleAssignmentFactory(user=staff, role=Role.DEPARTMENT_STAFF, unit=personas.city)
    leader = UserFactory(username="lanhdao")
    RoleAssignmentFactory(user=leader, role=Role.CITY_LEADER, unit=personas.city)
    hk = _person(personas.hoankiem, born=timezone.localdate().replace(year=1950))
    da = _person(personas.donganh, born=timezone.localdate().replace(year=1951))
    round_ = services.round_create(
        user=staff,
        programme=tet(),
        unit=personas.city,
        title="Quà Tết",
        rule='household_has("HO_NGHEO")',
        amount_per_person=300_000,
    )
    services.round_generate_candidates(user=staff, round=round_)
    return round_, staff, leader, hk, da


class TestRoundPermissions(ScopedPermissionSuite):
    model = Round

    def make_objects(self, personas):
        def make(unit):
            return services.round_create(
                user=personas.city_admin,
                programme=tet(),
                unit=unit,
                title=f"Quà Tết {unit.code}",
                rule='household_has("HO_NGHEO")',
            )

        return make(personas.hoankiem), make(personas.donganh)

    def page_url(self, obj):
        return reverse("programmes:round_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("programme-round-detail", args=[obj.pk])


class TestEntitlementPermissions(ScopedPermissionSuite):
    model = Entitlement

    def make_objects(self, personas):
        round_, _staff, _leader, hk, da = _city_round(personas)
        return round_.entitlements.get(person=hk), round_.entitlements.get(person=da)

    def page_url(self, obj):
        return reverse("programmes:entitlement_remove", args=[obj.pk])

    def api_url(self, obj):
        return reverse("entitlement-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("programmes:entitlement_remove", args=[obj.pk]),
            {"reason": "Đã chuyển đi nơi khác"},
        )


class TestDeliveryPermissions(ScopedPermissionSuite):
    model = Delivery

    def make_objects(self, personas):
        round_, staff, leader, hk, da = _city_round(personas)
        services.round_submit(user=staff, round=round_)
        services.round_approve(user=leader, round=round_)
        today = timezone.localdate()
        inside, _ = services.delivery_record(
            user=personas.officer_hoankiem,
            entitlement=round_.entitlements.get(person=hk),
            delivered_on=today,
        )
        outside, _ = services.delivery_record(
            user=personas.officer_donganh,
            entitlement=round_.entitlements.get(person=da),
            delivered_on=today,
        )
        return inside, outside

    def api_url(self, obj):
        return reverse("delivery-detail", args=[obj.pk])


class TestDeliveryFormPermissions(ScopedPermissionSuite):
    """The delivery form of an approved entitlement (the write records a delivery)."""

    model = Entitlement

    def make_objects(self, personas):
        round_, staff, leader, hk, da = _city_round(personas)
        services.round_submit(user=staff, round=round_)
        services.round_approve(user=leader, round=round_)
        return round_.entitlements.get(person=hk), round_.entitlements.get(person=da)

    def page_url(self, obj):
        return reverse("programmes:delivery_create", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("programmes:delivery_create", args=[obj.pk]),
            {
                "delivered_on": timezone.localdate().strftime("%d/%m/%Y"),
                "amount": "300.000",
                "acknowledged_how": "none",
            },
        )
