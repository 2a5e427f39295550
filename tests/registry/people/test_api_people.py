"""/api/v1/households/ and /api/v1/persons/: create through the service, scoped lists and
details, audited views, sensitive categories left out."""

import json

from django.urls import reverse

from ansinh.core.models import AuditEvent
from ansinh.registry.models import Household, Person, VulnerabilityCategory
from ansinh.registry.services import vulnerability_add

from .conftest import MOTHER_CCCD

PAYLOAD_MEMBERS = [
    {
        "full_name": "Nguyễn Thị Hoà",
        "sex": "F",
        "birth_date": "1990-05-12",
        "citizen_id": MOTHER_CCCD,
        "phone": "0912345678",
        "relation": "head",
        "vulnerabilities": ["PN_DON_THAN_NUOI_CON"],
        "needs": ["VON"],
    },
    {"full_name": "Trần Thị Mai", "sex": "F", "birth_date": "2018-09-01", "relation": "child"},
    {"full_name": "Trần Văn Nam", "sex": "M", "birth_year": 2016, "relation": "child"},
]


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_create_a_household_with_its_members(personas, client_for):
    client = client_for(personas.officer_hoankiem)

    response = _post(
        client,
        reverse("household-list"),
        {
            "unit": personas.hoankiem.pk,
            "address_line": "Số 5 phố Hàng Bạc",
            "poverty_status": "near_poor",
            "members": PAYLOAD_MEMBERS,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get()
    assert body["id"] == household.pk
    assert body["commune"] == personas.hoankiem.admin_unit_id
    assert [m["full_name"] for m in body["members"]] == [
        "Nguyễn Thị Hoà",
        "Trần Thị Mai",
        "Trần Văn Nam",
    ]
    assert body["members"][0]["phone"] == "+84912345678"


def test_create_errors_are_400_with_the_member_row(personas, client_for):
    members = [dict(PAYLOAD_MEMBERS[0], citizen_id="001090012345")]
    response = _post(
        client_for(personas.officer_hoankiem),
        reverse("household-list"),
        {"unit": personas.hoankiem.pk, "poverty_status": "none", "members": members},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["members[0].citizen_id"]
    assert not Household.objects.exists()


def test_create_in_a_unit_out_of_scope_is_404_and_nothing_written(personas, client_for):
    response = _post(
        client_for(personas.officer_hoankiem),
        reverse("household-list"),
        {"unit": personas.donganh.pk, "poverty_status": "none", "members": PAYLOAD_MEMBERS},
    )
    assert response.status_code == 404
    assert not Household.objects.exists()
    assert not Person.objects.exists()


def test_lists_are_scoped(personas, client_for, family, donganh_person):
    hoankiem = client_for(personas.officer_hoankiem)
    admin = client_for(personas.city_admin)

    people = hoankiem.get(reverse("person-list")).json()
    households = hoankiem.get(reverse("household-list")).json()

    assert people["count"] == 3
    assert donganh_person.pk not in {row["id"] for row in people["results"]}
    assert [row["id"] for row in households["results"]] == [family.pk]
    assert admin.get(reverse("person-list")).json()["count"] == 4
    assert admin.get(reverse("household-list")).json()["count"] == 2
    assert client_for(personas.aggregate_viewer).get(reverse("person-list")).json()["count"] == 0


def test_search_box_without_accents(personas, client_for, family, mother):
    response = client_for(personas.officer_hoankiem).get(
        reverse("person-list"), {"q": "nguyen thi"}
    )
    assert [row["id"] for row in response.json()["results"]] == [mother.pk]


def test_filters(personas, client_for, family, mother):
    client = client_for(personas.officer_hoankiem)
    boys = client.get(reverse("person-list"), {"sex": "M"}).json()
    single_mothers = client.get(reverse("person-list"), {"category": "PN_DON_THAN_NUOI_CON"}).json()
    assert [row["full_name"] for row in boys["results"]] == ["Trần Văn Nam"]
    assert [row["id"] for row in single_mothers["results"]] == [mother.pk]


def test_detail_is_audited_and_hides_sensitive_categories(personas, client_for, mother):
    hiv = VulnerabilityCategory.objects.get(code="NGUOI_NHIEM_HIV")
    vulnerability_add(user=personas.city_admin, person=mother, category=hiv)
    url = reverse("person-detail", args=[mother.pk])

    officer = client_for(personas.officer_hoankiem).get(url).json()
    admin = client_for(personas.city_admin).get(url).json()

    assert [row["code"] for row in officer["vulnerabilities"]] == ["PN_DON_THAN_NUOI_CON"]
    assert {row["code"] for row in admin["vulnerabilities"]} == {
        "PN_DON_THAN_NUOI_CON",
        "NGUOI_NHIEM_HIV",
    }
    assert [row["code"] for row in officer["needs"]] == ["VON"]
    assert officer["status_history"][0]["status_code"] == "active"
    views = AuditEvent.objects.filter(action="view", object_type="registry.person")
    assert sorted(views.values_list("actor_username", flat=True)) == ["hoankiem", "thanhpho"]


def test_aggregate_viewer_gets_404_on_details(personas, client_for, family, mother):
    client = client_for(personas.aggregate_viewer)
    assert client.get(reverse("person-detail", args=[mother.pk])).status_code == 404
    assert client.get(reverse("household-detail", args=[family.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_household_detail_is_audited(personas, client_for, family):
    response = client_for(personas.officer_hoankiem).get(
        reverse("household-detail", args=[family.pk])
    )
    assert response.status_code == 200
    assert len(response.json()["members"]) == 3
    assert (
        AuditEvent.objects.filter(
            action="view", object_type="registry.household", object_id=str(family.pk)
        ).count()
        == 1
    )


def test_patch_a_person(personas, client_for, mother):
    url = reverse("person-detail", args=[mother.pk])
    client = client_for(personas.officer_hoankiem)

    response = client.patch(
        url, data=json.dumps({"occupation": "Bán hàng"}), content_type="application/json"
    )
    refused = client.patch(url, data=json.dumps({"phone": "12ab"}), content_type="application/json")

    assert response.status_code == 200
    assert response.json()["occupation"] == "Bán hàng"
    assert refused.status_code == 400
    assert list(refused.json()) == ["phone"]
    mother.refresh_from_db()
    assert (mother.occupation, mother.phone) == ("Bán hàng", "+84912345678")


def test_patch_out_of_scope_is_404_and_unchanged(personas, client_for, mother):
    response = client_for(personas.officer_donganh).patch(
        reverse("person-detail", args=[mother.pk]),
        data=json.dumps({"occupation": "X"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    mother.refresh_from_db()
    assert mother.occupation == "Công nhân"
