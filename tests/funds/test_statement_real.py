"""The published Typhoon Yagi statement (200,364 real credit lines) imported end to end.

Skips cleanly when ../shared is absent. Names in the file are never printed."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from ansinh.funds.models import Donation, JournalEntry, Posting
from ansinh.funds.selectors import ledger_verify_database
from ansinh.funds.statements import statement_import

LINES = 200_364
TOTAL = 135_080_697_395


@pytest.fixture
def statement(shared_data):
    path = shared_data / "mttq-saoke-vcb-2024-09" / "vcb_0011001932418_2024-09-01_to_10.csv.gz"
    if not path.is_file():
        pytest.skip("the published statement is not on this machine")
    return path


@pytest.mark.django_db
def test_real_statement_imports_once_and_the_ledger_holds(campaign, statement):
    first = statement_import(campaign=campaign, path=statement, actor=None)

    assert (first.lines_read, first.lines_added, first.amount_added) == (LINES, LINES, TOTAL)
    assert Donation.objects.filter(campaign=campaign).count() == LINES
    assert Donation.objects.aggregate(s=Sum("amount"))["s"] == TOTAL
    assert JournalEntry.objects.count() == LINES
    assert Posting.objects.count() == 2 * LINES
    # Most memos name their sender; the rest wait for a person.
    assert 0 < first.lines_to_review < LINES // 2

    again = statement_import(campaign=campaign, path=statement, actor=None)

    assert (again.lines_read, again.lines_added, again.amount_added) == (LINES, 0, 0)
    assert Donation.objects.count() == LINES
    assert JournalEntry.objects.count() == LINES
    result = ledger_verify_database()
    assert result.ok and result.entries == LINES


@pytest.mark.django_db
def test_the_fast_memo_parsing_agrees_with_the_plain_patterns_on_the_real_file(statement):
    from ansinh.funds import statements

    from .test_statements import _donor_reference

    memos = [line.memo for line in statements.statement_read(statement)]
    assert len(memos) == LINES
    trailing = donors = 0  # counted, never printed: real people's names
    for memo in memos:
        trailing += statements._strip_trailing_refs(memo) != statements._TRAILING_REFS.sub("", memo)
        expected = _donor_reference(memo)
        donors += expected is not None and statements.donor_from_memo(memo) != expected
    assert (trailing, donors) == (0, 0)
