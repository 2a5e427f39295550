"""Reading a workbook lazily (cells used from A1 on) gives the table the whole-sheet read gives:
same header, columns, Excel row numbers and cells; a sheet whose cells start elsewhere is read
whole, as before."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from ansinh.registry.importing import reading

from .builders import make_xlsx, person_row
from .files import corrected_rows


def _whole(content: bytes) -> reading.Table:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return reading._table(sheet.to_python(skip_empty_area=False))


def _offset_sheet(top: int, left: int) -> bytes:
    """The header at row `top + 1`, column `left + 1`, blank rows between the data rows."""
    workbook = Workbook()
    sheet = workbook.active
    headers = ["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD"]
    for position, header in enumerate(headers):
        sheet.cell(row=top + 1, column=left + 1 + position, value=header)
    rows = [
        ["Trần Thị Bình", "nữ", dt.date(1970, 5, 6), 1070012345],
        ["", "", "", ""],
        ["Lê Văn An", "nam", "5/6/1968", "001068012345"],
    ]
    for offset, row in enumerate(rows):
        for position, value in enumerate(row):
            if value != "":
                sheet.cell(row=top + 2 + offset, column=left + 1 + position, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        make_xlsx(corrected_rows()),
        make_xlsx([person_row(name="Nguyễn Thị Hoa", sex="Nữ", birth=1985)]),
        _offset_sheet(0, 0),
        _offset_sheet(3, 0),  # blank rows above the header: read whole
        _offset_sheet(0, 2),  # blank columns left of it: read whole
        _offset_sheet(4, 1),
    ],
)
def test_the_lazy_read_is_the_whole_read(content):
    lazy, whole = reading.read_xlsx(content), _whole(content)

    assert (lazy.header_row, lazy.columns, lazy.unknown_headers, lazy.total) == (
        whole.header_row,
        whole.columns,
        whole.unknown_headers,
        whole.total,
    )
    rows = list(lazy.rows)
    assert rows == list(whole.rows)
    assert len(rows) == lazy.total


def test_a_sheet_without_a_header_is_refused_either_way():
    workbook = Workbook()
    workbook.active["A1"] = "Danh sách"
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(reading.FileReadError):
        reading.read_xlsx(buffer.getvalue())
