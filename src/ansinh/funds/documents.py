"""Documents of the funds app: the PDF donation receipt and the Decree 93 disclosure report.

The receipt embeds DejaVu Sans (vendored in `fonts/`, free licence) so Vietnamese prints the
same on a closed network without system fonts.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.money import format_vnd

from .models import Campaign, Donation, InKindItem
from .selectors import allocations_by_commune, campaign_totals, daily_totals

FONTS = Path(__file__).resolve().parent / "fonts"


def receipt_pdf(donation: Donation) -> bytes:
    from fpdf import FPDF

    campaign = donation.campaign
    pdf = FPDF(orientation="L", unit="mm", format=(148, 210))  # A5
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 12, 15)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, campaign.unit.name.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 12, _("BIÊN NHẬN ỦNG HỘ"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(
        0,
        6,
        _("Số: %(number)s/%(slug)s")
        % {"number": f"{donation.receipt_number or 0:06d}", "slug": campaign.slug},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 12)
    rows = [
        (_("Cuộc vận động"), campaign.title),
        (_("Người ủng hộ"), donation.donor_name or str(_("Nhà hảo tâm"))),
        (_("Hình thức"), donation.get_kind_display()),
        (_("Số tiền"), format_vnd(donation.amount)),
        (_("Ngày nhận"), donation.received_on.strftime("%d/%m/%Y")),
        (_("Nội dung"), donation.memo or "—"),
    ]
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(45, 8, f"{label}:")
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 8, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        5,
        _(
            "Khoản ủng hộ được ghi sổ cái công khai; tra cứu tại trang Minh bạch của Hội. "
            "Mã bút toán: %(hash)s"
        )
        % {"hash": getattr(getattr(donation, "entry", None), "hash", "")[:16]},
    )
    return bytes(pdf.output())


def disclosure_xlsx(campaign: Campaign) -> bytes:
    """Decree 93/2021 art. 14 disclosure: received (cash, in kind), distributed, where, when."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    totals = campaign_totals(campaign)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Tổng hợp")[:31]
    bold = Font(bold=True)
    sheet.append([_("CÔNG KHAI TIẾP NHẬN VÀ PHÂN PHỐI (Nghị định 93/2021/NĐ-CP)")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([campaign.title])
    sheet.append(
        [
            _("Thời gian tiếp nhận"),
            f"{campaign.receive_from:%d/%m/%Y} - {campaign.receive_until:%d/%m/%Y}",
        ]
    )
    sheet.append([])
    for label, value in (
        (_("Tiền đã nhận (đồng)"), totals.received),
        (_("Hiện vật đã nhận, giá trị ước tính (đồng)"), totals.received_in_kind),
        (_("Số lượt ủng hộ"), totals.donations),
        (_("Đã phân bổ (đồng)"), totals.allocated),
        (_("Đã trao (đồng)"), totals.delivered),
        (_("Còn lại (đồng)"), totals.balance),
    ):
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 2).number_format = "#,##0"
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 22

    where = workbook.create_sheet(_("Phân phối")[:31])
    where.append([_("Đơn vị"), _("Chương trình"), _("Số tiền (đồng)"), _("Số người được hỗ trợ")])
    for cell in where[1]:
        cell.font = bold
    for row in allocations_by_commune(campaign):
        where.append([row["unit"], row["programme"], row["amount"], row["people"]])
        where.cell(where.max_row, 3).number_format = "#,##0"
    days = workbook.create_sheet(_("Theo ngày")[:31])
    days.append([_("Ngày"), _("Số tiền (đồng)"), _("Số lượt")])
    for cell in days[1]:
        cell.font = bold
    for day, total, count in daily_totals(campaign):
        days.append([day, total, count])
        days.cell(days.max_row, 1).number_format = "dd/mm/yyyy"
        days.cell(days.max_row, 2).number_format = "#,##0"
    goods = workbook.create_sheet(_("Hiện vật")[:31])
    goods.append([_("Hiện vật"), _("Số lượng"), _("Đơn vị tính"), _("Giá trị ước tính (đồng)")])
    for item in InKindItem.objects.filter(donation__campaign=campaign).order_by("item"):
        goods.append([item.item, item.quantity, item.unit_of_measure, item.estimated_value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def disclosure_docx(campaign: Campaign) -> bytes:
    from docx import Document
    from docx.shared import Mm, Pt

    totals = campaign_totals(campaign)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    heading = document.add_paragraph()
    heading.alignment = 1
    run = heading.add_run(_("CÔNG KHAI TIẾP NHẬN VÀ PHÂN PHỐI NGUỒN ĐÓNG GÓP TỰ NGUYỆN"))
    run.bold = True
    sub = document.add_paragraph(campaign.title)
    sub.alignment = 1
    document.add_paragraph(
        _("Thời gian tiếp nhận: từ %(start)s đến %(end)s. Đơn vị tổ chức: %(unit)s.")
        % {
            "start": campaign.receive_from.strftime("%d/%m/%Y"),
            "end": campaign.receive_until.strftime("%d/%m/%Y"),
            "unit": campaign.unit.name,
        }
    )
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in (
        (_("Tiền đã nhận"), format_vnd(totals.received)),
        (_("Hiện vật đã nhận (giá trị ước tính)"), format_vnd(totals.received_in_kind)),
        (_("Số lượt ủng hộ"), f"{totals.donations:,}".replace(",", ".")),
        (_("Đã phân bổ"), format_vnd(totals.allocated)),
        (_("Đã trao"), format_vnd(totals.delivered)),
        (_("Còn lại"), format_vnd(totals.balance)),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(label), value
    document.add_paragraph()
    document.add_paragraph(_("Phân phối theo đơn vị và chương trình:")).runs[0].bold = True
    where = document.add_table(rows=1, cols=4)
    where.style = "Table Grid"
    for cell, text in zip(
        where.rows[0].cells,
        (_("Đơn vị"), _("Chương trình"), _("Số tiền"), _("Số người")),
        strict=True,
    ):
        cell.text = str(text)
    for row in allocations_by_commune(campaign):
        cells = where.add_row().cells
        cells[0].text, cells[1].text = row["unit"], row["programme"]
        cells[2].text, cells[3].text = format_vnd(row["amount"]), str(row["people"])
    document.add_paragraph(
        _("Lập ngày %(date)s.") % {"date": timezone.localdate().strftime("%d/%m/%Y")}
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
