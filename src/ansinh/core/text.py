"""Vietnamese text folding.

Text is stored NFC. For search and matching we also keep a *folded* key: NFC, tone marks and
vowel marks removed, đ→d, lower case, runs of whitespace collapsed. "Nguyễn Thị Hoà",
"NGUYEN THI HOA" and "nguyễn  thị hòa" all fold to "nguyen thi hoa".
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def normalize_text(value: str | None) -> str:
    """NFC, stripped, inner whitespace collapsed to single spaces."""
    if not value:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value: str | None) -> str:
    """Accent-free, case-free search key (đ→d)."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", str(value).translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_SPECIAL).lower()).strip()
