"""The ledger: balanced entries only, a hash chain that names the first broken entry."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ansinh.funds.models import Donation, JournalEntry, Posting
from ansinh.funds.selectors import ledger_export_lines, ledger_verify_database
from ansinh.funds.services import (
    LedgerError,
    campaign_accounts,
    donation_record,
    journal_post,
    journal_reverse,
)

pytestmark = pytest.mark.django_db
# The script the public verification page serves (the only copy).
SCRIPT = Path(__file__).resolve().parents[2] / "src/ansinh/portal/static/portal/verify_ledger.py"
DAY = dt.date(2024, 9, 10)


def _gifts(campaign, amounts):
    return [
        donation_record(
            actor=None,
            campaign=campaign,
            kind=Donation.Kind.BANK,
            amount=amount,
            received_on=DAY,
            donor_name="Nguyễn Thị Hòa",
        )
        for amount in amounts
    ]


def _tamper(sql, params):
    """What an attacker with the database owner's rights could do (triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(campaign):
    accounts = campaign_accounts(campaign)

    with pytest.raises(LedgerError, match="không cân"):
        journal_post(
            description="sai",
            occurred_on=DAY,
            postings=[(accounts["bank"], 50_000), (accounts["fund"], -40_000)],
        )

    assert JournalEntry.objects.count() == 0
    assert Posting.objects.count() == 0


def test_entries_chain_and_verify(campaign):
    _gifts(campaign, [50_000, 200_000, 1_000_000])

    entries = list(JournalEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].previous_hash == "0" * 64
    assert entries[1].previous_hash == entries[0].hash
    result = ledger_verify_database()
    assert result.ok and result.entries == 3 and result.last_hash == entries[2].hash


def test_a_changed_posting_amount_names_its_entry(campaign):
    _gifts(campaign, [50_000, 200_000, 1_000_000])
    second = JournalEntry.objects.get(seq=2)
    posting = second.postings.order_by("id").first()

    _tamper("UPDATE funds_posting SET amount = %s WHERE id = %s", [20_000, posting.pk])
    _tamper(
        "UPDATE funds_posting SET amount = %s WHERE entry_id = %s AND id <> %s",
        [-20_000, second.pk, posting.pk],
    )

    result = ledger_verify_database()
    assert not result.ok and result.broken.seq == 2
    with pytest.raises(CommandError, match="bút toán số 2"):
        call_command("ledger_verify")


def test_a_changed_donation_amount_names_its_entry(campaign):
    gifts = _gifts(campaign, [50_000, 200_000, 1_000_000])

    _tamper("UPDATE funds_donation SET amount = %s WHERE id = %s", [500_000, gifts[2].pk])

    result = ledger_verify_database()
    assert not result.ok and result.broken.seq == 3


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_editing_money_in_place(campaign):
    from django.db import DatabaseError, transaction

    gift = _gifts(campaign, [50_000])[0]
    for sql in (
        "UPDATE funds_donation SET amount = 1 WHERE id = %s",
        "DELETE FROM funds_journalentry WHERE donation_id = %s",
        "UPDATE funds_posting SET amount = 1 WHERE entry_id IN "
        "(SELECT id FROM funds_journalentry WHERE donation_id = %s)",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [gift.pk])
    assert Donation.objects.get(pk=gift.pk).amount == 50_000
    assert ledger_verify_database().ok


def test_a_correction_is_a_reversing_entry(campaign, personas):
    gift = _gifts(campaign, [50_000])[0]

    reversal = journal_reverse(actor=personas.city_admin, entry=gift.entry, reason="nhập nhầm")

    assert sorted(reversal.postings.values_list("amount", flat=True)) == [-50_000, 50_000]
    assert JournalEntry.objects.count() == 2
    assert ledger_verify_database().ok
    with pytest.raises(LedgerError):
        journal_reverse(actor=personas.city_admin, entry=gift.entry, reason="lần nữa")


def test_the_published_export_is_checked_by_the_stdlib_script(campaign, tmp_path):
    _gifts(campaign, [50_000, 200_000, 1_000_000])
    export = tmp_path / "so-cai.jsonl"
    export.write_text("".join(ledger_export_lines()), encoding="utf-8")

    ok = subprocess.run([sys.executable, str(SCRIPT), str(export)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    call_command("ledger_verify", str(export))

    lines = export.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[1])
    entry["postings"][0][1] += 1
    entry["postings"][1][1] -= 1
    lines[1] = json.dumps(entry, ensure_ascii=False)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    broken = subprocess.run(
        [sys.executable, str(SCRIPT), str(export)], capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert "#2" in broken.stdout
    with pytest.raises(CommandError, match="bút toán số 2"):
        call_command("ledger_verify", str(export))


@pytest.mark.parametrize(
    "text",
    ["Nhận ủng hộ", 'quote " and \\ backslash', "tab\tnew\nline\x01", "emoji 🌀 Đ", ""],
)
def test_the_fast_canonical_form_is_exactly_json_dumps(text):
    from ansinh.funds import ledger

    fields = {
        "seq": 12,
        "occurred_on": "2024-09-10",
        "recorded_at": "2024-09-10T01:02:03Z",
        "description": text,
        "reference": text[::-1],
        "postings": [("bao-yagi:bank", 50_000), (text, -50_000)],
        "previous_hash": "0" * 64,
    }
    assert ledger.canonical(**fields) == ledger.canonical_reference(**fields)


def test_tricky_text_verifies_in_the_database_and_in_the_export(campaign):
    accounts = campaign_accounts(campaign)
    for text in ['quote " and \\ backslash', "tab\tnew\nline\x01\x1f", "emoji 🌀 Đ ư", ""]:
        journal_post(
            description=text or "x",
            reference=text,
            occurred_on=DAY,
            postings=[(accounts["bank"], 1_000), (accounts["fund"], -1_000)],
        )
    from ansinh.funds.ledger import read_export, verify_stream

    assert ledger_verify_database().ok
    assert verify_stream(read_export(ledger_export_lines())).ok


@pytest.mark.parametrize(
    "text",
    ["Nhận ủng hộ qua sao kê", 'quote " and \\ backslash', "tab\tnew\nline\x01", "emoji 🌀 Đ", ""],
)
def test_the_import_hasher_is_exactly_entry_hash(text):
    from ansinh.funds import ledger

    digest = ledger.two_posting_hasher(
        description=text,
        recorded_at=dt.datetime(2024, 9, 10, 1, 2, 3, tzinfo=dt.UTC),
        debit_code=f"{text}:bank",
        credit_code="bao-yagi:fund",
    )

    assert digest(7, "2024-09-10", 50_000, "line:0123abcd", "f" * 64) == ledger.entry_hash(
        seq=7,
        occurred_on=dt.date(2024, 9, 10),
        recorded_at="2024-09-10T01:02:03Z",
        description=text,
        reference="line:0123abcd",
        postings=[(f"{text}:bank", 50_000), ("bao-yagi:fund", -50_000)],
        previous_hash="f" * 64,
    )
    with pytest.raises(ValueError, match="escaping"):
        digest(7, "2024-09-10", 50_000, 'line:"x', "f" * 64)
