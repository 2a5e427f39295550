"""More of the shared permission suite for org: branches (their edit and close writes),
departments (API detail) and successions (no page of their own: `restrict()`, the unit page
and the merger page)."""

import pytest
from django.urls import reverse

from ansinh.org.models import Department, UnionUnit, UnionUnitSuccession

from ..factories import UnionUnitFactory
from ..permission_suite import ScopedPermissionSuite


def branch(parent, name: str) -> UnionUnit:
    return UnionUnitFactory(kind=UnionUnit.Kind.BRANCH, parent=parent, name=name)


class TestBranchPermissions(ScopedPermissionSuite):
    """A branch's page and API, and its edit form as the write."""

    model = UnionUnit

    def make_objects(self, personas):
        return (
            branch(personas.hoankiem, "Chi hội Tổ dân phố số 5"),
            branch(personas.donganh, "Chi hội Thôn Đoài"),
        )

    def page_url(self, obj):
        return reverse("org:unit_detail", args=[obj.pk])

    def api_url(self, obj):
        return reverse("union-unit-detail", args=[obj.pk])

    def write_request(self, obj):
        return (
            "post",
            reverse("org:branch_update", args=[obj.pk]),
            {"name": "Chi hội Tổ dân phố số 6", "locality_name": ""},
        )


class TestBranchClosePermissions(TestBranchPermissions):
    """The same branches with "ngừng hoạt động" as the write."""

    def write_request(self, obj):
        return ("post", reverse("org:branch_close", args=[obj.pk]), {})


def test_branch_edit_form_out_of_scope_is_404(personas, client_for):
    outside = branch(personas.donganh, "Chi hội Thôn Đoài")
    response = client_for(personas.officer_hoankiem).get(
        reverse("org:branch_update", args=[outside.pk])
    )
    assert response.status_code == 404


class TestDepartmentPermissions(ScopedPermissionSuite):
    """Departments sit at the city in practice; the model allows any union, and a department
    of each commune is what tells scoping apart (the API detail is the department's own URL)."""

    model = Department

    def make_objects(self, personas):
        return (
            Department.objects.create(
                union=personas.hoankiem, code="van-phong", name="Văn phòng Hoàn Kiếm", kind="office"
            ),
            Department.objects.create(
                union=personas.donganh, code="van-phong", name="Văn phòng Đông Anh", kind="office"
            ),
        )

    def api_url(self, obj):
        return reverse("department-detail", args=[obj.pk])


def test_department_list_page_shows_only_the_department_in_scope(personas, client_for):
    inside, _outside = TestDepartmentPermissions().make_objects(personas)
    response = client_for(personas.officer_hoankiem).get(reverse("org:department_list"))
    assert [item.pk for item in response.context["page"]] == [inside.pk]
    assert "Văn phòng Đông Anh" not in response.content.decode()


def old_union(personas, code: str, name: str) -> UnionUnit:
    return UnionUnitFactory(
        kind=UnionUnit.Kind.COMMUNE,
        code=code,
        name=name,
        parent=personas.city,
        valid_from=None,
        valid_to="2025-06-30",
    )


@pytest.fixture
def successions(personas):
    hangbac = old_union(personas, "00037", "Hội LHPN Phường Hàng Bạc")
    thitran = old_union(personas, "00454", "Hội LHPN Thị trấn Đông Anh")
    return (
        UnionUnitSuccession.objects.create(
            old=hangbac, new=personas.hoankiem, effective="2025-07-01"
        ),
        UnionUnitSuccession.objects.create(
            old=thitran, new=personas.donganh, effective="2025-07-01"
        ),
    )


def test_successions_are_scoped_by_the_new_union(personas, client_for, successions):
    inside, outside = successions
    officer = personas.officer_hoankiem
    client = client_for(officer)

    visible = UnionUnitSuccession.objects.restrict(officer, "view").filter(
        pk__in=[inside.pk, outside.pk]
    )
    assert list(visible) == [inside]
    assert (
        UnionUnitSuccession.objects.restrict(personas.city_admin, "view")
        .filter(pk__in=[inside.pk, outside.pk])
        .count()
        == 2
    )
    page = client.get(reverse("org:unit_detail", args=[personas.hoankiem.pk]))
    assert [row.pk for row in page.context["history"].predecessors] == [inside.pk]
    merger = client.get(reverse("org:merger")).content.decode()
    assert "Hội LHPN Phường Hàng Bạc" in merger
    assert "Hội LHPN Thị trấn Đông Anh" not in merger
    assert client.get(reverse("org:unit_detail", args=[inside.old_id])).status_code == 200
    assert client.get(reverse("org:unit_detail", args=[outside.old_id])).status_code == 404


def test_split_old_union_page_shows_no_succession_out_of_scope(personas, client_for):
    uyno = old_union(personas, "00460", "Hội LHPN Xã Uy Nỗ")
    to_hoankiem = UnionUnitSuccession.objects.create(
        old=uyno, new=personas.hoankiem, kind="part", effective="2025-07-01"
    )
    UnionUnitSuccession.objects.create(
        old=uyno, new=personas.donganh, kind="part", takes_population=True, effective="2025-07-01"
    )
    client = client_for(personas.officer_hoankiem)

    page = client.get(reverse("org:unit_detail", args=[uyno.pk]))
    api = client.get(reverse("union-unit-detail", args=[uyno.pk])).json()

    assert page.status_code == 200
    assert [row.pk for row in page.context["history"].successors] == [to_hoankiem.pk]
    assert "Hội LHPN Xã Đông Anh" not in page.content.decode()
    assert [link["id"] for link in api["successors"]] == [personas.hoankiem.pk]
