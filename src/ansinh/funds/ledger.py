"""The hash-chained double-entry ledger: canonical form, posting and verification.

Canonical form of an entry (what is hashed), as UTF-8 JSON with sorted keys and no spaces:

    {"description": "...", "occurred_on": "2024-09-10", "postings": [["acc:code", 50000], ...],
     "previous_hash": "<64 hex>", "recorded_at": "2024-09-10T08:00:00Z", "reference": "...",
     "seq": 17}

Amounts are integer đồng (debit positive, credit negative), postings in the order written,
timestamps UTC with a trailing "Z" and whole seconds. `hash = sha256(canonical).hexdigest()`;
the first entry's previous_hash is 64 zeros. The published export is one such JSON object per
line with its "hash" added; `portal/static/portal/verify_ledger.py` (served on the public verification page) checks it with the standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _json_text(value: str, _cache: dict = {}) -> str:  # noqa: B006 (a small cache)
    text = _cache.get(value)
    if text is None:
        text = json.dumps(value, ensure_ascii=False)
        if len(_cache) < 4096:
            _cache[value] = text
    return text


def canonical(
    *,
    seq: int,
    occurred_on: dt.date | str,
    recorded_at: dt.datetime | str,
    description: str,
    reference: str,
    postings: Iterable[tuple[str, int]],
    previous_hash: str,
) -> bytes:
    """Exactly `json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
    of the entry, written out directly (three times faster: a million entries are hashed
    when the chain is verified); `tests/funds/test_ledger.py` checks the two agree."""
    occurred = occurred_on if isinstance(occurred_on, str) else occurred_on.isoformat()
    recorded = recorded_at if isinstance(recorded_at, str) else utc_text(recorded_at)
    lines = ",".join(f"[{_json_text(code)},{int(amount)}]" for code, amount in postings)
    return (
        f'{{"description":{_json_text(description)},"occurred_on":{_json_text(occurred)},'
        f'"postings":[{lines}],"previous_hash":{_json_text(previous_hash)},'
        f'"recorded_at":{_json_text(recorded)},"reference":{_json_text(reference)},'
        f'"seq":{int(seq)}}}'
    ).encode()


def canonical_reference(**fields) -> bytes:
    """The canonical form through `json.dumps` (what the stdlib checker does)."""
    body = {
        "seq": int(fields["seq"]),
        "occurred_on": fields["occurred_on"],
        "recorded_at": fields["recorded_at"],
        "description": fields["description"],
        "reference": fields["reference"],
        "postings": [[code, int(amount)] for code, amount in fields["postings"]],
        "previous_hash": fields["previous_hash"],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(**fields) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()


def two_posting_hasher(
    *, description: str, recorded_at: dt.datetime | str, debit_code: str, credit_code: str
) -> Callable[[int, str, int, str, str], str]:
    """`hash(seq, occurred_on_iso, amount, reference, previous_hash)` of entries that share
    description, recording time and the two accounts (debit `amount`, credit `-amount`), as a
    statement import writes them. The constant parts of `canonical` are built once; the
    result is `entry_hash` exactly (`tests/funds/test_ledger.py`). `reference` must need no
    JSON escaping (checked here once per call: ASCII letters, digits, ':' and '-')."""
    recorded = recorded_at if isinstance(recorded_at, str) else utc_text(recorded_at)
    head = f'{{"description":{_json_text(description)},"occurred_on":"'
    debit = f'","postings":[[{_json_text(debit_code)},'
    credit = f"],[{_json_text(credit_code)},"
    tail = ']],"previous_hash":"'
    stamp = f'","recorded_at":{_json_text(recorded)},"reference":"'
    sha256 = hashlib.sha256

    def digest(seq: int, occurred_on: str, amount: int, reference: str, previous: str) -> str:
        if not _PLAIN_REFERENCE(reference):
            raise ValueError(f"reference {reference!r} needs JSON escaping")
        text = (
            f"{head}{occurred_on}{debit}{amount}{credit}{-amount}{tail}{previous}{stamp}"
            f'{reference}","seq":{seq}}}'
        )
        return sha256(text.encode()).hexdigest()

    return digest


_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9:\-]*").fullmatch


@dataclass(frozen=True)
class Broken:
    """The first entry where the chain does not hold, and why (Vietnamese)."""

    seq: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    last_hash: str
    broken: Broken | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_stream(entries: Iterable[dict]) -> VerifyResult:
    """Check a sequence of exported entries (dicts as in the export) in order."""
    previous = GENESIS_HASH
    expected_seq = None
    count = 0
    for entry in entries:
        count += 1
        seq = entry.get("seq")
        if expected_seq is not None and seq != expected_seq:
            return VerifyResult(
                count, previous, Broken(seq, f"thiếu bút toán số {expected_seq}: gặp số {seq}")
            )
        if entry.get("previous_hash") != previous:
            return VerifyResult(
                count, previous, Broken(seq, "mã băm bút toán trước không khớp (chuỗi bị cắt)")
            )
        postings = [(code, amount) for code, amount in entry["postings"]]
        if sum(amount for _, amount in postings) != 0:
            return VerifyResult(count, previous, Broken(seq, "bút toán không cân (tổng khác 0)"))
        recomputed = entry_hash(
            seq=seq,
            occurred_on=entry["occurred_on"],
            recorded_at=entry["recorded_at"],
            description=entry["description"],
            reference=entry["reference"],
            postings=postings,
            previous_hash=previous,
        )
        if recomputed != entry.get("hash"):
            return VerifyResult(
                count, previous, Broken(seq, "nội dung đã bị thay đổi (mã băm không khớp)")
            )
        previous = recomputed
        expected_seq = seq + 1
    return VerifyResult(count, previous, None)


def read_export(lines: Iterable[str]) -> Iterator[dict]:
    for line in lines:
        line = line.strip()
        if line:
            yield json.loads(line)
