"""Official documents: a `ReportDocument` rendered as DOCX (Decree 30/2020/NĐ-CP) or XLSX.

Pure functions, no database: the reports module builds the `ReportDocument`, this module
only lays it out. The DOCX follows Appendix I of Decree 30/2020/NĐ-CP on administrative
documents:

- A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm (the decree allows
  20–25 / 30–35 / 15–20 mm); Times New Roman everywhere, set for the ASCII, high-ANSI,
  complex-script and East Asian slots so that Vietnamese letters never fall back to another
  font.
- The header is a borderless two-column table (72 mm | 93 mm, so that the longest lines fit
  on one line in Times New Roman): the issuing body on the left (parent body in capitals
  12 pt, the issuer in bold capitals 13 pt, a short line under it, then "Số: ..."), the
  national title on the right (bold capitals, 12 pt), the motto in bold 13 pt with a line as
  long as the motto under it, then place and date in italics.
- The document kind in bold capitals and the summary title (trích yếu) in bold, centred, with
  a short line under the title; body paragraphs justified, 14 pt, first line indented 1.27 cm,
  6 pt between paragraphs.
- "Nơi nhận:" bold italic 12 pt, recipients 11 pt, one per line, starting with "- " and ending
  with ";" (the last with "."); the signature block on the right: authority (e.g.
  "TM. BAN THƯỜNG VỤ") and title in bold capitals, room for the signature, the name in bold.
- Page numbers centred in the header from the second page on (none on the first page).

Lines under the header texts are drawn as paragraph borders (not drawing shapes), so that
Word and LibreOffice render them the same way and tests can find them.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ansinh.reports.document_model import FigureRow, ReportDocument

FONT_NAME = "Times New Roman"
BODY_SIZE = Pt(14)
HEADER_SIZE = Pt(13)
ISSUER_PARENT_SIZE = Pt(12)
NATIONAL_TITLE_SIZE = Pt(12)
TABLE_SIZE = Pt(12)
RECIPIENTS_LABEL_SIZE = Pt(12)
RECIPIENTS_SIZE = Pt(11)

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
# Word stores margins in twentieths of a point; these are the whole twips at or just above
# 20 / 20 / 30 / 15 mm, so that rounding never takes a margin below the decree's minimum.
MARGIN_TOP = Twips(1134)
MARGIN_BOTTOM = Twips(1134)
MARGIN_LEFT = Twips(1701)
MARGIN_RIGHT = Twips(851)
TEXT_WIDTH_MM = 210 - 30 - 15  # 165 mm between the margins

HEADER_LEFT_MM = 72
HEADER_RIGHT_MM = TEXT_WIDTH_MM - HEADER_LEFT_MM
FIRST_LINE_INDENT = Cm(1.27)
ZERO = Pt(0)

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_LABEL = "Nơi nhận:"
NOT_REPORTED = "-"

FIGURE_HEADERS = (
    "STT",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Kỳ này",
    "Kỳ trước",
    "Cùng kỳ năm trước",
    "Ghi chú",
)
# Millimetres; sums to TEXT_WIDTH_MM. A value column holds "1.250.000.000" at 12 pt.
FIGURE_WIDTHS_MM = (10, 44, 16, 27, 27, 27, 14)

XLSX_NUMBER_FORMAT = "#,##0"


# ---------------------------------------------------------------------------------------------
# Text helpers (public: the reports module and the pages use them too)


def decree30_date(place: str, date: dt.date) -> str:
    """ "Hà Nội, ngày 05 tháng 6 năm 2024" — Decree 30/2020, Appendix I, II.5.

    Days below 10 and the months January and February take a leading zero ("ngày 05",
    "tháng 01", "tháng 02"); the other months are written as they are ("tháng 6",
    "tháng 12").
    """
    day = f"{date.day:02d}"
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


def vn_number(value: int | None) -> str:
    """1250000 → "1.250.000"; -5000 → "-5.000"; None → "-" (not reported)."""
    if value is None:
        return NOT_REPORTED
    if isinstance(value, bool) or int(value) != value:
        raise TypeError(f"a report figure is a whole number, not {value!r}")
    value = int(value)
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,}".replace(",", ".")


def recipient_lines(recipients: tuple[str, ...] | list[str]) -> list[str]:
    """Each recipient as "- name;", the last one ending with "." (Decree 30, II.9)."""
    lines = [text.strip().lstrip("-–").strip().rstrip(";.").strip() for text in recipients]
    lines = [text for text in lines if text]
    return [f"- {text}{'.' if i == len(lines) - 1 else ';'}" for i, text in enumerate(lines)]


# ---------------------------------------------------------------------------------------------
# DOCX


def _set_run_font(run, *, size: Pt, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT_NAME
    run.font.size = size
    run.font.bold = bold
    run.font.italic = italic
    run_properties = run._element.get_or_add_rPr()
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT_NAME)
    # Complex-script size and weight follow the Latin ones (Word uses them for some glyphs).
    size_cs = run_properties.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        run_properties.sz.addnext(size_cs)
    size_cs.set(qn("w:val"), str(int(size.pt * 2)))
    if bold:
        run_properties.get_or_add_bCs()
    if italic:
        run_properties.get_or_add_iCs()


def _paragraph(
    container,
    text: str = "",
    *,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    space_after: Pt = ZERO,
    space_before: Pt = ZERO,
    first_line_indent=None,
    line_spacing: float = 1.0,
    reuse_first: bool = False,
):
    """A paragraph with one run in Times New Roman. `reuse_first`: fill a table cell's own
    empty first paragraph instead of adding a second one."""
    if reuse_first and container.paragraphs and not container.paragraphs[0].text:
        paragraph = container.paragraphs[0]
    else:
        paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = space_after
    fmt.space_before = space_before
    fmt.line_spacing = line_spacing
    if first_line_indent is not None:
        fmt.first_line_indent = first_line_indent
    run = paragraph.add_run(text)
    _set_run_font(run, size=size, bold=bold, italic=italic)
    return paragraph


def _estimated_width_mm(text: str, size: Pt, *, bold: bool) -> float:
    """Rough printed width of a line in Times New Roman (capitals ≈ 0.70 em, other ≈ 0.47 em).
    Only used to size the short rules under header lines, where ±10% does not show."""
    em_mm = size.pt * 0.3528
    factor = 1.04 if bold else 1.0
    width = 0.0
    for char in text:
        if char == " ":
            width += 0.25
        elif char.isupper():
            width += 0.70
        else:
            width += 0.47
    return width * em_mm * factor


def _rule(container, *, length_mm: float, column_mm: float) -> None:
    """A short solid horizontal line centred in a column: an empty 2 pt paragraph with a top
    border, indented so that the border is `length_mm` long."""
    length_mm = max(10.0, min(length_mm, column_mm))
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    indent = Mm((column_mm - length_mm) / 2)
    fmt.left_indent = indent
    fmt.right_indent = indent
    fmt.space_before = Pt(1)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    run = paragraph.add_run("")
    _set_run_font(run, size=Pt(2))
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "6")  # eighths of a point: 0.75 pt
    top.set(qn("w:space"), "1")
    top.set(qn("w:color"), "000000")
    borders.append(top)
    # w:pBdr must come before the spacing/indent/alignment elements in w:pPr.
    anchor = properties.find(qn("w:spacing"))
    if anchor is None:
        anchor = properties.find(qn("w:ind"))
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        properties.append(borders)


# Child order of w:tblPr in the schema; Word refuses a file whose elements are out of order.
_TABLE_PROPERTY_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
)


def _set_table_property(table, element) -> None:
    """Put `element` into w:tblPr at its place in the schema order (replacing a same one)."""
    properties = table._tbl.tblPr
    name = element.tag.split("}")[1]
    for existing in properties.findall(qn(f"w:{name}")):
        properties.remove(existing)
    later = set(_TABLE_PROPERTY_ORDER[_TABLE_PROPERTY_ORDER.index(name) + 1 :])
    for child in properties:
        if child.tag.split("}")[1] in later:
            child.addprevious(element)
            return
    properties.append(element)


def _table_without_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    _set_table_property(table, borders)


def _table_with_grid(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    _set_table_property(table, borders)


def _cell_margins(table, *, left_mm: float, right_mm: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("left", left_mm), ("right", right_mm)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(int(value * 56.7)))  # twentieths of a point per mm
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    _set_table_property(table, margins)


def _fixed_widths(table, widths_mm) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _set_table_property(table, layout)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _page_number_header(section) -> None:
    """Page numbers centred at the top from page 2 on (Decree 30, II.11)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _set_run_font(run, size=BODY_SIZE)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _default_style(document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT_NAME
    style.font.size = BODY_SIZE
    run_properties = style.element.get_or_add_rPr()
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run_properties.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT_NAME)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attribute), None)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN")
    language.set(qn("w:eastAsia"), "vi-VN")
    run_properties.append(language)
    style.paragraph_format.space_after = Pt(0)


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    _page_number_header(section)


