"""Pages of the outreach module: lists with filters, pagination and export, forms, detail pages,
scoped downloads, totals for the aggregate viewer, person recipients shown only in scope."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.outreach import services
from ansinh.outreach.models import (
    Commendation,
    CommunicationActivity,
    CommunityModel,
)

from .conftest import TODAY, kind, make_activity, make_model, make_person, topic

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def _rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.values)


def _commend(user, **recipient):
    return services.commendation_create(
        user=user,
        level="city_union",
        form="giay_khen",
        reason="Thành tích",
        awarded_on=TODAY(),
        **recipient,
    )


# --- activities -------------------------------------------------------------------------


def test_activity_list_filters_and_scope(personas, client_for):
    officer = personas.officer_hoankiem
    make_activity(officer, personas.hoankiem, title="Hội nghị NQ42")
    make_activity(
        officer,
        personas.hoankiem,
        title="Zalo BHXH",
        channel="zalo",
        participants=None,
        reach=700,
        topic=topic("bhxh-tu-nguyen"),
        held_on=TODAY() - dt.timedelta(days=30),
    )
    make_activity(personas.officer_donganh, personas.donganh, title="Đông Anh")
    client = client_for(officer)
    url = reverse("outreach:activity_list")
    titles = lambda response: [a.title for a in response.context["page"]]  # noqa: E731
    assert titles(client.get(url)) == ["Hội nghị NQ42", "Zalo BHXH"]
    assert titles(client.get(url, {"channel": "zalo"})) == ["Zalo BHXH"]
    assert titles(client.get(url, {"topic": topic("nq42").pk})) == ["Hội nghị NQ42"]
    since = (TODAY() - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert titles(client.get(url, {"date_from": since})) == ["Hội nghị NQ42"]
    until = (TODAY() - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert titles(client.get(url, {"date_to": until})) == ["Zalo BHXH"]
    # a unit outside the scope is not a valid choice: the filter is dropped, not widened
    assert titles(client.get(url, {"unit": personas.donganh.pk})) == ["Hội nghị NQ42", "Zalo BHXH"]
    assert titles(client.get(url, {"date_from": "31/02/2026"})) == ["Hội nghị NQ42", "Zalo BHXH"]


def test_activity_list_paginates(personas, client_for):
    for i in range(55):
        CommunicationActivity.objects.create(
            held_on=TODAY(),
            unit=personas.hoankiem,
            topic=topic(),
            channel="meeting",
            title=f"H{i}",
            participants=1,
        )
    client = client_for(personas.officer_hoankiem)
    first = client.get(reverse("outreach:activity_list"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("outreach:activity_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_activity_export_rows_and_audit(personas, client_for):
    officer = personas.officer_hoankiem
    make_activity(officer, personas.hoankiem, title="Hội nghị NQ42")
    make_activity(
        officer, personas.hoankiem, title="Zalo", channel="zalo", participants=None, reach=850
    )
    make_activity(personas.officer_donganh, personas.donganh, title="Đông Anh")
    response = client_for(officer).get(
        reverse("outreach:activity_list"), {"channel": "zalo", "export": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _rows(response)
    assert rows[0][:5] == ("Ngày", "Đơn vị", "Chủ đề", "Hình thức", "Tên hoạt động, bài viết")
    assert len(rows) == 2
    assert rows[1][3] == "Nhóm Zalo" and rows[1][4] == "Zalo" and rows[1][6] == 850
    event = AuditEvent.objects.get(action="export", object_type="outreach.communicationactivity")
    assert event.changes["count"] == 1 and event.changes["filters"] == {"channel": "zalo"}
    assert event.actor == officer


def test_activity_create_page(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    data = {
        "held_on": TODAY().strftime("%d/%m/%Y"),
        "unit": personas.hoankiem.pk,
        "topic": topic().pk,
        "channel": "zalo",
        "title": f"Bài Zalo {XSS}",
        "participants": "",
        "reach": "",
    }
    response = client.post(reverse("outreach:activity_create"), data)
    assert response.status_code == 200
    assert "lượt tiếp cận" in response.content.decode()
    assert CommunicationActivity.objects.count() == 0
    data["unit"] = personas.donganh.pk
    data["reach"] = "500"
    response = client.post(reverse("outreach:activity_create"), data)
    assert response.status_code == 200 and CommunicationActivity.objects.count() == 0
    data["unit"] = personas.hoankiem.pk
    response = client.post(reverse("outreach:activity_create"), data)
    activity = CommunicationActivity.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "outreach:activity_detail", args=[activity.pk]
    )
    body = client.get(response.url).content.decode()
    assert XSS not in body and "&lt;script&gt;" in body


def test_activity_edit_page(personas, client_for):
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    url = reverse("outreach:activity_update", args=[activity.pk])
    assert client_for(personas.officer_donganh).get(url).status_code == 404
    client = client_for(personas.officer_hoankiem)
    assert client.get(url).status_code == 200
    data = {
        "held_on": activity.held_on.strftime("%d/%m/%Y"),
        "unit": personas.hoankiem.pk,
        "topic": topic("bhyt").pk,
        "channel": "meeting",
        "title": "Đã sửa",
        "participants": "80",
    }
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.participants, activity.topic.code) == ("Đã sửa", 80, "bhyt")


def test_material_download_scoped_and_audited(personas, client_for):
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    client = client_for(personas.officer_hoankiem)
    upload = SimpleUploadedFile("de-cuong.pdf", b"%PDF-1.4 de cuong", "application/pdf")
    response = client.post(
        reverse("outreach:activity_detail", args=[activity.pk]),
        {"title": "Đề cương", "file": upload},
    )
    assert response.status_code == 302
    material = activity.files.get()
    url = reverse("outreach:material_download", args=[material.pk])
    page = client.get(reverse("outreach:activity_detail", args=[activity.pk])).content.decode()
    assert url in page and "/media/" not in page
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 de cuong"
    assert (
        AuditEvent.objects.filter(
            action="view", object_type="outreach.communicationmaterial", object_id=str(material.pk)
        ).count()
        == 1
    )
    assert client_for(personas.officer_donganh).get(url).status_code == 404
    assert client_for(personas.aggregate_viewer).get(url).status_code == 404


def test_material_upload_refused_for_other_commune(personas, client_for):
    activity = make_activity(personas.officer_hoankiem, personas.hoankiem)
    upload = SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf")
    response = client_for(personas.officer_donganh).post(
        reverse("outreach:activity_detail", args=[activity.pk]), {"file": upload}
    )
    assert response.status_code == 404 and activity.files.count() == 0


# --- totals -----------------------------------------------------------------------------


def _two_communes(personas):
    make_activity(personas.officer_hoankiem, personas.hoankiem, participants=120)
    make_activity(
        personas.officer_hoankiem,
        personas.hoankiem,
        channel="zalo",
        participants=None,
        reach=850,
    )
    make_activity(
        personas.officer_hoankiem,
        personas.hoankiem,
        channel="zalo",
        participants=None,
        reach=150,
        topic=topic("bhyt"),
    )
    make_activity(personas.officer_donganh, personas.donganh, participants=999)


def test_totals_by_channel_and_topic_in_scope(personas, client_for):
    _two_communes(personas)
    response = client_for(personas.officer_hoankiem).get(reverse("outreach:totals"))
    figures = response.context["figures"]
    by_channel = {row["channel"]: row for row in figures["by_channel"]}
    assert by_channel["zalo"]["sessions"] == 2 and by_channel["zalo"]["reach"] == 1000
    assert by_channel["meeting"]["participants"] == 120
    assert figures["overall"] == {"sessions": 3, "participants": 120, "reach": 1000, "total": 1120}
    by_topic = {row["label"]: row["sessions"] for row in figures["by_topic"]}
    assert by_topic == {"Nghị quyết 42-NQ/TW về chính sách xã hội": 2, "Bảo hiểm y tế": 1}
    assert response.context["chart"]["labels"] == ["Hội nghị, sinh hoạt", "Nhóm Zalo"]
    assert "vendor/chartjs/chart.umd.min.js" in response.content.decode()
    filtered = client_for(personas.city_admin).get(
        reverse("outreach:totals"), {"unit": personas.donganh.pk}
    )
    assert filtered.context["figures"]["overall"]["participants"] == 999


def test_aggregate_viewer_gets_numbers_never_lists(personas, client_for):
    _two_communes(personas)
    make_model(personas.officer_hoankiem, personas.hoankiem)
    _commend(personas.city_admin, recipient_person=make_person(personas.hoankiem, "Lê Thị Kín"))
    client = client_for(personas.aggregate_viewer)
    index = client.get(reverse("outreach:index"))
    assert index.status_code == 302 and index.url == reverse("outreach:totals")
    totals = client.get(reverse("outreach:totals"))
    assert totals.status_code == 200
    assert totals.context["figures"]["overall"]["sessions"] == 4
    assert totals.context["commendation_totals"][0]["people"] == 1
    assert "Lê Thị Kín" not in totals.content.decode()
    for name in ("activity_list", "model_list", "commendation_list"):
        assert client.get(reverse(f"outreach:{name}")).status_code == 404
        assert client.get(reverse(f"outreach:{name}"), {"export": "xlsx"}).status_code == 404


def test_menu_entry(personas, client_for):
    body = client_for(personas.officer_hoankiem).get("/").content.decode()
    assert reverse("outreach:index") in body and "Tuyên truyền, mô hình" in body
    body = client_for(personas.case_worker).get("/").content.decode()
    assert reverse("outreach:index") not in body
    assert client_for(personas.case_worker).get(reverse("outreach:index")).status_code == 404


# --- community models -------------------------------------------------------------------


def test_model_create_page_and_replication_list(personas, client_for):
    source = make_model(personas.officer_hoankiem, personas.hoankiem, name="ĐCTC Hoàn Kiếm")
    client = client_for(personas.officer_donganh)
    data = {
        "kind": kind().pk,
        "name": "ĐCTC Đông Anh",
        "unit": personas.donganh.pk,
        "established_on": TODAY().strftime("%d/%m/%Y"),
        "members_count": "7",
        "copied_from": source.pk,
    }
    response = client.post(reverse("outreach:model_create"), data)
    copy = CommunityModel.objects.get(name="ĐCTC Đông Anh")
    assert response.status_code == 302 and copy.copied_from == source
    # the source's page (Hoàn Kiếm) lists the copy by name and unit, without a link
    page = client_for(personas.officer_hoankiem).get(
        reverse("outreach:model_detail", args=[source.pk])
    )
    assert page.context["copies"] == [(copy, False)]
    assert "ĐCTC Đông Anh" in page.content.decode()
    assert reverse("outreach:model_detail", args=[copy.pk]) not in page.content.decode()
    # and the copy's own page shows where it came from
    own = client.get(reverse("outreach:model_detail", args=[copy.pk]))
    assert "ĐCTC Hoàn Kiếm" in own.content.decode() and own.context["source_visible"] is False
    listing = client_for(personas.city_admin).get(
        reverse("outreach:model_list"), {"replicated": "on"}
    )
    assert [m.name for m in listing.context["page"]] == ["ĐCTC Đông Anh"]


def test_model_detail_status_result_photo(personas, client_for):
    model = make_model(personas.officer_hoankiem, personas.hoankiem)
    client = client_for(personas.officer_hoankiem)
    url = reverse("outreach:model_detail", args=[model.pk])
    today = TODAY().strftime("%d/%m/%Y")
    response = client.post(
        url, {"action": "status", "status-status": "paused", "status-changed_on": today}
    )
    assert response.status_code == 200 and "lý do" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "status",
            "status-status": "paused",
            "status-changed_on": today,
            "status-reason": "Mưa bão",
        },
    )
    assert response.status_code == 302
    client.post(
        url,
        {
            "action": "result",
            "result-reported_on": today,
            "result-text": "Tiếp nhận 2 ca",
            "result-members_count": "15",
        },
    )
    photo = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n", "image/png")
    client.post(url, {"action": "photo", "photo-caption": "Ra mắt", "photo-file": photo})
    model.refresh_from_db()
    assert model.status == "paused" and model.members_count == 15
    assert model.results.count() == 1 and model.photos.count() == 1
    photo_url = reverse("outreach:photo_download", args=[model.photos.get().pk])
    page = client.get(url).content.decode()
    assert photo_url in page and "Mưa bão" in page
    image = client.get(photo_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline")
    assert client_for(personas.officer_donganh).get(photo_url).status_code == 404


def test_model_export(personas, client_for):
    source = make_model(personas.officer_hoankiem, personas.hoankiem, name="ĐCTC Hoàn Kiếm")
    make_model(personas.officer_donganh, personas.donganh, name="Bản sao", copied_from=source)
    response = client_for(personas.officer_hoankiem).get(
        reverse("outreach:model_list"), {"export": "xlsx"}
    )
    rows = _rows(response)
    assert len(rows) == 2
    assert rows[1][0] == "ĐCTC Hoàn Kiếm" and rows[1][5] == "Đang hoạt động" and rows[1][7] == 1
    assert (
        AuditEvent.objects.filter(action="export", object_type="outreach.communitymodel").count()
        == 1
    )


# --- commendations ----------------------------------------------------------------------


def test_commendation_person_name_only_in_scope_and_audited(personas, client_for):
    person = make_person(personas.hoankiem, "Phạm Thị Gương")
    commendation = _commend(personas.city_admin, recipient_person=person)
    url = reverse("outreach:commendation_detail", args=[commendation.pk])
    views = lambda: AuditEvent.objects.filter(  # noqa: E731
        action="view", object_type="registry.person", object_id=str(person.pk)
    ).count()
    page = client_for(personas.officer_hoankiem).get(url)
    assert "Phạm Thị Gương" in page.content.decode() and views() == 1
    listing = client_for(personas.officer_hoankiem).get(reverse("outreach:commendation_list"))
    assert "Phạm Thị Gương" in listing.content.decode() and views() == 2
    assert client_for(personas.officer_donganh).get(url).status_code == 404
    # the inspector reads outreach and the registry; the person is shown to her too
    assert "Phạm Thị Gương" in client_for(personas.inspector).get(url).content.decode()
    assert views() == 3


def test_commendation_person_hidden_from_who_cannot_see_her(personas, client_for):
    """The person moved to another commune after her commendation: Hoàn Kiếm still sees the
    commendation it filed, not her name (pages, export, API), and no view of her is recorded."""
    from ansinh.registry.models import Person

    person = make_person(personas.hoankiem, "Phạm Thị Gương")
    commendation = _commend(personas.city_admin, recipient_person=person)
    Person.objects.filter(pk=person.pk).update(
        unit=personas.donganh, scope_path=personas.donganh.path
    )
    reader = personas.officer_hoankiem
    client = client_for(reader)
    page = client.get(reverse("outreach:commendation_detail", args=[commendation.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Phạm Thị Gương" not in body and "Cá nhân (không hiển thị)" in body
    assert page.context["can_change"] is False
    edit = reverse("outreach:commendation_update", args=[commendation.pk])
    assert client.get(edit).status_code == 404
    listing = client.get(reverse("outreach:commendation_list")).content.decode()
    assert "Phạm Thị Gương" not in listing
    export = client.get(reverse("outreach:commendation_list"), {"export": "xlsx"})
    assert _rows(export)[1][5] == "Cá nhân (không hiển thị)"
    api = client.get(reverse("commendation-detail", args=[commendation.pk])).json()
    assert api["recipient_person"] is None and api["recipient_name"] is None
    assert not AuditEvent.objects.filter(
        action="view", object_type="registry.person", actor=reader
    ).exists()
    # Đông Anh, where she lives now, sees her name on her own page's panel
    own = client_for(personas.officer_donganh).get(
        reverse("registry:person_detail", args=[person.pk])
    )
    assert own.status_code == 200


def test_commendation_create_page(personas, client_for):
    person = make_person(personas.hoankiem, "Nguyễn Thị Mai", citizen_id="001185012345")
    far = make_person(personas.donganh, "Trần Thị Xa")
    client = client_for(personas.officer_hoankiem)
    url = reverse("outreach:commendation_create")
    form = client.get(url, {"person": person.pk})
    assert form.context["form"].initial["recipient_kind"] == "person"
    data = {
        "recipient_kind": "person",
        "recipient_person": str(far.pk),
        "level": "commune_union",
        "form": "giay_khen",
        "reason": "Tích cực tham gia",
        "awarded_on": TODAY().strftime("%d/%m/%Y"),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Không tìm thấy đối tượng" in response.content.decode()
    data["recipient_person"] = ""
    response = client.post(url, data)
    assert "Vui lòng chọn" in response.content.decode() and Commendation.objects.count() == 0
    data["recipient_person"] = "001 185 012 345"
    response = client.post(url, data)
    commendation = Commendation.objects.get()
    assert response.status_code == 302 and commendation.recipient_person == person
    # the commendation shows on the person's page
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert reverse("outreach:commendation_detail", args=[commendation.pk]) in page


def test_commendation_for_model_and_unit_pages(personas, client_for):
    model = make_model(personas.officer_hoankiem, personas.hoankiem, name="Ngôi nhà xanh TDP5")
    client = client_for(personas.officer_hoankiem)
    data = {
        "recipient_kind": "model",
        "recipient_model": model.pk,
        "recipient_unit": personas.hoankiem.pk,  # ignored: the kind says model
        "level": "city_union",
        "form": "bang_khen",
        "reason": "Mô hình hiệu quả",
        "awarded_on": TODAY().strftime("%d/%m/%Y"),
        "decision_number": "125/QĐ-HPN",
    }
    response = client.post(reverse("outreach:commendation_create"), data)
    commendation = Commendation.objects.get()
    assert response.status_code == 302
    assert commendation.recipient_model == model and commendation.recipient_unit is None
    detail = client.get(reverse("outreach:model_detail", args=[model.pk])).content.decode()
    assert "125/QĐ-HPN" in detail
    edit = reverse("outreach:commendation_update", args=[commendation.pk])
    data.update({"recipient_kind": "unit", "form": "giay_khen"})
    assert client_for(personas.officer_donganh).post(edit, data).status_code == 404
    assert client.post(edit, data).status_code == 302
    commendation.refresh_from_db()
    assert commendation.recipient_unit == personas.hoankiem and commendation.recipient_model is None


def test_commendation_list_filters_and_export(personas, client_for):
    admin = personas.city_admin
    model = make_model(admin, personas.hoankiem)
    _commend(admin, recipient_unit=personas.hoankiem)
    _commend(admin, recipient_model=model)
    _commend(admin, recipient_unit=personas.donganh)
    client = client_for(personas.officer_hoankiem)
    url = reverse("outreach:commendation_list")
    assert len(client.get(url).context["rows"]) == 2
    assert len(client.get(url, {"recipient_kind": "model"}).context["rows"]) == 1
    rows = _rows(client.get(url, {"export": "xlsx"}))
    assert len(rows) == 3
    assert {row[4] for row in rows[1:]} == {"Tập thể (cơ sở Hội)", "Mô hình"}
    assert AuditEvent.objects.filter(action="export", object_type="outreach.commendation").exists()


def test_model_edit_keeps_a_dissolved_source(personas, client_for):
    source = make_model(personas.officer_donganh, personas.donganh, name="Gốc")
    copy = make_model(personas.officer_hoankiem, personas.hoankiem, copied_from=source)
    services.community_model_change_status(
        user=personas.officer_donganh,
        model=source,
        status="dissolved",
        changed_on=TODAY(),
        reason="Sáp nhập",
    )
    client = client_for(personas.officer_hoankiem)
    url = reverse("outreach:model_update", args=[copy.pk])
    data = {
        "kind": kind().pk,
        "name": "Bản sao đổi tên",
        "unit": personas.hoankiem.pk,
        "established_on": copy.established_on.strftime("%d/%m/%Y"),
        "members_count": "11",
        "copied_from": source.pk,
    }
    assert client.post(url, data).status_code == 302
    copy.refresh_from_db()
    assert copy.name == "Bản sao đổi tên" and copy.copied_from == source
    # a new model cannot pick a dissolved source
    create = client.get(reverse("outreach:model_create"))
    assert source not in create.context["form"].fields["copied_from"].queryset
