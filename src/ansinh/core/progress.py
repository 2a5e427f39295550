"""A progress line for commands: `  12.345 / 200.364 (6%) · 3,2 s`, rewritten in place.

    with ProgressLine(self.stderr, label="Nhập") as line:
        for number, row in enumerate(rows, start=1):
            ...
            line(number, total=len(rows))

Throttled (the terminal is redrawn at most every `interval` seconds, and always for the last
item); `finish()` (or leaving the `with` block) draws the final state and ends the line. It
has the same call signature as `core.jobs.Progress`, so a command running a job in-process
passes it as the job's `echo`.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import OutputWrapper


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _elapsed(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}".replace(".", ",") + " s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} phút {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes:02d} phút"


class ProgressLine:
    def __init__(self, stream=None, *, total: int | None = None, label: str = "", interval=0.2):
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.label = label
        self.interval = interval
        self.done = 0
        self.started = time.monotonic()
        self._drawn_at: float | None = None
        self._width = 0
        self._finished = False

    def text(self) -> str:
        """The line as it would be drawn now (without the carriage return)."""
        parts = [f"{self.label}: " if self.label else "", _number(self.done)]
        if self.total:
            percent = min(100, int(self.done * 100 / self.total))
            parts.append(f" / {_number(self.total)} ({percent}%)")
        parts.append(f" · {_elapsed(time.monotonic() - self.started)}")
        return "  " + "".join(parts)

    def __call__(self, done: int, total: int | None = None) -> None:
        self.update(done, total)

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        last = bool(self.total) and done >= self.total
        if self._drawn_at is None or last or now - self._drawn_at >= self.interval:
            self._draw()
            self._drawn_at = now

    def advance(self, step: int = 1) -> None:
        self.update(self.done + step)

    def finish(self) -> None:
        """Draw the final state and end the line (once)."""
        if self._finished:
            return
        self._finished = True
        self._draw()
        self._write("\n")

    def _draw(self) -> None:
        text = self.text()
        padding = " " * max(0, self._width - len(text))
        self._width = len(text)
        self._write("\r" + text + padding)

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            flush()

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc_info) -> None:
        self.finish()


__all__ = ["ProgressLine"]
