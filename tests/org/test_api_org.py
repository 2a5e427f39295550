from django.urls import reverse

from ansinh.org.services import departments_seed


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_anonymous_gets_no_units(personas, client):
    response = client.get(reverse("union-unit-list"))

    assert response.status_code in (401, 403)


def test_officer_lists_only_her_subtree(tree, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(reverse("union-unit-list"))

    assert response.status_code == 200
    # Her ward, and the closed unions it took over (their history stays reachable).
    assert sorted(ids(response)) == sorted(
        [personas.hoankiem.pk, tree.hangbac.pk, tree.hangtrong.pk, tree.uyno.pk]
    )


def test_filters_kind_current_parent_and_q(tree, personas, client_for):
    client = client_for(personas.city_admin)
    url = reverse("union-unit-list")

    old = client.get(url, {"kind": "commune", "current": "false"})
    assert sorted(row["code"] for row in old.json()["results"]) == [
        "00037",
        "00070",
        "00454",
        "00460",
    ]
    children = client.get(url, {"parent": tree.old_district_donganh.pk})
    assert ids(children) == [tree.old_donganh.pk, tree.uyno.pk]
    found = client.get(url, {"q": "hang bac"})
    assert ids(found) == [tree.hangbac.pk]
    current = client.get(url, {"current": "true"})
    assert ids(current) == [tree.city.pk, personas.hoankiem.pk, personas.donganh.pk]


def test_detail_includes_predecessors_and_successors(tree, personas, client_for):
    client = client_for(personas.city_admin)

    new = client.get(reverse("union-unit-detail", args=[personas.donganh.pk])).json()
    old = client.get(reverse("union-unit-detail", args=[tree.uyno.pk])).json()

    assert [(p["code"], p["kind"], p["takes_population"]) for p in new["predecessors"]] == [
        ("00454", "whole", True),
        ("00460", "part", True),
    ]
    assert new["successors"] == []
    assert new["is_current"] is True
    assert [(s["name"], s["kind"], s["note"]) for s in old["successors"]] == [
        ("Hội LHPN Phường Hoàn Kiếm", "part", "Nhập một phần"),
        ("Hội LHPN Xã Đông Anh", "part", "Nhập một phần, nhận toàn bộ dân số"),
    ]
    assert (old["valid_to"], old["is_current"]) == ("2025-06-30", False)


def test_detail_out_of_scope_is_404(tree, personas, client_for):
    client = client_for(personas.officer_hoankiem)

    assert client.get(reverse("union-unit-detail", args=[personas.donganh.pk])).status_code == 404
    assert client.get(reverse("union-unit-detail", args=[tree.city.pk])).status_code == 404


def test_union_units_are_read_only(personas, client_for):
    client = client_for(personas.city_admin)

    response = client.post(reverse("union-unit-list"), {"name": "X"})

    assert response.status_code == 405


def test_departments_are_scoped(tree, personas, client_for):
    departments_seed(city=tree.city)

    admin = client_for(personas.inspector).get(reverse("department-list"))
    officer = client_for(personas.officer_hoankiem).get(reverse("department-list"))

    assert admin.json()["count"] == 8
    assert admin.json()["results"][0]["code"] == "gia-dinh-xa-hoi"
    assert officer.json()["count"] == 0
