import pytest
from django.core.exceptions import ValidationError

from ansinh.core.models import AuditEvent
from ansinh.org.models import Department
from ansinh.org.services import departments_seed, union_tree_generate

from .conftest import union

EXPECTED = [
    ("gia-dinh-xa-hoi", "Ban Gia đình xã hội", "department"),
    ("tuyen-giao", "Ban Tuyên giáo", "department"),
    ("ho-tro-phu-nu-phat-trien-kinh-te", "Ban Hỗ trợ phụ nữ phát triển kinh tế", "department"),
    ("chinh-sach-luat-phap", "Ban Chính sách - luật pháp", "department"),
    (
        "trung-tam-gdnn",
        "Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ Hà Nội",
        "centre",
    ),
    ("bao-phu-nu-thu-do", "Báo Phụ nữ Thủ đô", "newspaper"),
    ("van-phong", "Văn phòng", "office"),
    ("uy-ban-kiem-tra", "Ủy ban kiểm tra", "inspection"),
]


def test_seed_creates_the_plan_departments_in_order(geo_units):
    union_tree_generate(province_code="01")
    city = union(geo_units.province)

    departments = departments_seed(city=city)

    assert [(d.code, d.name, d.kind) for d in departments] == EXPECTED
    rows = Department.objects.filter(union=city).order_by("order")
    assert [(d.order, d.code) for d in rows] == [(i, e[0]) for i, e in enumerate(EXPECTED, 1)]
    assert AuditEvent.objects.filter(object_type="org.department", action="create").count() == 8


def test_seed_twice_creates_them_once(geo_units):
    union_tree_generate(province_code="01")
    city = union(geo_units.province)
    departments_seed(city=city)
    first = list(Department.objects.values_list("pk", "code", "name"))

    again = departments_seed(city=city)

    assert list(Department.objects.values_list("pk", "code", "name")) == first
    assert [d.pk for d in again] == [pk for pk, _code, _name in first]
    assert AuditEvent.objects.filter(object_type="org.department").count() == 8


def test_seed_refuses_a_commune_union(personas):
    with pytest.raises(ValidationError):
        departments_seed(city=personas.hoankiem)

    assert Department.objects.count() == 0