def _header_block(document, report: ReportDocument) -> None:
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_without_borders(table)
    _cell_margins(table, left_mm=0, right_mm=0)
    _fixed_widths(table, (HEADER_LEFT_MM, HEADER_RIGHT_MM))

    left, right = table.rows[0].cells
    _paragraph(left, report.issuer_parent.upper(), size=ISSUER_PARENT_SIZE, reuse_first=True)
    _paragraph(left, report.issuer.upper(), size=HEADER_SIZE, bold=True)
    issuer_width = _estimated_width_mm(report.issuer.upper(), HEADER_SIZE, bold=True)
    _rule(left, length_mm=issuer_width * 0.45, column_mm=HEADER_LEFT_MM)

    _paragraph(right, NATIONAL_TITLE, size=NATIONAL_TITLE_SIZE, bold=True, reuse_first=True)
    _paragraph(right, MOTTO, size=HEADER_SIZE, bold=True)
    _rule(
        right,
        length_mm=_estimated_width_mm(MOTTO, HEADER_SIZE, bold=True),
        column_mm=HEADER_RIGHT_MM,
    )

    number_cell, date_cell = table.rows[1].cells
    _paragraph(number_cell, report.number, size=HEADER_SIZE, space_before=Pt(6), reuse_first=True)
    _paragraph(
        date_cell,
        decree30_date(report.place, report.date),
        size=HEADER_SIZE,
        italic=True,
        space_before=Pt(6),
        reuse_first=True,
    )


