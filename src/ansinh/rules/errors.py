"""The one error a rule can raise: a Vietnamese message that points at the mistake."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from django.utils.translation import gettext as _


class RuleError(Exception):
    """A rule that cannot be read or does not make sense in its context.

    `start`/`end` are character offsets into `text` (end exclusive); `line` and `column` are
    1-based. `str(error)` is the message, its position and the caret picture::

        Không biết hàm "recieved" — có phải "received"? (cột 15)
          age >= 60 and recieved("QUA_TET")
                        ^^^^^^^^
    """

    def __init__(self, message: str, *, text: str = "", start: int = 0, end: int | None = None):
        self.message = message
        self.text = text
        self.start = max(0, min(start, len(text)))
        self.end = max(self.start + 1, end if end is not None else self.start + 1)
        super().__init__(self.full_message)

    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.start) + 1

    @property
    def column(self) -> int:
        return self.start - (self.text.rfind("\n", 0, self.start) + 1) + 1

    @property
    def position(self) -> str:
        if "\n" in self.text.strip("\n"):
            return _("dòng %(line)d, cột %(column)d") % {"line": self.line, "column": self.column}
        return _("cột %(column)d") % {"column": self.column}

    @property
    def caret(self) -> str:
        """The offending line and a caret line under the offending token."""
        if not self.text:
            return ""
        line_start = self.text.rfind("\n", 0, self.start) + 1
        line_end = self.text.find("\n", self.start)
        if line_end == -1:
            line_end = len(self.text)
        source_line = self.text[line_start:line_end].replace("\t", " ")
        width = max(1, min(self.end, line_end) - self.start)
        return f"  {source_line}\n  {' ' * (self.start - line_start)}{'^' * width}"

    @property
    def full_message(self) -> str:
        if not self.text:
            return self.message
        return f"{self.message} ({self.position})\n{self.caret}"

    def as_dict(self) -> dict:
        """For forms and the API: message, position and the caret picture."""
        return {
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "start": self.start,
            "end": self.end,
            "caret": self.caret,
        }


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, or None ("recieved" → "received")."""
    candidates = list(candidates)
    for candidate in candidates:
        if candidate.lower() == word.lower():
            return candidate
    lowered = {candidate.lower(): candidate for candidate in candidates}
    matches = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[matches[0]] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """ " — có phải "x"?" when a close candidate exists, else ""."""
    match = suggest(word, candidates)
    return _(' — có phải "%(name)s"?') % {"name": match} if match else ""
