"""Bank statement import: read (CSV/XLSX, column mapping per bank), check, store once.

All-or-nothing per file: every row is read and checked first; one bad row (its row number,
column and a Vietnamese message) refuses the whole file and nothing is saved. Each credit
line becomes one donation with its own journal entry, so every đồng is traceable.

Identity of a line (`line_key`): SHA-256 of receiving account, date, amount, memo and the
occurrence number of that exact (date, amount, memo) within the file — the real statement has
legitimately identical lines that are different gifts. Importing the same file again, or a
later statement that overlaps it, adds only lines not seen before.

On PostgreSQL the new rows go in with `COPY` (ids reserved from the sequences, the hash chain
computed in one streaming pass while the ledger head is locked); elsewhere with bulk inserts.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ansinh.core.audit import audit_record
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


@dataclass(frozen=True)
class Line:
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
        mapping = BankColumnMapping.objects.create(bank=bank, **defaults)
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
    lines: list[Line] = []
    errors: list[RowError] = []
    width = max(at.values()) + 1
    for number, row in enumerate(rows, start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        if len(row) < width:
            errors.append(RowError(number, wanted["memo"], _("Dòng thiếu cột.")))
        else:
            date = _date(row[at["date"]], mapping.date_format)
            amount = _amount(row[at["amount"]])
            memo = str(row[at["memo"]]).strip()
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
            if date is not None and amount is not None and amount > 0:
                lines.append(Line(number, date, amount, memo))
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


def donor_from_memo(memo: str) -> tuple[str, str]:
    """(name, account) read from a transfer memo; ("", "") when no name can be told."""
    match = _VCB_TRANSFER.search(memo)
    if match:
        return _title(match.group(2)), match.group(1)
    text = _TRAILING_REFS.sub("", _LEADING_REFS.sub("", memo)).strip()
    stop = _NAME_STOP.search(text)
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


def line_keys(lines: list[Line], *, account: str) -> list[str]:
    seen: Counter = Counter()
    keys = []
    for line in lines:
        identity = (line.date, line.amount, line.memo)
        seen[identity] += 1
        raw = f"{account}\x1f{line.date.isoformat()}\x1f{line.amount}\x1f{line.memo}\x1f{seen[identity]}"
        keys.append(hashlib.sha256(raw.encode()).hexdigest())
    return keys


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
    keys = line_keys(lines, account=campaign.bank_account or campaign.slug)
    total = len(lines)
    if progress:
        progress(0, total)
    with transaction.atomic():
        existing: set[str] = set()
        for start in range(0, len(keys), 20000):
            existing.update(
                Donation.objects.filter(line_key__in=keys[start : start + 20000]).values_list(
                    "line_key", flat=True
                )
            )
        fresh = [(line, key) for line, key in zip(lines, keys, strict=True) if key not in existing]
        record = StatementImport.objects.create(
            campaign=campaign,
            file_name=path.name[:255],
            sha256=hashlib.sha256(raw).hexdigest(),
            bank=bank.upper(),
            lines_read=total,
            lines_added=len(fresh),
            amount_added=sum(line.amount for line, _key in fresh),
            imported_by=actor,
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
    return ImportResult(record, total, len(fresh), record.amount_added, review)


def _store(*, campaign, record, fresh, actor, progress) -> int:
    accounts = campaign_accounts(campaign)
    bank_account: Account = accounts["bank"]
    fund_account: Account = accounts["fund"]
    LedgerHead.objects.get_or_create(id=1)
    head = LedgerHead.objects.select_for_update().get(id=1)
    recorded_at = timezone.now().replace(microsecond=0)
    recorded_text = ledger.utc_text(recorded_at)
    description = _("Nhận ủng hộ qua sao kê")
    donations, entries = [], []
    previous, seq, review = head.last_hash, head.last_seq, 0
    user_id = getattr(actor, "pk", None)
    for line, key in fresh:
        name, account = donor_from_memo(line.memo)
        if not name:
            review += 1
        seq += 1
        reference = f"line:{key[:16]}"
        digest = ledger.entry_hash(
            seq=seq,
            occurred_on=line.date,
            recorded_at=recorded_text,
            description=description,
            reference=reference,
            postings=[(bank_account.code, line.amount), (fund_account.code, -line.amount)],
            previous_hash=previous,
        )
        donations.append(
            (
                line.amount,
                line.date,
                name,
                account,
                name,
                line.memo,
                fold(f"{name} {line.memo}"),
                key,
                "" if name else Donation.Review.PENDING,
            )
        )
        entries.append((seq, line.date, reference, previous, digest))
        previous = digest
    write = _copy_rows if connection.vendor == "postgresql" else _bulk_rows
    write(
        campaign,
        record,
        donations,
        entries,
        user_id,
        recorded_at,
        description,
        bank_account,
        fund_account,
        progress,
    )
    LedgerHead.objects.filter(id=1).update(last_seq=seq, last_hash=previous)
    return review


def _bulk_rows(
    campaign,
    record,
    donations,
    entries,
    user_id,
    recorded_at,
    description,
    bank_account,
    fund_account,
    progress,
):
    batch = 5000
    for start in range(0, len(donations), batch):
        objects = [
            Donation(
                campaign=campaign,
                kind=Donation.Kind.BANK,
                amount=amount,
                received_on=date,
                donor_name=name,
                donor_account=account,
                public_name=public,
                memo=memo,
                search_text=search,
                line_key=key,
                review=review,
                statement_import=record,
                recorded_by_id=user_id,
            )
            for amount, date, name, account, public, memo, search, key, review in donations[
                start : start + batch
            ]
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
                donation_id=by_key[donations[start + offset][7]],
                previous_hash=previous,
                hash=digest,
            )
            for offset, (seq, date, reference, previous, digest) in enumerate(
                entries[start : start + batch]
            )
        ]
        JournalEntry.objects.bulk_create(entry_objects)
        by_seq = dict(
            JournalEntry.objects.filter(seq__in=[e.seq for e in entry_objects]).values_list(
                "seq", "pk"
            )
        )
        postings = []
        for offset, entry in enumerate(entry_objects):
            amount = donations[start + offset][0]
            postings.append(
                Posting(entry_id=by_seq[entry.seq], account=bank_account, amount=amount)
            )
            postings.append(
                Posting(entry_id=by_seq[entry.seq], account=fund_account, amount=-amount)
            )
        Posting.objects.bulk_create(postings)
        if progress:
            progress(start + len(objects), len(donations))


def _reserve_ids(table: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value in COPY's text format (NULL as \\N; backslash, tab and newlines escaped)."""
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


