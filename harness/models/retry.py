"""Bounded retries with exponential backoff and full jitter, honouring a server's Retry-After."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime

from harness.errors import ProviderError
from harness.types import Response


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts at one request."""

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


async def with_retries(call: Callable[[], Awaitable[Response]], policy: RetryPolicy) -> Response:
    """Run `call` until it succeeds, fails for good, or uses up the attempts; the last error says how many."""
    attempt = 1
    while True:
        try:
            response = await call()
        except ProviderError as exc:
            if not exc.retryable or attempt >= policy.max_attempts:
                exc.attempts = attempt
                raise
            await asyncio.sleep(policy.delay(attempt, exc.retry_after))
            attempt += 1
            continue
        return replace(response, attempts=attempt) if attempt > 1 else response


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a response asks for: `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date."""
    milliseconds = _finite(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _finite(text: str | None) -> float | None:
    """A non-negative finite number from a header value, or None."""
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) and value >= 0 else None
