"""Reads of the funds app: campaign totals, Decree 93 warnings, the ledger and its export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from . import ledger
from .models import Allocation, Campaign, Donation, LedgerHead

RECEIVING_DAYS_MAX = 90
DISTRIBUTING_DAYS_MAX = 20


@dataclass(frozen=True)
class CampaignTotals:
    received: int  # cash + bank
    received_in_kind: int  # estimated value of goods
    donations: int
    allocated: int
    delivered: int  # allocated to rounds' recorded deliveries (or to closed rounds)
    balance: int


def campaign_totals(campaign: Campaign) -> CampaignTotals:
    donations = campaign.donations.aggregate(
        cash=Sum("amount", filter=~Q(kind=Donation.Kind.IN_KIND)),
        goods=Sum("amount", filter=Q(kind=Donation.Kind.IN_KIND)),
        count=Count("id"),
    )
    allocations = campaign.allocations.aggregate(
        allocated=Sum("amount"),
        delivered=Sum("amount", filter=Q(delivery__isnull=False) | Q(round__status="closed")),
    )
    received = donations["cash"] or 0
    allocated = allocations["allocated"] or 0
    return CampaignTotals(
        received=received,
        received_in_kind=donations["goods"] or 0,
        donations=donations["count"],
        allocated=allocated,
        delivered=allocations["delivered"] or 0,
        balance=received - allocated,
    )


def campaign_warnings(campaign: Campaign, *, today: dt.date | None = None) -> list[str]:
    """Decree 93/2021 art. 8: receive at most 90 days; distribute within 20 days after."""
    today = today or timezone.localdate()
    warnings = []
    length = (campaign.receive_until - campaign.receive_from).days + 1
    if length > RECEIVING_DAYS_MAX:
        warnings.append(
            _("Thời gian tiếp nhận %(days)s ngày, vượt quá 90 ngày theo Nghị định 93/2021.")
            % {"days": length}
        )
    distribute_by = campaign.receive_until + dt.timedelta(days=DISTRIBUTING_DAYS_MAX)
    if campaign.receive_from <= today <= campaign.receive_until:
        left = (campaign.receive_until - today).days
        if left <= 7:
            warnings.append(
                _("Còn %(days)s ngày là hết thời gian tiếp nhận (%(date)s).")
                % {"days": left, "date": campaign.receive_until.strftime("%d/%m/%Y")}
            )
    elif campaign.receive_until < today <= distribute_by:
        warnings.append(
            _("Đã hết thời gian tiếp nhận; phải phân phối xong trước %(date)s (20 ngày).")
            % {"date": distribute_by.strftime("%d/%m/%Y")}
        )
    elif today > distribute_by and campaign_totals(campaign).balance > 0:
        warnings.append(
            _("Quá hạn phân phối (%(date)s) mà vẫn còn số dư chưa phân bổ.")
            % {"date": distribute_by.strftime("%d/%m/%Y")}
        )
    return warnings


def daily_totals(campaign: Campaign) -> list[tuple[dt.date, int, int]]:
    rows = (
        campaign.donations.exclude(kind=Donation.Kind.IN_KIND)
        .values("received_on")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("received_on")
    )
    return [(row["received_on"], row["total"], row["count"]) for row in rows]


def allocations_by_commune(campaign: Campaign) -> list[dict]:
    """Where the money went: per round's unit and programme, with people helped (no names)."""
    rows = (
        Allocation.objects.filter(campaign=campaign)
        .values("round__unit__name", "round__programme__name", "round_id")
        .annotate(amount=Sum("amount"))
        .order_by("round__unit__name", "round__programme__name")
    )
    from ansinh.programmes.models import Delivery

    rows = list(rows)
    people = dict(
        Delivery.objects.filter(entitlement__round_id__in={row["round_id"] for row in rows})
        .values("entitlement__round_id")
        .annotate(n=Count("entitlement__person_id", distinct=True))
        .values_list("entitlement__round_id", "n")
    )
    return [
        {
            "unit": row["round__unit__name"],
            "programme": row["round__programme__name"],
            "amount": row["amount"] or 0,
            "people": people.get(row["round_id"], 0),
        }
        for row in rows
    ]


def ledger_head() -> LedgerHead:
    head, _created = LedgerHead.objects.get_or_create(id=1)
    return head


