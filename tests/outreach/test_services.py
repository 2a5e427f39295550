"""Services of the outreach module: each rule and the way it breaks (nothing saved then)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404

from ansinh.core.models import AuditEvent
from ansinh.outreach import services
from ansinh.outreach.models import (
    Commendation,
    CommunicationActivity,
    CommunicationMaterial,
    CommunityModel,
    CommunityModelPhoto,
    CommunityModelStatusChange,
)

from .conftest import TODAY, kind, make_activity, make_model, make_person, topic

pytestmark = pytest.mark.django_db


def _audit(obj, action="create"):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )


# --- activities -------------------------------------------------------------------------


def test_activity_create_is_audited(personas):
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    assert activity.created_by == personas.officer_hoankiem
    event = _audit(activity).get()
    assert event.changes["participants"] == [None, 50]
    assert event.scope_path == personas.hoankiem.path


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"channel": "meeting", "participants": None}, "participants", "số người tham dự"),
        ({"channel": "zalo", "participants": None, "reach": None}, "reach", "lượt tiếp cận"),
        ({"channel": "loudspeaker", "participants": None}, "participants", "hoặc lượt"),
        ({"held_on": TODAY() + dt.timedelta(days=1)}, "held_on", "sau hôm nay"),
        ({"participants": 10**9}, "participants", "không hợp lệ"),
    ],
)
def test_activity_refused_and_nothing_saved(personas, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        make_activity(personas.officer_hoankiem, personas.hoankiem, **overrides)
    assert message in " ".join(error.value.message_dict[field])
    assert CommunicationActivity.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="outreach.communicationactivity").exists()


def test_activity_out_of_scope_rolls_back(personas):
    with pytest.raises(Http404):
        make_activity(personas.officer_hoankiem, personas.donganh)
    assert CommunicationActivity.objects.count() == 0


def test_audience_check_constraint_in_the_database(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunicationActivity.objects.create(
            held_on=TODAY(),
            unit=personas.hoankiem,
            topic=topic(),
            channel="other",
            title="Không ai",
        )


def test_activity_update_cannot_move_out_of_scope(personas):
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    with pytest.raises(Http404):
        services.activity_update(
            user=personas.officer_hoankiem, activity=activity, unit=personas.donganh
        )
    activity.refresh_from_db()
    assert activity.unit == personas.hoankiem
    services.activity_update(
        user=personas.officer_hoankiem, activity=activity, channel="zalo", reach=900
    )
    activity.refresh_from_db()
    assert (activity.channel, activity.reach) == ("zalo", 900)
    assert _audit(activity, "update").get().changes["channel"] == ["meeting", "zalo"]


def test_material_upload_rules(personas):
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    ok = SimpleUploadedFile("de-cuong.pdf", b"%PDF-1.4", "application/pdf")
    material = services.activity_add_material(
        user=personas.officer_hoankiem, activity=activity, file=ok, title="Đề cương"
    )
    assert _audit(material).count() == 1
    bad = SimpleUploadedFile("trang.html", b"<script>", "text/html")
    with pytest.raises(ValidationError) as error:
        services.activity_add_material(user=personas.officer_hoankiem, activity=activity, file=bad)
    assert "Định dạng tệp" in error.value.message_dict["file"][0]
    with pytest.raises(Http404):
        services.activity_add_material(user=personas.officer_donganh, activity=activity, file=ok)
    assert CommunicationMaterial.objects.count() == 1


def test_material_size_limit(personas, monkeypatch):
    monkeypatch.setattr(services, "MATERIAL_MAX_BYTES", 10)
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    big = SimpleUploadedFile("to.pdf", b"x" * 11, "application/pdf")
    with pytest.raises(ValidationError) as error:
        services.activity_add_material(user=personas.officer_hoankiem, activity=activity, file=big)
    assert "quá lớn" in error.value.message_dict["file"][0]
    assert CommunicationMaterial.objects.count() == 0


# --- community models -------------------------------------------------------------------


def test_model_create_records_initial_status(personas):
    model = make_model(personas.officer_hoankiem, personas.hoankiem)
    change = model.status_changes.get()
    assert (change.from_status, change.to_status) == ("", "active")
    assert change.changed_on == model.established_on
    assert _audit(model).count() == 1


def test_model_status_history_and_rules(personas):
    user = personas.officer_hoankiem
    model = make_model(user, personas.hoankiem)
    with pytest.raises(ValidationError) as error:
        services.community_model_change_status(
            user=user, model=model, status="paused", changed_on=TODAY()
        )
    assert "lý do" in error.value.message_dict["reason"][0]
    with pytest.raises(ValidationError):
        services.community_model_change_status(
            user=user, model=model, status="active", changed_on=TODAY()
        )
    with pytest.raises(ValidationError):
        services.community_model_change_status(
            user=user,
            model=model,
            status="paused",
            changed_on=model.established_on - dt.timedelta(days=1),
            reason="x",
        )
    assert model.status_changes.count() == 1
    services.community_model_change_status(
        user=user, model=model, status="paused", changed_on=TODAY(), reason="Thiếu kinh phí"
    )
    services.community_model_change_status(
        user=user, model=model, status="dissolved", changed_on=TODAY(), reason="Sáp nhập"
    )
    model.refresh_from_db()
    assert model.status == "dissolved"
    assert list(model.status_changes.values_list("to_status", flat=True)) == [
        "active",
        "paused",
        "dissolved",
    ]
    with pytest.raises(ValidationError) as error:
        services.community_model_change_status(
            user=user, model=model, status="active", changed_on=TODAY()
        )
    assert "giải thể" in error.value.message_dict["status"][0]
    with pytest.raises(Http404):
        services.community_model_change_status(
            user=personas.officer_donganh, model=model, status="active", changed_on=TODAY()
        )
    assert model.status_changes.count() == 3


def test_model_results_update_members(personas):
    user = personas.officer_hoankiem
    model = make_model(user, personas.hoankiem)
    services.community_model_add_result(
        user=user, model=model, reported_on=TODAY(), text="Hỗ trợ 3 trường hợp", members_count=14
    )
    model.refresh_from_db()
    assert model.members_count == 14 and model.results.count() == 1
    with pytest.raises(ValidationError):
        services.community_model_add_result(user=user, model=model, reported_on=TODAY(), text=" ")
    assert model.results.count() == 1


def test_model_replication(personas):
    source = make_model(personas.officer_hoankiem, personas.hoankiem, name="ĐCTC Hoàn Kiếm")
    copy = make_model(
        personas.officer_donganh, personas.donganh, name="ĐCTC Đông Anh", copied_from=source
    )
    assert list(source.copies.all()) == [copy]
    with pytest.raises(ValidationError) as error:
        make_model(personas.officer_hoankiem, personas.hoankiem, copied_from=source)
    assert "đơn vị khác" in error.value.message_dict["copied_from"][0]
    assert CommunityModel.objects.count() == 2


def test_model_cannot_be_its_own_copy_in_the_database(personas):
    model = make_model(personas.officer_hoankiem, personas.hoankiem)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunityModel.objects.filter(pk=model.pk).update(copied_from=model)


def test_photo_only_images(personas):
    user = personas.officer_hoankiem
    model = make_model(user, personas.hoankiem)
    png = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n", "image/png")
    services.community_model_add_photo(user=user, model=model, file=png, caption="Ra mắt")
    pdf = SimpleUploadedFile("anh.pdf", b"%PDF", "application/pdf")
    with pytest.raises(ValidationError):
        services.community_model_add_photo(user=user, model=model, file=pdf)
    assert CommunityModelPhoto.objects.count() == 1


# --- commendations ----------------------------------------------------------------------


def _commend(user, **recipient):
    return services.commendation_create(
        user=user,
        level="city_union",
        form="giay_khen",
        reason="Hoàn thành xuất sắc nhiệm vụ",
        awarded_on=TODAY(),
        decision_number="12/QĐ-HPN",
        **recipient,
    )


def test_commendation_for_each_kind_of_recipient(personas):
    user = personas.officer_hoankiem
    person = make_person(personas.hoankiem)
    model = make_model(user, personas.hoankiem)
    for recipient in (
        {"recipient_person": person},
        {"recipient_unit": personas.hoankiem},
        {"recipient_model": model},
    ):
        commendation = _commend(user, **recipient)
        assert commendation.unit == personas.hoankiem
        assert _audit(commendation).count() == 1
    assert Commendation.objects.count() == 3
    assert {c.recipient_kind for c in Commendation.objects.all()} == {"person", "unit", "model"}


def test_commendation_needs_exactly_one_recipient(personas):
    user = personas.city_admin
    model = make_model(user, personas.hoankiem)
    with pytest.raises(ValidationError) as error:
        _commend(user)
    assert "đúng một" in error.value.messages[0]
    with pytest.raises(ValidationError):
        _commend(user, recipient_unit=personas.hoankiem, recipient_model=model)
    assert Commendation.objects.count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"recipient_unit": "hoankiem", "recipient_model": "model"},
        {"recipient_person": "person", "recipient_unit": "hoankiem"},
        {"recipient_person": "person", "recipient_unit": "hoankiem", "recipient_model": "model"},
    ],
)
def test_one_recipient_check_constraint_in_the_database(personas, fields):
    """The database itself refuses a commendation without, or with several, recipients."""
    model = make_model(personas.city_admin, personas.hoankiem)
    objects = {
        "hoankiem": personas.hoankiem,
        "model": model,
        "person": make_person(personas.hoankiem),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Commendation.objects.create(
            unit=personas.hoankiem,
            level="city_union",
            form="giay_khen",
            reason="x",
            awarded_on=TODAY(),
            **{name: objects[value] for name, value in fields.items()},
        )
    assert Commendation.objects.count() == 0


def test_commendation_for_out_of_scope_recipient_is_404(personas):
    user = personas.officer_hoankiem
    far_person = make_person(personas.donganh, "Trần Thị Xa")
    far_model = make_model(personas.officer_donganh, personas.donganh)
    for recipient in (
        {"recipient_person": far_person},
        {"recipient_unit": personas.donganh},
        {"recipient_model": far_model},
    ):
        with pytest.raises(Http404):
            _commend(user, **recipient)
    assert Commendation.objects.count() == 0


def test_commendation_update_moves_with_recipient(personas):
    admin = personas.city_admin
    commendation = _commend(admin, recipient_unit=personas.hoankiem)
    with pytest.raises(Http404):
        services.commendation_update(
            user=personas.officer_hoankiem,
            commendation=commendation,
            recipient_unit=personas.donganh,
        )
    commendation.refresh_from_db()
    assert commendation.recipient_unit == personas.hoankiem
    services.commendation_update(
        user=admin, commendation=commendation, recipient_unit=personas.donganh, form="bang_khen"
    )
    commendation.refresh_from_db()
    assert commendation.unit == personas.donganh and commendation.form == "bang_khen"
    changes = _audit(commendation, "update").get().changes
    assert changes["form"] == ["giay_khen", "bang_khen"]
    assert changes["unit"] == [personas.hoankiem.pk, personas.donganh.pk]


def test_commendation_future_date_refused(personas):
    with pytest.raises(ValidationError):
        services.commendation_create(
            user=personas.city_admin,
            recipient_unit=personas.hoankiem,
            level="commune_union",
            form="giay_khen",
            reason="x",
            awarded_on=TODAY() + dt.timedelta(days=3),
        )
    assert Commendation.objects.count() == 0


def test_lists_seed_is_idempotent(personas):
    assert services.lists_seed() == 0
    assert kind("ngoi-nha-xanh").name == "Ngôi nhà xanh"
    assert topic("bhxh-tu-nguyen").name == "Chính sách BHXH tự nguyện"
    assert CommunityModelStatusChange.objects.count() == 0
