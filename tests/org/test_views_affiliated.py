"""The page that adds an affiliated unit (đơn vị trực thuộc) under the city union."""

from django.urls import reverse
from django.utils import timezone

from ansinh.accounts.permissions import Role
from ansinh.core.models import AuditEvent
from ansinh.org.models import UnionUnit

from ..factories import RoleAssignmentFactory, UserFactory

AFFILIATED = UnionUnit.Kind.AFFILIATED


def create_url(unit) -> str:
    return reverse("org:affiliated_create", args=[unit.pk])


def test_city_page_links_to_the_form_for_the_city_admin(personas, client_for):
    response = client_for(personas.city_admin).get(
        reverse("org:unit_detail", args=[personas.city.pk])
    )

    html = response.content.decode()
    assert f'href="{create_url(personas.city)}" data-testid="add-affiliated"' in html
    assert "Thêm đơn vị trực thuộc" in html


def test_no_link_for_who_may_only_read_the_city(personas, client_for):
    response = client_for(personas.inspector).get(
        reverse("org:unit_detail", args=[personas.city.pk])
    )

    assert response.status_code == 200
    assert response.context["can_add_affiliated"] is False
    assert 'data-testid="add-affiliated"' not in response.content.decode()


def test_no_link_on_a_commune_page(personas, client_for):
    response = client_for(personas.city_admin).get(
        reverse("org:unit_detail", args=[personas.hoankiem.pk])
    )

    assert response.context["can_add_affiliated"] is False
    assert 'data-testid="add-affiliated"' not in response.content.decode()


def test_city_admin_adds_an_affiliated_unit_under_the_city(personas, client_for):
    client = client_for(personas.city_admin)
    assert client.get(create_url(personas.city)).status_code == 200

    response = client.post(
        create_url(personas.city),
        {"name": "  Trung tâm Hỗ trợ phụ nữ khởi nghiệp ", "code": "TT-KN"},
    )

    unit = UnionUnit.objects.get(kind=AFFILIATED)
    assert response.status_code == 302
    assert response.url == reverse("org:unit_detail", args=[unit.pk])
    assert (unit.name, unit.code, unit.parent, unit.path) == (
        "Trung tâm Hỗ trợ phụ nữ khởi nghiệp",
        "TT-KN",
        personas.city,
        f"{personas.city.path}{unit.pk}/",
    )
    assert unit.valid_from == timezone.localdate()
    event = AuditEvent.objects.get(
        action="create", object_type="org.unionunit", object_id=str(unit.pk)
    )
    assert (event.actor, event.scope_path) == (personas.city_admin, unit.path)
    assert (event.changes["kind"], event.changes["code"], event.changes["name"]) == (
        [None, "affiliated"],
        [None, "TT-KN"],
        [None, "Trung tâm Hỗ trợ phụ nữ khởi nghiệp"],
    )
    page = client.get(response.url).content.decode()
    assert "Đã thêm Trung tâm Hỗ trợ phụ nữ khởi nghiệp." in page


def test_without_a_code_one_is_given(personas, client_for):
    client = client_for(personas.city_admin)

    client.post(create_url(personas.city), {"name": "Câu lạc bộ Nữ doanh nhân", "code": ""})
    client.post(create_url(personas.city), {"name": "Nhà tạm lánh Bình Yên"})

    assert list(
        UnionUnit.objects.filter(kind=AFFILIATED).order_by("code").values_list("code", "name")
    ) == [("01-TT-01", "Câu lạc bộ Nữ doanh nhân"), ("01-TT-02", "Nhà tạm lánh Bình Yên")]


def test_city_leader_may_add_one(personas, client_for):
    leader = UserFactory(username="lanhdao")
    RoleAssignmentFactory(user=leader, role=Role.CITY_LEADER, unit=personas.city)

    response = client_for(leader).post(
        create_url(personas.city), {"name": "Trung tâm Tư vấn", "code": "TT-TV"}
    )

    assert response.status_code == 302
    assert UnionUnit.objects.get(kind=AFFILIATED).parent == personas.city


def test_a_used_code_is_refused_and_nothing_written(personas, client_for):
    client = client_for(personas.city_admin)
    client.post(create_url(personas.city), {"name": "Trung tâm Tư vấn", "code": "TT-TV"})
    units, events = UnionUnit.objects.count(), AuditEvent.objects.count()

    response = client.post(create_url(personas.city), {"name": "Trung tâm Khác", "code": "TT-TV"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Mã đơn vị “TT-TV” đã được dùng."]}
    assert "Mã đơn vị “TT-TV” đã được dùng." in response.content.decode()
    assert (UnionUnit.objects.count(), AuditEvent.objects.count()) == (units, events)


def test_a_blank_name_is_refused_and_nothing_written(personas, client_for):
    units = UnionUnit.objects.count()

    response = client_for(personas.city_admin).post(
        create_url(personas.city), {"name": "   ", "code": "TT-X"}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["name"]
    assert UnionUnit.objects.count() == units
    assert not AuditEvent.objects.filter(object_type="org.unionunit").exists()


def test_commune_officer_gets_404_and_nothing_is_written(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    units, events = UnionUnit.objects.count(), AuditEvent.objects.count()

    assert client.get(create_url(personas.city)).status_code == 404
    response = client.post(create_url(personas.city), {"name": "Trung tâm X", "code": "TT-X"})

    assert response.status_code == 404
    # Not under her own commune either: the page exists only for the city union.
    assert client.get(create_url(personas.hoankiem)).status_code == 404
    posted = client.post(create_url(personas.hoankiem), {"name": "Trung tâm X", "code": "TT-X"})
    assert posted.status_code == 404
    assert (UnionUnit.objects.count(), AuditEvent.objects.count()) == (units, events)


def test_others_without_add_at_the_city_get_404(personas, client_for):
    for user in (personas.inspector, personas.aggregate_viewer, personas.case_worker):
        client = client_for(user)
        assert client.get(create_url(personas.city)).status_code == 404
        assert client.post(create_url(personas.city), {"name": "Trung tâm X"}).status_code == 404
    assert not UnionUnit.objects.filter(kind=AFFILIATED).exists()


def test_only_the_city_union_takes_affiliated_units(personas, client_for):
    client = client_for(personas.city_admin)

    assert client.get(create_url(personas.hoankiem)).status_code == 404
    assert client.post(create_url(personas.hoankiem), {"name": "Trung tâm X"}).status_code == 404
    assert not UnionUnit.objects.filter(kind=AFFILIATED).exists()


def test_anonymous_is_sent_to_login(personas, client):
    response = client.post(create_url(personas.city), {"name": "Trung tâm X"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not UnionUnit.objects.filter(kind=AFFILIATED).exists()


def test_the_affiliated_unit_page_shows_it_under_the_city(personas, client_for):
    client = client_for(personas.city_admin)
    client.post(create_url(personas.city), {"name": "Trung tâm Tư vấn", "code": "TT-TV"})
    unit = UnionUnit.objects.get(kind=AFFILIATED)

    page = client.get(reverse("org:unit_detail", args=[unit.pk]))
    city_page = client.get(reverse("org:unit_detail", args=[personas.city.pk]))

    assert page.status_code == 200
    assert page.context["unit"].parent == personas.city
    assert city_page.context["summary"]["affiliated"] == 1
