"""`ansinh rule-check "EXPRESSION" [--unit CODE]`: a count, or the error with its caret."""

import io

import pytest
from django.core.management import CommandError, call_command

from ansinh.cli import main
from ansinh.core.models import AuditEvent
from ansinh.registry.models import Person


def run(*args) -> str:
    out = io.StringIO()
    call_command("rule_check", *args, "--date", "10/03/2026", stdout=out)
    return out.getvalue()


def nothing_written(before: tuple[int, int]) -> bool:
    return (Person.objects.count(), AuditEvent.objects.count()) == before


def test_counts_active_people_of_the_unit_subtree(village):
    assert (
        run("age >= 60")
        == "2 người đang quản lý thỏa điều kiện (toàn bộ dữ liệu, ngày 10/03/2026).\n"
    )
    assert run("age >= 60", "--unit", "01") == (
        "2 người đang quản lý thỏa điều kiện (Hội LHPN Thành phố Hà Nội, ngày 10/03/2026).\n"
    )
    assert run('age >= 60 and has("HO_NGHEO")', "--unit", "00070") == (
        "1 người đang quản lý thỏa điều kiện (Hội LHPN Phường Hoàn Kiếm, ngày 10/03/2026).\n"
    )
    assert run("age >= 60", "--unit", "00454").startswith("1 người")


def test_explains_one_person(village):
    out = run('age >= 60 and has("HO_NGHEO")', "--explain", str(village.grandmother.pk))

    assert out.splitlines() == [
        f"{village.grandmother.full_name} (mã số {village.grandmother.pk}): THỎA điều kiện.",
        "  Đạt cả 2 điều kiện: đúng",
        "    Tuổi 66 ≥ 60: đúng",
        "    Có diện Hộ nghèo: đúng",
    ]


# The real command line closes the database connections when it ends, so this test keeps no
# transaction open; it makes its own category since a transactional test may run after another
# one emptied the tables.
@pytest.mark.django_db(transaction=True)
def test_a_bad_rule_prints_the_caret_and_exits_non_zero(capsys):
    from ansinh.registry.models import VulnerabilityCategory

    VulnerabilityCategory.objects.get_or_create(code="HO_NGHEO", defaults={"name": "Hộ nghèo"})
    before = (Person.objects.count(), AuditEvent.objects.count())

    with pytest.raises(SystemExit) as exited:
        main(["ansinh", "rule-check", 'age >= 60 and has("HO_NGHEOO")', "--unit", "00070"])

    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        'CommandError: Không có mã diện đối tượng "HO_NGHEOO" — có phải "HO_NGHEO"? (cột 19)\n'
        '  age >= 60 and has("HO_NGHEOO")\n'
        "                    ^^^^^^^^^^^\n"
    )
    assert nothing_written(before)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (('__import__("os")',), "Tên không được bắt đầu bằng dấu gạch dưới"),
        (
            ("age >= 60", "--unit", "99999"),
            "Không tìm thấy Hội LHPN xã/phường hoặc tỉnh/thành phố đang hoạt động có mã “99999”.",
        ),
        (("age >= 60", "--explain", "999999"), "Không tìm thấy người có mã số 999999."),
    ],
)
def test_errors_change_nothing(village, args, message):
    before = (Person.objects.count(), AuditEvent.objects.count())

    with pytest.raises(CommandError) as caught:
        run(*args)

    assert message in str(caught.value)
    assert nothing_written(before)


def test_a_bad_date_is_refused(village):
    with pytest.raises(CommandError, match="Ngày “31/02/2026” không hợp lệ"):
        call_command("rule_check", "age >= 60", "--date", "31/02/2026", stdout=io.StringIO())
