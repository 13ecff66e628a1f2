"""Bounded retries with exponential backoff and full jitter, honouring Retry-After and rate-limit reset headers."""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parsedate_to_datetime

from harness.errors import ProviderError
from harness.types import Response


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts at one request."""

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_wait: float = 240.0
    """Seconds one request may take in all, waits included: a Retry-After longer than what is left fails it at once."""

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based) when the server named no wait."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


async def with_retries(call: Callable[[], Awaitable[Response]], policy: RetryPolicy) -> Response:
    """Run `call` until it succeeds, fails for good, or uses up the attempts; the last error says how many."""
    attempt = backoffs = 1
    started = time.monotonic()
    while True:
        try:
            response = await call()
        except ProviderError as exc:
            if not exc.retryable or attempt >= policy.max_attempts:
                exc.attempts = attempt
                raise
            if not exc.retry_after:  # only failures that named no wait (or none at all) lengthen the backoff
                delay = policy.backoff(backoffs)
                backoffs += 1
            else:
                delay = exc.retry_after
            left = policy.max_wait - (time.monotonic() - started)
            if exc.retry_after and delay > left:
                raise _too_long(exc, delay, left, attempt) from None
            await asyncio.sleep(min(delay, max(left, 0.0)))
            attempt += 1
            continue
        return replace(response, attempts=attempt) if attempt > 1 else response


def _too_long(exc: ProviderError, wait: float, left: float, attempt: int) -> ProviderError:
    """The error for a server asking a request to wait longer than it has left."""
    failed = ProviderError(
        f"{exc} (the server asks to wait {wait:,.0f}s, more than the {max(left, 0):,.0f}s this request has left; "
        "see --max-wait)",
        status=exc.status,
    )
    failed.attempts = attempt
    return failed


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a response asks for: `retry-after-ms`, `Retry-After` (seconds or HTTP date), else rate-limit resets."""
    now = time.time() if now is None else now
    milliseconds = _finite(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = headers.get("retry-after")
    if value:
        seconds = _finite(value)
        if seconds is not None:
            return seconds
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            pass
    return _rate_limit_reset(headers, now)


def _rate_limit_reset(headers: Mapping[str, str], now: float) -> float | None:
    """When an exhausted rate limit resets: OpenAI's `x-ratelimit-reset-*` ("6m0s") or Anthropic's (RFC 3339 times)."""
    waits = []
    for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
        for remaining, reset, parse in (
            (f"x-ratelimit-remaining-{kind}", f"x-ratelimit-reset-{kind}", _go_duration),
            (f"anthropic-ratelimit-{kind}-remaining", f"anthropic-ratelimit-{kind}-reset", lambda v: _until(v, now)),
        ):
            if headers.get(remaining, "").strip() == "0" and headers.get(reset):
                wait = parse(headers[reset])
                if wait is not None:
                    waits.append(wait)
    return max(waits) if waits else None


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def _go_duration(text: str) -> float | None:
    """Seconds in a duration written like `1h2m3.5s`, `6m0s` or `20ms`."""
    text = text.strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _UNIT[unit] for number, unit in parts)


_FRACTION = re.compile(r"\.(\d+)")


def _until(text: str, now: float) -> float | None:
    """Seconds from `now` until an RFC 3339 time (fractions of a second to six digits, which Python 3.10 needs)."""
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "00000")[:6], text.strip().replace("Z", "+00:00"))
    try:
        return max(0.0, datetime.fromisoformat(text).timestamp() - now)
    except ValueError:
        return None


def _finite(text: str | None) -> float | None:
    """A non-negative finite number from a header value, or None."""
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) and value >= 0 else None
