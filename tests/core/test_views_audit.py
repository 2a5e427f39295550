import datetime as dt
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.audit import audit_record
from ansinh.core.models import AuditEvent


def record(unit, *, repr_, actor=None, action="update", changes=None):
    return audit_record(
        action=action,
        actor=actor,
        object_type="registry.person",
        object_id="17",
        object_repr=repr_,
        changes=changes or {},
        scope_path=unit.path,
    )


def results(response) -> list[str]:
    return [row.object_repr for row in response.context["page"].object_list]


def test_inspector_sees_the_log(personas, client_for):
    record(personas.hoankiem, repr_="Nguyễn Thị Hoà", actor=personas.officer_hoankiem)
    response = client_for(personas.inspector).get(reverse("core:audit_list"))
    assert response.status_code == 200
    assert "Nguyễn Thị Hoà" in response.content.decode()


def test_officer_and_aggregate_viewer_get_404(personas, client_for):
    event = record(personas.hoankiem, repr_="Nguyễn Thị Hoà")
    for user in (personas.officer_hoankiem, personas.aggregate_viewer, personas.case_worker):
        client = client_for(user)
        assert client.get(reverse("core:audit_list")).status_code == 404
        assert client.get(reverse("core:audit_detail", args=[event.pk])).status_code == 404
        assert client.get(reverse("core:audit_list"), {"export": "xlsx"}).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_search_is_accent_insensitive(personas, client_for):
    record(personas.hoankiem, repr_="Nguyễn Thị Hoà")
    record(personas.hoankiem, repr_="Trần Văn Đặng")
    record(personas.hoankiem, repr_="Lê Thị Hồng")
    client = client_for(personas.inspector)
    assert results(client.get(reverse("core:audit_list"), {"q": "NGUYEN THI HOA"})) == [
        "Nguyễn Thị Hoà"
    ]
    assert results(client.get(reverse("core:audit_list"), {"q": "dang"})) == ["Trần Văn Đặng"]
    assert results(client.get(reverse("core:audit_list"), {"q": "thị"})) == [
        "Lê Thị Hồng",
        "Nguyễn Thị Hoà",
    ]


def test_filters_by_actor_action_object_and_date(personas, client_for):
    record(personas.hoankiem, repr_="Một", actor=personas.officer_hoankiem, action="view")
    record(personas.hoankiem, repr_="Hai", actor=personas.city_admin, action="update")
    client = client_for(personas.inspector)
    url = reverse("core:audit_list")
    assert results(client.get(url, {"actor": "hoankiem", "action": "view"})) == ["Một"]
    assert results(client.get(url, {"action": "update", "object_type": "registry"})) == ["Hai"]
    assert results(client.get(url, {"object_id": "18"})) == []
    today = dt.date.today().strftime("%d/%m/%Y")
    assert sorted(results(client.get(url, {"object_id": "17", "date_from": today}))) == [
        "Hai",
        "Một",
    ]
    assert results(client.get(url, {"object_id": "17", "date_to": "01/01/2020"})) == []


def test_bad_date_is_reported_and_other_filters_kept(personas, client_for):
    record(personas.hoankiem, repr_="Một", action="view")
    record(personas.hoankiem, repr_="Hai", action="update")
    response = client_for(personas.inspector).get(
        reverse("core:audit_list"), {"date_from": "31/02/2025", "action": "view"}
    )
    assert response.status_code == 200
    assert results(response) == ["Một"]
    assert "Nhập một ngày hợp lệ." in response.content.decode()


def test_scope_limits_what_an_inspector_sees(personas, client_for):
    from ansinh.accounts.permissions import Role
    from tests.factories import RoleAssignmentFactory, UserFactory

    local_inspector = UserFactory(username="kiemtra_hk")
    RoleAssignmentFactory(user=local_inspector, role=Role.INSPECTOR, unit=personas.hoankiem)
    record(personas.hoankiem, repr_="Ở Hoàn Kiếm")
    outside = record(personas.donganh, repr_="Ở Đông Anh")
    client = client_for(local_inspector)
    assert results(client.get(reverse("core:audit_list"), {"object_id": "17"})) == ["Ở Hoàn Kiếm"]
    assert client.get(reverse("core:audit_detail", args=[outside.pk])).status_code == 404


def test_detail_shows_changes_before_and_after(personas, client_for):
    event = record(
        personas.hoankiem,
        repr_="Nguyễn Thị Hoà",
        changes={"phone": ["+84912345678", "+84987654321"], "note": [None, "Mới"]},
    )
    response = client_for(personas.inspector).get(reverse("core:audit_detail", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<del class="text-danger">+84912345678</del>' in html
    assert '<ins class="text-success">+84987654321</ins>' in html
    assert '<ins class="text-success">Mới</ins>' in html


def test_export_is_itself_audited(personas, client_for):
    record(personas.hoankiem, repr_="Nguyễn Thị Hoà", action="view")
    record(personas.hoankiem, repr_="Khác", action="update")
    response = client_for(personas.inspector).get(
        reverse("core:audit_list"), {"action": "view", "export": "xlsx"}
    )
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[6] for row in rows[1:]] == ["Nguyễn Thị Hoà"]
    export = AuditEvent.objects.get(action="export")
    assert export.object_type == "core.auditevent"
    assert export.actor_username == "kiemtra"
    assert export.changes == {"filters": {"action": "view"}, "count": 1}
    assert export.scope_path == personas.city.path
