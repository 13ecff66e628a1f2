"""Pacing: the adaptive in-flight cap shrinks only for 429s that load causes and grows back; budgets are kept."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from harness.models.pacing import AdaptiveLimit, Budget, estimate_tokens
from tests.support import against
from tests.support.openai_server import FakeOpenAI, Fault


def simulate(limit: AdaptiveLimit, rounds: int, throttled: Callable[[int, int], bool]) -> list[int]:
    """Rounds of as many requests as the cap allows, all in flight at once; `throttled(index, sent)` says which get a
    429. The cap after each round."""

    async def main() -> list[int]:
        caps = []
        for _ in range(rounds):
            sent = [await limit.acquire() for _ in range(limit.limit)]
            for index, generation in enumerate(sent):
                limit.release(generation, throttled(index, len(sent)))
            caps.append(limit.limit)
        return caps

    return asyncio.run(main())


def test_random_429s_do_not_pin_the_cap() -> None:
    chance = random.Random(7)
    caps = simulate(AdaptiveLimit(64), 300, lambda index, sent: chance.random() < 0.3)
    assert statistics.mean(caps) > 0.85 * 64 and caps[-1] >= 48
    assert min(caps) >= 32  # at most a probe or two below the ceiling, never the floor


def test_429s_caused_by_load_bring_the_cap_down_to_what_the_server_takes() -> None:
    caps = simulate(AdaptiveLimit(64), 300, lambda index, sent: index >= 10)  # the server takes 10 at once
    assert 5 <= statistics.mean(caps[100:]) <= 14 and max(caps[100:]) <= 16


def test_load_caused_429s_on_top_of_random_ones() -> None:
    chance = random.Random(3)
    caps = simulate(AdaptiveLimit(64), 400, lambda index, sent: index >= 20 or chance.random() < 0.2)
    assert 8 <= statistics.mean(caps[200:]) <= 30


def test_adaptive_off_keeps_the_cap() -> None:
    caps = simulate(AdaptiveLimit(16, adaptive=False), 50, lambda index, sent: True)
    assert set(caps) == {16}


def test_cap_grows_back_after_the_429s_stop() -> None:
    limit = AdaptiveLimit(64)
    simulate(limit, 100, lambda index, sent: index >= 8)
    assert limit.limit <= 16
    caps = simulate(limit, 200, lambda index, sent: False)
    assert caps[-1] == 64


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
                limit.release(0, False)

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
        "--limit",
        "50",
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


def test_a_woken_then_cancelled_waiter_hands_its_place_on() -> None:
    async def main() -> bool:
        limit = AdaptiveLimit(1)
        await limit.acquire()
        second = asyncio.ensure_future(limit.acquire())
        third = asyncio.ensure_future(limit.acquire())
        await asyncio.sleep(0)
        limit.release(0, False)  # wakes `second` ...
        second.cancel()  # ... which is cancelled before it runs
        await asyncio.sleep(0.01)
        return third.done()

    assert asyncio.run(main())
