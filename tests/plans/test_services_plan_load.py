"""Loading is idempotent and all-or-nothing; bad files fail in Vietnamese, writing nothing."""

import pytest
from django.core.management import CommandError, call_command

from ansinh.core.models import AuditEvent
from ansinh.plans.models import Plan, PlanAssignment, PlanSection
from ansinh.plans.services import PlanLoadError, default_plan_path, plan_load

from .conftest import SYNTHETIC_PLAN


def _counts():
    return (
        Plan.objects.count(),
        PlanSection.objects.count(),
        PlanAssignment.objects.count(),
        AuditEvent.objects.filter(object_type="plans.plan").count(),
    )


def test_loading_twice_keeps_one_plan_and_the_same_sections(personas, departments, plan_file):
    first = plan_load(path=plan_file, city=personas.city)
    section_ids = dict(first.sections.values_list("code", "pk"))
    task_ids = list(PlanAssignment.objects.order_by("pk").values_list("pk", flat=True))

    second = plan_load(path=plan_file, city=personas.city)

    assert second.pk == first.pk
    assert _counts() == (1, 10, 5, 1)
    assert dict(second.sections.values_list("code", "pk")) == section_ids
    assert list(PlanAssignment.objects.order_by("pk").values_list("pk", flat=True)) == task_ids
    event = AuditEvent.objects.get(object_type="plans.plan")
    assert (event.action, event.object_id) == ("create", str(first.pk))


def test_reloading_a_changed_file_updates_in_place(personas, departments, plan_file):
    plan = plan_load(path=plan_file, city=personas.city)
    kept = plan.sections.get(code="II.1").pk
    changed = SYNTHETIC_PLAN.replace("- Đa dạng hình thức truyền thông.", "- Dùng Zalo.").replace(
        "a) Dạy nghề\n\n- Mở lớp dạy nghề ngắn hạn.\n\n", ""
    )
    plan_file.write_text(changed, encoding="utf-8")

    reloaded = plan_load(path=plan_file, city=personas.city)

    assert reloaded.pk == plan.pk
    assert Plan.objects.count() == 1
    section = reloaded.sections.get(code="II.1")
    assert section.pk == kept
    assert section.body.splitlines()[-1] == "- Dùng Zalo."
    assert not reloaded.sections.filter(code="II.2.a").exists()
    assert reloaded.sections.count() == 9
    update = AuditEvent.objects.get(object_type="plans.plan", action="update")
    assert list(update.changes) == ["source_sha256"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "Tệp kế hoạch trống."),
        ("Một văn bản bất kỳ\n\nI. MỤC A\n", "Không tìm thấy dòng “KẾ HOẠCH” mở đầu văn bản."),
        (
            "KẾ HOẠCH\n\nTrích yếu\n\nKhông có mục nào.\n",
            "Không tìm thấy mục nào đánh số La Mã (I., II., …) trong kế hoạch.",
        ),
        ("KẾ HOẠCH\n\nI. MỤC A\n", "Kế hoạch không có trích yếu sau dòng “KẾ HOẠCH”."),
        (
            "KẾ HOẠCH\n\nTrích yếu\n\nI. A\n\n1. B\n\n1. C\n",
            "Mục “I.1” xuất hiện hai lần trong kế hoạch.",
        ),
        (
            "Hà Nội, ngày 31 tháng 2 năm 2024\n\nKẾ HOẠCH\n\nTrích yếu\n\nI. A\n",
            "Ngày ban hành không hợp lệ: “Hà Nội, ngày 31 tháng 2 năm 2024”.",
        ),
    ],
)
def test_an_unparseable_file_is_refused_and_nothing_written(personas, tmp_path, content, message):
    path = tmp_path / "hong.txt"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(PlanLoadError) as error:
        plan_load(path=path, city=personas.city)

    assert str(error.value) == f"Tệp hong.txt: {message}"
    assert _counts() == (0, 0, 0, 0)


def test_a_missing_or_binary_file_is_refused(personas, tmp_path):
    with pytest.raises(PlanLoadError, match="^Không tìm thấy tệp kế hoạch: .*khong-co.txt$"):
        plan_load(path=tmp_path / "khong-co.txt")
    binary = tmp_path / "nhi-phan.txt"
    binary.write_bytes(b"KE HOACH \xff\xfe\x00")
    with pytest.raises(PlanLoadError) as error:
        plan_load(path=binary)
    assert str(error.value) == "Tệp nhi-phan.txt không phải văn bản UTF-8 (byte lỗi ở vị trí 9)."
    assert _counts() == (0, 0, 0, 0)


def test_a_broken_reload_leaves_the_loaded_plan_untouched(personas, departments, plan_file):
    plan_load(path=plan_file, city=personas.city)
    before = list(PlanSection.objects.order_by("pk").values_list("pk", "code", "title", "body"))
    plan_file.write_text(SYNTHETIC_PLAN.replace("KẾ HOẠCH", "THÔNG BÁO"), encoding="utf-8")

    with pytest.raises(PlanLoadError):
        plan_load(path=plan_file, city=personas.city)

    assert _counts() == (1, 10, 5, 1)
    assert list(PlanSection.objects.order_by("pk").values_list("pk", "code", "title", "body")) == (
        before
    )


def test_load_plan_command(personas, departments, plan_file, capsys):
    call_command("load_plan", str(plan_file))

    assert capsys.readouterr().out == (
        "Đã nạp Kế hoạch số 07/KH-HPN ngày 15/03/2025: 10 mục, 5 nhiệm vụ được giao; "
        "tạo mới 6 nhiệm vụ theo dõi (tổng 6).\n"
    )
    # A second run reloads the plan and creates no task twice.
    call_command("load_plan", str(plan_file))
    assert capsys.readouterr().out.endswith("tạo mới 0 nhiệm vụ theo dõi (tổng 6).\n")
    # Without `city`, the current union of ANSINH_PROVINCE_CODE ("01") is used.
    assert Plan.objects.get().union == personas.city


def test_load_plan_command_fails_cleanly(db, tmp_path):
    with pytest.raises(CommandError, match="^Không tìm thấy tệp kế hoạch: "):
        call_command("load_plan", str(tmp_path / "khong-co.txt"))
    assert _counts() == (0, 0, 0, 0)


def test_default_plan_path_follows_the_setting(settings, tmp_path):
    settings.ANSINH_PLAN_FILE = str(tmp_path / "kh.txt")
    assert default_plan_path() == tmp_path / "kh.txt"
    settings.ANSINH_PLAN_FILE = ""
    assert default_plan_path() == (
        settings.PROJECT_DIR.parent / "shared" / "seed" / "ke-hoach-nq42-hoi-lhpn-ha-noi.txt"
    )