def _copy_lines(cursor, table: str, columns: str, lines, *, chunk: int = 20000) -> None:
    """COPY already-formatted text lines in large writes (much cheaper than write_row)."""
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= chunk:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))


def _copy_rows(
    campaign,
    record,
    donations,
    entries,
    user_id,
    recorded_at,
    description,
    bank_account,
    fund_account,
    progress,
):
    donation_ids = _reserve_ids(Donation._meta.db_table, len(donations))
    entry_ids = _reserve_ids(JournalEntry._meta.db_table, len(entries))
    posting_ids = _reserve_ids(Posting._meta.db_table, 2 * len(entries))
    now = timezone.now().isoformat()
    user = _text(user_id)
    fixed_donation = f"{campaign.pk}\tbank\t"
    tail = f"\t{record.pk}\t"
    donation_lines = (
        f"{pk}\t{fixed_donation}{amount}\t{date.isoformat()}\t{_text(name)}\t{_text(account)}\t"
        f"{_text(public)}\t{_text(memo)}\t{_text(search)}\t{key}{tail}{review}\t{user}\t{now}\n"
        for pk, (amount, date, name, account, public, memo, search, key, review) in zip(
            donation_ids, donations, strict=True
        )
    )
    raw = connection.connection  # psycopg 3 connection inside the atomic block
    with raw.cursor() as cursor:
        _copy_lines(
            cursor,
            Donation._meta.db_table,
            "id, campaign_id, kind, amount, received_on, donor_name, donor_account, public_name, "
            "memo, search_text, line_key, statement_import_id, review, recorded_by_id, recorded_at",
            donation_lines,
        )
        if progress:
            progress(len(donations) // 3, len(donations))
        at = recorded_at.isoformat()
        fixed_entry = f"\t{at}\t{_text(description)}\t"
        entry_lines = (
            f"{pk}\t{seq}\t{date.isoformat()}{fixed_entry}{reference}\t{campaign.pk}\t"
            f"{donation_id}\t{previous}\t{digest}\n"
            for pk, donation_id, (seq, date, reference, previous, digest) in zip(
                entry_ids, donation_ids, entries, strict=True
            )
        )
        _copy_lines(
            cursor,
            JournalEntry._meta.db_table,
            "id, seq, occurred_on, recorded_at, description, reference, campaign_id, "
            "donation_id, previous_hash, hash",
            entry_lines,
        )
        if progress:
            progress(2 * len(donations) // 3, len(donations))
        bank, fund = bank_account.pk, fund_account.pk
        ids = iter(posting_ids)
        posting_lines = (
            f"{next(ids)}\t{entry_id}\t{bank}\t{donation[0]}\n"
            f"{next(ids)}\t{entry_id}\t{fund}\t{-donation[0]}\n"
            for entry_id, donation in zip(entry_ids, donations, strict=True)
        )
        _copy_lines(
            cursor, Posting._meta.db_table, "id, entry_id, account_id, amount", posting_lines
        )
