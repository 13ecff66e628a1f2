"""The OpenAI-compatible provider against a real HTTP server on 127.0.0.1: answers, faults, retries, secrets."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate
from typing import Any

import pytest

from harness.errors import InputError, ProviderError
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.models.retry import RetryPolicy, retry_after_seconds
from harness.registry.specs import ModelPreset
from harness.types import Request, Sample
from tests.support import SECRET
from tests.support.openai_server import FakeOpenAI, Fault

SAMPLE = Sample(id="s1", fields={"question": "q"}, references=("a",))
REQUEST = Request(({"role": "user", "content": "What is 2+2?"},), {"temperature": 0, "max_tokens": 8}, SAMPLE)


def ask(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, request: Request = REQUEST, **settings: Any) -> Any:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    provider = open_provider("openai/test-model", {}, ModelSettings(**{"timeout": 2.0, "max_attempts": 3, **settings}))
    provider._policy = RetryPolicy(max_attempts=provider._policy.max_attempts, base_delay=0.01, max_delay=0.05)

    async def go() -> Any:
        try:
            return await provider.complete(request)
        finally:
            await provider.aclose()

    return asyncio.run(go())


def test_answer_usage_and_wire_format(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    openai_server.answer = lambda body: "4"
    response = ask(openai_server, monkeypatch)
    assert (response.output, response.usage.prompt_tokens, response.usage.completion_tokens, response.attempts) == (
        "4",
        10,
        2,
        1,
    )
    sent = openai_server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == f"Bearer {SECRET}"
    assert sent["body"] == {
        "model": "test-model",
        "messages": [{"role": "user", "content": "What is 2+2?"}],
        "temperature": 0,
        "max_tokens": 8,
    }


def test_429_with_retry_after_is_honoured(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    openai_server.faults.append(Fault("status", 429, retry_after="1"))
    started = time.monotonic()
    response = ask(openai_server, monkeypatch)
    assert time.monotonic() - started >= 0.95
    assert response.attempts == 2 and response.output == "ok"


@pytest.mark.parametrize(
    "fault",
    [
        Fault("status", 500),
        Fault("status", 503),
        Fault("status", 408),
        Fault("garbage"),
        Fault("drop"),
        Fault("truncate"),
    ],
)
def test_transient_faults_are_retried(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, fault: Fault) -> None:
    openai_server.faults.extend([fault, fault])
    response = ask(openai_server, monkeypatch)
    assert response.attempts == 3 and response.output == "ok"


def test_slow_response_times_out_then_succeeds(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    openai_server.faults.append(Fault("slow", seconds=1.5))
    response = ask(openai_server, monkeypatch, timeout=0.5)
    assert response.attempts == 2


def test_attempts_are_bounded(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    openai_server.fault_for = lambda body: Fault("status", 502)
    with pytest.raises(ProviderError) as caught:
        ask(openai_server, monkeypatch, max_attempts=3)
    assert caught.value.attempts == 3
    assert "HTTP 502" in str(caught.value)
    assert len(openai_server.requests) == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, status: int) -> None:
    body = {
        "error": {
            "message": f"Incorrect API key provided: {SECRET}. You can find your key at …",
            "type": "invalid_request_error",
        }
    }
    openai_server.faults.append(Fault("status", status, body=body))
    with pytest.raises(ProviderError) as caught:
        ask(openai_server, monkeypatch)
    assert len(openai_server.requests) == 1 and caught.value.attempts == 1
    assert f"HTTP {status}" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_null_content_is_an_empty_answer(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    openai_server.answer = lambda body: None  # type: ignore[assignment,return-value]
    assert ask(openai_server, monkeypatch).output == ""


def test_a_refusal_is_the_answer_and_is_graded(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    message = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
    body = {"model": "test-model", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    openai_server.faults.append(Fault("status", 200, body=body))
    response = ask(openai_server, monkeypatch)
    assert (response.output, response.finish_reason) == ("I can't help with that.", "refusal")


@pytest.mark.parametrize("model", ["openai/test-model", "openai-completions/test-model"])
def test_a_content_filter_block_is_not_retried(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    choice = {"index": 0, "message": {"role": "assistant", "content": None}, "text": None}
    body = {"model": "test-model", "choices": [{**choice, "finish_reason": "content_filter"}]}
    openai_server.faults.append(Fault("status", 200, body=body))
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    provider = open_provider(model, {}, ModelSettings(timeout=2.0, max_attempts=3))

    async def go() -> Any:
        try:
            return await provider.complete(REQUEST)
        finally:
            await provider.aclose()

    with pytest.raises(ProviderError, match="content filter") as caught:
        asyncio.run(go())
    assert len(openai_server.requests) == 1 and not caught.value.retryable


def test_preset_with_its_own_url_and_key_variable(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVER_KEY", "k-preset")
    preset = ModelPreset(
        id="local",
        provider="openai",
        model="served",
        base_url=openai_server.base_url,
        api_key_env="MY_SERVER_KEY",
        params={"temperature": 0.5},
    )
    provider = open_provider("local", {"local": preset}, ModelSettings())

    async def go() -> Any:
        try:
            return await provider.complete(REQUEST)
        finally:
            await provider.aclose()

    asyncio.run(go())
    sent = openai_server.requests[0]
    assert sent["headers"]["Authorization"] == "Bearer k-preset"
    assert sent["body"]["model"] == "served" and sent["body"]["temperature"] == 0.5  # the preset's parameters win


def test_missing_key_for_the_real_api_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(InputError, match="OPENAI_API_KEY is not set"):
        open_provider("openai/gpt-4o-mini", {}, ModelSettings())


@pytest.mark.parametrize(
    "name, message",
    [
        ("nowhere/x", "unknown provider"),
        ("baseline/psychic", "unknown baseline"),
        ("openai/", "model name"),
        ("no-such-preset", "unknown model"),
    ],
)
def test_bad_model_names(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        open_provider(name, {}, ModelSettings())


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": formatdate(1_000_030, usegmt=True)}, now=1_000_000) == pytest.approx(
        30.0
    )
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


@pytest.mark.parametrize(
    ("reset", "wait"),
    [("2001-09-09T01:46:42Z", 2.0), ("2001-09-09T01:46:40.5Z", 0.5), ("2001-09-09T01:46:41.123456789+00:00", 1.123456)],
)
def test_an_anthropic_reset_time_is_read_with_any_fraction_of_a_second(reset: str, wait: float) -> None:
    """RFC 3339 allows any number of fraction digits; Python 3.10's fromisoformat reads only 3 or 6."""
    headers = {"anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": reset}
    assert retry_after_seconds(headers, now=1_000_000_000) == pytest.approx(wait, abs=1e-5)


