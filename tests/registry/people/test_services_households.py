"""household_register / household_update / person_add_to_household: every rule and how it
breaks (nothing written then)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.geo.models import Locality
from ansinh.org.models import UnionUnit
from ansinh.registry.models import (
    Household,
    Need,
    Person,
    PersonStatusChange,
    PersonVulnerability,
)
from ansinh.registry.services import (
    MemberData,
    household_register,
    household_update,
    person_add_to_household,
)

from ...factories import UnionUnitFactory
from .conftest import MOTHER_CCCD, family_members


def _nothing_written():
    assert Household.objects.count() == 0
    assert Person.objects.count() == 0
    assert PersonStatusChange.objects.count() == 0
    assert AuditEvent.objects.filter(object_type__startswith="registry.").count() == 0


def _register(personas, members, **kwargs):
    values = {
        "user": personas.officer_hoankiem,
        "unit": personas.hoankiem,
        "address_line": "Số 5 phố Hàng Bạc",
        "poverty_status": "none",
        "members": members,
    }
    values.update(kwargs)
    return household_register(**values)


def test_registers_a_single_mother_and_two_children(personas):
    household = _register(
        personas,
        family_members(full_name="  Nguyễn   Thị\u0020Hoa\u0300 "),  # NFD tone mark, spaces
        poverty_status="near_poor",
        poverty_standard="2022-2025",
        poverty_year=2024,
    )

    assert household.unit == personas.hoankiem
    assert household.scope_path == personas.hoankiem.path
    assert household.commune == personas.hoankiem.admin_unit
    assert household.created_by == personas.officer_hoankiem
    people = list(household.members.order_by("id"))
    assert [p.full_name for p in people] == ["Nguyễn Thị Hoà", "Trần Thị Mai", "Trần Văn Nam"]
    mother, daughter, son = people
    assert mother.name_folded == "nguyen thi hoa"
    assert mother.phone == "+84912345678"
    assert mother.citizen_id == MOTHER_CCCD
    assert mother.birth_year == 1990
    assert son.birth_date is None and son.birth_year == 2016
    assert {p.scope_path for p in people} == {personas.hoankiem.path}
    assert {p.unit_id for p in people} == {personas.hoankiem.pk}
    assert list(
        PersonStatusChange.objects.filter(person__household=household).values_list(
            "status", flat=True
        )
    ) == ["active", "active", "active"]
    link = PersonVulnerability.objects.get()
    assert (link.person, link.category.code) == (mother, "PN_DON_THAN_NUOI_CON")
    assert link.verified_by == personas.officer_hoankiem
    assert Need.objects.get().person == mother
    creates = AuditEvent.objects.filter(action="create")
    assert creates.filter(object_type="registry.household").count() == 1
    assert creates.filter(object_type="registry.person").count() == 3
    person_event = creates.get(object_type="registry.person", object_id=str(mother.pk))
    assert person_event.changes["full_name"] == [None, "Nguyễn Thị Hoà"]
    assert person_event.scope_path == personas.hoankiem.path


def test_a_branch_registers_in_its_parents_commune_and_locality(personas):
    locality = Locality.objects.create(
        commune=personas.hoankiem.admin_unit, kind="to_dan_pho", name="Tổ 5"
    )
    branch = UnionUnitFactory(
        kind=UnionUnit.Kind.BRANCH, parent=personas.hoankiem, locality=locality, admin_unit=None
    )

    household = _register(personas, family_members(), unit=branch)

    assert household.commune == personas.hoankiem.admin_unit
    assert household.locality == locality
    assert household.scope_path == branch.path


def test_no_member_is_refused(personas):
    with pytest.raises(ValidationError) as error:
        _register(personas, [])
    assert error.value.message_dict == {"members": ["Hộ phải có ít nhất một thành viên."]}
    _nothing_written()


def test_no_head_is_refused(personas):
    members = family_members(relation=Person.Relation.PARENT)
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert error.value.message_dict["members"] == ["Hộ phải có đúng một chủ hộ (đang có 0)."]
    _nothing_written()


def test_two_heads_are_refused(personas):
    members = family_members()
    members[1].relation = Person.Relation.HEAD
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert error.value.message_dict["members"] == ["Hộ phải có đúng một chủ hộ (đang có 2)."]
    _nothing_written()


def test_citizen_id_not_matching_sex_names_the_member_row(personas):
    members = family_members()
    members[2].citizen_id = "001316000002"  # odd 4th digit: a girl; Nam is a boy
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert error.value.message_dict == {
        "members[2].citizen_id": [
            "Thành viên thứ 3 (Trần Văn Nam): Chữ số thứ 4 của số CCCD là “3” (giới tính nữ), "
            "không khớp giới tính nam."
        ]
    }
    _nothing_written()


def test_citizen_id_already_registered_is_refused(personas, family):
    before = Person.objects.count()
    members = [
        MemberData(
            full_name="Phạm Thị Hương",
            sex="F",
            birth_year=1990,
            citizen_id=MOTHER_CCCD,
        )
    ]
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert error.value.message_dict == {
        "members[0].citizen_id": [
            "Thành viên thứ 1 (Phạm Thị Hương): Số CCCD 001190012345 đã có trong hồ sơ của "
            "một người khác."
        ]
    }
    assert Person.objects.count() == before


def test_the_same_citizen_id_twice_in_one_household_is_refused(personas):
    members = family_members()
    members[1].citizen_id = MOTHER_CCCD
    members[1].birth_date = dt.date(1990, 1, 1)
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert error.value.message_dict == {
        "members[1].citizen_id": [
            "Thành viên thứ 2 (Trần Thị Mai): Số CCCD trùng với thành viên thứ 1."
        ]
    }
    _nothing_written()


def test_record_number_is_unique_within_the_unit(personas, family):
    members = [
        MemberData(full_name="Phạm Thị Hương", sex="F", birth_year=1980, record_number="HK-001")
    ]
    Person.objects.filter(relation="head").update(record_number="HK-001")
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert list(error.value.message_dict) == ["members[0].record_number"]
    # Another unit may use the same number.
    household_register(
        user=personas.officer_donganh,
        unit=personas.donganh,
        address_line="",
        poverty_status="none",
        members=members,
    )
    assert Person.objects.filter(record_number="HK-001").count() == 2


def test_every_problem_is_reported_at_once(personas):
    members = [
        MemberData(full_name="", sex="", birth_year=None, phone="12ab"),
        MemberData(full_name="Trần Thị Mai", sex="F", birth_date=dt.date(2999, 1, 1)),
    ]
    with pytest.raises(ValidationError) as error:
        _register(personas, members, poverty_status="none", poverty_year=2024)
    assert sorted(error.value.message_dict) == [
        "members",
        "members[0].birth_year",
        "members[0].full_name",
        "members[0].phone",
        "members[0].sex",
        "members[1].birth_date",
        "poverty_status",
    ]
    _nothing_written()


def test_unit_out_of_scope_is_404_and_nothing_written(personas):
    with pytest.raises(OutOfScope):
        _register(personas, family_members(), unit=personas.donganh)
    _nothing_written()


def test_aggregate_viewer_cannot_register(personas):
    with pytest.raises(OutOfScope):
        _register(personas, family_members(), user=personas.aggregate_viewer)
    _nothing_written()


def test_commune_must_be_the_units(personas):
    with pytest.raises(ValidationError) as error:
        _register(personas, family_members(), commune=personas.donganh.admin_unit)
    assert error.value.message_dict["commune"] == [
        "Xã/phường Xã Đông Anh không thuộc đơn vị Hội LHPN Phường Hoàn Kiếm (Phường Hoàn Kiếm)."
    ]
    _nothing_written()


def test_sensitive_category_needs_the_sensitive_permission(personas):
    members = family_members(vulnerabilities=["PN_BI_BAO_LUC_GIOI"])
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert error.value.message_dict["members[0].vulnerabilities"] == [
        "Thành viên thứ 1 (Nguyễn Thị Hoà): Bạn không có quyền ghi nhận diện nhạy cảm "
        "“Phụ nữ bị bạo lực trên cơ sở giới”."
    ]
    _nothing_written()

    household = _register(personas, members, user=personas.city_admin)
    assert household.members.get(relation="head").vulnerabilities.get().category.is_sensitive


def test_unknown_category_code_is_refused(personas):
    members = family_members(needs=["KHONG_CO"])
    with pytest.raises(ValidationError) as error:
        _register(personas, members)
    assert error.value.message_dict == {
        "members[0].needs": [
            "Thành viên thứ 1 (Nguyễn Thị Hoà): Không có mã “KHONG_CO” trong danh mục."
        ]
    }


def test_household_update_audits_before_and_after(personas, family):
    household_update(
        user=personas.officer_hoankiem, household=family, poverty_status="poor", poverty_year=2025
    )

    family.refresh_from_db()
    assert (family.poverty_status, family.poverty_year) == ("poor", 2025)
    event = AuditEvent.objects.get(action="update", object_type="registry.household")
    assert event.changes == {"poverty_status": ["near_poor", "poor"], "poverty_year": [2024, 2025]}


def test_household_update_out_of_scope_changes_nothing(personas, family):
    with pytest.raises(OutOfScope):
        household_update(user=personas.officer_donganh, household=family, address_line="Khác")
    family.refresh_from_db()
    assert family.address_line == "Số 5 phố Hàng Bạc"


def test_add_member_never_a_second_head(personas, family):
    with pytest.raises(ValidationError) as error:
        person_add_to_household(
            user=personas.officer_hoankiem,
            household=family,
            member=MemberData(full_name="Trần Văn Ba", sex="M", birth_year=1960),
        )
    assert error.value.message_dict == {
        "relation": ["Hộ đã có chủ hộ; chọn quan hệ khác với chủ hộ."]
    }
    person = person_add_to_household(
        user=personas.officer_hoankiem,
        household=family,
        member=MemberData(full_name="Trần Văn Ba", sex="M", birth_year=1960, relation="parent"),
    )
    assert family.members.count() == 4
    assert person.scope_path == family.scope_path
    assert person.status_changes.get().status == "active"
