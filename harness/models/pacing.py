"""How fast one endpoint is asked: an adaptive cap on requests in flight, and optional request and token budgets."""

from __future__ import annotations

import asyncio
import time
from collections import deque

DEFAULT_COMPLETION_TOKENS = 256
"""Assumed answer length, for budgets and estimates, when a request sets no max_tokens."""


class AdaptiveLimit:
    """Requests in flight to one endpoint: halved on a 429, grown by one after a window of successes, up to a ceiling.

    Like TCP's congestion window, the limit is halved at most once per round trip: a 429 only counts if its request
    was sent after the last cut (429s already on their way when the limit was cut say nothing new).
    """

    def __init__(self, ceiling: int):
        self.ceiling = ceiling
        self.limit = ceiling
        self.in_flight = 0
        self.generation = 0
        """How many times the limit has been cut; each request carries the value it was sent under."""
        self._successes = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> int:
        """Wait for a free place under the current limit, take it, and return the generation it was taken in."""
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

    def release(self) -> None:
        """Give a place back and let a waiting request go."""
        self.in_flight -= 1
        self._wake()

    def throttled(self, generation: int) -> None:
        """The endpoint said 429 to a request sent in `generation`: halve the limit (never below one), once."""
        if generation != self.generation:
            return
        self.generation += 1
        self.limit = max(1, self.limit // 2)
        self._successes = 0

    def succeeded(self) -> None:
        """One more answer: after as many in a row as the limit, allow one more in flight."""
        self._successes += 1
        if self._successes >= self.limit and self.limit < self.ceiling:
            self.limit += 1
            self._successes = 0
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
                    for rate, level, cost in zip(self.rates, self.levels, costs)
                    if rate and level < min(cost, rate)
                ]
                if not short:
                    break
                await asyncio.sleep(max(short))
            self.levels = [level - cost if rate else level for rate, level, cost in zip(self.rates, self.levels, costs)]

    def _refill(self) -> None:
        now = time.monotonic()
        elapsed, self.stamp = now - self.stamp, now
        self.levels = [
            min(rate, level + rate * elapsed) if rate else 0.0 for rate, level in zip(self.rates, self.levels)
        ]


def estimate_tokens(texts: list[str], completion: int) -> int:
    """A tokenizer-free guess at a request's tokens: a CJK character is about one, other text about four characters."""
    from harness.cjk import CJK

    total = 0
    for text in texts:
        cjk = len(CJK.findall(text))
        total += cjk + (len(text) - cjk) // 4
    return total + completion
