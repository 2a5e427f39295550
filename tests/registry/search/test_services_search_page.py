"""The list page's reader (`search_page`) and its lazy count (`search_count`)."""

import pytest

from ansinh.registry import search
from ansinh.registry.search import PersonFilters, person_search, search_count, search_page

from .conftest import make_person


def names(rows):
    return [person.full_name for person in rows]


@pytest.fixture
def many_hao(personas, people):
    """55 exact "Nguyễn Thị Hảo" beside Hòa (Hoàn Kiếm): the typed spelling fills a page."""
    return [make_person(personas.hoankiem, "Nguyễn Thị Hảo") for _ in range(55)]


@pytest.mark.parametrize("persona", ["city_admin", "officer_hoankiem"])
def test_exact_matches_fill_the_page_and_typo_variants_are_offered(personas, many_hao, persona):
    user = getattr(personas, persona)
    page = search_page(user=user, query="nguyen thi hao")
    assert names(page.rows) == ["Nguyễn Thị Hảo"] * 50
    assert page.has_next
    assert page.count is None  # not counted while rendering
    assert page.near_available and not page.near
    second = search_page(user=user, query="nguyen thi hao", page=2)
    assert names(second.rows) == ["Nguyễn Thị Hảo"] * 5
    assert not second.has_next
    assert second.count == 55
    counted = search_count(user=user, query="nguyen thi hao")
    assert (counted.count, counted.is_capped) == (55, False)
    # Hòa in Hoàn Kiếm; the admin also sees Đông Anh's Hoà.
    assert counted.near_count == (2 if persona == "city_admin" else 1)


def test_expanded_query_lists_typo_variants_after_the_exact_matches(personas, many_hao):
    user = personas.officer_hoankiem
    first = search_page(user=user, query="nguyen thi hao", near=True)
    assert first.near and not first.near_available
    assert names(first.rows) == ["Nguyễn Thị Hảo"] * 50
    second = search_page(user=user, query="nguyen thi hao", near=True, page=2)
    assert names(second.rows) == ["Nguyễn Thị Hảo"] * 5 + ["Nguyễn Thị Hòa"]
    assert second.count == 56
    assert search_count(user=user, query="nguyen thi hao", near=True).count == 56
    expanded = names(person_search(user=user, query="nguyen thi hao", near=True))
    assert expanded == ["Nguyễn Thị Hảo"] * 55 + ["Nguyễn Thị Hòa"]
    assert "Nguyễn Thị Hòa" not in names(person_search(user=user, query="nguyen thi hao"))


def test_few_exact_matches_bring_the_variants_in_without_asking(personas, people):
    make_person(personas.hoankiem, "Nguyễn Thị Hảo")
    page = search_page(user=personas.officer_hoankiem, query="nguyen thi hao")
    assert names(page.rows) == ["Nguyễn Thị Hảo", "Nguyễn Thị Hòa"]
    assert page.near and not page.near_available
    assert (page.count, page.has_next) == (2, False)


@pytest.mark.parametrize("persona", ["city_admin", "officer_hoankiem"])
@pytest.mark.parametrize("query", ["nguyen thi", "nguyen", "thi hoa", "nguyen thi hao", ""])
def test_pages_follow_the_ranked_queryset_order(personas, people, persona, query):
    """The page reader (names walked in rank order) agrees with the ranked queryset."""
    for name in [
        "Nguyễn Thị Hảo",
        "Nguyễn Thị Hảo",
        "Nguyễn Thị Hoa",
        "Nguyễn Hoa",
        "Trần Nguyễn Thị Hoa",
        "Nguyễn Thị Thu Hà",
        "Nguyễn Văn Thi",
        "Lê Thị Hoà",
    ]:
        make_person(personas.hoankiem, name)
        make_person(personas.donganh, name)
    user = getattr(personas, persona)
    expected = [p.pk for p in person_search(user=user, query=query, near=True)]
    if query == "":
        expected = [p.pk for p in person_search(user=user)]
    got = []
    number = 1
    while True:
        page = search_page(user=user, query=query, page=number, per_page=3, near=True)
        got += [p.pk for p in page.rows]
        if not page.has_next:
            assert page.count == len(expected)
            break
        number += 1
    assert got == expected


def test_count_is_capped(personas, people, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    counted = search_count(user=personas.city_admin, query="nguyen")
    assert (counted.count, counted.is_capped) == (2, True)
    counted = search_count(user=personas.city_admin, query="tran van nam")
    assert (counted.count, counted.is_capped) == (1, False)


def test_page_respects_filters_and_scope(personas, people):
    page = search_page(
        user=personas.city_admin,
        query="nguyen thi hoa",
        filters=PersonFilters(unit_id=personas.donganh.pk),
    )
    assert names(page.rows) == ["Nguyễn Thị Hoà"]
    assert names(search_page(user=personas.officer_donganh, query="nguyen thi hoa").rows) == [
        "Nguyễn Thị Hoà"
    ]
    assert search_page(user=personas.aggregate_viewer, query="nguyen").rows == []


def test_number_query_and_past_the_end(personas, people):
    page = search_page(user=personas.officer_hoankiem, query="0912 345 678")
    assert names(page.rows) == ["Nguyễn Thị Hòa"]
    assert page.count == 1
    beyond = search_page(user=personas.officer_hoankiem, query="nguyen", page=9)
    assert beyond.rows == [] and beyond.count is None and not beyond.has_next


def test_city_wide_page_applies_the_other_filters(personas, people):
    admin = personas.city_admin
    by_category = PersonFilters(category="PN_DON_THAN_NUOI_CON")
    assert names(search_page(user=admin, query="nguyen", filters=by_category).rows) == [
        "Nguyễn Thị Hòa"
    ]
    by_need = PersonFilters(need="VON")
    assert names(search_page(user=admin, query="nguyen thi", filters=by_need).rows) == [
        "Nguyễn Thị Lan"
    ]
    sensitive = PersonFilters(category="PN_BI_BAO_LUC_GIOI")
    assert search_page(user=personas.officer_hoankiem, query="lan", filters=sensitive).rows == []
    assert names(search_page(user=personas.case_worker, query="lan", filters=sensitive).rows) == [
        "Nguyễn Thị Lan"
    ]
