"""The real plan (../shared/seed) turned into tasks for the city's departments and for 126
commune unions: set-based (a bounded number of queries) and idempotent."""

import pytest

from ansinh.org.models import UnionUnit
from ansinh.plans.models import Task
from ansinh.plans.services import plan_load, plan_tasks_generate

III_1_DEPARTMENTS = [
    "gia-dinh-xa-hoi",
    "tuyen-giao",
    "ho-tro-phu-nu-phat-trien-kinh-te",
    "chinh-sach-luat-phap",
    "trung-tam-gdnn",
    "bao-phu-nu-thu-do",
]


@pytest.fixture
def communes_126(personas):
    """The two persona communes and 124 more: Hanoi's 126 communes and wards after 7/2025."""
    UnionUnit.objects.bulk_create(
        UnionUnit(
            kind=UnionUnit.Kind.COMMUNE,
            code=f"9{n:04d}",
            name=f"Hội LHPN Xã Thử {n}",
            parent=personas.city,
            path=f"{personas.city.path}x{n}/",
        )
        for n in range(124)
    )
    assert UnionUnit.objects.filter(kind=UnionUnit.Kind.COMMUNE).count() == 126


def test_real_plan_tasks_for_six_departments_and_126_communes(
    personas, departments, real_plan_path, communes_126, django_assert_max_num_queries
):
    plan = plan_load(path=real_plan_path, city=personas.city)

    with django_assert_max_num_queries(12):
        created = plan_tasks_generate(plan=plan)

    # Six named departments in III.1 ("Các ban, đơn vị khác" names none); three bullets of
    # III.2 for each of the 126 commune unions.
    assert created == 6 + 3 * 126
    codes = list(
        Task.objects.filter(plan=plan, section__code="III.1")
        .order_by("assignment__order")
        .values_list("lead_department__code", flat=True)
    )
    assert codes == III_1_DEPARTMENTS
    per_commune = Task.objects.filter(plan=plan, section__code="III.2").values("unit").distinct()
    assert per_commune.count() == 126
    assert Task.objects.filter(plan=plan, unit=personas.hoankiem).count() == 3

    with django_assert_max_num_queries(6):
        assert plan_tasks_generate(plan=plan) == 0
    assert Task.objects.filter(plan=plan).count() == 384
