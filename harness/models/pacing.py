"""How fast one endpoint is asked: an adaptive cap on requests in flight, and optional request and token budgets."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque

DEFAULT_COMPLETION_TOKENS = 256
"""Assumed answer length, for budgets and estimates, when a request sets no max_tokens."""


class AdaptiveLimit:
    """Requests in flight to one endpoint, under a cap that shrinks only when load causes 429s.

    Outcomes are counted in windows of twice the cap. A window whose share of 429s rises clearly above the
    background share halves the cap; the window after the cut is the test: if the share of answers grew as a
    load-caused limit predicts (or the 429s stopped), the cut stays; if not, the 429s come whatever the load (a
    random or per-key limit), so their share becomes the background and the cap goes back. Healthy windows grow the
    cap back steadily, up to the ceiling (the sum of the concurrency of the models sharing the endpoint).
    A 429's own Retry-After is waited out by its request, outside the cap.
    """

    CUT = 0.5
    WINDOW = 2
    """A window holds this many times the cap's outcomes (more: steadier, slower to react)."""
    MIN_WINDOW = 8

    def __init__(self, ceiling: int, *, adaptive: bool = True):
        self.ceiling = ceiling
        self.limit = ceiling
        self.adaptive = adaptive
        self.in_flight = 0
        self.generation = 0
        """How many times the cap has been cut or restored; each request carries the value it was sent under."""
        self.background = 0.0
        """The share of 429s that comes whatever the load."""
        self._seen = self._throttled = 0
        self._probe: tuple[float, int] | None = None
        self._waiters: deque[asyncio.Future[None]] = deque()

    def widen(self, concurrency: int) -> None:
        """Another model shares the endpoint: its concurrency joins the ceiling."""
        grown = self.limit == self.ceiling
        self.ceiling += concurrency
        if grown or not self.adaptive:
            self.limit = self.ceiling
        self._wake()

    async def acquire(self) -> int:
        """Wait for a free place under the current cap, take it, and return the generation it was taken in."""
        while self.in_flight >= self.limit:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # woken, then cancelled: hand the place on
                raise
        self.in_flight += 1
        return self.generation

    def release(self, generation: int, throttled: bool) -> None:
        """Give a place back, counting whether its request was answered 429, and let a waiting request go."""
        self.in_flight -= 1
        if self.adaptive and generation == self.generation:
            self._count(throttled)
        self._wake()

    def _count(self, throttled: bool) -> None:
        self._seen += 1
        self._throttled += throttled
        if self._seen < max(self.MIN_WINDOW, self.WINDOW * self.limit):
            return
        share, seen = self._throttled / self._seen, self._seen
        self._seen = self._throttled = 0
        risen = share > self.background + max(0.05, 3 * math.sqrt(self.background * (1 - self.background) / seen))
        if self._probe is not None:
            before, before_limit = self._probe
            self._probe = None
            predicted = before_limit / self.limit  # how much the answered share grows if load caused the 429s
            helped = (1 - share) / max(1 - before, 1e-9) >= 1 + (predicted - 1) / 2 or share < before / 2
            if not helped:
                self.background = (before + share) / 2  # cutting did not help: these 429s come whatever the load
                self._set(before_limit)
                return
        if risen and self.limit > 1:
            self._probe = (share, self.limit)
            self._set(max(1, int(self.limit * self.CUT)))
        elif not risen:
            if share < self.background:  # the background is never more than a healthy window shows
                self.background += 0.2 * (share - self.background)
            if self.limit < self.ceiling:
                self.limit = min(self.ceiling, self.limit + max(1, self.limit // 8))
                self._wake()

    def _set(self, limit: int) -> None:
        self.limit = limit
        self.generation += 1
        self._wake()

    def _wake(self) -> None:
        free = self.limit - self.in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                free -= 1


class Budget:
    """Paces request starts to a requests-per-minute and a tokens-per-minute budget (token buckets, a second's burst)."""

    def __init__(self, requests_per_minute: float | None = None, tokens_per_minute: float | None = None):
        self.rates = [r / 60 if r else 0.0 for r in (requests_per_minute, tokens_per_minute)]
        self.levels = [rate or 0.0 for rate in self.rates]  # start with one second's worth
        self.stamp = time.monotonic()
        self._lock: asyncio.Lock | None = None

    @property
    def active(self) -> bool:
        """Whether any budget is set."""
        return any(self.rates)

    async def spend(self, tokens: int) -> None:
        """Wait until one request of about `tokens` tokens fits both budgets, then take it from them."""
        if not self.active:
            return
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:  # one request at a time takes from the buckets, in arrival order
            costs = [1.0, float(tokens)]
            while True:
                self._refill()
                short = [
                    (min(cost, rate) - level) / rate
                    for rate, level, cost in zip(self.rates, self.levels, costs, strict=True)
                    if rate and level < min(cost, rate)
                ]
                if not short:
                    break
                await asyncio.sleep(max(short))
            self.levels = [
                level - cost if rate else level
                for rate, level, cost in zip(self.rates, self.levels, costs, strict=True)
            ]

    def _refill(self) -> None:
        now = time.monotonic()
        elapsed, self.stamp = now - self.stamp, now
        self.levels = [
            min(rate, level + rate * elapsed) if rate else 0.0
            for rate, level in zip(self.rates, self.levels, strict=True)
        ]


def estimate_tokens(texts: list[str], completion: int) -> int:
    """A tokenizer-free guess at a request's tokens: a CJK character is about one, other text about four characters."""
    from harness.text.cjk import CJK

    total = 0
    for text in texts:
        cjk = len(CJK.findall(text))
        total += cjk + (len(text) - cjk) // 4
    return total + completion
