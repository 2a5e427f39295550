"""/api/v1/plans/: read-only, signed-in users only, sections nested in the detail."""

import pytest
from django.urls import reverse

from ansinh.plans.services import plan_load


@pytest.fixture
def plan(personas, departments, plan_file):
    return plan_load(path=plan_file, city=personas.city)


def test_anonymous_is_refused(client, plan):
    assert client.get(reverse("plan-list")).status_code in (401, 403)
    assert client.get(reverse("plan-detail", args=[plan.pk])).status_code in (401, 403)


def test_list(personas, client_for, plan):
    response = client_for(personas.officer_hoankiem).get(reverse("plan-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["number"] == "07/KH-HPN"
    assert body["results"][0]["issued_on"] == "2025-03-15"
    assert "sections" not in body["results"][0]


def test_detail_nests_sections_and_tasks(personas, departments, client_for, plan):
    response = client_for(personas.aggregate_viewer).get(reverse("plan-detail", args=[plan.pk]))

    assert response.status_code == 200
    sections = response.json()["sections"]
    assert [(s["code"], s["parent_code"]) for s in sections] == [
        ("I", None), ("I.1", "I"), ("I.2", "I"), ("II", None), ("II.1", "II"),
        ("II.2", "II"), ("II.2.a", "II.2"), ("III", None), ("III.1", "III"), ("III.2", "III"),
    ]  # fmt: skip
    tasks = sections[8]["assignments"]
    assert [(t["unit_name"], t["department_code"], t["role"]) for t in tasks] == [
        ("Ban Gia đình xã hội", "gia-dinh-xa-hoi", "lead"),
        (
            "Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ tỉnh",
            "trung-tam-gdnn",
            "cooperate",
        ),
        ("Ban Đối ngoại", None, "lead"),
    ]


def test_the_api_is_read_only(personas, client_for, plan):
    client = client_for(personas.city_admin)

    response = client.patch(
        reverse("plan-detail", args=[plan.pk]), {"title": "Khác"}, content_type="application/json"
    )

    assert response.status_code == 405
    plan.refresh_from_db()
    assert plan.title != "Khác"
