"""The review queue pages: scoped, audited, merge and "distinct" from the comparison page."""

import datetime as dt

import pytest
from django.urls import reverse

from ansinh.core.models import AuditEvent
from ansinh.registry.models import DuplicateCandidate, Person, PersonMerge


@pytest.fixture
def pairs(make_person):
    a = make_person("Nguyễn Thị Hoà", birth_date=dt.date(1985, 3, 12))
    b = make_person("Nguyen Thi Hoa", birth_date=None, birth_year=1985, phone="+84912345678")
    c = make_person("Trần Thị Lan", unit="donganh")
    d = make_person("Tran Thi Lan", unit="donganh")
    e = make_person("Lê Thị Mai")  # hoankiem
    f = make_person("Le Thi Mai", unit="donganh")  # crosses the two communes
    return {
        "hoankiem": DuplicateCandidate.objects.create(person_a=a, person_b=b, score=0.97),
        "donganh": DuplicateCandidate.objects.create(person_a=c, person_b=d, score=0.85),
        "cross": DuplicateCandidate.objects.create(person_a=e, person_b=f, score=0.6),
    }


def test_anonymous_is_sent_to_login(client, pairs):
    response = client.get(reverse("registry:duplicate_list"))
    assert response.status_code == 302
    assert "/login" in response.url or "dang-nhap" in response.url


def test_list_shows_only_pairs_with_both_people_in_scope(client_for, personas, pairs):
    response = client_for(personas.officer_hoankiem).get(reverse("registry:duplicate_list"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [pairs["hoankiem"].pk]
    admin = client_for(personas.city_admin).get(reverse("registry:duplicate_list"))
    assert [p.pk for p in admin.context["page"].object_list] == [
        pairs["hoankiem"].pk,
        pairs["donganh"].pk,
        pairs["cross"].pk,
    ]


def test_list_filters_by_band_and_commune(client_for, personas, pairs):
    client = client_for(personas.city_admin)
    high = client.get(reverse("registry:duplicate_list"), {"band": "high"})
    assert [p.pk for p in high.context["page"].object_list] == [pairs["hoankiem"].pk]
    low = client.get(reverse("registry:duplicate_list"), {"band": "low"})
    assert [p.pk for p in low.context["page"].object_list] == [pairs["cross"].pk]
    commune = personas.donganh.admin_unit_id
    by_commune = client.get(reverse("registry:duplicate_list"), {"commune": commune})
    assert [p.pk for p in by_commune.context["page"].object_list] == [
        pairs["donganh"].pk,
        pairs["cross"].pk,
    ]


def test_list_export_is_scoped_and_audited(client_for, personas, pairs):
    response = client_for(personas.officer_hoankiem).get(
        reverse("registry:duplicate_list"), {"export": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.get(action="export", object_type="registry.duplicatecandidate")
    assert event.changes["count"] == 1


def test_users_without_merge_permission_get_404(client_for, personas, pairs):
    for user in (personas.aggregate_viewer, personas.inspector):
        client = client_for(user)
        assert client.get(reverse("registry:duplicate_list")).status_code == 404
        url = reverse("registry:duplicate_detail", args=[pairs["hoankiem"].pk])
        assert client.get(url).status_code == 404


def test_detail_compares_side_by_side_and_audits_both_views(client_for, personas, pairs):
    pair = pairs["hoankiem"]
    response = client_for(personas.officer_hoankiem).get(
        reverse("registry:duplicate_detail", args=[pair.pk])
    )
    assert response.status_code == 200
    differing = [row["label"] for row in response.context["rows"] if row["differs"]]
    assert differing == ["Họ và tên", "Ngày sinh", "Điện thoại", "Địa chỉ"]
    viewed = set(
        AuditEvent.objects.filter(action="view", object_type="registry.person").values_list(
            "object_id", flat=True
        )
    )
    assert viewed == {str(pair.person_a_id), str(pair.person_b_id)}
    assert "Gộp (giữ hồ sơ A)" in response.content.decode()


@pytest.mark.parametrize("name", ["donganh", "cross"])
def test_detail_out_of_scope_is_404_and_posts_change_nothing(client_for, personas, pairs, name):
    pair = pairs[name]
    client = client_for(personas.officer_hoankiem)
    url = reverse("registry:duplicate_detail", args=[pair.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "keep_a"}).status_code == 404
    assert client.post(url, {"action": "distinct"}).status_code == 404
    pair.refresh_from_db()
    assert pair.status == "pending"
    assert PersonMerge.objects.count() == 0
    assert not AuditEvent.objects.filter(action="view").exists()


def test_merge_keeping_b_from_the_page(client_for, personas, pairs):
    pair = pairs["hoankiem"]
    response = client_for(personas.officer_hoankiem).post(
        reverse("registry:duplicate_detail", args=[pair.pk]), {"action": "keep_b"}
    )
    assert response.status_code == 302
    merged = Person.objects.get(pk=pair.person_a_id)
    assert (merged.status, merged.merged_into_id) == ("merged", pair.person_b_id)
    pair.refresh_from_db()
    assert pair.status == "merged"


def test_distinct_from_the_page_is_remembered(client_for, personas, pairs):
    pair = pairs["hoankiem"]
    response = client_for(personas.officer_hoankiem).post(
        reverse("registry:duplicate_detail", args=[pair.pk]), {"action": "distinct"}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == ("distinct", personas.officer_hoankiem)
    assert Person.objects.filter(status="merged").count() == 0


def test_run_button_starts_a_job_in_scope_only(client_for, personas, pairs):
    client = client_for(personas.officer_hoankiem)
    refused = client.post(reverse("registry:duplicate_run"), {"unit": personas.donganh.pk})
    assert refused.status_code == 404
    response = client.post(reverse("registry:duplicate_run"), {"unit": personas.hoankiem.pk})
    assert response.status_code == 302
    assert "/cong-viec/" in response.url
