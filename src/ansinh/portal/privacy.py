"""What a public page may show of a donation's free text.

A bank transfer's memo is written by the donor's bank and the donor: it carries her name
(which she may show or not) and often her account number, a phone number or a citizen ID.
Published statements of 2024 showed all of it; here a long run of digits — eight or more,
with or without the dots, spaces or dashes people write in them — keeps only its last four
digits ("CT tu 0481000755821" → "CT tu ••••5821"). Short numbers (amounts, dates, reference
codes of a few digits) are left as written. Control characters are dropped and the text is
NFC; HTML is never interpreted: templates escape it, CSV carries it as text.
"""

from __future__ import annotations

import re

from ansinh.core.text import normalize_text

MASK = "••••"
# 8+ digits, possibly split by single separators: accounts, phones, citizen IDs.
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){7,}(?![0-9])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_MEMO = 300


_NOT_DIGIT = re.compile(r"[^0-9]")


def _mask(match: re.Match) -> str:
    digits = _NOT_DIGIT.sub("", match.group(0))
    return MASK + digits[-4:]


def mask_numbers(text: str) -> str:
    """Long digit runs (accounts, phones, IDs) → '••••' + their last four digits."""
    return _LONG_NUMBER.sub(_mask, text)


def public_memo(text: str | None) -> str:
    """A memo as a public page may show it: NFC, no control characters, numbers masked."""
    text = text or ""
    cleaned = normalize_text(text if text.isprintable() else _CONTROL.sub(" ", text))
    if len(cleaned) > MAX_MEMO:
        cleaned = cleaned[: MAX_MEMO - 1] + "…"
    return mask_numbers(cleaned)


__all__ = ["MASK", "mask_numbers", "public_memo"]
