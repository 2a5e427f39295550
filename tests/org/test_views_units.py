from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.geo.models import Locality
from ansinh.org.models import UnionUnit
from ansinh.org.services import branch_create

from ..factories import UnionUnitFactory


def names(response):
    return [unit.name for unit in response.context["page"]]


def make_branch(personas, unit, officer, name):
    return branch_create(
        user=officer, parent=unit, locality_kind=Locality.Kind.VILLAGE, locality_name=name
    )


def test_officer_lists_only_her_subtree(tree, personas, client_for):
    make_branch(personas, personas.hoankiem, personas.officer_hoankiem, "Thôn A")
    make_branch(personas, personas.donganh, personas.officer_donganh, "Thôn B")

    response = client_for(personas.officer_hoankiem).get(
        reverse("org:unit_list"), {"status": "all"}
    )

    assert response.status_code == 200
    # Her subtree, and the closed unions her ward took over (history stays reachable).
    assert sorted(names(response)) == sorted(
        [
            "Hội LHPN Phường Hoàn Kiếm",
            "Chi hội Thôn A",
            "Hội LHPN Phường Hàng Bạc",
            "Hội LHPN Phường Hàng Trống",
            "Hội LHPN Xã Uy Nỗ",
        ]
    )


def test_city_admin_lists_current_units_by_default(tree, personas, client_for):
    response = client_for(personas.city_admin).get(reverse("org:unit_list"))

    assert names(response) == [
        "Hội LHPN Thành phố Hà Nội",
        "Hội LHPN Phường Hoàn Kiếm",
        "Hội LHPN Xã Đông Anh",
    ]


def test_closed_filter_lists_the_old_unions(tree, personas, client_for):
    response = client_for(personas.city_admin).get(
        reverse("org:unit_list"), {"status": "closed", "kind": "commune"}
    )

    assert sorted(names(response)) == [
        "Hội LHPN Phường Hàng Bạc",
        "Hội LHPN Phường Hàng Trống",
        "Hội LHPN Thị trấn Đông Anh",
        "Hội LHPN Xã Uy Nỗ",
    ]


def test_search_ignores_accents_and_case(tree, personas, client_for):
    response = client_for(personas.city_admin).get(
        reverse("org:unit_list"), {"status": "all", "q": "DONG ANH"}
    )

    assert names(response) == [
        "Hội LHPN Xã Đông Anh",
        "Hội LHPN Huyện Đông Anh",
        "Hội LHPN Thị trấn Đông Anh",
    ]


