"""Rounds: creation with a checked rule, candidate generation with quotas, commune review,
maker-checker approval, closing; and how each of them breaks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.programmes import services
from ansinh.programmes.models import Entitlement, Round

from .conftest import TET_RULE
from .helpers import approved_round, deliver, tet


def _round(personas, staff, **kwargs):
    defaults = {
        "user": staff,
        "programme": tet(),
        "unit": personas.city,
        "title": "Quà Tết 2027",
        "budget": 10_000_000,
        "amount_per_person": 500_000,
        "rule": TET_RULE,
    }
    defaults.update(kwargs)
    return services.round_create(**defaults)


def _listed(round_):
    return list(
        round_.entitlements.exclude(status=Entitlement.Status.REMOVED)
        .order_by("commune_unit__code", "rank")
        .values_list("person__full_name", flat=True)
    )


def test_round_create_defaults_to_programme_rule_and_is_audited(personas, staff):
    round_ = _round(personas, staff, rule="")
    assert round_.rule == tet().eligibility_rule
    assert round_.status == Round.Status.DRAFT
    assert round_.scope_path == personas.city.path
    assert AuditEvent.objects.filter(
        object_type="programmes.round", object_id=str(round_.pk), action="create"
    ).exists()


@pytest.mark.parametrize(
    "rule",
    ['__import__("os")', "person.age >= 60", 'frobnicate("x")', 'has("HO_NGHEOO")'],
)
def test_round_create_refuses_bad_rule_and_writes_nothing(personas, staff, rule):
    with pytest.raises(ValidationError) as caught:
        _round(personas, staff, rule=rule)
    assert "rule" in caught.value.message_dict
    assert Round.objects.count() == 0


def test_generate_selects_by_rule_in_one_query(
    personas, staff, world, django_assert_max_num_queries
):
    round_ = _round(personas, staff)
    added = services.round_generate_candidates(user=staff, round=round_)
    assert added == 5
    assert _listed(round_) == [
        "Cụ Hoàn Kiếm 0",
        "Cụ Hoàn Kiếm 1",
        "Cụ Hoàn Kiếm 2",
        "Cụ Đông Anh 0",
        "Cụ Đông Anh 1",
    ]
    round_.refresh_from_db()
    assert round_.status == Round.Status.CANDIDATES
    # Generating again adds nobody: people already on the round are excluded.
    assert services.round_generate_candidates(user=staff, round=round_) == 0
    assert round_.entitlements.count() == 5


def test_generate_fixed_quota_cuts_oldest_first(personas, staff, world):
    round_ = _round(
        personas, staff, quota_mode=Round.QuotaMode.FIXED, quotas={"00070": 2, "00454": 1}
    )
    services.round_generate_candidates(user=staff, round=round_)
    assert _listed(round_) == ["Cụ Hoàn Kiếm 0", "Cụ Hoàn Kiếm 1", "Cụ Đông Anh 0"]
    eligible = dict(round_.quotas.values_list("unit__code", "eligible"))
    assert eligible == {"00070": 3, "00454": 2}


def test_generate_proportional_splits_budget_by_eligible_counts(personas, staff, world):
    # 1.500.000 / 500.000 = 3 places for 5 eligible (3 + 2): 1.8 → 2 and 1.2 → 1.
    round_ = _round(personas, staff, budget=1_500_000, quota_mode=Round.QuotaMode.PROPORTIONAL)
    services.round_generate_candidates(user=staff, round=round_)
    assert _listed(round_) == ["Cụ Hoàn Kiếm 0", "Cụ Hoàn Kiếm 1", "Cụ Đông Anh 0"]
    assert dict(round_.quotas.values_list("unit__code", "quota")) == {"00070": 2, "00454": 1}


def test_fixed_quota_for_unknown_commune_is_refused(personas, staff):
    with pytest.raises(ValidationError) as caught:
        _round(personas, staff, quota_mode=Round.QuotaMode.FIXED, quotas={"99999": 3})
    assert "99999" in caught.value.message_dict["quotas"][0]
    assert Round.objects.count() == 0


def test_duplicate_entitlement_is_refused_by_the_database(personas, staff, world):
    round_ = _round(personas, staff)
    services.round_generate_candidates(user=staff, round=round_)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(round=round_, person=world.hk_old[0])
    assert round_.entitlements.filter(person=world.hk_old[0]).count() == 1


def test_commune_officer_removes_and_adds_with_reason(personas, staff, world):
    round_ = _round(personas, staff)
    services.round_generate_candidates(user=staff, round=round_)
    officer = personas.officer_hoankiem
    entitlement = round_.entitlements.get(person=world.hk_old[1])
    with pytest.raises(ValidationError):
        services.entitlement_remove(user=officer, entitlement=entitlement, reason="  ")
    entitlement.refresh_from_db()
    assert entitlement.status == Entitlement.Status.CANDIDATE
    services.entitlement_remove(user=officer, entitlement=entitlement, reason="Đã chuyển đi")
    entitlement.refresh_from_db()
    assert (entitlement.status, entitlement.reason, entitlement.added_by) == (
        Entitlement.Status.REMOVED,
        "Đã chuyển đi",
        officer,
    )
    added = services.entitlement_add(
        user=officer, round=round_, person=world.hk_young, reason="Ốm nặng, hoàn cảnh khó khăn"
    )
    assert (added.origin, added.status, added.commune_unit) == (
        Entitlement.Origin.ADDED,
        Entitlement.Status.CANDIDATE,
        personas.hoankiem,
    )
    with pytest.raises(ValidationError) as caught:
        services.entitlement_add(user=officer, round=round_, person=world.hk_young, reason="lại")
    assert caught.value.messages == ["Người này đã có trong danh sách của đợt."]


def test_officer_cannot_touch_another_commune(personas, staff, world):
    round_ = _round(personas, staff)
    services.round_generate_candidates(user=staff, round=round_)
    entitlement = round_.entitlements.get(person=world.da_old[0])
    with pytest.raises(OutOfScope):
        services.entitlement_remove(
            user=personas.officer_hoankiem, entitlement=entitlement, reason="Không đúng"
        )
    entitlement.refresh_from_db()
    assert (entitlement.status, entitlement.reason) == (Entitlement.Status.CANDIDATE, "")
    with pytest.raises(OutOfScope):
        services.entitlement_add(
            user=personas.officer_hoankiem, round=round_, person=world.da_old[0], reason="x"
        )


def test_proposer_may_not_approve_and_nothing_changes(personas, staff, world):
    # The department officer also holds the city leader role: she may approve rounds, but
    # not her own.
    from ansinh.accounts.permissions import Role, forget_roles
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=staff, role=Role.CITY_LEADER, unit=personas.city)
    forget_roles(staff)
    round_ = _round(personas, staff)
    services.round_generate_candidates(user=staff, round=round_)
    services.round_submit(user=staff, round=round_)
    with pytest.raises(ValidationError) as caught:
        services.round_approve(user=staff, round=round_)
    assert caught.value.messages == [
        "Người đề xuất đợt không được tự phê duyệt; cần một người khác phê duyệt."
    ]
    round_.refresh_from_db()
    assert (round_.status, round_.approved_by) == (Round.Status.CANDIDATES, None)
    assert not round_.entitlements.filter(status=Entitlement.Status.APPROVED).exists()


def test_approval_needs_the_permission(personas, staff, world):
    round_ = _round(personas, staff)
    services.round_generate_candidates(user=staff, round=round_)
    services.round_submit(user=staff, round=round_)
    with pytest.raises(OutOfScope):
        services.round_approve(user=personas.officer_hoankiem, round=round_)
    round_.refresh_from_db()
    assert round_.status == Round.Status.CANDIDATES


def test_database_refuses_approver_equal_to_proposer(personas, staff):
    round_ = _round(personas, staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(approved_by=staff)


def test_approve_then_close_with_summary(personas, staff, leader, world):
    round_ = approved_round(personas, staff, leader)
    assert round_.status == Round.Status.APPROVED
    assert round_.entitlements.filter(status=Entitlement.Status.APPROVED).count() == 5
    # No review once approved.
    entitlement = round_.entitlements.get(person=world.hk_old[0])
    with pytest.raises(ValidationError):
        services.entitlement_remove(
            user=personas.officer_hoankiem, entitlement=entitlement, reason="muộn"
        )
    deliver(personas.officer_hoankiem, entitlement)
    deliver(personas.officer_donganh, round_.entitlements.get(person=world.da_old[0]))
    closed = services.round_close(user=staff, round=round_)
    assert closed.status == Round.Status.CLOSED
    assert closed.summary == {
        "communes": [
            {
                "commune": "Hội LHPN Phường Hoàn Kiếm",
                "listed": 3,
                "removed": 0,
                "delivered": 1,
                "undelivered": 2,
                "amount": 500_000,
            },
            {
                "commune": "Hội LHPN Xã Đông Anh",
                "listed": 2,
                "removed": 0,
                "delivered": 1,
                "undelivered": 1,
                "amount": 500_000,
            },
        ],
        "total": {"listed": 5, "removed": 0, "delivered": 2, "undelivered": 3, "amount": 1_000_000},
    }


def test_programme_rule_checked_on_save(personas, staff):
    programme = tet()
    before = programme.eligibility_rule
    with pytest.raises(ValidationError) as caught:
        services.programme_update(
            user=staff, programme=programme, eligibility_rule='__import__("os").system("ls")'
        )
    assert list(caught.value.message_dict) == ["eligibility_rule"]
    programme.refresh_from_db()
    assert programme.eligibility_rule == before
    services.programme_update(user=staff, programme=programme, eligibility_rule="age >= 70")
    programme.refresh_from_db()
    assert programme.eligibility_rule == "age >= 70"
    with pytest.raises(OutOfScope):
        services.programme_update(
            user=personas.officer_hoankiem, programme=programme, eligibility_rule="age >= 80"
        )


def test_sensitive_category_needs_the_sensitive_permission(personas, staff):
    with pytest.raises(ValidationError) as caught:
        _round(personas, staff, rule='has("NGUOI_NHIEM_HIV")')
    assert "NGUOI_NHIEM_HIV" in caught.value.message_dict["rule"][0]
    assert Round.objects.count() == 0
