"""Anthropic, Ollama and OpenAI legacy completions, each in its own wire format, against the test server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ProviderError
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.models.ollama import host_url
from harness.models.retry import RetryPolicy
from harness.types import Request, Sample
from tests.support import REPO, SECRET, evalrun
from tests.support.openai_server import FakeOpenAI, Fault

MESSAGES = (
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "Capital of Japan?"},
    {"role": "assistant", "content": "Tokyo"},
    {"role": "user", "content": "Capital of France?"},
)
REQUEST = Request(MESSAGES, {"temperature": 0, "max_tokens": 16, "stop": ["\n"]}, Sample("s", {}, ("Paris",)))


def ask(name: str, **settings: Any) -> Any:
    provider = open_provider(name, {}, ModelSettings(**{"timeout": 2.0, "max_attempts": 3, **settings}))
    provider._policy = RetryPolicy(max_attempts=provider._policy.max_attempts, base_delay=0.01, max_delay=0.05)

    async def go() -> Any:
        try:
            return await provider.complete(REQUEST)
        finally:
            await provider.aclose()

    return asyncio.run(go())


def test_anthropic_messages_wire_format(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", openai_server.base_url.removesuffix("/v1"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    openai_server.answer = lambda body: "Paris"
    response = ask("anthropic/claude-test")
    sent = openai_server.requests[0]
    assert sent["path"] == "/v1/messages"
    assert sent["headers"]["x-api-key"] == SECRET and sent["headers"]["anthropic-version"] == "2023-06-01"
    assert "Authorization" not in sent["headers"]
    assert sent["body"] == {
        "model": "claude-test",
        "max_tokens": 16,
        "system": "Answer briefly.",
        "messages": [dict(m) for m in MESSAGES[1:]],
        "stop_sequences": ["\n"],
        "temperature": 0,
    }
    assert (response.output, response.usage.prompt_tokens, response.usage.completion_tokens) == ("Paris", 10, 2)
    assert response.finish_reason == "end_turn" and response.model == "claude-test"


@pytest.mark.parametrize("fault", [Fault("status", 429, retry_after="0"), Fault("status", 529), Fault("status", 500)])
def test_anthropic_overload_and_rate_limits_are_retried(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, fault: Fault
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", openai_server.base_url.removesuffix("/v1"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    openai_server.faults.append(fault)
    assert ask("anthropic/claude-test").attempts == 2


def test_anthropic_error_message_is_read_and_key_redacted(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", openai_server.base_url.removesuffix("/v1"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    body = {"type": "error", "error": {"type": "authentication_error", "message": f"invalid x-api-key {SECRET}"}}
    openai_server.faults.append(Fault("status", 401, body=body))
    with pytest.raises(ProviderError) as caught:
        ask("anthropic/claude-test")
    assert str(caught.value) == "HTTP 401: invalid x-api-key [redacted]" and caught.value.attempts == 1


def test_anthropic_needs_its_key_for_the_real_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    with pytest.raises(Exception, match="ANTHROPIC_API_KEY is not set"):
        open_provider("anthropic/claude-test", {}, ModelSettings())


def test_ollama_chat_wire_format(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", openai_server.base_url.removeprefix("http://").removesuffix("/v1"))
    openai_server.answer = lambda body: "Paris"
    response = ask("ollama/qwen2.5:7b")
    sent = openai_server.requests[0]
    assert sent["path"] == "/api/chat" and "Authorization" not in sent["headers"]
    assert sent["body"] == {
        "model": "qwen2.5:7b",
        "messages": [dict(m) for m in MESSAGES],
        "stream": False,
        "options": {"temperature": 0, "num_predict": 16, "stop": ["\n"]},
    }
    assert (response.output, response.usage.prompt_tokens, response.usage.completion_tokens) == ("Paris", 10, 2)
    openai_server.faults.append(Fault("status", 404, body={"error": "model 'qwen2.5:7b' not found"}))
    with pytest.raises(ProviderError, match="HTTP 404: model 'qwen2.5:7b' not found"):
        ask("ollama/qwen2.5:7b")


def test_openai_completions_wire_format(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    openai_server.answer = lambda body: " Paris"
    response = ask("openai-completions/base-model")
    sent = openai_server.requests[0]
    assert sent["path"] == "/v1/completions"
    assert sent["body"] == {
        "model": "base-model",
        "prompt": "Answer briefly.\n\nCapital of Japan?\n\nTokyo\n\nCapital of France?",
        "temperature": 0,
        "max_tokens": 16,
        "stop": ["\n"],
    }
    assert response.output == " Paris"


@pytest.mark.parametrize(
    "model, env",
    [
        (
            "anthropic/claude-test",
            lambda url: {"ANTHROPIC_BASE_URL": url.removesuffix("/v1"), "ANTHROPIC_API_KEY": SECRET},
        ),
        ("ollama/llama3", lambda url: {"OLLAMA_HOST": url.removesuffix("/v1")}),
        ("openai-completions/base", lambda url: {"OPENAI_BASE_URL": url}),
    ],
)
def test_end_to_end_through_each_wire_format(openai_server: FakeOpenAI, tmp_path: Path, model: str, env: Any) -> None:
    rows = [json.loads(line) for line in (REPO / "evals/gpt-history/ja.jsonl").read_text(encoding="utf-8").splitlines()]

    def answer(body: dict[str, Any]) -> str:
        prompt = body["prompt"] if "prompt" in body else body["messages"][-1]["content"]
        index = next(i for i, row in enumerate(rows) if row["question"] in prompt)
        return rows[index]["answers"][0] if index % 2 else "わかりません"

    openai_server.answer = answer
    result = evalrun(
        "run",
        "gpt-history.ja",
        "--model",
        model,
        "--json",
        "--results",
        str(tmp_path),
        cwd=REPO,
        env=env(openai_server.base_url),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["runs"][0]
    assert summary["metrics"]["accuracy"]["mean"] == pytest.approx(len(rows) // 2 / len(rows))
    assert summary["usage"] == {
        "prompt_tokens": 10 * len(rows),
        "completion_tokens": 2 * len(rows),
        "samples_with_usage": len(rows),
    }
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or SECRET not in path.read_text(encoding="utf-8")


def test_cost_from_preset_prices(openai_server: FakeOpenAI, repo_copy: Path, tmp_path: Path) -> None:
    (repo_copy / "registry/models/priced.yaml").write_text(
        f"id: priced\nprovider: openai\nmodel: m\nbase_url: {openai_server.base_url}\nprices: {{input: 2.5, output: 10}}\n"
    )
    result = evalrun("run", "gpt-history.en", "--model", "priced", "--json", "--results", str(tmp_path), cwd=repo_copy)
    summary = json.loads(result.stdout)["runs"][0]
    n = summary["counts"]["samples"]  # 10 prompt and 2 completion tokens each, from the test server
    assert summary["cost_usd"] == pytest.approx((10 * n * 2.5 + 2 * n * 10) / 1_000_000)
    again = evalrun("run", "gpt-history.en", "--model", "priced", "-q", "--results", str(tmp_path), cwd=repo_copy)
    assert "| $0.0000 |" in again.stdout  # every answer came from the cache: nothing was paid this time


@pytest.mark.parametrize(
    "host, url",
    [
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("example.org", "http://example.org:11434"),
        ("127.0.0.1:1234", "http://127.0.0.1:1234"),
        ("https://ollama.example.org", "https://ollama.example.org"),
    ],
)
def test_ollama_host_is_read_as_ollama_reads_it(host: str, url: str) -> None:
    assert host_url(host) == url
