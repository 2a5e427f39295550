"""Parsing and loading the synthetic plan: structure, header, tasks, NFC."""

import datetime as dt
import unicodedata

from ansinh.plans.models import Plan, PlanAssignment, PlanSection
from ansinh.plans.parsing import parse_plan
from ansinh.plans.services import department_match, plan_load

from .conftest import SYNTHETIC_PLAN, SYNTHETIC_TITLE


def test_parse_finds_every_section_with_its_code_and_title():
    parsed = parse_plan(SYNTHETIC_PLAN)

    assert [(s.code, s.level, s.title) for s in parsed.sections] == [
        ("I", 1, "MỤC ĐÍCH, YÊU CẦU"),
        ("I.1", 2, "Nâng cao nhận thức của hội viên."),
        ("I.2", 2, "Bảo đảm thiết thực, hiệu quả."),
        ("II", 1, "NHIỆM VỤ, GIẢI PHÁP"),
        ("II.1", 2, "Tuyên truyền, vận động"),
        ("II.2", 2, "Hỗ trợ sinh kế"),
        ("II.2.a", 3, "Dạy nghề"),
        ("III", 1, "TỔ CHỨC THỰC HIỆN"),
        ("III.1", 2, "Hội LHPN tỉnh"),
        ("III.2", 2, "Hội LHPN các xã, phường"),
    ]
    assert [s.parent_code for s in parsed.sections] == [
        None, "I", "I", None, "II", "II", "II.2", None, "III", "III",
    ]  # fmt: skip


def test_parse_reads_the_header_basis_closing_and_signature():
    parsed = parse_plan(SYNTHETIC_PLAN)

    assert parsed.number == "07/KH-HPN"
    assert parsed.issued_on == dt.date(2025, 3, 15)
    assert parsed.issued_place == "Thành phố Thử"
    assert parsed.issuer == "Ban Thường vụ Hội LHPN tỉnh Thử nghiệm"
    assert parsed.title == SYNTHETIC_TITLE
    assert parsed.basis == (
        "Căn cứ Nghị quyết số 01-NQ/TU ngày 01/01/2025, Ban Thường vụ Hội LHPN tỉnh Thử "
        "nghiệm xây dựng Kế hoạch như sau:"
    )
    assert parsed.closing == (
        "Ban Thường vụ Hội LHPN tỉnh Thử nghiệm đề nghị các cấp Hội nghiêm túc thực hiện."
    )
    assert parsed.recipients == "- Trung ương Hội;\n- Lưu: VT."
    assert parsed.signature == "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH\nNguyễn Thị Thử"
    assert parsed.signer == "Nguyễn Thị Thử"


def test_parse_joins_page_breaks_and_keeps_footnotes_apart():
    parsed = parse_plan(SYNTHETIC_PLAN)

    assert parsed.section("II.1").body_lines == [
        "- Tổ chức quán triệt nghị quyết tới các chi hội về trách nhiệm chăm lo phụ nữ yếu thế¹.",
        "- Đa dạng hình thức truyền thông.",
    ]
    assert parsed.section("II.1").footnotes == ["¹ Nghị quyết số 01-NQ/TU ngày 01/01/2025."]
    assert parsed.section("II.2").body_lines == [
        "- Hỗ trợ vốn vay:",
        "+ Ưu tiên hộ nghèo do phụ nữ làm chủ.",
        "+ Kết nối ngân hàng chính sách.",
    ]
    # The closing paragraph is not part of the last section.
    assert parsed.section("III.2").body_lines == [
        "- Xây dựng kế hoạch cụ thể tại địa phương.",
        "- Định kỳ báo cáo 6 tháng, 1 năm.",
    ]


def test_load_stores_the_plan_sections_and_tasks(personas, departments, plan_file):
    plan = plan_load(path=plan_file, city=personas.city)

    assert Plan.objects.count() == 1
    assert plan.number == "07/KH-HPN"
    assert plan.issued_on == dt.date(2025, 3, 15)
    assert plan.union == personas.city
    assert plan.source_name == "ke-hoach-thu.txt"
    assert plan.full_text == SYNTHETIC_PLAN.rstrip("\n")
    assert list(plan.sections.values_list("code", flat=True)) == [
        "I", "I.1", "I.2", "II", "II.1", "II.2", "II.2.a", "III", "III.1", "III.2",
    ]  # fmt: skip
    sub = PlanSection.objects.get(plan=plan, code="II.2.a")
    assert (sub.parent.code, sub.number, sub.heading, sub.anchor) == (
        "II.2",
        "a",
        "a)",
        "muc-II-2-a",
    )
    tasks = [
        (a.section.code, a.assignee_level, a.unit_name, a.department, a.role, a.text)
        for a in PlanAssignment.objects.filter(section__plan=plan)
    ]
    assert tasks == [
        (
            "III.1",
            "department",
            "Ban Gia đình xã hội",
            departments["gia-dinh-xa-hoi"],
            "lead",
            "là đầu mối chủ trì, tổng hợp báo cáo.",
        ),
        (
            "III.1",
            "department",
            "Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ tỉnh",
            departments["trung-tam-gdnn"],
            "cooperate",
            "Phối hợp mở lớp dạy nghề.",
        ),
        ("III.1", "department", "Ban Đối ngoại", None, "lead", "Vận động tài trợ quốc tế."),
        (
            "III.2",
            "units",
            "Hội LHPN các xã, phường",
            None,
            "lead",
            "Xây dựng kế hoạch cụ thể tại địa phương.",
        ),
        (
            "III.2",
            "units",
            "Hội LHPN các xã, phường",
            None,
            "lead",
            "Định kỳ báo cáo 6 tháng, 1 năm.",
        ),
    ]


def test_load_stores_decomposed_text_as_nfc(personas, tmp_path):
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", SYNTHETIC_PLAN), encoding="utf-8")

    plan = plan_load(path=path, city=personas.city)

    assert plan.title == SYNTHETIC_TITLE
    assert unicodedata.is_normalized("NFC", plan.full_text)
    assert plan.sections.get(code="I").title == "MỤC ĐÍCH, YÊU CẦU"


def test_department_match_by_folded_name(personas, departments):
    rows = list(departments.values())

    assert department_match("Ban Gia đình xã hội", rows) == departments["gia-dinh-xa-hoi"]
    assert department_match("BAN GIA DINH XA HOI", rows) == departments["gia-dinh-xa-hoi"]
    assert (
        department_match("Ban Chính sách - luật pháp", rows)
        == (departments["chinh-sach-luat-phap"])
    )
    assert (
        department_match("Trung tâm Giáo dục nghề nghiệp và hỗ trợ phát triển phụ nữ Hà Nội", rows)
        == departments["trung-tam-gdnn"]
    )
    assert department_match("Báo Phụ nữ Thủ đô", rows) == departments["bao-phu-nu-thu-do"]
    assert department_match("Ban Đối ngoại", rows) is None
    assert department_match("Các ban, đơn vị khác", rows) is None
