"""Progress of a run on stderr: one line redrawn in place on a terminal, a plain line now and then otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from harness.summary import Tally


class Progress:
    """Shows samples done/total, rate, ETA, retries and errors for one eval × model run."""

    def __init__(self, label: str, total: int, done: int = 0, stream: TextIO | None = None, enabled: bool = True):
        self.label = label
        self.total = total
        self.start_done = done
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.interval = 0.2 if self.tty else 10.0
        self.started = self.last = time.monotonic()

    def update(self, tally: Tally, force: bool = False) -> None:
        """Redraw if enough time has passed since the last line (or `force`)."""
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < self.interval):
            return
        self.last = now
        line = self.line(tally, now - self.started)
        self.stream.write(f"\r\x1b[2K{line}" if self.tty else line + "\n")
        self.stream.flush()

    def line(self, tally: Tally, elapsed: float) -> str:
        """The progress text for `tally` after `elapsed` seconds."""
        new = tally.samples - self.start_done
        rate = new / elapsed if elapsed > 0 else 0.0
        left = max(self.total - tally.samples, 0)
        eta = _duration(left / rate) if rate > 0 else "?"
        return (
            f"{self.label}  {tally.samples}/{self.total}  {rate:.1f}/s  ETA {eta}"
            f"  retries {tally.retries}  errors {tally.errors}"
        )

    def finish(self, tally: Tally) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self.update(tally, force=True)
            if self.tty:
                self.stream.write("\n")
                self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
