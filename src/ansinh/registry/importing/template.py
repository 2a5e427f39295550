"""The downloadable XLSX template: the data sheet with Vietnamese headers and dropdowns, and a
"Hướng dẫn" sheet explaining each column and listing the codes and names it accepts.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import NeedCategory, VulnerabilityCategory
from ..reference import ETHNICITIES
from .columns import COLUMNS

DATA_SHEET = "Danh sách"
GUIDE_SHEET = "Hướng dẫn"
TEMPLATE_ROWS = 2000  # rows covered by the dropdowns
_HEADER_FILL = PatternFill("solid", fgColor="FCE4EC")
_BOLD = Font(bold=True)


def _dropdown(sheet, column_key: str, formula: str, *, allow_blank: bool = True) -> None:
    position = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == column_key)
    letter = get_column_letter(position)
    validation = DataValidation(
        type="list", formula1=formula, allow_blank=allow_blank, showErrorMessage=False
    )
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)


def template_workbook() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(position)].width = column.width
        if column.key in ("citizen_id", "phone", "record_number", "household_code"):
            # Text cells: Excel then keeps the leading zero of 001185012345 and 0912...
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 45

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 90
    guide.append(["Hướng dẫn điền danh sách"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(
        [
            "Mỗi dòng của trang “Danh sách” là một người. Các thành viên cùng hộ ghi cùng "
            "“Mã hộ”; địa chỉ chỉ cần ghi ở dòng chủ hộ. Có thể thêm dòng tiêu đề phía trên "
            "dòng tên cột; không đổi tên cột."
        ]
    )
    guide.merge_cells("A2:B2")
    guide["A2"].alignment = Alignment(wrap_text=True)
    guide.row_dimensions[2].height = 45
    guide.append([])
    guide.append(["Cột", "Cách ghi"])
    for cell in guide[4]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for column in COLUMNS:
        guide.append([column.header, str(column.help)])
        guide.cell(row=guide.max_row, column=2).alignment = Alignment(wrap_text=True)

    def section(title: str, headers: list[str], rows: list[list]) -> tuple[int, int]:
        guide.append([])
        guide.append([title])
        guide.cell(row=guide.max_row, column=1).font = Font(bold=True, size=12)
        guide.append(headers)
        for cell in guide[guide.max_row]:
            cell.font = _BOLD
            cell.fill = _HEADER_FILL
        first = guide.max_row + 1
        for row in rows:
            guide.append(row)
        return first, guide.max_row

    section(
        "Diện đối tượng",
        ["Mã", "Tên"],
        [
            [c.code, c.name + (" (thông tin nhạy cảm)" if c.is_sensitive else "")]
            for c in VulnerabilityCategory.objects.filter(is_active=True)
        ],
    )
    section(
        "Nhu cầu",
        ["Mã", "Tên"],
        [[c.code, c.name] for c in NeedCategory.objects.filter(is_active=True)],
    )
    first, last = section("Dân tộc", ["Mã", "Tên"], [[code, name] for code, name in ETHNICITIES])
    section(
        "Quan hệ với chủ hộ",
        ["Ghi", "Nghĩa"],
        [
            ["Chủ hộ", "Người đứng tên chủ hộ (mỗi mã hộ một người)"],
            ["Vợ, Chồng", "Vợ hoặc chồng của chủ hộ"],
            ["Con", "Con đẻ, con nuôi"],
            ["Cháu", "Cháu nội, cháu ngoại"],
            ["Bố, Mẹ", "Bố, mẹ của chủ hộ"],
            ["Anh, Chị, Em", "Anh, chị, em của chủ hộ"],
            ["Khác", "Quan hệ khác (con dâu, con rể, ông, bà, ở nhờ...)"],
        ],
    )

    _dropdown(sheet, "sex", '"Nữ,Nam"', allow_blank=False)
    _dropdown(sheet, "is_union_member", '"Có,Không"')
    _dropdown(sheet, "poverty", '"Nghèo,Cận nghèo,Không"')
    _dropdown(sheet, "relation", '"Chủ hộ,Vợ,Chồng,Con,Cháu,Bố,Mẹ,Anh,Chị,Em,Khác"')
    _dropdown(sheet, "ethnicity", f"'{GUIDE_SHEET}'!$B${first}:$B${last}")
    return workbook


def template_bytes() -> bytes:
    buffer = BytesIO()
    template_workbook().save(buffer)
    return buffer.getvalue()
