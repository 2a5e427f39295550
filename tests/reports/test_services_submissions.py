"""Submissions: pre-filled from the data, corrections with reasons, rules that block, the
approval workflow, locking and the audited unlock; scope (out of scope → 404, nothing
changed)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ansinh.core.indicators import get_computed
from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.reports import figures, services
from ansinh.reports.catalogue import PLAN_INDICATORS, YEAR_TEMPLATE
from ansinh.reports.models import Indicator, ReportSubmission, ReportTemplate, SubmissionEvent

H1 = dt.date(2026, 3, 1)


def values_of(submission):
    return {
        row.indicator.code: (row.computed_value, row.value, row.reason)
        for row in submission.values.select_related("indicator")
    }


def test_catalogue_has_the_plan_templates_and_kinds_follow_the_registry(half_template):
    assert ReportTemplate.objects.filter(code=YEAR_TEMPLATE, period_type="year").exists()
    assert half_template.period_type == "half"
    assert half_template.template_indicators.count() == len(PLAN_INDICATORS)
    assert Indicator.objects.get(code="SUPERVISIONS").kind == "computed"
    assert get_computed("VULNERABLE_REGISTERED") is not None
    assert Indicator.objects.get(code="VULNERABLE_REGISTERED").kind == "computed"
    # No module computes legal-aid sessions yet (cases): the unit enters them.
    assert get_computed("LEGAL_AID_SESSIONS") is None
    assert Indicator.objects.get(code="LEGAL_AID_SESSIONS").kind == "entered"
    assert set(half_template.sections.values_list("kind", flat=True)) >= {
        "task_results",
        "difficulties",
        "proposals",
    }
    # a computed indicator whose module went away is entered until it comes back
    Indicator.objects.create(code="GONE_FIGURE", name="x", unit="người", kind="computed")
    services.catalogue_sync()
    assert Indicator.objects.get(code="GONE_FIGURE").kind == "entered"
    assert services.catalogue_sync()["templates_created"] == 0  # idempotent


def test_open_prefills_computed_values_with_one_compute_per_indicator(
    personas, half_template, supervision, monkeypatch
):
    supervision(personas.hoankiem, H1)
    supervision(personas.hoankiem, dt.date(2026, 6, 30))
    supervision(personas.hoankiem, dt.date(2026, 7, 1))  # next period
    calls = []
    real = figures.get_computed

    def counting(code):
        calls.append(code)
        return real(code)

    monkeypatch.setattr(figures, "get_computed", counting)
    hoankiem, donganh = services.submissions_open(
        user=personas.city_admin,
        template=half_template,
        code="2026h1",
        units=[personas.hoankiem, personas.donganh],
    )
    assert len(calls) == len(PLAN_INDICATORS)  # not per unit
    assert values_of(hoankiem)["SUPERVISIONS"] == (2, 2, "")
    assert values_of(donganh)["SUPERVISIONS"] == (0, 0, "")
    assert values_of(hoankiem)["LEGAL_AID_SESSIONS"] == (None, None, "")
    assert hoankiem.period.code == "2026H1"
    assert hoankiem.period.deadline == dt.date(2026, 7, 10)
    assert hoankiem.events.get().kind == SubmissionEvent.Kind.OPENED
    # opening again finds the same submission
    again = services.submission_open(
        user=personas.officer_hoankiem,
        template=half_template,
        code="2026H1",
        unit=personas.hoankiem,
    )
    assert again.pk == hoankiem.pk


def test_bad_period_is_refused(personas, half_template):
    for code in ("2026", "2026H3", "abc"):
        with pytest.raises(ValueError):
            services.submission_open(
                user=personas.officer_hoankiem,
                template=half_template,
                code=code,
                unit=personas.hoankiem,
            )
    assert not ReportSubmission.objects.exists()


def test_officer_cannot_open_another_communes_report(personas, half_template):
    with pytest.raises(OutOfScope):
        services.submission_open(
            user=personas.officer_hoankiem,
            template=half_template,
            code="2026H1",
            unit=personas.donganh,
        )
    assert not ReportSubmission.objects.exists()


@pytest.fixture
def draft(personas, half_template, supervision):
    supervision(personas.hoankiem, H1)
    return services.submission_open(
        user=personas.officer_hoankiem,
        template=half_template,
        code="2026H1",
        unit=personas.hoankiem,
    )


def test_changing_a_computed_value_needs_a_reason_and_keeps_both(personas, draft):
    officer = personas.officer_hoankiem
    with pytest.raises(ValidationError) as error:
        services.submission_save(
            user=officer,
            submission=draft,
            values={"SUPERVISIONS": ("3", ""), "LEGAL_AID_SESSIONS": ("12", "")},
        )
    assert "reason_SUPERVISIONS" in error.value.message_dict
    assert values_of(draft)["SUPERVISIONS"] == (1, 1, "")
    assert values_of(draft)["LEGAL_AID_SESSIONS"] == (None, None, "")  # nothing saved

    services.submission_save(
        user=officer,
        submission=draft,
        values={
            "SUPERVISIONS": ("3", "Hai cuộc chưa nhập vào phần mềm"),
            "LEGAL_AID_SESSIONS": ("1.200", ""),
        },
        sections={"BAT-CAP": "Thiếu kinh phí", "UNKNOWN": "ignored"},
    )
    assert values_of(draft)["SUPERVISIONS"] == (1, 3, "Hai cuộc chưa nhập vào phần mềm")
    assert values_of(draft)["LEGAL_AID_SESSIONS"] == (None, 1200, "")
    draft.refresh_from_db()
    assert draft.sections == {"BAT-CAP": "Thiếu kinh phí"}
    event = AuditEvent.objects.filter(object_type="reports.reportsubmission").latest("pk")
    assert event.changes["values"]["SUPERVISIONS"] == [
        [1, ""],
        [3, "Hai cuộc chưa nhập vào phần mềm"],
    ]


@pytest.mark.parametrize("bad", ["-1", "abc", "1,5", str(10**16)])
def test_bad_numbers_are_refused(personas, draft, bad):
    with pytest.raises(ValidationError) as error:
        services.submission_save(
            user=personas.officer_hoankiem, submission=draft, values={"TRAINED": (bad, "x")}
        )
    assert "value_TRAINED" in error.value.message_dict
    assert values_of(draft)["TRAINED"] == (0, 0, "")


def test_failing_rule_blocks_submission_until_fixed(personas, draft):
    officer = personas.officer_hoankiem
    services.submission_save(
        user=officer,
        submission=draft,
        values={"EMPLOYED_AFTER_TRAINING": ("5", "Khảo sát của phường")},
    )
    checks = {c.expression: c for c in services.submission_check(submission=draft)}
    assert checks["EMPLOYED_AFTER_TRAINING <= TRAINED"].status == "failed"
    with pytest.raises(ValidationError) as error:
        services.submission_submit(user=officer, submission=draft)
    assert "không được lớn hơn" in error.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == ReportSubmission.Status.DRAFT and draft.first_submitted_at is None

    services.submission_save(
        user=officer, submission=draft, values={"TRAINED": ("6", "Lớp học nghề của quận")}
    )
    submitted = services.submission_submit(user=officer, submission=draft)
    assert submitted.status == ReportSubmission.Status.SUBMITTED
    assert submitted.first_submitted_at is not None


def test_workflow_return_approve_lock_unlock(personas, draft):
    officer, admin = personas.officer_hoankiem, personas.city_admin
    services.submission_submit(user=officer, submission=draft)
    # the officer can neither approve nor return her own report
    with pytest.raises(OutOfScope):
        services.submission_approve(user=officer, submission=draft)
    with pytest.raises(ValidationError):
        services.submission_return(user=admin, submission=draft, comment="  ")
    draft.refresh_from_db()
    assert draft.status == ReportSubmission.Status.SUBMITTED
    # submitted: not editable until returned
    with pytest.raises(ValidationError):
        services.submission_save(user=officer, submission=draft, values={"TRAINED": ("1", "x")})

    services.submission_return(user=admin, submission=draft, comment="Bổ sung phần bất cập")
    draft.refresh_from_db()
    assert draft.status == ReportSubmission.Status.RETURNED
    assert draft.return_comment == "Bổ sung phần bất cập"
    services.submission_save(user=officer, submission=draft, sections={"BAT-CAP": "Thiếu người"})
    first = draft.first_submitted_at
    services.submission_submit(user=officer, submission=draft)
    approved = services.submission_approve(user=admin, submission=draft)
    assert approved.status == ReportSubmission.Status.APPROVED and approved.is_locked
    assert approved.first_submitted_at == first  # timeliness counts the first submission
    with pytest.raises(ValidationError):
        services.submission_save(user=officer, submission=draft, values={"TRAINED": ("1", "x")})

    # unlocking: not for the officer; the city admin must give a reason, and it is audited
    with pytest.raises(OutOfScope):
        services.submission_unlock(user=officer, submission=draft, reason="sai số")
    with pytest.raises(ValidationError):
        services.submission_unlock(user=admin, submission=draft, reason="")
    draft.refresh_from_db()
    assert draft.is_locked
    services.submission_unlock(user=admin, submission=draft, reason="Sai số liệu vay vốn")
    draft.refresh_from_db()
    assert draft.status == ReportSubmission.Status.RETURNED and not draft.is_locked
    kinds = list(draft.events.values_list("kind", flat=True))
    assert kinds == ["opened", "submitted", "returned", "submitted", "approved", "unlocked"]
    audit = AuditEvent.objects.filter(
        object_type="reports.reportsubmission", object_id=str(draft.pk)
    )
    assert audit.filter(changes__status=["approved", "returned"]).exists()


def test_out_of_scope_officer_changes_nothing(personas, draft):
    other = personas.officer_donganh
    for call in (
        lambda: services.submission_save(
            user=other, submission=draft, values={"TRAINED": ("9", "x")}
        ),
        lambda: services.submission_submit(user=other, submission=draft),
        lambda: services.submission_refresh(user=other, submission=draft),
    ):
        with pytest.raises(OutOfScope):
            call()
    draft.refresh_from_db()
    assert draft.status == ReportSubmission.Status.DRAFT
    assert values_of(draft)["TRAINED"] == (0, 0, "")


def test_refresh_follows_new_data_but_keeps_corrections(personas, draft, supervision):
    officer = personas.officer_hoankiem
    services.submission_save(
        user=officer, submission=draft, values={"SUPERVISIONS": ("5", "Thêm cuộc ngoài phần mềm")}
    )
    supervision(personas.hoankiem, H1)
    services.submission_refresh(user=officer, submission=draft)
    assert values_of(draft)["SUPERVISIONS"] == (2, 5, "Thêm cuộc ngoài phần mềm")
    services.submission_save(user=officer, submission=draft, values={"SUPERVISIONS": ("2", "")})
    supervision(personas.hoankiem, H1)
    services.submission_refresh(user=officer, submission=draft)
    assert values_of(draft)["SUPERVISIONS"] == (3, 3, "")
