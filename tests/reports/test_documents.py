"""The official documents renderer: DOCX in the Decree 30/2020 layout and the XLSX annex.

No database: `render_docx` / `render_xlsx` are pure functions of a `ReportDocument`. The DOCX is
reopened with python-docx and checked for page size, margins, fonts, header texts, the date
rule, the figures table, recipients and signature; when LibreOffice is installed it must also
convert the file to a PDF.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from ansinh.reports.document_model import AnnexRow, FigureRow, ReportDocument, Section
from ansinh.reports.documents import (
    ANNEX_SHEET,
    FIGURES_SHEET,
    decree30_date,
    recipient_lines,
    render_docx,
    render_xlsx,
    vn_number,
)

TITLE = "Kết quả 6 tháng đầu năm 2026 thực hiện Kế hoạch số 95/KH-HPN về chính sách xã hội"


def make_document(**changes) -> ReportDocument:
    values = {
        "issuer_parent": "HỘI LHPN THÀNH PHỐ HÀ NỘI",
        "issuer": "BAN THƯỜNG VỤ",
        "number": "Số: 15/BC-HPN",
        "place": "Hà Nội",
        "date": dt.date(2024, 6, 5),
        "kind": "BÁO CÁO",
        "title": TITLE,
        "sections": (
            Section(
                "I. KẾT QUẢ THỰC HIỆN",
                (
                    "Các cấp Hội đã hỗ trợ phụ nữ và trẻ em có hoàn cảnh đặc biệt khó khăn.",
                    "Công tác truyền thông được đổi mới, đa dạng hình thức.",
                ),
            ),
            Section("II. BẤT CẬP, HẠN CHẾ", ("Một số đơn vị báo cáo chậm so với thời hạn.",)),
        ),
        "figures_heading": "III. BẢNG SỐ LIỆU",
        "figures": (
            FigureRow("LOAN_WOMEN", "Phụ nữ được hỗ trợ vay vốn", "người", 1250, 1100, 900),
            FigureRow(
                "LOAN_AMOUNT",
                "Số tiền vay vốn",
                "đồng",
                1_250_000_000,
                None,
                980_000,
                "tính từ dữ liệu",
            ),
        ),
        "recipients": ("TW Hội LHPN Việt Nam;", "- Ban Dân vận Thành ủy", "Lưu: VT, GĐXH."),
        "signer_name": "Nguyễn Thị Hoa",
        "annex_title": "PHỤ LỤC: SỐ LIỆU THEO ĐƠN VỊ",
        "annex_indicators": (
            ("LOAN_WOMEN", "Phụ nữ được hỗ trợ vay vốn", "người"),
            ("LOAN_AMOUNT", "Số tiền vay vốn", "đồng"),
        ),
        "annex_rows": (
            AnnexRow("00070", "Phường Hoàn Kiếm", {"LOAN_WOMEN": 700, "LOAN_AMOUNT": 750_000_000}),
            AnnexRow(
                "00454",
                "Xã Đông Anh",
                {"LOAN_WOMEN": 550, "LOAN_AMOUNT": None},
                status="Đã duyệt",
            ),
            AnnexRow("00118", "Phường Ba Đình", {}, status="Chưa nộp"),
        ),
    }
    values.update(changes)
    return ReportDocument(**values)


@pytest.fixture(scope="module")
def docx():
    return Document(BytesIO(render_docx(make_document())))


def all_paragraphs(document):
    """Body paragraphs and those inside table cells, in document order."""
    found = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    return found


def paragraph_with(document, text):
    matches = [p for p in all_paragraphs(document) if p.text == text]
    assert matches, f"no paragraph {text!r}"
    return matches[0]


def run_of(paragraph):
    runs = [run for run in paragraph.runs if run.text]
    assert len(runs) == 1
    return runs[0]


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2024, 6, 5), "Hà Nội, ngày 05 tháng 6 năm 2024"),
        (dt.date(2025, 2, 3), "Hà Nội, ngày 03 tháng 02 năm 2025"),
        (dt.date(2026, 12, 15), "Hà Nội, ngày 15 tháng 12 năm 2026"),
        (dt.date(2026, 1, 9), "Hà Nội, ngày 09 tháng 01 năm 2026"),
        (dt.date(2026, 3, 10), "Hà Nội, ngày 10 tháng 3 năm 2026"),
        (dt.date(2026, 11, 30), "Hà Nội, ngày 30 tháng 11 năm 2026"),
    ],
)
def test_decree30_date_pads_days_below_10_and_months_1_and_2(date, expected):
    assert decree30_date("Hà Nội", date) == expected


def test_vn_number_uses_dots_for_thousands():
    assert vn_number(1_250_000) == "1.250.000"
    assert vn_number(999) == "999"
    assert vn_number(0) == "0"
    assert vn_number(-5000) == "-5.000"
    assert vn_number(None) == "-"
    with pytest.raises(TypeError):
        vn_number(1.5)
    with pytest.raises(TypeError):
        vn_number(True)


def test_recipient_lines_start_with_a_dash_and_end_with_a_semicolon_then_a_full_stop():
    assert recipient_lines(["TW Hội;", "- Thành ủy", "  ", "Lưu: VT."]) == [
        "- TW Hội;",
        "- Thành ủy;",
        "- Lưu: VT.",
    ]


# --- DOCX layout -------------------------------------------------------------------------------


def test_page_is_a4_portrait_with_margins_in_the_decree_ranges(docx):
    section = docx.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)


def test_every_run_is_times_new_roman_in_all_four_font_slots(docx):
    runs = [run for paragraph in all_paragraphs(docx) for run in paragraph.runs]
    assert len(runs) > 20
    for run in runs:
        fonts = run._element.rPr.find(qn("w:rFonts"))
        for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            assert fonts.get(qn(slot)) == "Times New Roman", (run.text, slot)
    normal = docx.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "Times New Roman"
    assert normal.get(qn("w:cs")) == "Times New Roman"


def test_body_paragraphs_are_14pt_justified_with_a_first_line_indent(docx):
    paragraph = paragraph_with(docx, "Công tác truyền thông được đổi mới, đa dạng hình thức.")
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert paragraph.paragraph_format.first_line_indent >= Mm(10)
    assert paragraph.paragraph_format.space_after >= Pt(6)
    run = run_of(paragraph)
    assert run.font.size == Pt(14)
    assert not run.font.bold
    heading = run_of(paragraph_with(docx, "II. BẤT CẬP, HẠN CHẾ"))
    assert heading.font.bold and heading.font.size == Pt(14)


def test_header_is_a_borderless_two_column_table_with_issuer_left_and_motto_right(docx):
    header = docx.tables[0]
    assert len(header.columns) == 2
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert {child.get(qn("w:val")) for child in borders} == {"nil"}
    left = [p.text for p in header.rows[0].cells[0].paragraphs if p.text]
    right = [p.text for p in header.rows[0].cells[1].paragraphs if p.text]
    assert left == ["HỘI LHPN THÀNH PHỐ HÀ NỘI", "BAN THƯỜNG VỤ"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert header.rows[1].cells[0].text == "Số: 15/BC-HPN"

    parent, issuer = (run_of(p) for p in header.rows[0].cells[0].paragraphs[:2])
    assert not parent.font.bold and issuer.font.bold
    assert parent.font.size in (Pt(12), Pt(13))
    assert issuer.font.size in (Pt(12), Pt(13))
    national, motto = (run_of(p) for p in header.rows[0].cells[1].paragraphs[:2])
    assert national.font.bold and national.font.size in (Pt(12), Pt(13))
    assert motto.font.bold and motto.font.size in (Pt(13), Pt(14))


def ruled_paragraphs(cell):
    return [p for p in cell.paragraphs if p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is not None]


def test_a_short_line_is_drawn_under_the_issuer_and_under_the_motto(docx):
    left, right = docx.tables[0].rows[0].cells
    for cell, after in ((left, "BAN THƯỜNG VỤ"), (right, "Độc lập - Tự do - Hạnh phúc")):
        rules = ruled_paragraphs(cell)
        assert len(rules) == 1
        texts = [p.text for p in cell.paragraphs]
        assert texts.index("") > texts.index(after)  # the line comes under the text
        border = rules[0]._p.pPr.find(qn("w:pBdr")).find(qn("w:top"))
        assert border.get(qn("w:val")) == "single"
    # The issuer's line is shorter (1/3 to 1/2 of the text) than the motto's (the whole text).
    issuer_indent = ruled_paragraphs(left)[0].paragraph_format.left_indent
    assert issuer_indent > Mm(15)


def test_place_and_date_are_italic_on_the_right_with_the_leading_zero_rule():
    for date, expected in (
        (dt.date(2024, 6, 5), "Hà Nội, ngày 05 tháng 6 năm 2024"),
        (dt.date(2025, 2, 3), "Hà Nội, ngày 03 tháng 02 năm 2025"),
        (dt.date(2026, 12, 15), "Hà Nội, ngày 15 tháng 12 năm 2026"),
    ):
        document = Document(BytesIO(render_docx(make_document(date=date))))
        cell = document.tables[0].rows[1].cells[1]
        assert cell.text == expected
        run = run_of(cell.paragraphs[0])
        assert run.font.italic is True
        assert not run.font.bold


def test_kind_and_title_are_bold_and_centred_below_the_header(docx):
    body_texts = [p.text for p in docx.paragraphs]
    assert body_texts.index("BÁO CÁO") + 1 == body_texts.index(TITLE)
    for text in ("BÁO CÁO", TITLE):
        paragraph = paragraph_with(docx, text)
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert run_of(paragraph).font.bold
        assert run_of(paragraph).font.size == Pt(14)
    # The header table is the first block of the page, before the kind.
    first = docx.element.body[0]
    assert first.tag == qn("w:tbl")


def test_figures_table_has_the_columns_and_vietnamese_number_formatting(docx):
    table = docx.tables[1]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Kỳ này", "Kỳ trước", "Cùng kỳ năm trước", "Ghi chú"],
        ["1", "Phụ nữ được hỗ trợ vay vốn", "người", "1.250", "1.100", "900", ""],
        ["2", "Số tiền vay vốn", "đồng", "1.250.000.000", "-", "980.000", "tính từ dữ liệu"],
    ]
    assert table._tbl.tblPr.find(qn("w:tblBorders")).find(qn("w:top")).get(qn("w:val")) == (
        "single"
    )
    header_cell = table.rows[0].cells[3].paragraphs[0]
    assert run_of(header_cell).font.bold
    value = table.rows[2].cells[3].paragraphs[0]
    assert value.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert run_of(value).font.size == Pt(12)
    assert not run_of(value).font.bold
    # The header row repeats on every page the table runs over.
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # Columns fit between the margins.
    total = sum(column.width for column in table.columns)
    assert abs(total - Mm(165)) < Mm(1)


def test_no_figures_table_when_there_are_no_figures():
    document = Document(BytesIO(render_docx(make_document(figures=()))))
    assert len(document.tables) == 2  # header and closing block only
    assert "STT" not in [p.text for p in all_paragraphs(document)]


def test_recipients_bottom_left_and_signature_bottom_right(docx):
    closing = docx.tables[-1]
    recipients, signature = closing.rows[0].cells
    lines = [p.text for p in recipients.paragraphs]
    assert lines == [
        "Nơi nhận:",
        "- TW Hội LHPN Việt Nam;",
        "- Ban Dân vận Thành ủy;",
        "- Lưu: VT, GĐXH.",
    ]
    label = run_of(recipients.paragraphs[0])
    assert label.font.bold and label.font.italic and label.font.size == Pt(12)
    for paragraph in recipients.paragraphs[1:]:
        run = run_of(paragraph)
        assert run.font.size == Pt(11) and not run.font.bold and not run.font.italic
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.LEFT

    texts = [p.text for p in signature.paragraphs]
    assert texts[0] == "TM. BAN THƯỜNG VỤ"
    assert texts[1] == "CHỦ TỊCH"
    assert texts[-1] == "Nguyễn Thị Hoa"
    assert texts[2:-1] == ["", "", "", ""]  # room for the signature and the seal
    for paragraph in (signature.paragraphs[0], signature.paragraphs[1], signature.paragraphs[-1]):
        assert run_of(paragraph).font.bold
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_page_numbers_from_the_second_page_only(docx):
    section = docx.sections[0]
    assert section.different_first_page_header_footer is True
    instructions = section.header._element.findall(f".//{qn('w:instrText')}")
    assert [element.text for element in instructions] == ["PAGE"]
    assert section.first_page_header._element.findall(f".//{qn('w:instrText')}") == []


def test_vietnamese_text_survives_unchanged():
    document = Document(
        BytesIO(render_docx(make_document(title="Về việc hỗ trợ người yếu thế ở Ứng Hòa")))
    )
    assert "Về việc hỗ trợ người yếu thế ở Ứng Hòa" in [p.text for p in document.paragraphs]


# --- LibreOffice --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_the_docx_to_an_a4_pdf(tmp_path):
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(render_docx(make_document()))
    profile = tmp_path / "lo-profile"
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists(), completed.stderr.decode(errors="replace")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 10_000
    # A4 is 595.3 × 841.9 points.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1
    if shutil.which("pdftotext"):
        text = subprocess.run(  # noqa: S603
            [shutil.which("pdftotext"), "-layout", str(pdf), "-"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Hà Nội, ngày 05 tháng 6 năm 2024" in text
        assert "TM. BAN THƯỜNG VỤ" in text


# --- XLSX annex ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xlsx_bytes():
    return render_xlsx(make_document())


def test_annex_sheet_has_title_headers_rows_and_totals(xlsx_bytes):
    workbook = CalamineWorkbook.from_filelike(BytesIO(xlsx_bytes))
    assert workbook.sheet_names == [ANNEX_SHEET, FIGURES_SHEET]
    rows = workbook.get_sheet_by_name(ANNEX_SHEET).to_python()
    assert rows[0][0] == "PHỤ LỤC: SỐ LIỆU THEO ĐƠN VỊ"
    assert "Hà Nội, ngày 05 tháng 6 năm 2024" in rows[1][0]
    assert rows[3] == [
        "STT",
        "Mã đơn vị",
        "Tên đơn vị",
        "Phụ nữ được hỗ trợ vay vốn (người)",
        "Số tiền vay vốn (đồng)",
        "Trạng thái",
    ]
    assert rows[4] == [1, "00070", "Phường Hoàn Kiếm", 700, 750_000_000, ""]
    assert rows[5] == [2, "00454", "Xã Đông Anh", 550, "", "Đã duyệt"]
    assert rows[6] == [3, "00118", "Phường Ba Đình", "", "", "Chưa nộp"]
    assert rows[7] == ["", "", "Tổng cộng", 1250, 750_000_000, ""]
    assert len(rows) == 8


def test_annex_sheet_formatting(xlsx_bytes):
    workbook = load_workbook(BytesIO(xlsx_bytes))
    sheet = workbook[ANNEX_SHEET]
    assert sheet.freeze_panes == "D5"
    assert sheet["D5"].number_format == "#,##0"
    assert sheet["E8"].number_format == "#,##0"
    assert sheet["E8"].font.bold
    assert sheet["A4"].font.bold
    assert "A1:F1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet.column_dimensions["C"].width >= 30
    assert sheet.column_dimensions["D"].width >= 12
    assert sheet.page_setup.orientation == "landscape"


def test_figures_sheet_lists_the_figures_table(xlsx_bytes):
    workbook = CalamineWorkbook.from_filelike(BytesIO(xlsx_bytes))
    rows = workbook.get_sheet_by_name(FIGURES_SHEET).to_python()
    assert rows[0][0] == "III. BẢNG SỐ LIỆU"
    assert rows[2][:5] == ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Kỳ này"]
    assert rows[3] == [1, "LOAN_WOMEN", "Phụ nữ được hỗ trợ vay vốn", "người", 1250, 1100, 900, ""]
    assert rows[4] == [
        2,
        "LOAN_AMOUNT",
        "Số tiền vay vốn",
        "đồng",
        1_250_000_000,
        "",
        980_000,
        "tính từ dữ liệu",
    ]
    sheet = load_workbook(BytesIO(xlsx_bytes))[FIGURES_SHEET]
    assert sheet["E5"].number_format == "#,##0"
    assert sheet.freeze_panes == "D4"


def test_annex_with_no_rows_still_has_a_totals_line():
    rows = (
        CalamineWorkbook.from_filelike(BytesIO(render_xlsx(make_document(annex_rows=()))))
        .get_sheet_by_name(ANNEX_SHEET)
        .to_python()
    )
    assert rows[-1][:3] == ["", "", "Tổng cộng"]
    assert rows[-1][3:5] == ["", ""]