def _stream(sql: str, params: list, size: int = 20000):
    """Rows of a query read in chunks (a server-side cursor on PostgreSQL)."""
    from django.db import connection, transaction

    # Inside a transaction Django's server-side cursor is not WITH HOLD (which would
    # materialise the whole result first), and the planner is told we read every row
    # (its cursor default plans for the first 10 %, with nested loops).
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as setting:
                setting.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(size):
                yield from rows


def ledger_entries() -> Iterator[dict]:
    """The chain in order as export dicts, with each entry's donation amount for checking.

    Entries and their postings are read in two ordered streams of plain tuples and merged:
    no N+1 and no model instances (a million entries verify in seconds)."""
    entries = _stream(
        "SELECT e.id, e.seq, e.occurred_on, e.recorded_at, e.description, e.reference, "
        "e.previous_hash, e.hash, d.amount FROM funds_journalentry e "
        "LEFT JOIN funds_donation d ON d.id = e.donation_id ORDER BY e.seq",
        [],
    )
    postings = _stream(
        "SELECT p.entry_id, a.code, p.amount FROM funds_posting p "
        "JOIN funds_journalentry e ON e.id = p.entry_id "
        "JOIN funds_account a ON a.id = p.account_id ORDER BY e.seq, p.id",
        [],
    )
    pending = next(postings, None)
    for (
        pk,
        seq,
        occurred_on,
        recorded_at,
        description,
        reference,
        previous,
        digest,
        donated,
    ) in entries:
        lines = []
        while pending is not None and pending[0] == pk:
            lines.append([pending[1], pending[2]])
            pending = next(postings, None)
        if isinstance(occurred_on, str):  # SQLite returns text
            occurred_on = dt.date.fromisoformat(occurred_on)
        if isinstance(recorded_at, str):
            recorded_at = dt.datetime.fromisoformat(recorded_at)
        if timezone.is_naive(recorded_at):  # SQLite: stored in UTC, read back naive
            recorded_at = recorded_at.replace(tzinfo=dt.UTC)
        yield {
            "seq": seq,
            "occurred_on": occurred_on.isoformat(),
            "recorded_at": ledger.utc_text(recorded_at),
            "description": description,
            "reference": reference,
            "postings": lines,
            "previous_hash": previous,
            "hash": digest,
            "_donation_amount": donated,
        }


# The whole check in one statement, in C: the canonical form is built exactly as
# `ledger.canonical` builds it (to_json escapes strings as json.dumps(ensure_ascii=False)
# does; tests/funds/test_ledger.py checks tricky text on PostgreSQL) and hashed with sha256().
_PG_FIRST_BROKEN = """
WITH p AS (
    SELECT p.entry_id,
           string_agg('[' || to_json(a.code)::text || ',' || p.amount::text || ']', ','
                      ORDER BY p.id) AS lines,
           sum(p.amount) AS total, max(p.amount) AS debit
    FROM funds_posting p JOIN funds_account a ON a.id = p.account_id
    GROUP BY p.entry_id
), c AS (
    SELECT e.seq, e.hash, e.previous_hash, p.total, p.debit, d.amount AS donated,
           lag(e.hash) OVER w AS chained, lag(e.seq) OVER w AS prev_seq,
           encode(sha256(convert_to(
               '{"description":' || to_json(e.description)::text
               || ',"occurred_on":"' || e.occurred_on::text
               || '","postings":[' || coalesce(p.lines, '')
               || '],"previous_hash":"' || e.previous_hash
               || '","recorded_at":"'
               || to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
               || '","reference":' || to_json(e.reference)::text
               || ',"seq":' || e.seq::text || '}', 'UTF8')), 'hex') AS recomputed
    FROM funds_journalentry e
    LEFT JOIN p ON p.entry_id = e.id
    LEFT JOIN funds_donation d ON d.id = e.donation_id
    WINDOW w AS (ORDER BY e.seq)
)
SELECT seq,
       CASE WHEN prev_seq IS NOT NULL AND seq <> prev_seq + 1 THEN 'gap'
            WHEN previous_hash <> coalesce(chained, repeat('0', 64)) THEN 'link'
            WHEN coalesce(total, 1) <> 0 THEN 'balance'
            WHEN donated IS NOT NULL AND debit <> donated THEN 'donation'
            ELSE 'hash' END,
       prev_seq
FROM c
WHERE (prev_seq IS NOT NULL AND seq <> prev_seq + 1)
   OR previous_hash <> coalesce(chained, repeat('0', 64))
   OR coalesce(total, 1) <> 0
   OR (donated IS NOT NULL AND debit <> donated)
   OR recomputed <> hash
ORDER BY seq
LIMIT 1
"""