def _title_block(document, report: ReportDocument) -> None:
    _paragraph(document, report.kind.upper(), bold=True, space_before=Pt(18))
    _paragraph(document, report.title, bold=True)
    _rule(
        document,
        length_mm=min(_estimated_width_mm(report.title, BODY_SIZE, bold=True), 120) * 0.4,
        column_mm=TEXT_WIDTH_MM,
    )
    _paragraph(document, "", size=Pt(6))


def _body(document, report: ReportDocument) -> None:
    for section in report.sections:
        if section.heading:
            _paragraph(
                document,
                section.heading,
                bold=True,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                space_before=Pt(6),
                space_after=Pt(6),
                first_line_indent=FIRST_LINE_INDENT,
                line_spacing=1.15,
            )
        for text in section.paragraphs:
            _paragraph(
                document,
                text,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                space_after=Pt(6),
                first_line_indent=FIRST_LINE_INDENT,
                line_spacing=1.15,
            )


def _figure_cells(index: int, row: FigureRow) -> tuple[str, ...]:
    return (
        str(index),
        row.name,
        row.unit,
        vn_number(row.value),
        vn_number(row.previous),
        vn_number(row.same_period_last_year),
        row.note,
    )


def _figures_table(document, report: ReportDocument) -> None:
    if not report.figures:
        return
    if report.figures_heading:
        _paragraph(
            document,
            report.figures_heading,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            space_before=Pt(6),
            space_after=Pt(6),
            first_line_indent=FIRST_LINE_INDENT,
        )
    table = document.add_table(rows=1 + len(report.figures), cols=len(FIGURE_HEADERS))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_with_grid(table)
    _cell_margins(table, left_mm=1, right_mm=1)
    _fixed_widths(table, FIGURE_WIDTHS_MM)
    _repeat_as_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, FIGURE_HEADERS, strict=True):
        _paragraph(cell, text, size=TABLE_SIZE, bold=True, reuse_first=True)
    numeric = {0, 3, 4, 5}
    for index, (row, figure) in enumerate(zip(table.rows[1:], report.figures, strict=True), 1):
        for column, (cell, text) in enumerate(
            zip(row.cells, _figure_cells(index, figure), strict=True)
        ):
            if column == 0:
                align = WD_ALIGN_PARAGRAPH.CENTER
            elif column in numeric:
                align = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                align = WD_ALIGN_PARAGRAPH.LEFT
            _paragraph(cell, text, size=TABLE_SIZE, align=align, reuse_first=True)


