"""Pacing: the adaptive in-flight limit backs off on 429 and grows back; request and token budgets are kept."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from harness.models.pacing import AdaptiveLimit, Budget, estimate_tokens
from tests.conftest import against
from tests.openai_server import FakeOpenAI, Fault


def test_adaptive_limit_halves_on_429_and_grows_back() -> None:
    limit = AdaptiveLimit(16)
    for expected in (8, 4, 2, 1, 1):
        limit.throttled(limit.generation)
        assert limit.limit == expected
    for _ in range(1 + 2 + 3):
        limit.succeeded()
    assert limit.limit == 4
    for _ in range(1000):
        limit.succeeded()
    assert limit.limit == 16


def test_adaptive_limit_is_halved_once_per_round_trip() -> None:
    async def main() -> list[int]:
        limit = AdaptiveLimit(16)
        sent_together = [await limit.acquire() for _ in range(10)]
        for generation in sent_together:  # ten 429s to requests that were all in flight at once
            limit.release()
            limit.throttled(generation)
        after_cut = await limit.acquire()  # a request sent after the cut can cut again
        limit.release()
        limit.throttled(after_cut)
        return [limit.limit, limit.generation]

    assert asyncio.run(main()) == [4, 2]


def test_adaptive_limit_bounds_what_is_in_flight() -> None:
    async def main() -> int:
        limit = AdaptiveLimit(3)
        peak = 0

        async def job() -> None:
            nonlocal peak
            await limit.acquire()
            try:
                peak = max(peak, limit.in_flight)
                await asyncio.sleep(0.01)
            finally:
                limit.release()

        await asyncio.gather(*(job() for _ in range(30)))
        return peak

    assert asyncio.run(main()) == 3


def test_budget_paces_requests() -> None:
    async def main() -> float:
        budget = Budget(requests_per_minute=1200)  # 20 a second, a second's burst
        started = time.monotonic()
        for _ in range(40):
            await budget.spend(0)
        return time.monotonic() - started

    assert 0.9 < asyncio.run(main()) < 3.0  # the first 20 go at once, the next 20 take a second


def test_budget_paces_tokens() -> None:
    async def main() -> float:
        budget = Budget(tokens_per_minute=60_000)  # 1,000 a second
        started = time.monotonic()
        for _ in range(4):
            await budget.spend(500)
        return time.monotonic() - started

    assert 0.9 < asyncio.run(main()) < 3.0


def test_token_estimate_counts_cjk_characters_one_each() -> None:
    assert estimate_tokens(["東京は日本の首都です", "a" * 40], 16) == 10 + 10 + 16


def test_a_server_that_refuses_more_than_three_at_once_loses_nothing(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    def fault(body: dict) -> Fault:
        return Fault("status", 429, retry_after="0") if openai_server.in_flight > 3 else Fault("slow", seconds=0.02)

    openai_server.fault_for = fault
    result = against(
        openai_server,
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--concurrency",
        "16",
        "--json",
        "--results",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["runs"][0]
    assert summary["counts"]["errors"] == 0 and summary["counts"]["samples"] == 50
    refused = len(openai_server.requests) - 50
    assert 0 < refused <= summary["counts"]["retries"] < 50  # backing off keeps the refusals few


def test_rpm_flag_paces_a_run(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    started = time.monotonic()
    result = against(
        openai_server,
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--limit",
        "20",
        "--rpm",
        "600",
        "-q",
        "--results",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started > 1.0  # 10 at once, then 10 a second
