"""Reporting periods and their codes: `2026-03` (month), `2026Q1` (quarter), `2026H1` and
`2026H2` (6 months), `2026` (year).

A period is a value, not a row: its dates follow from its code. What a template stores per
period (the deadline) lives in `ReportingPeriod`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|Q(?P<quarter>[1-4])|H(?P<half>[12]))?$")


class PeriodError(ValueError):
    """A period code that cannot be read (Vietnamese message)."""


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    index: int  # month 1-12, quarter 1-4, half 1-2; 1 for a year

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year}Q{self.index}"
        if self.kind == HALF:
            return f"{self.year}H{self.index}"
        return str(self.year)

    @property
    def months(self) -> int:
        return {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.index - 1) * self.months + 1, 1)

    @property
    def end(self) -> dt.date:
        month = self.index * self.months
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        """How a report names the period: "6 tháng đầu năm 2026", "quý I năm 2026"."""
        if self.kind == MONTH:
            return _("tháng %(month)d năm %(year)d") % {"month": self.index, "year": self.year}
        if self.kind == QUARTER:
            return _("quý %(quarter)s năm %(year)d") % {
                "quarter": ROMAN[self.index],
                "year": self.year,
            }
        if self.kind == HALF:
            if self.index == 1:
                return _("6 tháng đầu năm %(year)d") % {"year": self.year}
            return _("6 tháng cuối năm %(year)d") % {"year": self.year}
        return _("năm %(year)d") % {"year": self.year}

    def previous(self) -> Period:
        """The period just before, of the same kind (2026H1 → 2025H2)."""
        per_year = 12 // self.months
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, per_year)

    def same_period_last_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.index)

    def __str__(self) -> str:
        return self.code


def parse_period(code: str, *, kind: str | None = None) -> Period:
    """Read a period code; with `kind`, the code must be of that kind (a template's)."""
    text = (code or "").strip().upper()
    match = _CODE.match(text)
    if not match:
        raise PeriodError(
            _(
                "Kỳ báo cáo “%(code)s” không hợp lệ: dùng 2026H1, 2026H2 (6 tháng), 2026 (năm), "
                "2026Q1 (quý) hoặc 2026-03 (tháng)."
            )
            % {"code": code}
        )
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(_("Tháng %(month)s không hợp lệ.") % {"month": match["month"]})
        period = Period(MONTH, year, month)
    elif match["quarter"]:
        period = Period(QUARTER, year, int(match["quarter"]))
    elif match["half"]:
        period = Period(HALF, year, int(match["half"]))
    else:
        period = Period(YEAR, year, 1)
    if not 2000 <= year <= 2100:
        raise PeriodError(_("Năm %(year)d nằm ngoài phạm vi cho phép.") % {"year": year})
    if kind is not None and period.kind != kind:
        raise PeriodError(
            _("Kỳ “%(code)s” không phải loại kỳ của mẫu báo cáo (%(kind)s).")
            % {"code": period.code, "kind": kind_label(kind)}
        )
    return period


def kind_label(kind: str) -> str:
    return {
        MONTH: _("tháng"),
        QUARTER: _("quý"),
        HALF: _("6 tháng"),
        YEAR: _("năm"),
    }.get(kind, kind)


def recent_periods(kind: str, *, until: Period, count: int) -> list[Period]:
    """`count` periods of `kind` ending with `until`, oldest first."""
    periods = [until]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return list(reversed(periods))


def current_period(kind: str, today: dt.date) -> Period:
    """The period of `kind` that contains `today`."""
    if kind == MONTH:
        return Period(MONTH, today.year, today.month)
    if kind == QUARTER:
        return Period(QUARTER, today.year, (today.month - 1) // 3 + 1)
    if kind == HALF:
        return Period(HALF, today.year, 1 if today.month <= 6 else 2)
    return Period(YEAR, today.year, 1)