def _closing_block(document, report: ReportDocument) -> None:
    _paragraph(document, "", size=Pt(6))
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_without_borders(table)
    _cell_margins(table, left_mm=0, right_mm=0)
    _fixed_widths(table, (TEXT_WIDTH_MM - HEADER_RIGHT_MM, HEADER_RIGHT_MM))
    recipients_cell, signature_cell = table.rows[0].cells

    if report.recipients:
        _paragraph(
            recipients_cell,
            RECIPIENTS_LABEL,
            size=RECIPIENTS_LABEL_SIZE,
            bold=True,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            reuse_first=True,
        )
        for line in recipient_lines(report.recipients):
            _paragraph(recipients_cell, line, size=RECIPIENTS_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)

    _paragraph(
        signature_cell,
        report.signature_authority.upper(),
        size=BODY_SIZE,
        bold=True,
        reuse_first=True,
    )
    if report.signature_title:
        _paragraph(signature_cell, report.signature_title.upper(), size=BODY_SIZE, bold=True)
    # Room for the hand signature and the seal.
    for _ in range(4):
        _paragraph(signature_cell, "", size=BODY_SIZE)
    if report.signer_name:
        _paragraph(signature_cell, report.signer_name, size=BODY_SIZE, bold=True)


def render_docx(document: ReportDocument) -> bytes:
    """The report as a .docx file in the Decree 30/2020/NĐ-CP layout."""
    docx = Document()
    _default_style(docx)
    _page_setup(docx)
    # The default template starts with one empty paragraph only when a body exists; the
    # header table must be the first thing on the page.
    body = docx.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    _header_block(docx, document)
    _title_block(docx, document)
    _body(docx, document)
    _figures_table(docx, document)
    _closing_block(docx, document)
    docx.core_properties.title = f"{document.kind} {document.title}".strip()
    docx.core_properties.author = f"{document.issuer_parent} - {document.issuer}"
    docx.core_properties.language = "vi-VN"
    buffer = BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# XLSX

ANNEX_SHEET = "Phụ lục theo đơn vị"
FIGURES_SHEET = "Bảng số liệu"
TOTAL_LABEL = "Tổng cộng"

_THIN = Side(style="thin", color="000000")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_XLSX_FONT = "Times New Roman"


def _xlsx_title(sheet, *, row: int, text: str, last_column: int, size: int = 14) -> None:
    sheet.cell(row=row, column=1, value=text).font = Font(name=_XLSX_FONT, bold=True, size=size)
    sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
    if last_column > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)


