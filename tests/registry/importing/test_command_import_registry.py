import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Household, ImportBatch, Person

from .builders import HEADERS, make_xlsx, person_row
from .files import CORRECTED_HOUSEHOLDS, CORRECTED_PEOPLE, corrected_rows, rows_with_twenty_errors


def _write(tmp_path, rows, name="ds.xlsx"):
    path = tmp_path / name
    path.write_bytes(make_xlsx(rows))
    return str(path)


def test_template_has_the_headers_and_the_guide(db, tmp_path, capsys):
    out = tmp_path / "mau.xlsx"

    call_command("import_registry", template=str(out))

    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["Danh sách", "Hướng dẫn"]
    assert book.get_sheet_by_name("Danh sách").to_python()[0] == HEADERS
    guide = [row[0] for row in book.get_sheet_by_name("Hướng dẫn").to_python()]
    assert "HO_NGHEO" in guide and "VON" in guide and "54" in [str(g) for g in guide]
    assert "Đã ghi tệp mẫu" in capsys.readouterr().out


def test_errors_are_printed_and_the_exit_code_is_non_zero(hanoi, tmp_path, capsys):
    path = _write(tmp_path, rows_with_twenty_errors())

    with pytest.raises(CommandError) as raised:
        call_command("import_registry", path, unit="00070")

    assert str(raised.value) == "Tệp có 20 lỗi ở 15 dòng: chưa ghi gì."
    out = capsys.readouterr().out
    assert 'Dòng 5, cột "Ngày sinh (hoặc năm sinh)": Ngày sinh “31/02/2012” không có thật' in out
    assert "--choose 16=00070 (Phường Hoàn Kiếm)" in out
    assert Person.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_dry_run_then_import_then_again(hanoi, tmp_path, capsys):
    path = _write(tmp_path, corrected_rows())

    call_command("import_registry", path, unit="00070", dry_run=True)
    assert "Chạy thử (--dry-run): không ghi gì." in capsys.readouterr().out
    assert (Person.objects.count(), ImportBatch.objects.count()) == (0, 0)

    call_command("import_registry", path, unit="00070")
    assert f"{CORRECTED_PEOPLE} người, {CORRECTED_HOUSEHOLDS} hộ" in capsys.readouterr().out
    assert (Person.objects.count(), Household.objects.count()) == (
        CORRECTED_PEOPLE,
        CORRECTED_HOUSEHOLDS,
    )
    assert ImportBatch.objects.get().created_by is None

    call_command("import_registry", path, unit="00070")
    assert "không có gì để làm" in capsys.readouterr().out
    assert Person.objects.count() == CORRECTED_PEOPLE


def test_province_code_imports_for_the_whole_city_and_choose_settles_a_split(
    hanoi, tmp_path, capsys
):
    rows = [
        person_row(
            name="Dương Thị Kim", sex="Nữ", birth=1982, commune="Phường Đồng Xuân, Quận Hoàn Kiếm"
        )
    ]
    path = _write(tmp_path, rows)

    with pytest.raises(CommandError):
        call_command("import_registry", path, unit="01")
    call_command("import_registry", path, unit="01", choose=["4=00070"])

    assert Household.objects.get().commune == AdminUnit.objects.get(
        era="post2025", level="commune", code="00070"
    )


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        ((), {"unit": "00070"}, "Thiếu tệp cần nhập"),
        (("ds.xlsx",), {}, "Thiếu --unit"),
        (("khong-co.xlsx",), {"unit": "00070"}, "Không có tệp"),
        (("ds.xlsx",), {"unit": "99999"}, "Không có Hội cơ sở hoặc Hội tỉnh/thành phố mã “99999”"),
    ],
)
def test_bad_arguments_fail_cleanly(hanoi, tmp_path, monkeypatch, args, options, message):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, corrected_rows())

    with pytest.raises(CommandError, match=message):
        call_command("import_registry", *args, **options)

    assert Person.objects.count() == 0
