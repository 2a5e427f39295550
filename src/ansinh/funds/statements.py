"""Bank statement import: read (CSV/XLSX, column mapping per bank), check, store once.

All-or-nothing per file: every row is read and checked first; one bad row (its row number,
column and a Vietnamese message) refuses the whole file and nothing is saved. Each credit
line becomes one donation with its own journal entry, so every đồng is traceable.

Identity of a line (`line_key`): SHA-256 of receiving account, date, amount, memo and the
occurrence number of that exact (date, amount, memo) within the file — the real statement has
legitimately identical lines that are different gifts. Importing the same file again, or a
later statement that overlaps it, adds only lines not seen before.

On PostgreSQL the new rows go in with `COPY`, in slices prepared one ahead in a thread (memo
parsing, hashing, formatting) while the database writes the previous one, with the per-row
foreign-key triggers replaced by one set-based check when the role may; elsewhere with bulk
inserts. The ledger head stays locked from the first hash to the commit.
docs/adr/0008-statement-import-staging.md has the measurements behind this.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Full, Queue
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_record
from ansinh.core.bulk import restore_row_triggers, skip_row_triggers
from ansinh.core.text import fold

from . import ledger
from .models import (
    Account,
    BankColumnMapping,
    Campaign,
    Donation,
    JournalEntry,
    LedgerHead,
    Posting,
    StatementImport,
)
from .search import SEARCH_TEXT_MAX, search_catch_up
from .services import campaign_accounts

DEFAULT_MAPPINGS = {
    # Vietcombank's statement as published (and as parsed to CSV): date, money, content.
    "VCB": {
        "date_column": "date",
        "amount_column": "money",
        "memo_column": "content",
        "reference_column": "",
        "date_format": "%d/%m/%Y",
    },
}
MAX_ERRORS = 50


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Dòng %(row)s, cột “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class StatementRefused(Exception):
    """The file was refused; `errors` says where. Nothing was saved."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors[:5]))


class Line(NamedTuple):
    row: int
    date: dt.date
    amount: int
    memo: str


@dataclass(frozen=True)
class ImportResult:
    statement_import: StatementImport | None
    lines_read: int
    lines_added: int
    amount_added: int
    lines_to_review: int


def mapping_for(bank: str) -> BankColumnMapping:
    bank = bank.upper()
    mapping = BankColumnMapping.objects.filter(bank=bank).first()
    if mapping is None:
        defaults = DEFAULT_MAPPINGS.get(bank)
        if defaults is None:
            raise StatementRefused(
                [
                    RowError(
                        0, "", _("Chưa có cấu hình cột cho ngân hàng %(bank)s.") % {"bank": bank}
                    )
                ]
            )
        # get_or_create: two imports starting at once both find no mapping; one creates it.
        mapping, _created = BankColumnMapping.objects.get_or_create(bank=bank, defaults=defaults)
    return mapping


def _rows(path: Path, data: bytes | None) -> Iterator[list]:
    name = path.name.lower()
    if name.endswith((".xlsx", ".xls", ".ods")):
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(
            io.BytesIO(data if data is not None else path.read_bytes())
        )
        yield from workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
        return
    raw = data if data is not None else path.read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    yield from csv.reader(io.StringIO(text, newline=""))


_AMOUNT = re.compile(r"^\d{1,3}([.,]\d{3})*$|^\d+$")


