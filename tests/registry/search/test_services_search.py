import datetime as dt

import pytest

from ansinh.registry.models import Household, Person, PersonVulnerability, VulnerabilityCategory
from ansinh.registry.search import PersonFilters, edits1, person_search

from .conftest import make_person


def names(queryset):
    return [p.full_name for p in queryset]


@pytest.mark.parametrize("query", ["nguyen thi hoa", "Nguyễn Thị Hoà", "nguyen thi hao"])
def test_three_spellings_find_hoa_and_not_unrelated_names(personas, people, query):
    found = names(person_search(user=personas.officer_hoankiem, query=query))
    assert found[0] == "Nguyễn Thị Hòa"
    assert "Trần Văn Nam" not in found
    assert "Nguyễn Thị Lan" not in found
    assert "Lê Minh Anh" not in found


def test_exact_spelling_ranks_first(personas, people):
    make_person(personas.hoankiem, "Nguyễn Thị Hảo")
    found = names(person_search(user=personas.officer_hoankiem, query="nguyen thi hao"))
    assert found == ["Nguyễn Thị Hảo", "Nguyễn Thị Hòa"]


def test_missing_middle_name_and_prefix_of_last_syllable(personas, people):
    assert names(person_search(user=personas.officer_hoankiem, query="nguyen hoa")) == [
        "Nguyễn Thị Hòa"
    ]
    assert names(person_search(user=personas.officer_hoankiem, query="nguyen thi l")) == [
        "Nguyễn Thị Lan"
    ]


def test_name_found_after_later_insert_and_rename(personas, people):
    person = make_person(personas.hoankiem, "Phùng Thị Khuê")
    assert names(person_search(user=personas.officer_hoankiem, query="phung thi khue")) == [
        "Phùng Thị Khuê"
    ]
    Person.objects.filter(pk=person.pk).update(
        full_name="Phùng Thị Quế", name_folded="phung thi que"
    )
    assert names(person_search(user=personas.officer_hoankiem, query="phung thi khue")) == []
    assert names(person_search(user=personas.officer_hoankiem, query="phung thi qeu")) == [
        "Phùng Thị Quế"
    ]


@pytest.mark.parametrize(
    "query", ["001185012345", "001 185 012 345", "001.185.012.345", "01185012345"]
)
def test_citizen_id_in_any_written_form(personas, people, query):
    assert names(person_search(user=personas.officer_hoankiem, query=query)) == ["Nguyễn Thị Hòa"]


@pytest.mark.parametrize("query", ["0912345678", "0912 345 678", "0912.345.678", "+84912345678"])
def test_phone_in_any_written_form(personas, people, query):
    assert names(person_search(user=personas.officer_hoankiem, query=query)) == ["Nguyễn Thị Hòa"]


def test_unknown_number_finds_nothing(personas, people):
    assert names(person_search(user=personas.city_admin, query="0999 999 999")) == []
    assert names(person_search(user=personas.city_admin, query="001185012346")) == []


def test_scope_officer_never_sees_other_commune(personas, people):
    assert names(person_search(user=personas.officer_hoankiem, query="0987654321")) == []
    assert "Nguyễn Thị Hoà" not in names(
        person_search(user=personas.officer_hoankiem, query="nguyen thi hoa")
    )
    assert names(person_search(user=personas.officer_donganh, query="nguyen thi hoa")) == [
        "Nguyễn Thị Hoà"
    ]
    assert sorted(names(person_search(user=personas.city_admin, query="nguyen thi hoa"))) == [
        "Nguyễn Thị Hoà",
        "Nguyễn Thị Hòa",
    ]
    assert names(person_search(user=personas.aggregate_viewer, query="nguyen")) == []


def test_filter_unit(personas, people):
    by_unit = person_search(
        user=personas.city_admin, filters=PersonFilters(unit_id=personas.donganh.pk)
    )
    assert names(by_unit) == ["Nguyễn Thị Hoà"]


def test_filter_sex_age_poverty_need_status(personas, people):
    admin = personas.city_admin
    assert names(person_search(user=admin, filters=PersonFilters(sex=Person.Sex.MALE))) == [
        "Trần Văn Nam"
    ]
    assert names(person_search(user=admin, filters=PersonFilters(age_band="0-5"))) == [
        "Lê Minh Anh"
    ]
    assert len(names(person_search(user=admin, filters=PersonFilters(age_band="18-59")))) == 4
    assert names(person_search(user=admin, filters=PersonFilters(age_band="60+"))) == []
    assert names(
        person_search(user=admin, filters=PersonFilters(poverty=Household.Poverty.POOR))
    ) == ["Nguyễn Thị Hòa"]
    assert names(person_search(user=admin, filters=PersonFilters(need="VON"))) == ["Nguyễn Thị Lan"]
    Person.objects.filter(pk=people["nam"].pk).update(status=Person.Status.MOVED)
    assert "Trần Văn Nam" not in names(person_search(user=admin))
    assert names(person_search(user=admin, filters=PersonFilters(status="moved"))) == [
        "Trần Văn Nam"
    ]


def test_age_band_birthday_edges(personas):
    today = dt.date.today()
    six_today = (
        today.replace(year=today.year - 6) if not (today.month == 2 and today.day == 29) else None
    )
    if six_today is None:
        pytest.skip("29 February")
    make_person(personas.hoankiem, "Đỗ Thị Sáu", birth_date=six_today)
    make_person(personas.hoankiem, "Đỗ Thị Năm", birth_date=six_today + dt.timedelta(days=1))
    admin = personas.city_admin
    assert names(person_search(user=admin, filters=PersonFilters(age_band="6-15"))) == [
        "Đỗ Thị Sáu"
    ]
    assert names(person_search(user=admin, filters=PersonFilters(age_band="0-5"))) == ["Đỗ Thị Năm"]


def test_filter_category_open_only(personas, people):
    admin = personas.city_admin
    assert names(
        person_search(user=admin, filters=PersonFilters(category="PN_DON_THAN_NUOI_CON"))
    ) == ["Nguyễn Thị Hòa"]
    PersonVulnerability.objects.filter(person=people["hoa"]).update(until=dt.date(2020, 1, 1))
    assert (
        names(person_search(user=admin, filters=PersonFilters(category="PN_DON_THAN_NUOI_CON")))
        == []
    )
    assert names(person_search(user=admin, filters=PersonFilters(category="NO_SUCH"))) == []


def test_sensitive_category_filters_to_nothing_without_permission(personas, people):
    filters = PersonFilters(category="PN_BI_BAO_LUC_GIOI")
    assert names(person_search(user=personas.officer_hoankiem, filters=filters)) == []
    assert names(person_search(user=personas.case_worker, filters=filters)) == ["Nguyễn Thị Lan"]
    assert VulnerabilityCategory.objects.get(code="PN_BI_BAO_LUC_GIOI").is_sensitive


def test_edits1_is_one_edit():
    variants = edits1("hoa")
    assert {"hao", "ho", "hoai", "hoa"} & variants == {"hao", "ho", "hoai"}
    assert "hoang" not in variants
