"""'Ai chưa được hỗ trợ': exact counts on a small data set, by commune, category and
programme; the list of people not reached; counts only for an aggregate viewer."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ansinh.core.models import AuditEvent
from ansinh.programmes.hooks import months_before
from ansinh.programmes.selectors import left_behind
from ansinh.registry.models import Need, NeedCategory, Person

from .conftest import _person, add_category
from .helpers import approved_round, deliver


@pytest.fixture
def reached_world(personas, staff, leader, world):
    today = timezone.localdate()
    # Not counted: sensitive category only, a closed category, a person who moved away.
    hidden = _person(personas.hoankiem, born=today.replace(year=1980), poor=False, name="Ẩn")
    add_category(hidden, "NGUOI_NHIEM_HIV")
    closed = _person(personas.hoankiem, born=today.replace(year=1980), poor=False, name="Đã xong")
    add_category(closed, "PN_KHUYET_TAT", until=months_before(today, 1))
    moved = _person(personas.hoankiem, born=today.replace(year=1950), name="Chuyển đi")
    moved.status = Person.Status.MOVED
    moved.save(update_fields=["status"])
    Need.objects.create(
        person=world.hk_young,
        category=NeedCategory.objects.get(code="VIEC_LAM"),
        opened_on=today,
    )
    round_ = approved_round(personas, staff, leader, rule='household_has("HO_NGHEO")')
    deliver(personas.officer_hoankiem, round_.entitlements.get(person=world.hk_old[0]))
    deliver(
        personas.officer_donganh,
        round_.entitlements.get(person=world.da_old[0]),
        on=months_before(today, 14),
    )
    return world


def test_counts_for_the_city(personas, reached_world):
    figures = left_behind(people=Person.objects.all(), today=timezone.localdate(), months=12)
    assert (figures.total, figures.reached, figures.unreached) == (7, 1, 6)
    assert [(r["name"], r["total"], r["reached"]) for r in figures.by_commune] == [
        ("Phường Hoàn Kiếm", 5, 1),
        ("Xã Đông Anh", 2, 0),
    ]
    assert [(r["code"], r["total"], r["reached"]) for r in figures.by_category] == [
        ("HO_NGHEO", 6, 1),
        ("PN_KHUYET_TAT", 1, 0),
    ]
    qua_tet = next(r for r in figures.by_programme if r["code"] == "QUA_TET")
    assert (qua_tet["total"], qua_tet["reached"], qua_tet["share"]) == (7, 1, 14.3)
    ever = left_behind(people=Person.objects.all(), today=timezone.localdate(), months=0)
    assert (ever.total, ever.reached) == (7, 2)


def test_officer_sees_her_commune_and_the_people_left(personas, client_for, reached_world):
    world = reached_world
    response = client_for(personas.officer_hoankiem).get(reverse("programmes:left_behind"))
    figures = response.context["figures"]
    assert (figures.total, figures.reached) == (5, 1)
    people = list(response.context["page"])
    assert sorted(p.full_name for p in people) == sorted(
        ["Cụ Hoàn Kiếm 1", "Cụ Hoàn Kiếm 2", "Chị Trẻ", "Bà Khá"]
    )
    young = next(p for p in people if p.pk == world.hk_young.pk)
    assert [n.category.code for n in young.open_needs_list] == ["VIEC_LAM"]
    assert "Ẩn" not in response.content.decode()


def test_left_behind_export_is_audited(personas, client_for, reached_world):
    response = client_for(personas.officer_donganh).get(
        reverse("programmes:left_behind"), {"export": "xlsx", "months": "12"}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Cụ Đông Anh 0", "Cụ Đông Anh 1"]
    assert (
        AuditEvent.objects.get(action="export", object_type="programmes.left_behind").changes[
            "count"
        ]
        == 2
    )


def test_aggregate_viewer_sees_counts_never_names(personas, client_for, reached_world):
    response = client_for(personas.aggregate_viewer).get(reverse("programmes:left_behind"))
    assert response.status_code == 200
    assert (response.context["figures"].total, response.context["can_list"]) == (7, False)
    assert "page" not in response.context
    assert "Cụ Hoàn Kiếm 1" not in response.content.decode()
    export = client_for(personas.aggregate_viewer).get(
        reverse("programmes:left_behind"), {"export": "xlsx"}
    )
    assert export["Content-Type"].startswith("text/html")
