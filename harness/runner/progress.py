"""Progress of a run on stderr: every eval × model pair, one line each redrawn in place on a terminal (rich), plain
lines now and then otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from harness.runner.summary import Tally

TERMINAL_SECONDS = 0.25
"""How often a terminal display is redrawn."""
PLAIN_SECONDS = 10.0
"""How often plain lines are written when stderr is not a terminal."""


@dataclass
class Pair:
    """One eval × model pair on the display: its totals so far (read, never copied) and how it ended."""

    label: str
    total: int
    tally: Tally
    throttle: Callable[[], int | None] = lambda: None
    """The endpoint's in-flight cap when the adaptive limit holds it below --concurrency, else None."""
    started: float = field(default_factory=time.monotonic)
    start_done: int = 0
    """Samples already recorded when this session began (a resumed run), left out of the rate."""
    status: str | None = None
    ended: float | None = None
    task: Any = None
    """The pair's task id in the terminal display."""

    def stats(self, now: float) -> str:
        """Samples done/total, rate, ETA (or how it ended), retries, errors and any in-flight cap."""
        done = self.tally.samples
        elapsed = (self.ended or now) - self.started
        rate = (done - self.start_done) / elapsed if elapsed > 0 else 0.0
        if self.status is not None:
            when = f"{self.status} in {_duration(elapsed)}"
        else:
            left = max(self.total - done, 0)
            when = f"ETA {_duration(left / rate)}" if rate > 0 else "ETA ?"
        cap = self.throttle() if self.status is None else None
        text = f"{done}/{self.total}  {rate:.1f}/s  {when}  retries {self.tally.retries}  errors {self.tally.errors}"
        return text + (f"  cap {cap}" if cap is not None else "")

    def line(self, now: float) -> str:
        """The pair's plain progress line."""
        return f"{self.label}  {self.stats(now)}"


class Board:
    """The progress of every pair of a run, drawn from a timer (never per sample) while used as `async with`."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True, interval: float | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.terminal = enabled and _is_terminal(self.stream)
        self.interval = interval or (TERMINAL_SECONDS if self.terminal else PLAIN_SECONDS)
        self.pairs: list[Pair] = []
        self._timer: asyncio.Task[None] | None = None
        self._live: Any = None
        """rich's Progress, only on a terminal (rich is imported only then)."""

    def add(self, label: str, total: int, tally: Tally, throttle: Callable[[], int | None] = lambda: None) -> Pair:
        """Show one more pair, whose `tally` the runner keeps current."""
        pair = Pair(label, total, tally, throttle, start_done=tally.samples)
        self.pairs.append(pair)
        if self._live is not None:
            pair.task = self._live.add_task(label, total=max(total, 1), completed=tally.samples, stats="")
        return pair

    def finish(self, pair: Pair, status: str) -> None:
        """The pair ended (complete, stopped, interrupted, failed); off a terminal, its final line is written now."""
        if pair.status is not None:
            return
        pair.status, pair.ended = status, time.monotonic()
        if self.enabled and not self.terminal:
            self._write([pair.line(pair.ended)])

    def draw(self) -> None:
        """Redraw every pair on a terminal; otherwise write a line for each unfinished pair."""
        if not self.enabled:
            return
        now = time.monotonic()
        if self._live is None:
            self._write([pair.line(now) for pair in self.pairs if pair.status is None])
            return
        crowded = len(self.pairs) >= self._live.console.height
        for pair in self.pairs:  # on a crowded screen, finished pairs make way for the ones still running
            visible = pair.status is None or not crowded
            self._live.update(pair.task, completed=pair.tally.samples, stats=pair.stats(now), visible=visible)
        self._live.refresh()

    async def __aenter__(self) -> Board:  # noqa: PYI034 - typing.Self needs Python 3.11
        if self.enabled:
            if self.terminal:
                self._live = _terminal_display(self.stream)
                self._live.start()
                for pair in self.pairs:
                    pair.task = self._live.add_task(pair.label, total=max(pair.total, 1), stats="")
            self._timer = asyncio.ensure_future(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        if self._live is not None:
            for pair in self.pairs:
                self._live.update(pair.task, visible=True)
            self._live.live.vertical_overflow = "visible"  # the last frame shows every pair, scrolling if need be
            self.draw()
            self._live.stop()  # not transient: the last frame stays on screen
            self._live = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.draw()

    def _write(self, lines: list[str]) -> None:
        if lines:
            self.stream.write("".join(line + "\n" for line in lines))
            self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal that can redraw lines in place."""
    try:
        return stream.isatty() and os.environ.get("TERM") not in ("dumb", "unknown")
    except (AttributeError, ValueError):  # a closed or file-less stream
        return False


def _terminal_display(stream: TextIO) -> Any:
    """rich's multi-line progress display on `stream`: label, bar, and the pair's figures."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    console = Console(file=stream)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=24),
        TextColumn("{task.fields[stats]}"),
        console=console,
        auto_refresh=False,  # redrawn by the board's timer on the event loop, not from a thread
        redirect_stdout=False,  # stdout may be a pipe taking the results; only stderr notes go above the display
        redirect_stderr=True,
    )


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
