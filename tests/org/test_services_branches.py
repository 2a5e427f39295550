import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ansinh.core.models import AuditEvent
from ansinh.core.scoping import OutOfScope
from ansinh.geo.models import Locality
from ansinh.org.models import UnionUnit
from ansinh.org.services import affiliated_create, branch_close, branch_create, branch_update

Kind = UnionUnit.Kind


def counts():
    return (UnionUnit.objects.count(), Locality.objects.count(), AuditEvent.objects.count())


def test_officer_adds_a_branch_for_a_village(personas):
    branch = branch_create(
        user=personas.officer_hoankiem,
        parent=personas.hoankiem,
        locality_kind=Locality.Kind.RESIDENTIAL_GROUP,
        locality_name="số 5",
    )

    branch.refresh_from_db()
    assert (branch.kind, branch.code, branch.name) == (
        Kind.BRANCH,
        "00070-01",
        "Chi hội Tổ dân phố số 5",
    )
    assert branch.path == f"{personas.hoankiem.path}{branch.pk}/"
    assert branch.valid_from == timezone.localdate()
    assert branch.admin_unit_id == personas.hoankiem.admin_unit_id
    locality = branch.locality
    assert (locality.commune_id, locality.kind, locality.name) == (
        personas.hoankiem.admin_unit_id,
        "to_dan_pho",
        "Tổ dân phố số 5",
    )
    events = AuditEvent.objects.filter(action="create").order_by("id")
    assert [(e.object_type, e.actor_id) for e in events] == [
        ("geo.locality", personas.officer_hoankiem.pk),
        ("org.unionunit", personas.officer_hoankiem.pk),
    ]
    assert events[1].scope_path == branch.path


def test_branch_codes_count_up_and_reuse_a_known_locality(personas):
    Locality.objects.create(
        commune=personas.hoankiem.admin_unit, kind=Locality.Kind.VILLAGE, name="Thôn Đoài"
    )
    first = branch_create(
        user=personas.officer_hoankiem,
        parent=personas.hoankiem,
        locality_kind=Locality.Kind.VILLAGE,
        locality_name="Thôn Đông",
    )
    second = branch_create(
        user=personas.officer_hoankiem,
        parent=personas.hoankiem,
        locality_kind=Locality.Kind.VILLAGE,
        locality_name="thon doai",
        name="Chi hội số 2",
    )

    assert (first.code, second.code) == ("00070-01", "00070-02")
    assert second.locality.name == "Thôn Đoài"
    assert second.name == "Chi hội số 2"
    assert Locality.objects.count() == 2


def test_duplicate_branch_name_is_refused_in_vietnamese(personas):
    branch_create(
        user=personas.officer_hoankiem,
        parent=personas.hoankiem,
        locality_kind=Locality.Kind.VILLAGE,
        locality_name="Thôn Đoài",
    )
    before = counts()

    with pytest.raises(ValidationError) as error:
        branch_create(
            user=personas.officer_hoankiem,
            parent=personas.hoankiem,
            locality_kind=Locality.Kind.VILLAGE,
            locality_name="Thôn Đông",
            name="CHI HOI THON DOAI",
        )

    assert error.value.message_dict == {
        "name": ["Chi hội “CHI HOI THON DOAI” đã có trong Hội LHPN Phường Hoàn Kiếm."]
    }
    assert counts() == before


def test_second_branch_for_the_same_locality_is_refused(personas):
    branch_create(
        user=personas.officer_hoankiem,
        parent=personas.hoankiem,
        locality_kind=Locality.Kind.VILLAGE,
        locality_name="Thôn Đoài",
    )
    before = counts()

    with pytest.raises(ValidationError) as error:
        branch_create(
            user=personas.officer_hoankiem,
            parent=personas.hoankiem,
            locality_kind=Locality.Kind.VILLAGE,
            locality_name="Đoài",
            name="Chi hội khác",
        )

    assert error.value.message_dict == {
        "locality_name": ["Thôn Đoài đã có chi hội trong Hội LHPN Phường Hoàn Kiếm."]
    }
    assert counts() == before


def test_officer_cannot_add_a_branch_in_another_commune(personas):
    before = counts()

    with pytest.raises(OutOfScope):
        branch_create(
            user=personas.officer_hoankiem,
            parent=personas.donganh,
            locality_kind=Locality.Kind.VILLAGE,
            locality_name="Thôn Đoài",
        )

    assert counts() == before


