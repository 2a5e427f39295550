"""The real plan (../shared/seed), when it is present: its structure and department tasks."""

import datetime as dt

import pytest

from ansinh.plans.models import PlanAssignment
from ansinh.plans.services import plan_load


def test_real_plan_sections(personas, departments, real_plan_path):
    plan = plan_load(path=real_plan_path, city=personas.city)

    assert plan.issued_on == dt.date(2024, 6, 5)
    assert plan.issued_place == "Hà Nội"
    assert plan.issuer == "Ban Thường vụ Hội LHPN Hà Nội"
    assert plan.title.startswith("Thực hiện Chương trình hành động số 32-CTr/TU")
    assert plan.signer == "Lê Thị Thiên Hương"
    titles = dict(plan.sections.filter(level__lte=2).values_list("code", "title"))
    assert [code for code in titles if "." not in code] == ["I", "II", "III"]
    assert titles["I"] == "MỤC ĐÍCH, YÊU CẦU"
    assert titles["II"] == "NHIỆM VỤ, GIẢI PHÁP"
    assert titles["III"] == "TỔ CHỨC THỰC HIỆN"
    assert [code for code in titles if code.startswith("II.")] == [
        "II.1", "II.2", "II.3", "II.4",
    ]  # fmt: skip
    assert titles["II.1"] == (
        "Công tác tuyên truyền, giáo dục, nâng cao nhận thức cán bộ, hội viên, phụ nữ"
    )
    assert titles["II.4"] == "Đẩy mạnh hợp tác và khai thác nguồn lực xã hội hóa"
    assert titles["III.1"] == "Hội Liên hiệp phụ nữ thành phố Hà Nội"
    assert titles["III.2"] == "Hội LHPN các quận, huyện, thị xã và đơn vị trực thuộc"
    assert [code for code in titles if code.startswith("I.")] == ["I.1", "I.2", "I.3"]
    footnotes = plan.sections.get(code="II.2").footnotes.splitlines()
    assert [line[:1] for line in footnotes] == ["¹", "²", "³"]
    assert "Tăng cường khai thác các nguồn vốn vay" in plan.sections.get(code="II.2").body


def test_real_plan_department_tasks(personas, departments, real_plan_path):
    plan = plan_load(path=real_plan_path, city=personas.city)

    tasks = list(
        PlanAssignment.objects.filter(section__plan=plan, section__code="III.1").select_related(
            "department"
        )
    )
    named = [(t.department.code, t.role) for t in tasks if t.department]
    assert named == [
        ("gia-dinh-xa-hoi", "lead"),
        ("tuyen-giao", "lead"),
        ("ho-tro-phu-nu-phat-trien-kinh-te", "lead"),
        ("chinh-sach-luat-phap", "lead"),
        ("trung-tam-gdnn", "cooperate"),
        ("bao-phu-nu-thu-do", "lead"),
    ]
    assert [t.unit_name for t in tasks if t.department is None] == ["Các ban, đơn vị khác"]
    assert PlanAssignment.objects.filter(section__plan=plan, section__code="III.2").count() == 3


def test_real_plan_with_the_org_departments_seed(personas, real_plan_path):
    """With the departments the org app seeds, the six named departments are all matched."""
    org_services = pytest.importorskip("ansinh.org.services")
    if not hasattr(org_services, "departments_seed"):
        pytest.skip("org.services.departments_seed is not there yet")
    org_services.departments_seed(city=personas.city)

    plan = plan_load(path=real_plan_path, city=personas.city)

    codes = list(
        PlanAssignment.objects.filter(
            section__plan=plan, section__code="III.1", department__isnull=False
        ).values_list("department__code", flat=True)
    )
    assert codes == [
        "gia-dinh-xa-hoi",
        "tuyen-giao",
        "ho-tro-phu-nu-phat-trien-kinh-te",
        "chinh-sach-luat-phap",
        "trung-tam-gdnn",
        "bao-phu-nu-thu-do",
    ]
