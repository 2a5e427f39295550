"""User and role management pages of the city administrator."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.accounts.models import RoleAssignment, User
from ansinh.accounts.permissions import Role
from ansinh.core.models import AuditEvent
from tests.factories import RoleAssignmentFactory, UserFactory

Action = AuditEvent.Action
PASSWORD = "Hoa-sen-nở-2026"


def management_urls(personas):
    target = personas.officer_donganh
    assignment = target.roles.get()
    return {
        "get": [
            reverse("accounts:user_list"),
            reverse("accounts:user_list") + "?export=xlsx",
            reverse("accounts:user_create"),
            reverse("accounts:user_detail", args=[target.pk]),
            reverse("accounts:user_update", args=[target.pk]),
            reverse("accounts:role_add", args=[target.pk]),
            reverse("accounts:role_remove", args=[assignment.pk]),
        ],
        "post": [
            (reverse("accounts:user_create"), {"username": "x", "password1": PASSWORD}),
            (
                reverse("accounts:user_update", args=[target.pk]),
                {"full_name": "Đổi tên", "is_active": ""},
            ),
            (reverse("accounts:user_unlock", args=[target.pk]), {}),
            (
                reverse("accounts:role_add", args=[target.pk]),
                {"role": Role.SYSTEM_ADMIN, "unit": personas.city.pk},
            ),
            (reverse("accounts:role_remove", args=[assignment.pk]), {}),
        ],
    }


def state():
    return (
        list(User.objects.order_by("pk").values_list("pk", "full_name", "is_active")),
        list(RoleAssignment.objects.order_by("pk").values_list("pk", "user", "role", "unit")),
        AuditEvent.objects.exclude(action=Action.LOGIN).count(),
    )


def test_commune_officer_gets_404_on_every_user_management_page(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    urls = management_urls(personas)
    before = state()
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 404, url
    assert state() == before
    assert "Người dùng" not in client.get(reverse("core:home")).content.decode()


def test_anonymous_is_sent_to_login(personas, client):
    for url in management_urls(personas)["get"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login"))


def test_inspector_reads_but_cannot_change(personas, client_for):
    client = client_for(personas.inspector)
    target = personas.officer_donganh
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert "Thêm người dùng" not in response.content.decode()
    detail = client.get(reverse("accounts:user_detail", args=[target.pk]))
    assert detail.status_code == 200
    assert "Sửa thông tin" not in detail.content.decode()
    assert "Thêm vai trò" not in detail.content.decode()
    before = state()
    assert client.get(reverse("accounts:user_create")).status_code == 404
    assert client.get(reverse("accounts:user_update", args=[target.pk])).status_code == 404
    assert client.post(reverse("accounts:user_unlock", args=[target.pk])).status_code == 404
    assert client.get(reverse("accounts:role_add", args=[target.pk])).status_code == 404
    assignment = target.roles.get()
    assert client.post(reverse("accounts:role_remove", args=[assignment.pk])).status_code == 404
    assert state() == before


def test_list_search_is_accent_insensitive(personas, client_for):
    UserFactory(username="lan.nguyen", full_name="Nguyễn Thị Lan")
    RoleAssignmentFactory(user__username="lan.nguyen", unit=personas.hoankiem)
    UserFactory(username="hoa.tran", full_name="Trần Thị Hoà")
    RoleAssignmentFactory(user__username="hoa.tran", unit=personas.donganh)
    client = client_for(personas.city_admin)

    def found(**params):
        response = client.get(reverse("accounts:user_list"), params)
        return [user.username for user in response.context["page"]]

    assert found(q="nguyen thi lan") == ["lan.nguyen"]
    assert found(q="TRẦN") == ["hoa.tran"]
    assert found(q="thi hoa") == ["hoa.tran"]
    assert found(q="hoa") == ["hoa.tran", "hoankiem"]
    assert found(q="HOAN") == ["hoankiem"]
    assert found(role=Role.COMMUNE_OFFICER) == ["donganh", "hoa.tran", "hoankiem", "lan.nguyen"]
    assert found(unit=personas.donganh.pk) == ["donganh", "hoa.tran"]
    assert found(role=Role.INSPECTOR, unit=personas.donganh.pk) == []


def test_list_status_filter_and_pagination(personas, client_for):
    User.objects.filter(username="tuvan").update(is_active=False)
    User.objects.filter(username="thongke").update(
        locked_until=timezone.now() + timezone.timedelta(minutes=5)
    )
    client = client_for(personas.city_admin)
    url = reverse("accounts:user_list")
    inactive = client.get(url, {"status": "inactive"}).context["page"]
    locked = client.get(url, {"status": "locked"}).context["page"]
    assert [u.username for u in inactive] == ["tuvan"]
    assert [u.username for u in locked] == ["thongke"]
    for number in range(55):
        RoleAssignmentFactory(user__username=f"chihoi{number:02d}", unit=personas.hoankiem)
    first = client.get(url).context["page"]
    assert (first.paginator.count, len(first.object_list)) == (61, 50)


def test_list_of_a_commune_admin_holds_her_commune_only(personas, client_for, monkeypatch):
    from ansinh.accounts.permissions import ROLE_PERMISSIONS

    monkeypatch.setitem(
        ROLE_PERMISSIONS, Role.BRANCH_HEAD, ROLE_PERMISSIONS[Role.BRANCH_HEAD] | {"accounts.*"}
    )
    RoleAssignmentFactory(
        user__username="quantri.hk", role=Role.BRANCH_HEAD, unit=personas.hoankiem
    )
    client = client_for(User.objects.get(username="quantri.hk"))
    page = client.get(reverse("accounts:user_list")).context["page"]
    assert [u.username for u in page] == ["hoankiem", "quantri.hk"]
    response = client.get(reverse("accounts:user_detail", args=[personas.officer_donganh.pk]))
    assert response.status_code == 404


def test_export_is_audited_and_scoped(personas, client_for):
    client = client_for(personas.city_admin)
    response = client.get(reverse("accounts:user_list"), {"q": "an", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("Tên đăng nhập", "Họ và tên")
    assert [row[0] for row in rows[1:]] == ["donganh", "hoankiem", "thanhpho", "tuvan"]
    assert rows[1][3] == "Cán bộ Hội cơ sở — Hội LHPN Xã Đông Anh"
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor_id == personas.city_admin.pk
    assert event.changes == {"filters": {"q": "an"}, "count": 4}


def test_create_user_page(personas, client_for):
    client = client_for(personas.city_admin)
    page = client.get(reverse("accounts:user_create"))
    assert page.status_code == 200
    assert "Hội LHPN Phường Hoàn Kiếm" in page.content.decode()
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "canbo.hk2",
            "full_name": "Lê Thị Mai",
            "phone": "0912 345 678",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.COMMUNE_OFFICER,
            "unit": personas.hoankiem.pk,
        },
    )
    user = User.objects.get(username="canbo.hk2")
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[user.pk])
    assert (user.full_name, user.phone) == ("Lê Thị Mai", "+84912345678")
    assert list(user.roles.values_list("role", "unit")) == [
        (Role.COMMUNE_OFFICER, personas.hoankiem.pk)
    ]
    assert AuditEvent.objects.filter(action=Action.CREATE).count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "hoankiem"}, "username", "Tên đăng nhập này đã có người dùng."),
        ({"password2": "khac-hoan-toan"}, "password2", "Hai mật khẩu không khớp nhau."),
        ({"password1": "12345678", "password2": "12345678"}, "password1", None),
        ({"phone": "09abc"}, "phone", None),
        ({"unit": ""}, "unit", None),
    ],
)
def test_create_user_errors_write_nothing(personas, client_for, changes, field, message):
    client = client_for(personas.city_admin)
    data = {
        "username": "canbo.hk2",
        "full_name": "Lê Thị Mai",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": Role.COMMUNE_OFFICER,
        "unit": personas.hoankiem.pk,
    }
    data.update(changes)
    before = state()
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert state() == before


def test_detail_update_and_unlock(personas, client_for):
    client = client_for(personas.city_admin)
    officer = personas.officer_hoankiem
    User.objects.filter(pk=officer.pk).update(
        failed_login_count=0, locked_until=timezone.now() + timezone.timedelta(minutes=9)
    )
    detail = client.get(reverse("accounts:user_detail", args=[officer.pk]))
    html = detail.content.decode()
    assert "Đang bị khóa tạm thời" in html
    assert "Hội LHPN Phường Hoàn Kiếm" in html
    assert client.post(reverse("accounts:user_unlock", args=[officer.pk])).status_code == 302
    assert User.objects.get(pk=officer.pk).locked_until is None
    assert client.get(reverse("accounts:user_unlock", args=[officer.pk])).status_code == 405

    form = client.get(reverse("accounts:user_update", args=[officer.pk]))
    assert form.context["form"].initial["full_name"] == "Hoankiem"
    response = client.post(
        reverse("accounts:user_update", args=[officer.pk]),
        {"full_name": "Phạm Thị Thu", "phone": "", "is_active": ""},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.full_name, officer.is_active) == ("Phạm Thị Thu", False)


def test_admin_cannot_deactivate_herself_on_the_page(personas, client_for):
    admin = personas.city_admin
    client = client_for(admin)
    response = client.post(
        reverse("accounts:user_update", args=[admin.pk]), {"full_name": "X", "is_active": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["is_active"] == [
        "Bạn không thể tự khóa tài khoản của mình."
    ]
    admin.refresh_from_db()
    assert (admin.full_name, admin.is_active) == ("Thanhpho", True)


def test_role_add_and_remove_pages(personas, client_for):
    client = client_for(personas.city_admin)
    officer = personas.officer_hoankiem
    url = reverse("accounts:role_add", args=[officer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": Role.CASE_WORKER, "unit": personas.hoankiem.pk})
    assert response.status_code == 302
    added = officer.roles.get(role=Role.CASE_WORKER)
    duplicate = client.post(url, {"role": Role.CASE_WORKER, "unit": personas.hoankiem.pk})
    assert duplicate.status_code == 200
    assert duplicate.context["form"].non_field_errors() == [
        "Người dùng đã có vai trò này tại đơn vị này."
    ]
    remove = reverse("accounts:role_remove", args=[added.pk])
    assert "Gỡ vai trò" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert list(officer.roles.values_list("role", flat=True)) == [Role.COMMUNE_OFFICER]


def test_admin_cannot_remove_own_last_admin_role_on_the_page(personas, client_for):
    admin = personas.city_admin
    client = client_for(admin)
    own = admin.roles.get()
    response = client.post(reverse("accounts:role_remove", args=[own.pk]), follow=True)
    assert "Bạn không thể gỡ vai trò quản trị hệ thống cuối cùng của chính mình." in (
        response.content.decode()
    )
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_commune_admin_granting_a_city_wide_role_gets_404(personas, client_for, monkeypatch):
    from ansinh.accounts.permissions import ROLE_PERMISSIONS

    monkeypatch.setitem(
        ROLE_PERMISSIONS, Role.BRANCH_HEAD, ROLE_PERMISSIONS[Role.BRANCH_HEAD] | {"accounts.*"}
    )
    RoleAssignmentFactory(
        user__username="quantri.hk", role=Role.BRANCH_HEAD, unit=personas.hoankiem
    )
    client = client_for(User.objects.get(username="quantri.hk"))
    officer = personas.officer_hoankiem
    form = client.get(reverse("accounts:role_add", args=[officer.pk]))
    offered = [value for value, _label in form.context["form"].fields["unit"].widget.choices]
    assert offered == ["", personas.hoankiem.pk]
    before = state()
    response = client.post(
        reverse("accounts:role_add", args=[officer.pk]),
        {"role": Role.CITY_LEADER, "unit": personas.city.pk},
    )
    assert response.status_code == 404
    assert state() == before
