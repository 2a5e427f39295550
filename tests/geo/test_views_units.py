from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.geo.models import AdminUnit

PRE, POST = AdminUnit.Era.PRE_2025, AdminUnit.Era.POST_2025


def unit(era: str, level: str, code: str) -> AdminUnit:
    return AdminUnit.objects.get(era=era, level=level, code=code)


def test_pages_need_a_login(hanoi_units, client):
    old = unit(PRE, "commune", "00505")
    for url in (
        reverse("geo:unit_list"),
        reverse("geo:unit_detail", args=[old.pk]),
        reverse("geo:lookup") + "?q=co+loa",
        reverse("geo:unit_load"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_list_shows_current_units_by_default(hanoi_units, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(reverse("geo:unit_list"))

    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 127  # the province and its 126 communes
    assert {u.era for u in page.object_list} == {POST}
    assert page.object_list[0].name == "Thành phố Hà Nội"
    assert "Nạp đơn vị hành chính" not in response.content.decode()


def test_list_filters_by_era_level_and_parent(hanoi_units, personas, client_for):
    client = client_for(personas.officer_hoankiem)
    dong_anh = unit(PRE, "district", "017")

    old_districts = client.get(reverse("geo:unit_list"), {"era": PRE, "level": "district"})
    in_dong_anh = client.get(reverse("geo:unit_list"), {"era": PRE, "parent": dong_anh.pk})
    everything = client.get(reverse("geo:unit_list"), {"era": "all"})

    assert old_districts.context["page"].paginator.count == 30
    assert in_dong_anh.context["page"].paginator.count == 24
    assert {u.parent_id for u in in_dong_anh.context["page"].object_list} == {dong_anh.pk}
    assert everything.context["page"].paginator.count == 684


def test_list_search_ignores_accents(hanoi_units, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(
        reverse("geo:unit_list"), {"era": "all", "q": "CO LOA"}
    )

    assert [(u.era, u.name) for u in response.context["page"].object_list] == [(PRE, "Xã Cổ Loa")]


def test_list_search_by_code(hanoi_units, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(
        reverse("geo:unit_list"), {"era": "all", "q": "00454"}
    )

    assert sorted((u.era, u.name) for u in response.context["page"].object_list) == [
        (POST, "Xã Đông Anh"),
        (PRE, "Thị trấn Đông Anh"),
    ]


def test_list_exports_xlsx_and_audits_it(hanoi_units, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(
        reverse("geo:unit_list"), {"era": PRE, "level": "district", "export": "xlsx"}
    )

    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã", "Tên", "Loại hình")
    assert len(rows) == 1 + 30
    assert rows[1][:4] == ("001", "Quận Ba Đình", "Quận", "Quận/huyện")
    event = AuditEvent.objects.get(action="export")
    assert event.changes["count"] == 30


def test_old_commune_detail_says_what_became_of_it(hanoi_units, personas, client_for):
    co_bi = unit(PRE, "commune", "00553")

    response = client_for(personas.officer_hoankiem).get(
        reverse("geo:unit_detail", args=[co_bi.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["is_split"] is True
    assert [(s.new.code, s.kind, s.takes_population) for s in response.context["successions"]] == [
        ("00136", "part", True),
        ("00541", "part", False),
        ("00565", "part", False),
    ]
    assert "Đơn vị này được chia cho 3 xã/phường mới" in html
    assert "Phường Phúc Lợi" in html
    assert "Nhận dân cư của đơn vị cũ" in html
    assert "Huyện Gia Lâm" in html


def test_new_commune_detail_lists_its_predecessors(hanoi_units, personas, client_for):
    dong_anh = unit(POST, "commune", "00454")

    response = client_for(personas.officer_hoankiem).get(
        reverse("geo:unit_detail", args=[dong_anh.pk])
    )

    rows = response.context["predecessions"]
    assert response.status_code == 200
    assert [(s.old.code, s.old.parent.name) for s in rows][:3] == [
        ("00454", "Huyện Đông Anh"),
        ("00472", "Huyện Đông Anh"),
        ("00478", "Huyện Đông Anh"),
    ]
    assert len(rows) == 12
    co_loa = next(s for s in rows if s.old.code == "00505")
    assert (co_loa.kind, co_loa.old_successor_count) == ("whole", 1)
    assert "Xã Cổ Loa" in response.content.decode()
    assert "bị chia" in response.content.decode()


def test_detail_of_an_unknown_unit_is_404(hanoi_units, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(reverse("geo:unit_detail", args=[999999]))

    assert response.status_code == 404


def test_lookup_old_to_new_without_accents(hanoi_units, personas, client_for):
    response = client_for(personas.officer_donganh).get(reverse("geo:lookup"), {"q": "co loa"})

    old_answers = response.context["old_answers"]
    assert [(a.unit.name, a.unit.parent.name) for a in old_answers] == [
        ("Xã Cổ Loa", "Huyện Đông Anh")
    ]
    assert [(s.new.name, s.kind) for s in old_answers[0].successions] == [("Xã Đông Anh", "whole")]
    assert response.context["new_answers"] == []
    html = response.content.decode()
    assert "Xã Cổ Loa" in html and "Xã Đông Anh" in html


def test_lookup_new_to_old(hanoi_units, personas, client_for):
    response = client_for(personas.officer_donganh).get(reverse("geo:lookup"), {"q": "Đông Anh"})

    new_answers = response.context["new_answers"]
    assert [a.unit.code for a in new_answers] == ["00454"]
    assert len(new_answers[0].predecessions) == 12
    # Old units named Đông Anh: the district seat (Thị trấn Đông Anh).
    assert [a.unit.code for a in response.context["old_answers"]] == ["00454"]


def test_lookup_flags_a_split_commune(hanoi_units, personas, client_for):
    response = client_for(personas.officer_donganh).get(reverse("geo:lookup"), {"q": "Xuân Nộn"})

    answer = response.context["old_answers"][0]
    assert answer.is_split is True
    assert [(s.new.name, s.takes_population) for s in answer.successions] == [
        ("Xã Thư Lâm", True),
        ("Xã Phúc Thịnh", False),
    ]
    assert "Bị chia cho nhiều xã/phường mới" in response.content.decode()


def test_lookup_without_match(hanoi_units, personas, client_for):
    response = client_for(personas.officer_donganh).get(reverse("geo:lookup"), {"q": "Không Có"})

    assert response.context["old_answers"] == response.context["new_answers"] == []
    assert "Không tìm thấy đơn vị nào khớp" in response.content.decode()


def test_a_bad_filter_value_is_ignored_alone(hanoi_units, personas, client_for):
    response = client_for(personas.officer_hoankiem).get(
        reverse("geo:unit_list"), {"era": PRE, "level": "district", "parent": "abc"}
    )

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
