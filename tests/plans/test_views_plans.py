"""Plan pages: any signed-in user reads them; anonymous users go to the login page."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.plans.services import plan_load

from .conftest import SYNTHETIC_TITLE


@pytest.fixture
def plan(personas, departments, plan_file):
    return plan_load(path=plan_file, city=personas.city)


def test_anonymous_users_are_sent_to_login(client, plan):
    for url in (reverse("plans:plan_list"), reverse("plans:plan_detail", args=[plan.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_list_for_a_commune_officer(personas, client_for, plan):
    response = client_for(personas.officer_hoankiem).get(reverse("plans:plan_list"))

    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == [plan.pk]
    assert SYNTHETIC_TITLE in response.text
    assert reverse("plans:plan_detail", args=[plan.pk]) in response.text


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"q": "thu nghiem an sinh"}, True),
        ({"q": "07/KH-HPN"}, True),
        ({"q": "khong co"}, False),
        ({"year": "2025"}, True),
        ({"year": "2024"}, False),
    ],
)
def test_list_filters(personas, client_for, plan, params, found):
    response = client_for(personas.aggregate_viewer).get(reverse("plans:plan_list"), params)

    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == ([plan.pk] if found else [])


def test_list_export(personas, client_for, plan):
    response = client_for(personas.officer_donganh).get(
        reverse("plans:plan_list"), {"q": "thu nghiem", "export": "xlsx"}
    )

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu")
    assert rows[1][0] == "07/KH-HPN"
    assert rows[1][3] == SYNTHETIC_TITLE
    assert len(rows) == 2
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.changes) == (
        "plans.plan",
        {"filters": {"q": "thu nghiem"}, "count": 1},
    )


def test_detail_shows_title_block_contents_sections_and_tasks(
    personas, departments, client_for, plan
):
    response = client_for(personas.officer_hoankiem).get(
        reverse("plans:plan_detail", args=[plan.pk])
    )

    assert response.status_code == 200
    html = response.text
    assert "Ban Thường vụ Hội LHPN tỉnh Thử nghiệm" in html
    assert "Số: 07/KH-HPN" in html
    for anchor in ("muc-I", "muc-II-1", "muc-II-2-a", "muc-III-2"):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    assert "II. NHIỆM VỤ, GIẢI PHÁP" in html
    assert "a) Dạy nghề" in html
    assert '<ul class="plan-subitems"><li>Ưu tiên hộ nghèo do phụ nữ làm chủ.</li>' in html
    assert "<em>Giao Ban Gia đình xã hội</em>" in html
    assert "¹ Nghị quyết số 01-NQ/TU ngày 01/01/2025." in html
    assert [a.unit_name for a in response.context["assignments"]] == [
        "Ban Gia đình xã hội",
        "Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ tỉnh",
        "Ban Đối ngoại",
        "Hội LHPN các xã, phường",
        "Hội LHPN các xã, phường",
    ]
    assert 'href="#muc-III-1" title="Xem mục trong kế hoạch">Mục III.1</a>' in html
    assert "Nguyễn Thị Thử" in html


def test_detail_of_an_unknown_plan_is_404(personas, client_for, plan):
    response = client_for(personas.city_admin).get(reverse("plans:plan_detail", args=[plan.pk + 1]))
    assert response.status_code == 404


def test_plans_appear_in_the_navigation(personas, client_for, plan):
    response = client_for(personas.case_worker).get(reverse("plans:plan_list"))

    assert any(item["url"] == reverse("plans:plan_list") for item in response.context["nav_items"])
