from django.urls import reverse

from ansinh.geo.models import AdminUnit


def api_list(client, **params):
    response = client.get(reverse("unit-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_api_needs_authentication(hanoi_units, client):
    assert client.get(reverse("unit-list")).status_code in (401, 403)


def test_api_lists_with_filters(hanoi_units, personas, client_for):
    client = client_for(personas.officer_hoankiem)

    current = api_list(client, era="post2025", level="commune", province="01")
    old_districts = api_list(client, era="pre2025", level="district")
    search = api_list(client, q="co loa")
    dong_anh = AdminUnit.objects.get(era="pre2025", level="district", code="017")
    children = api_list(client, parent=dong_anh.pk)

    assert current["count"] == 126
    assert old_districts["count"] == 30
    assert [(u["code"], u["name"], u["parent"]["code"]) for u in search["results"]] == [
        ("00505", "Xã Cổ Loa", "017")
    ]
    assert children["count"] == 24


def test_api_refuses_bad_filters(hanoi_units, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(reverse("unit-list"), {"era": "1990"})

    assert response.status_code == 400
    assert response.json() == {"era": ["Thời kỳ không hợp lệ."]}


def test_api_detail_of_an_old_commune_has_its_successors(hanoi_units, personas, client_for):
    co_bi = AdminUnit.objects.get(era="pre2025", level="commune", code="00553")

    data = client_for(personas.officer_hoankiem).get(reverse("unit-detail", args=[co_bi.pk])).json()

    assert data["parent"]["name"] == "Huyện Gia Lâm"
    assert [(s["new"]["code"], s["kind"], s["takes_population"]) for s in data["successions"]] == [
        ("00136", "part", True),
        ("00541", "part", False),
        ("00565", "part", False),
    ]
    assert data["predecessions"] == []


def test_api_detail_of_a_new_commune_has_its_predecessors(hanoi_units, personas, client_for):
    dong_anh = AdminUnit.objects.get(era="post2025", level="commune", code="00454")

    data = (
        client_for(personas.officer_hoankiem).get(reverse("unit-detail", args=[dong_anh.pk])).json()
    )

    assert data["successions"] == []
    assert len(data["predecessions"]) == 12
    co_loa = next(p for p in data["predecessions"] if p["old"]["code"] == "00505")
    assert co_loa == {
        "old": {
            "id": co_loa["old"]["id"],
            "era": "pre2025",
            "level": "commune",
            "code": "00505",
            "name": "Xã Cổ Loa",
            "parent": {
                "id": co_loa["old"]["parent"]["id"],
                "era": "pre2025",
                "level": "district",
                "code": "017",
                "name": "Huyện Đông Anh",
            },
        },
        "kind": "whole",
        "takes_population": True,
        "old_is_split": False,
        "note": "",
    }


def test_api_is_read_only(hanoi_units, personas, client_for):
    client = client_for(personas.city_admin)
    unit = AdminUnit.objects.get(era="post2025", level="commune", code="00070")

    assert client.post(reverse("unit-list"), {"code": "1"}).status_code == 405
    assert client.delete(reverse("unit-detail", args=[unit.pk])).status_code == 405
    assert AdminUnit.objects.filter(pk=unit.pk).exists()


def test_api_schema_lists_units(personas, client_for):
    response = client_for(personas.city_admin).get(reverse("api-schema"))

    assert response.status_code == 200
    assert b"/api/v1/units/" in response.content
