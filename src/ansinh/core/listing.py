"""List pages: pagination and XLSX export shared by every list (DESIGN §4.5).

A list view builds one filtered, scoped queryset, then either pages it
(`paginate`) or, when `?export=xlsx` is asked, streams it out with `xlsx_response` after
writing the export audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from io import BytesIO

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

PER_PAGE = 50
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def paginate(request, queryset, per_page: int = PER_PAGE) -> Page:
    """The page asked for by `?page=` (out-of-range numbers give the last page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current query string minus `page` and `export`, for pagination/export links."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()


def wants_export(request) -> bool:
    return request.GET.get("export") == "xlsx"


def _cell(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, (str, int, float, dt.date)):
        return value
    return str(value)


_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("\\/?*[]:", "-"))


def _sheet_title(title: str) -> str:
    """Excel refuses \\ / ? * [ ] : in sheet names and more than 31 characters."""
    return (title.translate(_SHEET_FORBIDDEN).strip() or "Sheet")[:31]


def xlsx_bytes(*, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    *, filename: str, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    """An XLSX download; dates as real Excel dates, text as NFC strings."""
    response = HttpResponse(
        xlsx_bytes(sheet_title=sheet_title, headers=headers, rows=rows), content_type=XLSX_MIME
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response


__all__ = [
    "PER_PAGE",
    "paginate",
    "query_without_page",
    "wants_export",
    "xlsx_bytes",
    "xlsx_response",
]


def date_param(request, name: str) -> tuple[dt.date | None, str]:
    """A dd/mm/yyyy date from the query string: (date, "") or (None, Vietnamese error)."""
    from django.utils.translation import gettext as _

    text = request.GET.get(name, "").strip()
    if not text:
        return None, ""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date(), ""
        except ValueError:
            continue
    return None, _("Ngày “%(value)s” không hợp lệ (dd/mm/yyyy).") % {"value": text}