def _verify_postgresql() -> ledger.VerifyResult:
    """The same checks as `ledger.verify_stream`, done by PostgreSQL in one statement."""
    from django.db import connection

    reasons = {
        "link": _("mã băm bút toán trước không khớp (chuỗi bị cắt)"),
        "balance": _("bút toán không cân (tổng khác 0)"),
        "donation": _("số tiền của khoản ủng hộ khác số tiền đã ghi sổ (dữ liệu bị sửa trực tiếp)"),
        "hash": _("nội dung đã bị thay đổi (mã băm không khớp)"),
    }
    # The statement sorts and hashes every entry: with the default work_mem (4 MB) its sorts
    # and hash joins spill to disk (26.5 s for 1,000,000 entries against 11.4 s in memory,
    # bench/bench_funds.py). The memory is this one statement's, for the transaction only.
    work_mem = str(getattr(settings, "ANSINH_LEDGER_VERIFY_WORK_MEM", "512MB"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        cursor.execute(_PG_FIRST_BROKEN)
        broken = cursor.fetchone()
        cursor.execute("SELECT count(*), max(seq) FROM funds_journalentry")
        count, last_seq = cursor.fetchone()
        if broken is not None:
            seq, kind, prev_seq = broken
            reason = (
                _("thiếu bút toán số %(seq)s") % {"seq": prev_seq + 1}
                if kind == "gap"
                else reasons[kind]
            )
            cursor.execute(
                "SELECT count(*), coalesce(max(hash) FILTER (WHERE seq = %s), '') "
                "FROM funds_journalentry WHERE seq < %s",
                [seq - 1, seq],
            )
            before, previous = cursor.fetchone()
            return ledger.VerifyResult(
                before + 1, previous or ledger.GENESIS_HASH, ledger.Broken(seq, reason)
            )
        cursor.execute("SELECT hash FROM funds_journalentry WHERE seq = %s", [last_seq])
        row = cursor.fetchone()
    return ledger.VerifyResult(count, row[0] if row else ledger.GENESIS_HASH, None)


def ledger_verify_database() -> ledger.VerifyResult:
    """Check the whole chain in the database, and that each donation's amount is the amount
    its entry recorded (an amount changed in the donations table names its entry)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return _verify_postgresql()

    def checked() -> Iterator[dict]:
        for entry in ledger_entries():
            donated = entry.pop("_donation_amount")
            if donated is not None:
                debit = max((amount for _code, amount in entry["postings"]), default=None)
                if debit != donated:
                    entry = {**entry, "_mismatch": True}
            yield entry

    previous = ledger.GENESIS_HASH
    count = 0

    def guard(stream):
        nonlocal count
        for entry in stream:
            if entry.pop("_mismatch", False):
                raise _Mismatch(entry["seq"])
            count += 1
            yield entry

    try:
        result = ledger.verify_stream(guard(checked()))
    except _Mismatch as mismatch:
        return ledger.VerifyResult(
            count,
            previous,
            ledger.Broken(
                mismatch.seq,
                _("số tiền của khoản ủng hộ khác số tiền đã ghi sổ (dữ liệu bị sửa trực tiếp)"),
            ),
        )
    return result


class _Mismatch(Exception):
    def __init__(self, seq: int):
        self.seq = seq


def ledger_export_lines() -> Iterator[str]:
    """The public export: one canonical JSON object per line, with its hash."""
    for entry in ledger_entries():
        entry.pop("_donation_amount", None)
        yield json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def round_funding(*, round_id: int) -> list[dict]:
    """The campaigns that fund a programme round: money allocated to the round itself or to
    its deliveries, per campaign (public figures: no donor and no beneficiary is named)."""
    rows = (
        Allocation.objects.filter(
            Q(round_id=round_id) | Q(delivery__entitlement__round_id=round_id)
        )
        .values("campaign__slug", "campaign__title")
        .annotate(amount=Sum("amount"))
        .order_by("campaign__title")
    )
    return [
        {"slug": row["campaign__slug"], "title": row["campaign__title"], "amount": row["amount"]}
        for row in rows
    ]
