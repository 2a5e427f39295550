"""The hash-chained double-entry ledger: canonical form, posting and verification.

Canonical form of an entry (what is hashed), as UTF-8 JSON with sorted keys and no spaces:

    {"description": "...", "occurred_on": "2024-09-10", "postings": [["acc:code", 50000], ...],
     "previous_hash": "<64 hex>", "recorded_at": "2024-09-10T08:00:00Z", "reference": "...",
     "seq": 17}

Amounts are integer đồng (debit positive, credit negative), postings in the order written,
timestamps UTC with a trailing "Z" and whole seconds. `hash = sha256(canonical).hexdigest()`;
the first entry's previous_hash is 64 zeros. The published export is one such JSON object per
line with its "hash" added; `docs/verify_ledger.py` checks it with the standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


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
    body = {
        "seq": int(seq),
        "occurred_on": occurred_on if isinstance(occurred_on, str) else occurred_on.isoformat(),
        "recorded_at": recorded_at if isinstance(recorded_at, str) else utc_text(recorded_at),
        "description": description,
        "reference": reference,
        "postings": [[code, int(amount)] for code, amount in postings],
        "previous_hash": previous_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(**fields) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()


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