def test_read_only_roles_cannot_add_branches(personas):
    before = counts()

    for user in (personas.aggregate_viewer, personas.inspector, personas.case_worker):
        with pytest.raises(OutOfScope):
            branch_create(
                user=user,
                parent=personas.hoankiem,
                locality_kind=Locality.Kind.VILLAGE,
                locality_name="Thôn Đoài",
            )

    assert counts() == before


def test_branch_needs_a_current_commune_union(tree, personas):
    before = counts()

    with pytest.raises(ValidationError) as error:
        branch_create(
            user=personas.city_admin,
            parent=tree.hangbac,
            locality_kind=Locality.Kind.VILLAGE,
            locality_name="Thôn Đoài",
        )

    assert error.value.messages == ["Chỉ thêm chi hội dưới Hội LHPN xã/phường đang hoạt động."]
    assert counts() == before


def test_empty_locality_name_is_refused(personas):
    with pytest.raises(ValidationError) as error:
        branch_create(
            user=personas.officer_hoankiem,
            parent=personas.hoankiem,
            locality_kind=Locality.Kind.VILLAGE,
            locality_name="   ",
        )

    assert error.value.message_dict == {"locality_name": ["Nhập tên thôn, tổ dân phố."]}
    assert UnionUnit.objects.filter(kind=Kind.BRANCH).count() == 0


@pytest.fixture
def branch(personas):
    return branch_create(
        user=personas.officer_hoankiem,
        parent=personas.hoankiem,
        locality_kind=Locality.Kind.VILLAGE,
        locality_name="Thôn Đoài",
    )


def test_update_renames_branch_and_locality_with_audit(personas, branch):
    branch_update(
        user=personas.officer_hoankiem,
        branch=branch,
        name="Chi hội Đoài Thượng",
        locality_name="Đoài Thượng",
    )

    branch.refresh_from_db()
    assert branch.name == "Chi hội Đoài Thượng"
    assert branch.name_folded == "chi hoi doai thuong"
    assert branch.locality.name == "Thôn Đoài Thượng"
    event = AuditEvent.objects.filter(action="update", object_type="org.unionunit").get()
    assert event.changes == {"name": ["Chi hội Thôn Đoài", "Chi hội Đoài Thượng"]}


def test_update_out_of_scope_changes_nothing(personas, branch):
    before = counts()

    with pytest.raises(OutOfScope):
        branch_update(user=personas.officer_donganh, branch=branch, name="Đổi tên")

    branch.refresh_from_db()
    assert branch.name == "Chi hội Thôn Đoài"
    assert counts() == before


def test_close_keeps_the_branch_with_an_end_date(personas, branch):
    branch_close(user=personas.officer_hoankiem, branch=branch, closed_on=branch.valid_from)

    branch.refresh_from_db()
    assert branch.valid_to == branch.valid_from
    assert UnionUnit.objects.filter(pk=branch.pk).exists()
    with pytest.raises(ValidationError) as error:
        branch_close(user=personas.officer_hoankiem, branch=branch)
    assert error.value.messages == ["Chi hội này đã ngừng hoạt động."]


def test_close_before_founding_is_refused(personas, branch):
    with pytest.raises(ValidationError):
        branch_close(
            user=personas.officer_hoankiem,
            branch=branch,
            closed_on=branch.valid_from - dt.timedelta(days=1),
        )

    branch.refresh_from_db()
    assert branch.valid_to is None


def test_closed_branch_frees_its_name_and_gets_a_new_code(personas, branch):
    branch_close(user=personas.officer_hoankiem, branch=branch)

    again = branch_create(
        user=personas.officer_hoankiem,
        parent=personas.hoankiem,
        locality_kind=Locality.Kind.VILLAGE,
        locality_name="Thôn Đoài",
    )

    assert again.code == "00070-02"
    assert again.locality_id == branch.locality_id


def test_city_admin_adds_an_affiliated_unit(personas):
    unit = affiliated_create(
        user=personas.city_admin,
        city=personas.city,
        code="TT-GDNN",
        name="Hội LHPN Trung tâm GDNN",
    )

    unit.refresh_from_db()
    assert (unit.kind, unit.parent_id, unit.path) == (
        Kind.AFFILIATED,
        personas.city.pk,
        f"{personas.city.path}{unit.pk}/",
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(unit.pk)).count() == 1
    with pytest.raises(ValidationError):
        affiliated_create(user=personas.city_admin, city=personas.city, code="TT-GDNN", name="X")


def test_commune_officer_cannot_add_an_affiliated_unit(personas):
    before = counts()

    with pytest.raises(OutOfScope):
        affiliated_create(
            user=personas.officer_hoankiem, city=personas.city, code="X1", name="Đơn vị X"
        )

    assert counts() == before