def test_export_is_scoped_and_audited(tree, personas, client_for):
    response = client_for(personas.officer_donganh).get(
        reverse("org:unit_list"), {"status": "all", "export": "xlsx"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã", "Tên", "Cấp")
    # Her ward and the closed unions it took over; nothing of Hoàn Kiếm's subtree.
    assert sorted(row[:2] for row in rows[1:]) == [
        ("00454", "Hội LHPN Thị trấn Đông Anh"),
        ("00454", "Hội LHPN Xã Đông Anh"),
        ("00460", "Hội LHPN Xã Uy Nỗ"),
    ]
    event = AuditEvent.objects.get(action="export")
    assert (event.actor_id, event.changes["count"]) == (personas.officer_donganh.pk, 3)


def test_detail_of_own_commune(tree, personas, client_for):
    make_branch(personas, personas.hoankiem, personas.officer_hoankiem, "Thôn A")

    response = client_for(personas.officer_hoankiem).get(
        reverse("org:unit_detail", args=[personas.hoankiem.pk])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Hội LHPN Phường Hoàn Kiếm" in html
    assert "Chi hội Thôn A" in html
    assert response.context["summary"]["branches"] == 1
    assert response.context["role_count"] == 1
    assert response.context["can_add_branch"] is True
    assert reverse("org:branch_create", args=[personas.hoankiem.pk]) in html
    # "Formed from": the old unions, whole or in part; closed unions stay reachable by the
    # officers of the unit that took them over, so they are linked.
    predecessors = response.context["history"].predecessors
    assert [(row.old.name, row.note) for row in predecessors] == [
        ("Hội LHPN Phường Hàng Bạc", "Nhập toàn bộ"),
        ("Hội LHPN Phường Hàng Trống", "Nhập toàn bộ"),
        ("Hội LHPN Xã Uy Nỗ", "Nhập một phần"),
    ]
    assert "Hình thành từ" in html
    assert reverse("org:unit_detail", args=[tree.hangbac.pk]) in html
    assert (
        client_for(personas.officer_hoankiem)
        .get(reverse("org:unit_detail", args=[tree.hangbac.pk]))
        .status_code
        == 200
    )


def test_detail_of_another_commune_is_404(tree, personas, client_for):
    client = client_for(personas.officer_hoankiem)

    for unit in (personas.donganh, tree.old_donganh, tree.city):
        assert client.get(reverse("org:unit_detail", args=[unit.pk])).status_code == 404


def test_old_union_shows_where_it_went(tree, personas, client_for):
    response = client_for(personas.city_admin).get(reverse("org:unit_detail", args=[tree.uyno.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã sáp nhập vào" in html
    assert "Nhập một phần, nhận toàn bộ dân số" in html
    assert reverse("org:unit_detail", args=[personas.donganh.pk]) in html
    assert reverse("org:unit_detail", args=[personas.hoankiem.pk]) in html
    assert response.context["can_add_branch"] is False


def test_city_detail_shows_departments_and_counts(tree, personas, client_for):
    from ansinh.org.services import departments_seed

    departments_seed(city=tree.city)

    response = client_for(personas.inspector).get(reverse("org:unit_detail", args=[tree.city.pk]))

    assert response.status_code == 200
    assert len(response.context["departments"]) == 8
    assert response.context["commune_types"] == [("Phường", 1), ("Xã", 1)]
    summary = response.context["summary"]
    assert (summary["communes"], summary["old_communes"], summary["old_districts"]) == (2, 4, 2)
    assert "Báo Phụ nữ Thủ đô" in response.content.decode()


def test_district_detail_lists_its_old_communes(tree, personas, client_for):
    response = client_for(personas.city_admin).get(
        reverse("org:unit_detail", args=[tree.old_district_hoankiem.pk])
    )

    assert [unit.name for unit in response.context["children"]] == [
        "Hội LHPN Phường Hàng Bạc",
        "Hội LHPN Phường Hàng Trống",
    ]


def test_merger_page_lists_new_unions_with_their_old_ones(tree, personas, client_for):
    response = client_for(personas.city_admin).get(reverse("org:merger"))

    assert response.status_code == 200
    rows = {
        union.name: [(row.old.name, row.kind) for row in union.predecessions.all()]
        for union in response.context["page"]
    }
    assert rows == {
        "Hội LHPN Phường Hoàn Kiếm": [
            ("Hội LHPN Phường Hàng Bạc", "whole"),
            ("Hội LHPN Phường Hàng Trống", "whole"),
            ("Hội LHPN Xã Uy Nỗ", "part"),
        ],
        "Hội LHPN Xã Đông Anh": [
            ("Hội LHPN Thị trấn Đông Anh", "whole"),
            ("Hội LHPN Xã Uy Nỗ", "part"),
        ],
    }
    assert reverse("org:unit_detail", args=[tree.hangbac.pk]) in response.content.decode()


def test_merger_page_is_scoped_and_searchable(tree, personas, client_for):
    officer = client_for(personas.officer_donganh)
    assert [u.name for u in officer.get(reverse("org:merger")).context["page"]] == [
        "Hội LHPN Xã Đông Anh"
    ]

    admin = client_for(personas.city_admin)
    found = admin.get(reverse("org:merger"), {"q": "hang trong"}).context["page"]
    assert [u.name for u in found] == ["Hội LHPN Phường Hoàn Kiếm"]


def test_merger_export_one_row_per_old_union(tree, personas, client_for):
    response = client_for(personas.city_admin).get(reverse("org:merger"), {"export": "xlsx"})

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(row[0], row[2], row[5]) for row in rows[1:]] == [
        ("00070", "00037", "Nhập toàn bộ"),
        ("00070", "00070", "Nhập toàn bộ"),
        ("00070", "00460", "Nhập một phần"),
        ("00454", "00454", "Nhập toàn bộ"),
        ("00454", "00460", "Nhập một phần"),
    ]
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_department_list_is_scoped(tree, personas, client_for):
    from ansinh.org.services import departments_seed

    departments_seed(city=tree.city)

    admin = client_for(personas.city_admin).get(reverse("org:department_list"))
    officer = client_for(personas.officer_hoankiem).get(reverse("org:department_list"))

    assert len(admin.context["page"]) == 8
    assert len(officer.context["page"]) == 0


def test_branch_create_page_adds_a_branch(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    url = reverse("org:branch_create", args=[personas.hoankiem.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"locality_kind": "thon", "locality_name": "Thôn Đoài"})

    assert response.status_code == 302
    assert response.url == reverse("org:unit_detail", args=[personas.hoankiem.pk])
    branch = UnionUnit.objects.get(kind="branch")
    assert (branch.name, branch.parent_id) == ("Chi hội Thôn Đoài", personas.hoankiem.pk)


def test_branch_create_page_shows_the_duplicate_error(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    url = reverse("org:branch_create", args=[personas.hoankiem.pk])
    client.post(url, {"locality_kind": "thon", "locality_name": "Thôn Đoài"})

    response = client.post(
        url, {"locality_kind": "thon", "locality_name": "Thôn Đông", "name": "Chi hội Thôn Đoài"}
    )

    assert response.status_code == 200
    assert "Chi hội “Chi hội Thôn Đoài” đã có trong Hội LHPN Phường Hoàn Kiếm." in (
        response.content.decode()
    )
    assert UnionUnit.objects.filter(kind="branch").count() == 1
    assert Locality.objects.count() == 1


def test_branch_create_out_of_scope_is_404_and_writes_nothing(personas, client_for):
    client = client_for(personas.officer_hoankiem)
    url = reverse("org:branch_create", args=[personas.donganh.pk])
    events = AuditEvent.objects.count()

    assert client.get(url).status_code == 404
    response = client.post(url, {"locality_kind": "thon", "locality_name": "Thôn Đoài"})

    assert response.status_code == 404
    assert UnionUnit.objects.filter(kind="branch").count() == 0
    assert Locality.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_branch_update_and_close_pages(personas, client_for):
    branch = make_branch(personas, personas.hoankiem, personas.officer_hoankiem, "Thôn Đoài")
    client = client_for(personas.officer_hoankiem)

    response = client.post(
        reverse("org:branch_update", args=[branch.pk]),
        {"name": "Chi hội Đoài", "locality_name": "Thôn Đoài"},
    )
    assert response.status_code == 302
    response = client.post(reverse("org:branch_close", args=[branch.pk]))
    assert response.status_code == 302

    branch.refresh_from_db()
    assert branch.name == "Chi hội Đoài"
    assert branch.valid_to is not None
    page = client.get(reverse("org:unit_detail", args=[branch.pk]))
    assert page.status_code == 200
    assert 'data-testid="closed-badge"' in page.content.decode()


def test_branch_update_out_of_scope_is_404(personas, client_for):
    branch = make_branch(personas, personas.donganh, personas.officer_donganh, "Thôn Đoài")
    client = client_for(personas.officer_hoankiem)

    assert client.get(reverse("org:branch_update", args=[branch.pk])).status_code == 404
    assert (
        client.post(reverse("org:branch_update", args=[branch.pk]), {"name": "X"}).status_code
        == 404
    )
    assert client.post(reverse("org:branch_close", args=[branch.pk])).status_code == 404
    branch.refresh_from_db()
    assert (branch.name, branch.valid_to) == ("Chi hội Thôn Đoài", None)


def test_inspector_sees_no_add_button(personas, client_for):
    response = client_for(personas.inspector).get(
        reverse("org:unit_detail", args=[personas.hoankiem.pk])
    )

    assert response.context["can_add_branch"] is False
    assert 'data-testid="add-branch"' not in response.content.decode()


def test_unit_list_query_count_does_not_grow_with_units(
    personas, client_for, django_assert_max_num_queries
):
    for _ in range(30):
        UnionUnitFactory(parent=personas.hoankiem, kind="branch")
    client = client_for(personas.city_admin)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("org:unit_list"))

    assert len(response.context["page"]) == 33