def _amount(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(" ", "")
    if not _AMOUNT.match(text):
        return None
    return int(text.replace(".", "").replace(",", ""))


def _date(value, fmt: str, _seen: dict = {}) -> dt.date | None:  # noqa: B006 (a cache)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    key = (str(value).strip(), fmt)
    if key not in _seen:  # a statement holds few distinct dates: parse each once
        try:
            _seen[key] = dt.datetime.strptime(key[0], fmt).date()
        except ValueError:
            _seen[key] = None
        if len(_seen) > 10000:
            _seen.clear()
    return _seen[key]


def statement_read(path: Path, *, bank: str = "VCB", data: bytes | None = None) -> list[Line]:
    """Every credit line of the file, or `StatementRefused` with the bad rows."""
    mapping = mapping_for(bank)
    rows = _rows(Path(path), data)
    try:
        header = [str(cell).strip().lower() for cell in next(rows)]
    except StopIteration:
        raise StatementRefused([RowError(1, "", _("Tệp trống."))]) from None
    wanted = {
        "date": mapping.date_column.lower(),
        "amount": mapping.amount_column.lower(),
        "memo": mapping.memo_column.lower(),
    }
    missing = [column for column in wanted.values() if column not in header]
    if missing:
        raise StatementRefused(
            [RowError(1, column, _("Thiếu cột này ở dòng tiêu đề.")) for column in missing]
        )
    at = {key: header.index(column) for key, column in wanted.items()}
    date_at, amount_at, memo_at = at["date"], at["amount"], at["memo"]
    fmt = mapping.date_format
    lines: list[Line] = []
    errors: list[RowError] = []
    width = max(at.values()) + 1
    days: dict[str, dt.date | None] = {}  # a statement holds few distinct dates
    for number, row in enumerate(rows, start=2):
        if len(row) < width:
            if any(str(cell).strip() for cell in row):
                errors.append(RowError(number, wanted["memo"], _("Dòng thiếu cột.")))
            continue
        # The common case first (a CSV cell of plain digits, a date seen before); anything
        # else through the general readers, which give the same values.
        cell = row[amount_at]
        amount = int(cell) if type(cell) is str and cell.isascii() and cell.isdigit() else None
        if amount is None:
            amount = _amount(cell)
        cell = row[date_at]
        date = days.get(cell) if type(cell) is str else None
        if date is None:
            date = _date(cell, fmt)
            if type(cell) is str and len(days) < 10000:
                days[cell] = date
        if date is not None and amount is not None and amount > 0:
            lines.append(Line(number, date, amount, str(row[memo_at]).strip()))
        elif any(str(cell).strip() for cell in row):  # a blank row is skipped
            if date is None:
                errors.append(
                    RowError(number, wanted["date"], _("Ngày không hợp lệ (cần dd/mm/yyyy)."))
                )
            if amount is None:
                errors.append(
                    RowError(number, wanted["amount"], _("Số tiền phải là số nguyên đồng."))
                )
            elif amount <= 0:
                errors.append(
                    RowError(
                        number, wanted["amount"], _("Chỉ nhập các khoản ghi có (số tiền > 0).")
                    )
                )
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise StatementRefused(errors)
    return lines


# "... CT tu 0011001234567 NGUYEN VAN A toi 0011001932418 ..." (Vietcombank internal transfer)
_VCB_TRANSFER = re.compile(r"\bCT tu (\d{6,19}) (.+?) toi \d{6,19}\b", re.IGNORECASE)
# References before the free text: "292976.010924.013647." or "MBVCB.6789.012345." etc.
# (tokens holding a digit, or a bank's channel prefix, separated by dots, spaces or dashes).
_LEADING_REFS = re.compile(
    r"^(?:(?:[A-Z]*\d[\w]*|MBVCB|IBFT|VCB|CTDK|TKThe|SHGD|TRACE|MB|ACB|BIDV|TPB)[.\s\-/:]+)+",
    re.IGNORECASE,
)
_NAME_STOP = re.compile(
    r"\b(ung ho|ung h|uh|chuyen tien|chuyen khoan|ck|gui|quyen gop|cuu tro|tro giup|ho tro|"
    r"giup|chia se|mien bac|dong bao|bao lu|bao yagi|lu lut|mttq|tu thien|cho|fb|ibft)\b",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"^[A-Za-z]+$")


# The commonest Vietnamese family names (folded): a memo that starts with one most likely
# starts with the sender's name ("Nguyen Thi Hoa chuc dong bao ...").
_SURNAMES = frozenset(
    [
        "nguyen",
        "tran",
        "le",
        "pham",
        "hoang",
        "huynh",
        "phan",
        "vu",
        "vo",
        "dang",
        "bui",
        "do",
        "ho",
        "ngo",
        "duong",
        "ly",
        "dinh",
        "doan",
        "lam",
        "mai",
        "trinh",
        "truong",
        "cao",
        "luu",
        "lai",
        "ta",
        "chu",
        "la",
        "quach",
        "ha",
        "khuc",
        "kieu",
        "nghiem",
        "thai",
        "tang",
        "tong",
        "vuong",
        "ton",
        "dao",
        "luong",
        "nong",
        "lo",
        "mac",
        "thach",
        "trieu",
        "kim",
        "van",
        "giang",
    ]
)
_TRAILING_REFS = re.compile(r"(?:[\s.\-]+(?:FT|TRACE|REF)?\d[\w]*)+$", re.IGNORECASE)


# The same two patterns for the common case of an ASCII memo, matched on it lower-cased (for
# ASCII text that is exactly what IGNORECASE does) and, for the trailing references, on the
# reversed text: one anchored attempt instead of one per position (the `sub` above was the
# slowest step of a 200,000-line import). `tests/funds/test_statements.py` checks both forms
# agree on the real statement and on made-up memos.
_NAME_STOP_LOWER = re.compile(_NAME_STOP.pattern)
_TRAILING_REFS_REVERSED = re.compile(r"(?:\w*\d(?:TF|ECART|FER)?[\s.\-]+)+", re.IGNORECASE)


def _strip_trailing_refs(text: str) -> str:
    """Exactly `_TRAILING_REFS.sub("", text)`."""
    if text.endswith("\n"):  # `$` may also match before a final newline: keep the plain form
        return _TRAILING_REFS.sub("", text)
    match = _TRAILING_REFS_REVERSED.match(text[::-1])
    return text[: len(text) - match.end()] if match else text


def donor_from_memo(memo: str) -> tuple[str, str]:
    """(name, account) read from a transfer memo; ("", "") when no name can be told."""
    ascii_memo = memo.isascii()
    if not ascii_memo or "ct tu " in memo.lower():
        match = _VCB_TRANSFER.search(memo)
        if match:
            return _title(match.group(2)), match.group(1)
    text = _strip_trailing_refs(_LEADING_REFS.sub("", memo)).strip()
    stop = _NAME_STOP_LOWER.search(text.lower()) if ascii_memo else _NAME_STOP.search(text)
    candidate = text[: stop.start()] if stop else ""
    words = candidate.replace(".", " ").split()
    if 2 <= len(words) <= 6 and all(_LETTERS.match(word) for word in words):
        return _title(" ".join(words)), ""
    words = text.replace(".", " ").split()
    if words and words[0].lower() in _SURNAMES:
        name = []
        for word in words[:5]:
            if not _LETTERS.match(word) or _NAME_STOP.match(word.lower()):
                break
            name.append(word)
        if 2 <= len(name) <= 5 and (len(words) == len(name) or len(name) >= 3):
            return _title(" ".join(name)), ""
    return "", ""


def _title(name: str) -> str:
    return " ".join(word.capitalize() for word in name.split())


def _line_key(account: str) -> Callable[[Line], str]:
    """The key of each line of one file, given its lines in file order."""
    seen: Counter = Counter()
    sha256 = hashlib.sha256

    def key(line: Line) -> str:
        identity = (line.date, line.amount, line.memo)
        seen[identity] += 1
        raw = f"{account}\x1f{line.date.isoformat()}\x1f{line.amount}\x1f{line.memo}\x1f{seen[identity]}"
        return sha256(raw.encode()).hexdigest()

    return key


def line_keys(lines: list[Line], *, account: str) -> list[str]:
    key = _line_key(account)
    return [key(line) for line in lines]


def statement_import(
    *,
    campaign: Campaign,
    path: Path,
    actor,
    bank: str = "VCB",
    data: bytes | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportResult:
    """Import one statement file into a campaign. Raises `StatementRefused` (nothing saved)."""
    path = Path(path)
    raw = data if data is not None else path.read_bytes()
    lines = statement_read(path, bank=bank, data=raw)
    account = campaign.bank_account or campaign.slug
    total = len(lines)
    if progress:
        progress(0, total)
    with transaction.atomic():
        dates = {line.date for line in lines}
        if _may_be_stored(campaign, dates):
            keys = line_keys(lines, account=account)
            existing = _existing_keys(keys, campaign=campaign, dates=dates)
            fresh = [
                (line, key) for line, key in zip(lines, keys, strict=True) if key not in existing
            ]
        else:  # every line is new: keys are made as the slices are prepared (`_batches`)
            fresh = [(line, None) for line in lines]
        record = StatementImport.objects.create(
            campaign=campaign,
            file_name=path.name[:255],
            sha256=hashlib.sha256(raw).hexdigest(),
            bank=bank.upper(),
            lines_read=total,
            lines_added=len(fresh),
            amount_added=sum(line.amount for line, _key in fresh),
            imported_by=actor,
            # its rows enter the word index after the commit (`search_catch_up`)
            searchable=not fresh,
        )
        review = 0
        if fresh:
            review = _store(
                campaign=campaign, record=record, fresh=fresh, actor=actor, progress=progress
            )
        audit_record(
            action="create",
            actor=actor,
            obj=record,
            changes={
                "file": path.name,
                "lines_read": total,
                "lines_added": len(fresh),
                "amount_added": record.amount_added,
            },
        )
    if progress:
        progress(total, total)
    search_catch_up()  # this import's rows, and any an interrupted import left behind
    return ImportResult(record, total, len(fresh), record.amount_added, review)


def _may_be_stored(campaign: Campaign, dates: set[dt.date]) -> bool:
    """Whether any line of the file can already be stored.

    A key hashes the receiving account (`bank_account`, or the slug when there is none) and
    the date, so it can only be stored in a campaign with the same account, on one of the
    file's dates. When no such statement line exists — the first import of a statement —
    there is nothing to look up key by key (at 1,600,000 stored lines the probes took 5–10 s
    for the real file). The unique index stays the guarantee either way."""
    account = campaign.bank_account or campaign.slug
    same_account = Campaign.objects.filter(
        Q(bank_account=account) | Q(bank_account="", slug=account)
    )
    return Donation.objects.filter(
        campaign__in=same_account, received_on__in=dates, line_key__isnull=False
    ).exists()


def _existing_keys(keys: list[str], *, campaign: Campaign, dates: set[dt.date]) -> set[str]:
    """The keys already stored (the unique index on `line_key` answers)."""
    if connection.vendor == "postgresql":
        # One array parameter, not 200,000 placeholders; LATERAL … LIMIT 1 makes it one probe
        # of the unique index per key, whatever the (often stale, just after an import)
        # statistics would have the planner do — a hash join over every stored donation.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT k.line_key FROM unnest(%s::varchar[]) AS k(line_key), LATERAL "
                "(SELECT 1 FROM funds_donation d WHERE d.line_key = k.line_key LIMIT 1) AS hit",
                [sorted(keys)],  # in index order: neighbouring probes share pages (2x faster)
            )
            return {row[0] for row in cursor.fetchall()}
    existing: set[str] = set()
    for start in range(0, len(keys), 20000):
        existing.update(
            Donation.objects.filter(line_key__in=keys[start : start + 20000]).values_list(
                "line_key", flat=True
            )
        )
    return existing


def _search_text(name: str, memo: str) -> str:
    """`fold(f"{name} {memo}")`; for ASCII text (bank memos) without the Unicode steps."""
    text = f"{name} {memo}"
    if text.isascii():  # `\s+` and str.split() agree on what whitespace is
        return " ".join(text.lower().split())[:SEARCH_TEXT_MAX]
    return fold(text)[:SEARCH_TEXT_MAX]


@dataclass
class _Batch:
    """The rows of one slice of fresh lines, as the three tables take them."""

    donations: list[tuple]
    entries: list[tuple]
    review: int


def _batches(fresh, *, head, hasher, size: int, key_for) -> Iterator[_Batch]:
    """Fresh lines in slices: donor read from the memo, search text, the entry's place in
    the chain and its hash. Lazy, so on PostgreSQL a slice is prepared while the previous
    one is being written."""
    previous, seq = head.last_hash, head.last_seq
    iso: dict[dt.date, str] = {}
    # A small first slice: the database waits for it, later slices are prepared meanwhile.
    first = min(size, 2000)
    bounds = [(0, first)] + [(start, start + size) for start in range(first, len(fresh), size)]
    for start, end in bounds:
        donations, entries, review = [], [], 0
        for line, key in fresh[start:end]:
            if key is None:
                key = key_for(line)
            name, account = donor_from_memo(line.memo)
            if not name:
                review += 1
            seq += 1
            day = iso.get(line.date) or iso.setdefault(line.date, line.date.isoformat())
            reference = f"line:{key[:16]}"
            digest = hasher(seq, day, line.amount, reference, previous)
            donations.append(
                (
                    line.amount,
                    day,
                    name,
                    account,
                    line.memo,
                    _search_text(name, line.memo),
                    key,
                    "" if name else Donation.Review.PENDING,
                )
            )
            entries.append((seq, day, reference, previous, digest))
            previous = digest
        yield _Batch(donations, entries, review)


def _store(*, campaign, record, fresh, actor, progress) -> int:
    accounts = campaign_accounts(campaign)
    bank_account: Account = accounts["bank"]
    fund_account: Account = accounts["fund"]
    LedgerHead.objects.get_or_create(id=1)
    head = LedgerHead.objects.select_for_update().get(id=1)
    recorded_at = timezone.now().replace(microsecond=0)
    description = _("Nhận ủng hộ qua sao kê")
    hasher = ledger.two_posting_hasher(
        description=description,
        recorded_at=recorded_at,
        debit_code=bank_account.code,
        credit_code=fund_account.code,
    )
    postgresql = connection.vendor == "postgresql"
    batches = _batches(
        fresh,
        head=head,
        hasher=hasher,
        size=BATCH if postgresql else 5000,
        key_for=_line_key(campaign.bank_account or campaign.slug),
    )
    write = _copy_rows if postgresql else _bulk_rows
    review, seq, last_hash = write(
        batches,
        count=len(fresh),
        campaign=campaign,
        record=record,
        user_id=getattr(actor, "pk", None),
        recorded_at=recorded_at,
        description=description,
        bank_account=bank_account,
        fund_account=fund_account,
        progress=progress,
    )
    LedgerHead.objects.filter(id=1).update(last_seq=seq, last_hash=last_hash)
    return review


def _bulk_rows(
    batches,
    *,
    count,
    campaign,
    record,
    user_id,
    recorded_at,
    description,
    bank_account,
    fund_account,
    progress,
):
    done = review = 0
    seq, last_hash = None, None
    for batch in batches:
        objects = [
            Donation(
                campaign=campaign,
                kind=Donation.Kind.BANK,
                amount=amount,
                received_on=date,
                donor_name=name,
                donor_account=account,
                public_name=name,
                memo=memo,
                search_text=search,
                line_key=key,
                review=pending,
                statement_import=record,
                recorded_by_id=user_id,
            )
            for amount, date, name, account, memo, search, key, pending in batch.donations
        ]
        Donation.objects.bulk_create(objects)
        by_key = dict(
            Donation.objects.filter(line_key__in=[o.line_key for o in objects]).values_list(
                "line_key", "pk"
            )
        )
        entry_objects = [
            JournalEntry(
                seq=seq,
                occurred_on=date,
                recorded_at=recorded_at,
                description=description,
                reference=reference,
                campaign=campaign,
                donation_id=by_key[donation.line_key],
                previous_hash=previous,
                hash=digest,
            )
            for donation, (seq, date, reference, previous, digest) in zip(
                objects, batch.entries, strict=True
            )
        ]
        JournalEntry.objects.bulk_create(entry_objects)
        by_seq = dict(
            JournalEntry.objects.filter(seq__in=[e.seq for e in entry_objects]).values_list(
                "seq", "pk"
            )
        )
        postings = []
        for donation, entry in zip(objects, entry_objects, strict=True):
            postings.append(
                Posting(entry_id=by_seq[entry.seq], account=bank_account, amount=donation.amount)
            )
            postings.append(
                Posting(entry_id=by_seq[entry.seq], account=fund_account, amount=-donation.amount)
            )
        Posting.objects.bulk_create(postings)
        seq, last_hash = batch.entries[-1][0], batch.entries[-1][4]
        done += len(objects)
        review += batch.review
        if progress:
            progress(done, count)
    return review, seq, last_hash


# PostgreSQL: lines per slice. Each slice is three COPYs (donations, entries, postings), with
# the progress reported between slices (nothing else may use the connection during a COPY).
BATCH = 25000
# Whether the import may skip the per-row foreign-key triggers on PostgreSQL (see
# `_copy_rows`); tests turn it off to run the path of a role that may not.
SKIP_ROW_TRIGGERS = True

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value in COPY's text format (NULL as \\N; backslash, tab and newlines escaped)."""
    if value is None:
        return "\\N"
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy(cursor, table: str, columns: str, text: str) -> int:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(text)
    return cursor.rowcount


def _without_row_triggers(cursor) -> bool:
    """Per-row triggers off for the rest of this transaction when the role may
    (`ansinh.core.bulk`)."""
    return SKIP_ROW_TRIGGERS and skip_row_triggers(cursor)


def _copy_rows(
    batches,
    *,
    count,
    campaign,
    record,
    user_id,
    recorded_at,
    description,
    bank_account,
    fund_account,
    progress,
):
    """Write the slices with COPY; ids reserved from the sequences in one query.

    The foreign keys of these rows point at rows locked here (campaign, accounts, the
    importing user, this import) or written here (each entry's donation, each posting's
    entry). When the role may, the per-row foreign-key triggers — one check per key per row,
    1.4 million checks for the real statement, queued until commit — are skipped for these
    COPYs only (`session_replication_role = replica`; the ledger's own triggers refuse UPDATE
    and DELETE and do not fire on INSERT, `test_no_insert_trigger_is_skipped` keeps it so),
    and the same facts are checked once for the whole import, set-based, before the head
    moves: every row written joins to its parents. A failed check raises and nothing is
    saved."""
    raw = connection.connection  # psycopg 3 connection inside the atomic block
    with raw.cursor() as cursor:
        ids = _reserve_ids(cursor, count)
        skipped = _without_row_triggers(cursor)
        if skipped:  # what each skipped check would have found and locked, once
            _lock_parents(cursor, campaign.pk, bank_account.pk, fund_account.pk, user_id)
        texts = _copy_texts(
            batches,
            ids,
            campaign_id=campaign.pk,
            record_id=record.pk,
            user_id=user_id,
            recorded_at=recorded_at,
            description=description,
            bank=bank_account.pk,
            fund=fund_account.pk,
        )
        done = review = 0
        written = {"funds_donation": 0, "funds_journalentry": 0, "funds_posting": 0}
        seq = last_hash = None
        for slice_ in _prefetched(texts):
            for table, columns, text in zip(written, _COLUMNS, slice_.texts, strict=True):
                written[table] += _copy(cursor, table, columns, text)
            seq, last_hash = slice_.seq, slice_.last_hash
            done += slice_.lines
            review += slice_.review
            if progress:
                progress(done, count)
        if skipped:
            restore_row_triggers(cursor)
            _check_parents(
                cursor,
                campaign.pk,
                record.pk,
                bank_account.pk,
                fund_account.pk,
                user_id,
                count,
                written,
            )
    return review, seq, last_hash


def _reserve_ids(cursor, count: int) -> list[tuple[int, int]]:
    """(donation, entry) ids for each line, from the sequences (so they never collide with
    rows written meanwhile by others). Postings, which nothing points at, take theirs from
    the column default during the COPY."""
    cursor.execute(
        "SELECT pg_get_serial_sequence('funds_donation', 'id')::regclass::oid, "
        "pg_get_serial_sequence('funds_journalentry', 'id')::regclass::oid"
    )
    donation, entry = (int(oid) for oid in cursor.fetchone())
    # The sequences as constants: resolving their names on every row was most of the cost.
    cursor.execute(
        f"SELECT nextval({donation}::regclass), nextval({entry}::regclass) "  # noqa: S608 (oids)
        "FROM generate_series(1, %s)",
        [count],
    )
    return cursor.fetchall()


_COLUMNS = (
    "id, campaign_id, kind, amount, received_on, donor_name, donor_account, public_name, "
    "memo, search_text, line_key, statement_import_id, review, recorded_by_id, recorded_at",
    "id, seq, occurred_on, recorded_at, description, reference, campaign_id, donation_id, "
    "previous_hash, hash",
    "entry_id, account_id, amount",
)


@dataclass(frozen=True)
class _Texts:
    """One slice as COPY text for the three tables, and where the chain stands after it."""

    texts: tuple[str, str, str]
    lines: int
    review: int
    seq: int
    last_hash: str


def _copy_texts(
    batches, ids, *, campaign_id, record_id, user_id, recorded_at, description, bank, fund
) -> Iterator[_Texts]:
    now = timezone.now().isoformat()
    user = _text(user_id)
    fixed_donation = f"{campaign_id}\tbank\t"
    tail = f"\t{record_id}\t"
    fixed_entry = f"\t{recorded_at.isoformat()}\t{_text(description)}\t"
    done = 0
    for batch in batches:
        chunk = ids[done : done + len(batch.donations)]
        done += len(chunk)
        donations = "".join(
            f"{pk[0]}\t{fixed_donation}{amount}\t{date}\t{_text(name)}\t{_text(account)}\t"
            f"{_text(name)}\t{_text(memo)}\t{_text(search)}\t{key}{tail}{pending}\t{user}\t"
            f"{now}\n"
            for pk, (amount, date, name, account, memo, search, key, pending) in zip(
                chunk, batch.donations, strict=True
            )
        )
        entries = "".join(
            f"{pk[1]}\t{seq}\t{date}{fixed_entry}{reference}\t{campaign_id}\t{pk[0]}\t"
            f"{previous}\t{digest}\n"
            for pk, (seq, date, reference, previous, digest) in zip(
                chunk, batch.entries, strict=True
            )
        )
        postings = "".join(
            f"{pk[1]}\t{bank}\t{donation[0]}\n{pk[1]}\t{fund}\t{-donation[0]}\n"
            for pk, donation in zip(chunk, batch.donations, strict=True)
        )
        last = batch.entries[-1]
        yield _Texts((donations, entries, postings), len(chunk), batch.review, last[0], last[4])


def _prefetched(items: Iterator, depth: int = 2) -> Iterator:
    """`items`, computed ahead in a thread: the next slice is prepared (memo parsing,
    hashing, formatting: pure Python, no database) while PostgreSQL writes this one — the
    thread waiting on the socket releases the GIL. Errors of `items` are raised here."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(end)
        except BaseException as error:  # noqa: BLE001 (handed to the consumer)
            put(_Failed(error))

    thread = threading.Thread(target=work, name="statement-import-prepare", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is end:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def _lock_parents(cursor, campaign_id, bank, fund, user_id) -> None:
    """The rows the new rows point at exist, and stay until commit (FOR KEY SHARE, as the
    foreign-key check takes), or IntegrityError."""
    for table, ids in (
        ("funds_campaign", [campaign_id]),
        ("funds_account", sorted({bank, fund})),
        (get_user_model()._meta.db_table, [user_id] if user_id is not None else []),
    ):
        if not ids:
            continue
        sql = f"SELECT id FROM {table} WHERE id = ANY(%s) FOR KEY SHARE"  # noqa: S608 (model tables)
        cursor.execute(sql, [ids])
        if len(cursor.fetchall()) != len(ids):
            raise IntegrityError(f"statement import: {table} {ids} missing")


def _check_parents(cursor, campaign_id, import_id, bank, fund, user_id, count, written) -> None:
    """Every row this import wrote joins to its parents (what the skipped triggers check).

    Hash joins, whatever the statistics say: just after the COPYs the planner thinks these
    tables small and would probe an index 600,000 times (1.2 s against 0.8 s)."""
    cursor.execute("SET LOCAL enable_nestloop = off")
    cursor.execute(
        """
        WITH d AS (
            SELECT id FROM funds_donation
            WHERE statement_import_id = %(import)s AND campaign_id = %(campaign)s
              AND kind = 'bank' AND donor_id IS NULL
              AND recorded_by_id IS NOT DISTINCT FROM %(user)s
        ), e AS (
            SELECT e.id FROM funds_journalentry e JOIN d ON d.id = e.donation_id
            WHERE e.campaign_id = %(campaign)s
              AND e.allocation_id IS NULL AND e.reverses_id IS NULL
        )
        SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM e),
               (SELECT count(*) FROM funds_posting p JOIN e ON e.id = p.entry_id
                WHERE p.account_id IN (%(bank)s, %(fund)s))
        """,
        {"import": import_id, "campaign": campaign_id, "user": user_id, "bank": bank, "fund": fund},
    )
    donations, entries, postings = cursor.fetchone()
    cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
    expected = (count, count, 2 * count)
    if (donations, entries, postings) != expected or tuple(written.values()) != expected:
        raise IntegrityError(
            f"statement import {import_id}: rows without their parents "
            f"({donations}, {entries}, {postings} of {expected}; COPY wrote {written})"
        )
