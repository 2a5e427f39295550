"""Period codes: what each means, its neighbours, and the mistakes refused in Vietnamese."""

import datetime as dt

import pytest

from ansinh.reports.periods import PeriodError, current_period, parse_period, recent_periods


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "6 tháng đầu năm 2026"),
        ("2026h2", dt.date(2026, 7, 1), dt.date(2026, 12, 31), "6 tháng cuối năm 2026"),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "năm 2026"),
        ("2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), "quý I năm 2026"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "tháng 2 năm 2024"),
    ],
)
def test_codes(code, start, end, label):
    period = parse_period(code)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert parse_period(period.code) == period


def test_neighbours():
    assert parse_period("2026H1").previous().code == "2025H2"
    assert parse_period("2026H1").same_period_last_year().code == "2025H1"
    assert parse_period("2026Q1").previous().code == "2025Q4"
    assert parse_period("2026-01").previous().code == "2025-12"
    assert parse_period("2026").previous().code == "2025"
    assert [p.code for p in recent_periods("half", until=parse_period("2026H1"), count=3)] == [
        "2025H1",
        "2025H2",
        "2026H1",
    ]
    assert current_period("half", dt.date(2026, 7, 1)).code == "2026H2"


@pytest.mark.parametrize(
    ("code", "kind", "message"),
    [
        ("2026H3", None, "không hợp lệ"),
        ("2026-13", None, "Tháng 13"),
        ("26H1", None, "không hợp lệ"),
        ("1999", None, "ngoài phạm vi"),
        ("2026Q2", "half", "không phải loại kỳ"),
        ("", None, "không hợp lệ"),
    ],
)
def test_mistakes(code, kind, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(code, kind=kind)