def _xlsx_header(sheet, *, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, 1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = Font(name=_XLSX_FONT, bold=True, size=11)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _GRID
    sheet.row_dimensions[row].height = 45


def _xlsx_value(sheet, *, row: int, column: int, value, numeric: bool = False, bold=False):
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font = Font(name=_XLSX_FONT, size=11, bold=bold)
    cell.border = _GRID
    if numeric:
        cell.number_format = XLSX_NUMBER_FORMAT
        cell.alignment = Alignment(horizontal="right")
    return cell


def _print_setup(sheet, *, header_row: int) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"


def _annex_sheet(workbook, report: ReportDocument) -> None:
    sheet = workbook.active
    sheet.title = ANNEX_SHEET
    indicators = list(report.annex_indicators)
    headers = ["STT", "Mã đơn vị", "Tên đơn vị"]
    headers += [f"{name} ({unit})" if unit else name for _code, name, unit in indicators]
    headers.append("Trạng thái")
    last_column = len(headers)

    _xlsx_title(sheet, row=1, text=report.annex_title or report.title, last_column=last_column)
    subtitle = f"{report.issuer_parent} - {report.issuer} · {report.number} · " + decree30_date(
        report.place, report.date
    )
    _xlsx_title(sheet, row=2, text=subtitle, last_column=last_column, size=11)
    sheet.cell(row=2, column=1).font = Font(name=_XLSX_FONT, italic=True, size=11)
    header_row = 4
    _xlsx_header(sheet, row=header_row, headers=headers)

    totals: list[int | None] = [None] * len(indicators)
    row = header_row
    for index, annex_row in enumerate(report.annex_rows, 1):
        row += 1
        _xlsx_value(sheet, row=row, column=1, value=index)
        _xlsx_value(sheet, row=row, column=2, value=annex_row.unit_code)
        _xlsx_value(sheet, row=row, column=3, value=annex_row.unit_name)
        for position, (code, _name, _unit) in enumerate(indicators):
            value = annex_row.values.get(code)
            _xlsx_value(sheet, row=row, column=4 + position, value=value, numeric=True)
            if value is not None:
                totals[position] = (totals[position] or 0) + value
        _xlsx_value(sheet, row=row, column=last_column, value=annex_row.status)

    # Totals as values (not formulas): every reader shows them, including those that do not
    # evaluate formulas (python-calamine, viewers, e-mail previews).
    row += 1
    _xlsx_value(sheet, row=row, column=1, value="")
    _xlsx_value(sheet, row=row, column=2, value="")
    _xlsx_value(sheet, row=row, column=3, value=TOTAL_LABEL, bold=True)
    for position, total in enumerate(totals):
        _xlsx_value(sheet, row=row, column=4 + position, value=total, numeric=True, bold=True)
    _xlsx_value(sheet, row=row, column=last_column, value="")

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=4)
    widths = [6, 12, 34] + [16] * len(indicators) + [14]
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _print_setup(sheet, header_row=header_row)


def _figures_sheet(workbook, report: ReportDocument) -> None:
    sheet = workbook.create_sheet(FIGURES_SHEET)
    headers = [
        "STT",
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Kỳ này",
        "Kỳ trước",
        "Cùng kỳ năm trước",
        "Ghi chú",
    ]
    _xlsx_title(
        sheet,
        row=1,
        text=report.figures_heading or f"{report.kind} {report.title}",
        last_column=len(headers),
    )
    header_row = 3
    _xlsx_header(sheet, row=header_row, headers=headers)
    for index, figure in enumerate(report.figures, 1):
        row = header_row + index
        _xlsx_value(sheet, row=row, column=1, value=index)
        _xlsx_value(sheet, row=row, column=2, value=figure.code)
        _xlsx_value(sheet, row=row, column=3, value=figure.name)
        _xlsx_value(sheet, row=row, column=4, value=figure.unit)
        _xlsx_value(sheet, row=row, column=5, value=figure.value, numeric=True)
        _xlsx_value(sheet, row=row, column=6, value=figure.previous, numeric=True)
        _xlsx_value(sheet, row=row, column=7, value=figure.same_period_last_year, numeric=True)
        _xlsx_value(sheet, row=row, column=8, value=figure.note)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=4)
    for column, width in enumerate([6, 16, 48, 12, 16, 16, 18, 24], 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _print_setup(sheet, header_row=header_row)


def render_xlsx(document: ReportDocument) -> bytes:
    """The annex: figures per commune (first sheet) and the figures table (second sheet)."""
    workbook = Workbook()
    _annex_sheet(workbook, document)
    _figures_sheet(workbook, document)
    workbook.properties.title = document.annex_title or document.title
    workbook.properties.creator = f"{document.issuer_parent} - {document.issuer}"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "ANNEX_SHEET",
    "FIGURES_SHEET",
    "decree30_date",
    "recipient_lines",
    "render_docx",
    "render_xlsx",
    "vn_number",
]
