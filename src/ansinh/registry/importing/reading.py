"""Reading a registry file as it is: XLSX (python-calamine) or CSV, header found wherever it is.

Real files put a merged title ("DANH SÁCH PHỤ NỮ, TRẺ EM ..."), a date line and blank rows
above the header, and spell the headers their own way. The header row is the first of the
top rows in which at least three cells are known headers, one of them the name column.
Row numbers are the ones the user sees in Excel (1-based, counting the title rows).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import PurePath

from django.utils.translation import gettext as _

from .columns import HEADER_KEYS, header_key

HEADER_SEARCH_ROWS = 30
CSV_ENCODINGS = ("utf-8-sig", "cp1258")
# python-calamine reads the old binary formats too.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


class FileReadError(Exception):
    """The file cannot be read as a registry table (message in Vietnamese)."""


@dataclass
class Table:
    """The rows below the header: `columns` maps a column key to its index and header text."""

    header_row: int  # Excel row number of the header
    columns: dict[str, tuple[int, str]]
    unknown_headers: list[str] = field(default_factory=list)
    rows: Iterator[tuple[int, list]] = field(default_factory=lambda: iter(()))
    total: int = 0  # data rows below the header (blank rows included)


def _find_header(top_rows: list[list]) -> tuple[int, dict[str, tuple[int, str]], list[str]]:
    for index, cells in enumerate(top_rows):
        columns: dict[str, tuple[int, str]] = {}
        unknown: list[str] = []
        for position, cell in enumerate(cells):
            if cell is None or cell == "":
                continue
            text = " ".join(str(cell).split())
            key = HEADER_KEYS.get(header_key(text))
            if key is None:
                unknown.append(text)
            elif key not in columns:
                columns[key] = (position, text)
        if len(columns) >= 3 and "full_name" in columns:
            return index, columns, unknown
    raise FileReadError(
        _(
            "Không tìm thấy dòng tiêu đề trong %(count)d dòng đầu của tệp: cần ít nhất cột "
            "“Họ và tên” và hai cột khác của mẫu (ví dụ “Giới tính”, “Ngày sinh”). "
            "Hãy dùng tệp mẫu."
        )
        % {"count": HEADER_SEARCH_ROWS}
    )


def _table(all_rows: list[list], rest: Iterable[list] = (), height: int = 0) -> Table:
    """The table of the sheet's rows, from its first row on: `all_rows`, or, read lazily,
    the top rows in `all_rows` and the others in `rest` (`height` rows in all)."""
    header_index, columns, unknown = _find_header(all_rows[:HEADER_SEARCH_ROWS])
    body = chain(all_rows[header_index + 1 :], rest)
    start = header_index + 2  # Excel row number of the first data row

    def rows() -> Iterator[tuple[int, list]]:
        for offset, cells in enumerate(body):
            yield start + offset, cells

    return Table(
        header_row=header_index + 1,
        columns=columns,
        unknown_headers=unknown,
        rows=rows(),
        total=max(height, len(all_rows)) - header_index - 1,
    )


def read_xlsx(content: bytes) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.start == (0, 0):
            # Cells used from A1 on (a title or the header there, as usual): the rows are
            # made as they are checked, the file's Python objects never all at once (the
            # checking then overlaps the database's writing of earlier rows, `streaming`).
            rows = sheet.iter_rows()
            return _table(list(islice(rows, HEADER_SEARCH_ROWS)), rows, sheet.end[0] + 1)
        # Keep the leading empty rows and columns so that indexes are Excel row numbers.
        all_rows = sheet.to_python(skip_empty_area=False)
    except FileReadError:
        raise
    except Exception as exc:
        raise FileReadError(
            _("Không đọc được tệp Excel (%(error)s). Hãy lưu lại dưới dạng .xlsx.") % {"error": exc}
        ) from exc
    return _table(all_rows)


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1258 (Vietnamese Excel's "CSV" on Windows)."""
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileReadError(_("Không nhận ra bảng mã của tệp CSV; hãy lưu lại với bảng mã UTF-8."))


def read_csv(content: bytes) -> Table:
    text = decode_csv(content)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = max(",;\t", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(list(reader))


def read_table(content: bytes, file_name: str) -> Table:
    """The table of an uploaded file, by its extension (spreadsheet or CSV)."""
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return read_xlsx(content)
    if suffix in (".csv", ".txt"):
        return read_csv(content)
    raise FileReadError(
        _("Chỉ nhận tệp .xlsx hoặc .csv (tệp đã gửi: “%(name)s”).") % {"name": file_name}
    )
