"""A one-line progress bar on standard error, drawn only when standard error is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, enabled: bool, total: int | None = None, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.skipped = 0
        self.bad = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int = 0, bad: int = 0, skipped: int = 0) -> None:
        self.done += done
        self.bad += bad
        self.skipped += skipped
        now = time.monotonic()
        if self.enabled and now - self._drawn >= 0.1:
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        text = f"audited {self.done:,}"
        if self.total:
            part = min((self.done + self.skipped) / self.total, 1.0)
            filled = int(part * 24)
            text = f"[{'#' * filled}{'.' * (24 - filled)}] {part:4.0%} " + text
            text += f"/{self.total:,}"
        text += f" repositories, {rate:,.0f}/s"
        if self.skipped:
            text += f", {self.skipped:,} resumed"
        if self.bad:
            text += f", {self.bad:,} bad records"
        self.stream.write("\r" + text[:200] + "\x1b[K")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started
