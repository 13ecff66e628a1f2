"""Grading off the event loop: each grade runs in a worker thread under a time limit, so a slow grade, or a grader that
raises (RecursionError, MemoryError, anything), fails only its own sample while the requests in flight go on. Short
outputs, which every grader scores in microseconds, are graded in place (see IN_PLACE_CHARS)."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.errors import printable
from harness.types import Sample, Score

if TYPE_CHECKING:
    from harness.grading import Grader

GRADE_SECONDS = 30.0
"""How long one grade may run before its sample fails with "grading took longer than 30 s"."""
IN_PLACE_CHARS = 1000
"""Outputs up to this long are graded on the event loop itself, still with their failures kept to their sample: every
grader takes microseconds on them (15 ms for the worst answer built against the choice grader), where handing a grade
to a thread and back costs the loop about 0.08 ms, a sixth of evalrun's whole CPU budget per sample."""
THREADS = 4
"""Grading threads kept at most; one more starts for each grade that overran its time limit and still holds one."""

Outcome = tuple[Score | None, str | None]
"""A grade's score, or why there is none."""


class GradingFailed(Exception):
    """A grader raised, or overran its time limit, on one sample; the message is that sample's `error`."""


class _Threads:
    """Daemon threads that run grades handed to them: unlike a ThreadPoolExecutor's, which the interpreter joins at
    exit, a grade that never ends cannot keep evalrun from exiting."""

    def __init__(self, size: int):
        self.size = size
        self.started = 0
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.idle = threading.Semaphore(0)
        self.lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        """Run `job` in a grading thread: an idle one, else a new one while there are fewer than `size`."""
        self.jobs.put(job)
        if self.idle.acquire(blocking=False):
            return
        with self.lock:
            if self.started < self.size:
                self.started += 1
                threading.Thread(target=self._work, name=f"evalrun-grading-{self.started}", daemon=True).start()

    def overran(self) -> None:
        """A grade holds its thread past its limit: allow one thread more, so the other samples are still graded."""
        with self.lock:
            self.size += 1

    def _work(self) -> None:
        while True:
            self.jobs.get()()
            self.idle.release()


_THREADS = _Threads(THREADS)


async def grade_apart(grader: Grader, output: str, sample: Sample, seconds: float = GRADE_SECONDS) -> Score:
    """`grader`'s score of `output` for `sample`, graded in a worker thread (in place when the output is short);
    GradingFailed if the grader raised or took longer than `seconds` (counted from when a thread took it up)."""
    if len(output) <= IN_PLACE_CHARS:
        try:
            return grader.grade(output, sample)
        except Exception as exc:  # noqa: BLE001 - whatever a grader raises fails its own sample, nothing else
            raise GradingFailed(f"grading failed: {describe(exc)}") from None
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[Outcome] = loop.create_future()
    started: list[float] = []

    def job() -> None:
        if waiter.done():  # the sample was cancelled while this grade waited for a thread
            return
        started.append(time.monotonic())
        try:
            outcome: Outcome = (grader.grade(output, sample), None)
        except BaseException as exc:  # noqa: BLE001 - whatever a grader raises fails its own sample, nothing else
            outcome = (None, f"grading failed: {describe(exc)}")
        # RuntimeError: the run ended (its loop is closed) while this grade overran, and nobody waits for it.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, waiter, outcome)

    def expire() -> None:
        if waiter.done():
            return
        left = seconds - (time.monotonic() - started[0]) if started else seconds  # waiting for a thread is free
        if left > 0:
            timer[0] = loop.call_later(left, expire)
            return
        _THREADS.overran()
        waiter.set_result((None, f"grading took longer than {seconds:g} s"))

    timer = [loop.call_later(seconds, expire)]
    _THREADS.submit(job)
    try:
        score, problem = await waiter
    finally:
        timer[0].cancel()
    if score is None:
        raise GradingFailed(problem)
    return score


def _settle(waiter: asyncio.Future[Outcome], outcome: Outcome) -> None:
    """Give a grade's outcome to its sample, unless the sample stopped waiting (timed out or cancelled)."""
    if not waiter.done():
        waiter.set_result(outcome)


def describe(exc: BaseException, limit: int = 200) -> str:
    """An exception as `Type: first line of its message`, printable and at most about `limit` characters."""
    lines = str(exc).strip().splitlines()
    message = printable(lines[0]) if lines else ""
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