def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0)
    delays = [policy.backoff(attempt) for attempt in range(1, 8) for _ in range(20)]
    assert all(0 <= d <= 4.0 for d in delays) and len(set(delays)) > 10


def test_a_retry_after_longer_than_the_time_left_fails_at_once() -> None:
    from harness.errors import ProviderError
    from harness.models.retry import with_retries

    calls = []

    async def throttled() -> Any:
        calls.append(1)
        raise ProviderError("HTTP 429: slow down", retryable=True, retry_after=999999999.0, status=429)

    with pytest.raises(ProviderError) as caught:
        asyncio.run(with_retries(throttled, RetryPolicy(max_attempts=5, max_wait=10.0)))
    assert len(calls) == 1 and caught.value.attempts == 1 and caught.value.status == 429
    assert "999,999,999s" in str(caught.value) and "--max-wait" in str(caught.value)


def test_rate_limit_reset_headers() -> None:
    from datetime import datetime, timezone

    openai_style = {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "1.5s",
        "x-ratelimit-remaining-tokens": "9",
        "x-ratelimit-reset-tokens": "6m0s",
    }
    assert retry_after_seconds(openai_style) == 1.5  # only the exhausted limit counts
    assert retry_after_seconds({**openai_style, "x-ratelimit-remaining-tokens": "0"}) == 360.0
    now = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    anthropic_style = {
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:30Z",
    }
    assert retry_after_seconds(anthropic_style, now=now) == 30.0
    assert retry_after_seconds({**openai_style, "retry-after": "2"}) == 2.0  # an explicit Retry-After wins


def test_out_of_quota_is_not_retried(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    body = {
        "error": {
            "message": "You exceeded your current quota.",
            "type": "insufficient_quota",
            "code": "insufficient_quota",
        }
    }
    openai_server.faults.append(Fault("status", 429, retry_after="0", body=body))
    with pytest.raises(ProviderError) as caught:
        ask(openai_server, monkeypatch)
    assert caught.value.attempts == 1 and len(openai_server.requests) == 1
