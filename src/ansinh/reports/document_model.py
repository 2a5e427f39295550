"""What an official report document contains, independent of how it is rendered.

The reports module builds a `ReportDocument` from a submission or an aggregate;
`ansinh.reports.documents` renders it as DOCX (Decree 30/2020 layout) or as an XLSX annex.
Keeping the two apart lets each be tested on its own: the layout tests need no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FigureRow:
    """One line of the figures table: an indicator and its values."""

    code: str
    name: str
    unit: str  # unit of measure: "người", "đồng", "lượt", ...
    value: int | None  # this period (None: not reported)
    previous: int | None = None  # previous period
    same_period_last_year: int | None = None
    note: str = ""  # e.g. "nhập tay", "tính từ dữ liệu", "chia tách theo dân số"


@dataclass(frozen=True)
class Section:
    """A numbered part of the body: a heading and its paragraphs (plain text, NFC)."""

    heading: str
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnexRow:
    """One unit's line in the XLSX annex (figures per commune)."""

    unit_code: str
    unit_name: str
    values: dict[str, int | None]  # indicator code -> value
    status: str = ""  # submission status shown in the annex ("Đã duyệt", "Chưa nộp", ...)


@dataclass(frozen=True)
class ReportDocument:
    """An official report of a union body (Decree 30/2020/NĐ-CP layout)."""

    issuer_parent: str  # top-left first line, e.g. "HỘI LHPN THÀNH PHỐ HÀ NỘI"
    issuer: str  # top-left second line, bold, e.g. "BAN THƯỜNG VỤ"
    number: str  # e.g. "Số: 15/BC-HPN"
    place: str  # e.g. "Hà Nội"
    date: dt.date
    kind: str  # document type heading, e.g. "BÁO CÁO"
    title: str  # e.g. "Kết quả 6 tháng đầu năm 2026 thực hiện Kế hoạch số 95/KH-HPN ..."
    sections: tuple[Section, ...] = ()
    figures_heading: str = ""
    figures: tuple[FigureRow, ...] = ()
    recipients: tuple[str, ...] = ()  # "Nơi nhận" lines
    signature_authority: str = "TM. BAN THƯỜNG VỤ"
    signature_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    annex_title: str = ""
    annex_indicators: tuple[tuple[str, str, str], ...] = ()  # (code, name, unit) columns
    annex_rows: tuple[AnnexRow, ...] = field(default_factory=tuple)
