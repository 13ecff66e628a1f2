"""Streamed answers (Server-Sent Events) from the test server in each wire format: assembly, usage, time to first
token, stream endings, the idle deadline between events, errors mid-stream, and `--stream` / `stream:` in a preset."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ProviderError
from harness.types import Request, Response, Sample
from tests.support import SECRET, evalrun, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault, StreamStyle
from tests.support.outcomes import answered, failed, outcome
from tests.support.raw_server import Exchange, RawServer, flood

REQUEST = Request(({"role": "user", "content": "Say hello."},), {"max_tokens": 64}, Sample("s", {}, ("hi",)))
ANSWER = "こんにちは、世界。Hello, world — streamed piece by piece."
KINDS = {"openai": "/v1/chat/completions", "openai-completions": "/v1/completions", "anthropic": "/v1/messages"}
"""Each provider that streams, and the path it streams from."""


def ask(
    server: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    kind: str = "openai",
    request: Request = REQUEST,
    **settings: Any,
) -> Response | ProviderError:
    """One request to `kind`'s endpoint on the test server; the Response, or the ProviderError it raised."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url.removesuffix("/v1"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    return outcome(f"{kind}/test-model", request, **{"timeout": 2.0, "max_attempts": 1, "stream": True, **settings})


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_streamed_answer_is_assembled_with_usage_from_the_final_event(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    openai_server.answer = lambda body: ANSWER
    openai_server.stream = StreamStyle(piece=1)  # one event per character
    response = answered(ask(openai_server, monkeypatch, kind))
    assert response.output == ANSWER
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (10, 2)
    assert response.finish_reason == ("end_turn" if kind == "anthropic" else "stop")
    assert response.model == "test-model"
    assert response.time_to_first_token is not None and response.time_to_first_token > 0
    (sent,) = openai_server.requests
    assert sent["path"] == KINDS[kind] and sent["body"]["stream"] is True
    if kind != "anthropic":  # usage comes in a last chunk only when asked for
        assert sent["body"]["stream_options"] == {"include_usage": True}


def test_usage_is_none_when_the_server_sends_no_usage_event(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.stream = StreamStyle(usage=False)  # an older server that ignores stream_options
    response = answered(ask(openai_server, monkeypatch))
    assert response.output == "ok"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (None, None)


def test_time_to_first_token_counts_the_wait_for_the_first_event(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.stream = StreamStyle(first_pause=0.3)
    response = answered(ask(openai_server, monkeypatch))
    assert response.time_to_first_token is not None and response.time_to_first_token >= 0.3


@pytest.mark.parametrize(
    "style",
    [
        StreamStyle(done=False),  # transformers serve: the chunked body ends, no [DONE]
        StreamStyle(done=False, framing="close"),  # no length at all: the stream ends when the connection closes
        StreamStyle(framing="close"),
        StreamStyle(crlf=True),
        StreamStyle(crlf=True, chunk_bytes=3),  # CRLF and UTF-8 characters split across HTTP chunks
        StreamStyle(chunk_bytes=1),
        StreamStyle(comment=True),  # `: keep-alive` before the first event, as OpenRouter sends
    ],
    ids=["no-done", "no-done-close", "close", "crlf", "crlf-split", "byte-chunks", "comment"],
)
@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_stream_framings_give_the_same_answer(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, kind: str, style: StreamStyle
) -> None:
    openai_server.answer = lambda body: ANSWER
    openai_server.stream = style
    response = answered(ask(openai_server, monkeypatch, kind))
    assert response.output == ANSWER and response.usage.completion_tokens == 2


def test_the_timeout_is_the_longest_wait_between_events(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.answer = lambda body: "a long answer, slowly"
    openai_server.stream = StreamStyle(piece=2, pause=0.1)  # about 1.4 s in all, never more than 0.1 s between events
    response = answered(ask(openai_server, monkeypatch, timeout=0.6))
    assert response.output == "a long answer, slowly"


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_an_idle_stream_fails_at_the_deadline(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    openai_server.stream = StreamStyle(piece=1, pause=3.0)
    started = time.monotonic()
    outcome = ask(openai_server, monkeypatch, kind, timeout=0.4)
    assert re.search(r"(?i)timed out|idle|no event", failed(outcome)), str(outcome)
    assert outcome.retryable
    assert time.monotonic() - started < 2.9  # it gave up at the deadline, not at the server's next event


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_error_event_mid_stream_is_a_provider_error_with_the_servers_message(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    openai_server.answer = lambda body: ANSWER
    openai_server.stream = StreamStyle(error_after=3, error_message="the model is overloaded, try later")
    assert "the model is overloaded, try later" in failed(ask(openai_server, monkeypatch, kind))


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
def test_a_stream_broken_mid_way_fails_and_a_retry_starts_afresh(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    openai_server.answer = lambda body: ANSWER
    openai_server.faults.append(Fault("stream", style=StreamStyle(break_after=4)))
    outcome = ask(openai_server, monkeypatch, kind)
    failed(outcome)
    assert outcome.retryable
    openai_server.faults.append(Fault("stream", style=StreamStyle(break_after=4)))
    response = answered(ask(openai_server, monkeypatch, kind, max_attempts=2))
    assert (response.output, response.attempts) == (ANSWER, 2)  # the broken attempt's pieces are not kept


def test_an_error_status_before_the_stream_reads_the_servers_message(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.faults.append(Fault("status", 400, body={"detail": "stream is not supported for this model"}))
    message = failed(ask(openai_server, monkeypatch))
    assert message.startswith("HTTP 400") and "stream is not supported for this model" in message


def test_a_streamed_answer_over_the_answer_limit_is_cut(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.answer = lambda body: "x" * 5000
    openai_server.stream = StreamStyle(piece=100)
    response = answered(ask(openai_server, monkeypatch, max_answer_bytes=1000))
    assert response.output == "x" * 1000 and response.full_bytes == 5000


def test_ollama_is_not_streamed(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", openai_server.base_url.removesuffix("/v1"))
    response = answered(ask(openai_server, monkeypatch, "ollama"))
    assert response.output == "ok" and openai_server.requests[0]["body"]["stream"] is False


def test_streaming_is_off_unless_asked(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("openai", "anthropic"):
        answered(ask(openai_server, monkeypatch, kind, stream=None))
    assert [r["body"].get("stream") for r in openai_server.requests] in ([None, None], [None, False], [False, False])


def test_anthropic_streams_by_default_for_long_generations(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = Request(REQUEST.messages, {"max_tokens": 32000}, REQUEST.sample)
    assert answered(ask(openai_server, monkeypatch, "anthropic", long, stream=None)).output == "ok"
    assert openai_server.requests[0]["body"]["stream"] is True  # the Messages API wants long answers streamed
    assert answered(ask(openai_server, monkeypatch, "anthropic", long, stream=False)).output == "ok"
    assert openai_server.requests[1]["body"].get("stream") in (None, False)  # --no-stream still wins


# ---- streams that never end ------------------------------------------------------------------------------------------


SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"


def _chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@pytest.mark.parametrize(
    "block",
    [
        _chunked(b"x" * 65536),  # one event line that never ends
        _chunked(b'data: {"choices": [{"index": 0, "delta": {"content": "a"}}]}\n\n' * 500),  # deltas forever
    ],
    ids=["endless-line", "endless-deltas"],
)
def test_an_endless_stream_ends_the_request(monkeypatch: pytest.MonkeyPatch, block: bytes) -> None:
    def script(ex: Exchange) -> bool:
        flood(ex.sock, block, SSE_HEAD + _chunked(b"data: "))
        return False

    server = RawServer(script)
    try:
        state = FakeOpenAI(base_url=server.base_url)
        outcome = ask(state, monkeypatch, max_answer_bytes=1 << 20, timeout=5.0)
    finally:
        server.close()
    if isinstance(outcome, Response):  # stopped at the answer limit and recorded as cut
        assert len(outcome.output.encode()) <= 1 << 20 and outcome.full_bytes is not None
    else:
        failed(outcome)


# ---- through the command line ----------------------------------------------------------------------------------------


EVAL = (
    "id: t\ndescription: d\nlanguage: en\nversion: 1\ndata: {path: t/t.jsonl}\n"
    "prompt: {user: 'Q {{ question }}'}\ngrader: {kind: exact}\n"
)
ROWS = [{"id": f"s{i}", "question": f"q{i}", "answers": [f"answer {i}"]} for i in range(3)]


def _streamed_run(server: FakeOpenAI, workspace: Path, *args: str, env: dict[str, str]) -> list[dict[str, Any]]:
    """`evalrun run` of the 3-sample eval; the sample records, each checked to be answered from a stream."""
    write(workspace / "registry/evals/t.yaml", EVAL)
    write_jsonl(workspace / "evals/t/t.jsonl", ROWS)
    server.answer = lambda body: "answer " + body["messages"][-1]["content"].removeprefix("Q q")
    server.stream = StreamStyle(piece=2, first_pause=0.05)
    result = evalrun("run", "t", *args, "--results", str(workspace / "out"), cwd=workspace, env=env)
    assert result.returncode == 0, result.stderr
    assert len(server.requests) == 3 and all(r["body"]["stream"] is True for r in server.requests)
    (samples,) = (workspace / "out").glob("runs/*/samples.jsonl")
    records = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["score"] for r in records) == [1.0, 1.0, 1.0]
    for record in records:
        (first_token,) = [value for key, value in record.items() if re.search(r"ttft|first_token", key)]
        assert isinstance(first_token, float) and first_token >= 0.05
        assert record["usage"] == {"prompt_tokens": 10, "completion_tokens": 2}
    return records


def test_run_with_stream_flag(openai_server: FakeOpenAI, workspace: Path) -> None:
    _streamed_run(
        openai_server, workspace, "--model", "openai/m", "--stream", env={"OPENAI_BASE_URL": openai_server.base_url}
    )


def test_a_preset_with_stream_true(openai_server: FakeOpenAI, workspace: Path) -> None:
    write(
        workspace / "registry/models/streamer.yaml",
        f"id: streamer\nprovider: openai\nmodel: m\nbase_url: {openai_server.base_url}\nstream: true\n",
    )
    _streamed_run(openai_server, workspace, "--model", "streamer", env={})


def test_run_with_stream_to_anthropic(openai_server: FakeOpenAI, workspace: Path) -> None:
    env = {"ANTHROPIC_BASE_URL": openai_server.base_url.removesuffix("/v1"), "ANTHROPIC_API_KEY": SECRET}
    _streamed_run(openai_server, workspace, "--model", "anthropic/claude-test", "--stream", env=env)
