from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent

from .conftest import make_person

LIST = reverse("registry:person_list")
COUNTS = reverse("registry:counts")


def sheet_rows(response):
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_anonymous_is_sent_to_login(client, people):
    assert client.get(LIST).status_code == 302
    assert client.get(COUNTS).status_code == 302


def test_officer_searches_her_commune(client_for, personas, people):
    response = client_for(personas.officer_hoankiem).get(LIST, {"q": "nguyen thi hoa"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Thị Hòa" in html
    assert "Nguyễn Thị Hoà" not in html  # Đông Anh's
    assert reverse("registry:person_detail", args=[people["hoa"].pk]) in html
    assert "Phụ nữ đơn thân nuôi con nhỏ" in html


def test_sensitive_category_hidden_without_permission(client_for, personas, people):
    officer = client_for(personas.officer_hoankiem)
    html = officer.get(LIST).content.decode()
    assert "Phụ nữ bị bạo lực trên cơ sở giới" not in html  # neither row badge nor option
    response = officer.get(LIST, {"category": "PN_BI_BAO_LUC_GIOI"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    worker = client_for(personas.case_worker).get(LIST, {"category": "PN_BI_BAO_LUC_GIOI"})
    assert [row["person"].full_name for row in worker.context["rows"]] == ["Nguyễn Thị Lan"]
    assert "Phụ nữ bị bạo lực trên cơ sở giới" in worker.content.decode()


def test_filters_by_unit_from_the_page(client_for, personas, people):
    response = client_for(personas.city_admin).get(LIST, {"unit": personas.donganh.pk})
    assert [row["person"].full_name for row in response.context["rows"]] == ["Nguyễn Thị Hoà"]


def test_list_has_no_n_plus_one(client_for, personas, people, django_assert_max_num_queries):
    for number in range(20):
        make_person(personas.hoankiem, f"Nguyễn Thị Thử {number}")
    client = client_for(personas.city_admin)
    client.get(LIST)
    with django_assert_max_num_queries(16):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 25


def test_aggregate_viewer_gets_404_on_list_and_counts_without_names(client_for, personas, people):
    viewer = client_for(personas.aggregate_viewer)
    assert viewer.get(LIST).status_code == 404
    assert viewer.get(LIST, {"export": "xlsx"}).status_code == 404
    response = viewer.get(COUNTS)
    assert response.status_code == 200
    html = response.content.decode()
    for person in people.values():
        assert person.full_name not in html
    # 4 people in Hoàn Kiếm: a small cell, masked for the aggregate viewer.
    hoankiem = next(r for r in response.context["table"] if r["name"] == "Phường Hoàn Kiếm")
    assert hoankiem["total"] == "<5"
    assert "&lt;5" in html


def test_officer_sees_exact_small_counts_of_her_commune(client_for, personas, people):
    response = client_for(personas.officer_hoankiem).get(COUNTS)
    assert response.status_code == 200
    assert [(r["name"], r["total"]) for r in response.context["table"]] == [("Phường Hoàn Kiếm", 4)]
    assert response.context["by_sex"] == [("Nữ", 3), ("Nam", 1)]


def test_counts_export_is_audited(client_for, personas, people):
    response = client_for(personas.city_admin).get(COUNTS, {"export": "xlsx"})
    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][:2] == ["Xã/phường", "Tổng số"]
    assert sorted(r[:2] for r in rows[1:]) == [["Phường Hoàn Kiếm", 4], ["Xã Đông Anh", 1]]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_type == "registry.person_counts"


def test_export_is_scoped_audited_and_hides_sensitive(client_for, personas, people):
    response = client_for(personas.officer_hoankiem).get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][0] == "Họ và tên"
    exported = sorted(r[0] for r in rows[1:])
    assert exported == ["Lê Minh Anh", "Nguyễn Thị Hòa", "Nguyễn Thị Lan", "Trần Văn Nam"]
    assert all("bạo lực" not in (r[9] or "") for r in rows[1:])
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == personas.officer_hoankiem
    assert event.changes["count"] == 4
    assert event.changes["filters"] == {"q": "", "status": "active"}


def test_export_of_filtered_list_with_sensitive_for_case_worker(client_for, personas, people):
    # A case worker may view but not export (no registry.export_person): 404, nothing audited.
    response = client_for(personas.case_worker).get(LIST, {"export": "xlsx"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_export_of_a_search(client_for, personas, people):
    response = client_for(personas.city_admin).get(LIST, {"q": "nguyen thi hoa", "export": "xlsx"})
    assert sorted(r[0] for r in sheet_rows(response)[1:]) == ["Nguyễn Thị Hoà", "Nguyễn Thị Hòa"]
    assert AuditEvent.objects.get(action="export").changes["filters"]["q"] == "nguyen thi hoa"


def test_short_list_shows_its_count_without_asking_again(client_for, personas, people):
    response = client_for(personas.officer_hoankiem).get(LIST, {"q": "nguyen thi"})
    html = response.content.decode()
    assert [row["person"].full_name for row in response.context["rows"]] == [
        "Nguyễn Thị Hòa",
        "Nguyễn Thị Lan",
    ]
    assert "1–2 / 2" in html
    assert "partial=count" not in html


def test_full_page_of_exact_matches_offers_the_typo_variants(client_for, personas, people):
    for _ in range(55):
        make_person(personas.hoankiem, "Nguyễn Thị Hảo")
    client = client_for(personas.officer_hoankiem)
    response = client.get(LIST, {"q": "nguyen thi hao"})
    html = response.content.decode()
    assert [row["person"].full_name for row in response.context["rows"]] == ["Nguyễn Thị Hảo"] * 50
    assert 'hx-get="?q=nguyen+thi+hao&amp;status=active&amp;partial=count"' not in html
    assert 'hx-get="?q=nguyen+thi+hao&amp;partial=count"' in html
    assert 'data-testid="near-offer"' in html
    assert 'href="?q=nguyen+thi+hao&amp;near=1"' in html
    # The count, asked by htmx once the page is shown.
    fragment = client.get(LIST, {"q": "nguyen thi hao", "partial": "count"}).content.decode()
    assert "Tìm thấy 55 người" in fragment
    assert "và 1 người tên gần giống" in fragment
    assert 'href="?q=nguyen+thi+hao&amp;near=1"' in fragment
    # The expanded query: Hòa right after the 55 Hảo, on page 2.
    second = client.get(LIST, {"q": "nguyen thi hao", "near": "1", "page": "2"})
    assert [row["person"].full_name for row in second.context["rows"]] == ["Nguyễn Thị Hảo"] * 5 + [
        "Nguyễn Thị Hòa"
    ]
    assert 'data-testid="near-shown"' in second.content.decode()
    assert "51–56 / 56" in second.content.decode()


def test_count_fragment_says_more_than_the_cap(client_for, personas, people, monkeypatch):
    from ansinh.registry import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    fragment = client_for(personas.city_admin).get(LIST, {"q": "nguyen", "partial": "count"})
    assert "Tìm thấy hơn 2 người (hãy lọc thêm)" in fragment.content.decode()


def test_export_of_the_expanded_query(client_for, personas, people):
    for _ in range(50):
        make_person(personas.hoankiem, "Nguyễn Thị Hảo")
    client = client_for(personas.officer_hoankiem)
    exact = sheet_rows(client.get(LIST, {"q": "nguyen thi hao", "export": "xlsx"}))[1:]
    assert {r[0] for r in exact} == {"Nguyễn Thị Hảo"}
    expanded = sheet_rows(client.get(LIST, {"q": "nguyen thi hao", "near": "1", "export": "xlsx"}))
    assert [r[0] for r in expanded[1:]][-1] == "Nguyễn Thị Hòa"
    assert len(expanded) == 1 + 51
