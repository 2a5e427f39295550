"""The column-wise checks: each distinct cell parsed once, with the same answers as one by one,
and values with characters that COPY's text format escapes written back unchanged."""

import datetime as dt
import unicodedata

from ansinh.core.text import fold
from ansinh.registry.importing import normalising as norm
from ansinh.registry.importing.validation import _birth, _ColumnCache, _NameFolder, _phones
from ansinh.registry.models import Household, Person

from .builders import make_csv, make_xlsx, person_row
from .test_services_import import _run


def test_names_folded_syllable_by_syllable_fold_as_a_whole():
    folder = _NameFolder()
    names = [
        "Nguyễn Thị Hoà",
        "NGUYỄN THỊ HÒA",
        unicodedata.normalize("NFC", unicodedata.normalize("NFD", "Đỗ Thị Ðào")),
        "Lê \u0301 Văn",  # a lone combining mark is a word that folds to nothing
        "Ông Ích Khiêm",
        "Y Bih Niê",
    ]
    for name in names:
        assert folder(norm.text(name)) == fold(norm.text(name)), name


def test_cells_equal_in_python_but_of_other_types_are_parsed_apart():
    cache = _ColumnCache(lambda raw: type(raw).__name__, "")

    values, errors = cache.run([1, 1.0, True, "1", 1.0, dt.date(2000, 1, 1)])

    assert values == ["int", "float", "bool", "str", "float", "date"]
    assert errors == []


def test_the_column_cache_keeps_each_cells_message():
    cache = _ColumnCache(norm.sex, "")

    values, errors = cache.run(["Nữ", "x", "nam", "x", ""])

    assert values == ["F", "", "M", "", ""]
    assert errors == [
        (1, "Không hiểu giới tính “x”: ghi Nữ hoặc Nam."),
        (3, "Không hiểu giới tính “x”: ghi Nữ hoặc Nam."),
        (4, "Chưa ghi giới tính (Nữ hoặc Nam)."),
    ]


def test_the_direct_birth_path_answers_as_the_full_parser():
    for raw in [
        dt.date(1985, 3, 12),
        dt.date(1899, 12, 31),
        dt.date(2999, 1, 1),
        "12/03/1985",
        "12-03-1985",
        "12.03.1985",
        "31/02/2012",
        "12/03/2999",
        "01/01/1899",
        "12/03-1985",
        "5/6/1968",
        "5-6-1968",
        "5.6.1968",
        "30/2/1990",
        "5/6/2999",
        "5/6/68",
        " 5/6/1968 ",
        "5 / 6 / 1968",
        "123/6/1968",
        "5/6/19680",
        "٥/6/1968",  # Arabic-Indic digit: not ASCII
        "1985",
        "1985.0",
        "3/1985",
        1985,
        1985.0,
        1899,
        2999,
        31117.0,
        31117,
        31117.75,
        0.5,
        1.0,
        99999.5,
        -3.0,
        True,
        dt.datetime(1985, 3, 12, 10, 30),
    ]:
        try:
            expected = norm.birth(raw)
        except norm.CellError as exc:
            expected = str(exc)
        try:
            got = _birth(raw)
        except norm.CellError as exc:
            got = str(exc)
        assert got == expected, raw


def test_the_direct_phone_paths_answer_as_the_full_parser():
    cells = [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        " 0912  345 678 ",
        "+84912345678",
        "84912345678",
        "912345678",
        "+84 912 345 678",
        "++84912345678",
        "0243 825 1234",  # a landline
        "0912-345-678",
        "0912345678 / 0243 825 1234",
        "0912\t345678",
        "091234567",
        "09123456789",
        "0112345678",
        "phone",
        912345678,
        912345678.0,
        84912345678,
        -912345678,
        243825123,
        912345678.5,
        float("nan"),
        "",
    ]
    values, errors = _phones(cells)
    messages = dict(errors)
    for i, raw in enumerate(cells):
        try:
            expected = norm.phone(raw)
        except norm.CellError as exc:
            expected = str(exc)
        got = messages[i] if i in messages else values[i]
        assert got == expected, raw


def test_backslashes_and_quotes_are_stored_as_written(hanoi):
    rows = [
        person_row(
            name="Nguyễn Thị \\Hoa",
            sex="Nữ",
            birth=1985,
            occupation="Bán hàng \\N rong",
            address='Số 5\\7 "Hàng Bạc"',
            record="HS\\1",
            commune="Phường Hoàn Kiếm",
        )
    ]

    outcome = _run(hanoi, make_xlsx(rows))

    assert outcome.validation.errors == []
    person = Person.objects.get()
    assert (person.full_name, person.occupation, person.record_number) == (
        "Nguyễn Thị \\Hoa",
        "Bán hàng \\N rong",
        "HS\\1",
    )
    assert Household.objects.get().address_line == 'Số 5\\7 "Hàng Bạc"'


def test_a_file_without_optional_columns(hanoi):
    headers = ["Họ và tên", "Giới tính", "Năm sinh"]
    rows = [["Trần Thị Bình", "nữ", 1970], ["Lê Văn An", "nam", "5/6/1968"]]

    outcome = _run(hanoi, make_csv(rows, headers), name="ngan.csv")

    assert outcome.validation.errors == []
    assert sorted(Person.objects.values_list("full_name", "birth_year", "relation")) == [
        ("Lê Văn An", 1968, "head"),
        ("Trần Thị Bình", 1970, "head"),
    ]
    assert set(Household.objects.values_list("commune__code", flat=True)) == {"00070"}
