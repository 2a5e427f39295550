"""Building import files in the tests (never from ../shared)."""

from __future__ import annotations

import csv
import io
import unicodedata

from openpyxl import Workbook

HEADERS = [
    "STT",
    "Mã hồ sơ (tùy chọn)",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh (hoặc năm sinh)",
    "Số CCCD",
    "Điện thoại",
    "Dân tộc",
    "Quan hệ với chủ hộ",
    "Mã hộ",
    "Hội viên (có/không)",
    "Nghề nghiệp",
    "Địa chỉ: số nhà/đường",
    "Thôn/tổ dân phố",
    "Xã/phường",
    "Quận/huyện cũ (nếu ghi địa chỉ cũ)",
    "Hộ nghèo/cận nghèo",
    "Năm công nhận",
    "Diện đối tượng (mã hoặc tên, cách nhau dấu ;)",
    "Nhu cầu (mã hoặc tên, ;)",
]
FIRST_DATA_ROW = 4  # title (merged), date line, header, then data


def person_row(**values) -> list:
    """A row in HEADERS order from keyword values (keys: the header texts' short names)."""
    keys = [
        "stt",
        "record",
        "name",
        "sex",
        "birth",
        "cccd",
        "phone",
        "ethnicity",
        "relation",
        "household",
        "member",
        "occupation",
        "address",
        "locality",
        "commune",
        "district",
        "poverty",
        "poverty_year",
        "categories",
        "needs",
    ]
    unknown = set(values) - set(keys)
    assert not unknown, unknown
    return [values.get(key, "") for key in keys]


def make_xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    """A messy-looking workbook: merged title row, a date line, then the header and rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "DS"
    sheet.cell(row=1, column=1, value="DANH SÁCH PHỤ NỮ, TRẺ EM CÓ HOÀN CẢNH KHÓ KHĂN")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.cell(row=2, column=1, value="(Cập nhật đến 30/6/2026)")
    for position, header in enumerate(headers, start=1):
        sheet.cell(row=3, column=position, value=header)
    for offset, row in enumerate(rows):
        for position, value in enumerate(row, start=1):
            if value != "":
                sheet.cell(row=FIRST_DATA_ROW + offset, column=position, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_csv(
    rows: list[list],
    headers: list[str] = HEADERS,
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ";",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    if encoding == "cp1258":
        return _cp1258(buffer.getvalue())
    return buffer.getvalue().encode(encoding)


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letter + combining tone mark."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            out += unicodedata.normalize("NFC", decomposed[:-1]).encode("cp1258")
            out += decomposed[-1].encode("cp1258")
    return bytes(out)
