"""The request path through the provider API against raw-socket servers that send exactly the bytes a test scripts:
keep-alive, interim replies, cancellation, idle expiry, hostile replies, limits, and secrets in error bodies."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import gzip
import json
import re
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.errors import InputError, ProviderError
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.types import Request, Response, Sample
from tests.support import REPO, SECRET, evalrun, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault
from tests.support.raw_server import Exchange, RawServer, Script, answer_body, flood, reply

REQUEST = Request(({"role": "user", "content": "2+2?"},), {}, Sample(id="s", fields={}, references=("4",)))
LIMIT = 64 << 20
"""The most a reply body may hold, before and after decompression."""
Outcome = Any
"""A Response, or the ProviderError a request raised."""


@pytest.fixture
def serve() -> Iterator[Callable[[Script], RawServer]]:
    """Start raw servers for the test; all are closed at its end."""
    servers: list[RawServer] = []

    def start(script: Script) -> RawServer:
        servers.append(RawServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def ask(
    base_url: str,
    monkeypatch: pytest.MonkeyPatch,
    times: int = 1,
    *,
    key: str | None = SECRET,
    pause: float = 0.0,
    **settings: Any,
) -> list[Outcome]:
    """`times` requests one after another on one provider (`pause` seconds apart); each outcome in order."""
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    if key is None:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    else:
        monkeypatch.setenv("OPENAI_API_KEY", key)

    async def go() -> list[Outcome]:
        provider = open_provider("openai/m", {}, ModelSettings(**{"timeout": 2.0, "max_attempts": 1, **settings}))
        outcomes: list[Outcome] = []
        try:
            for number in range(times):
                if number and pause:
                    await asyncio.sleep(pause)
                try:
                    outcomes.append(await provider.complete(REQUEST))
                except ProviderError as exc:
                    outcomes.append(exc)
        finally:
            await provider.aclose()
        return outcomes

    return asyncio.run(go())


def failure(outcome: Outcome) -> str:
    """The message of a failed request, checked to be one clean line."""
    assert isinstance(outcome, ProviderError), f"expected the request to fail, got {outcome!r}"
    message = str(outcome)
    assert message and "\n" not in message and "Traceback" not in message and len(message) < 500, message
    return message


def outputs(outcomes: list[Outcome]) -> list[str]:
    assert all(isinstance(o, Response) for o in outcomes), outcomes
    return [o.output for o in outcomes]


# ---- well-formed exchanges -------------------------------------------------------------------------------------------


def test_keep_alive_reuses_one_connection_and_sends_a_well_formed_request(serve: Any, monkeypatch: Any) -> None:
    server = serve(lambda ex: ex.sock.sendall(reply()))
    assert outputs(ask(server.base_url, monkeypatch, times=3)) == ["4", "4", "4"]
    assert server.connections == 1
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/chat/completions HTTP/1.1"
    fields = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    assert fields["host"] == f"127.0.0.1:{server.port}"
    assert fields["authorization"] == f"Bearer {SECRET}"
    assert fields["content-type"].startswith("application/json")
    assert json.loads(body) == {"model": "m", "messages": [{"role": "user", "content": "2+2?"}]}


def test_chunked_replies_are_read(serve: Any, monkeypatch: Any) -> None:
    body = answer_body()
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])

    def script(ex: Exchange) -> None:
        status = b"200 OK" if ex.number == 1 else b"429 Too Many Requests\r\nRetry-After: 3"
        ex.sock.sendall(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        ex.sock.sendall(chunked)

    server = serve(script)
    answered, limited = ask(server.base_url, monkeypatch, times=2)
    assert answered.output == "4"
    failure(limited)
    assert limited.status == 429


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
    ],
)
def test_compressed_bodies_are_decoded(
    serve: Any, monkeypatch: Any, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    server = serve(
        lambda ex: ex.sock.sendall(reply(compress(answer_body()), headers=(f"Content-Encoding: {encoding}",)))
    )
    assert outputs(ask(server.base_url, monkeypatch)) == ["4"]


def test_a_body_ended_by_closing_the_connection_is_complete(serve: Any, monkeypatch: Any) -> None:
    def script(ex: Exchange) -> bool:
        ex.sock.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + answer_body())
        return False  # close: that is where the body ends

    server = serve(script)
    assert outputs(ask(server.base_url, monkeypatch, times=2)) == ["4", "4"]
    assert server.connections == 2  # HTTP/1.0 without keep-alive: a new connection each time


def test_an_idle_connection_the_server_closed_is_replaced_without_a_retry(serve: Any, monkeypatch: Any) -> None:
    def script(ex: Exchange) -> bool:
        ex.sock.sendall(reply())
        return False  # the server closes its keep-alive connection after each reply, without saying so

    server = serve(script)
    assert outputs(ask(server.base_url, monkeypatch, times=2, pause=0.2)) == ["4", "4"]  # max_attempts=1: no retry
    assert server.connections == 2


def test_a_reused_connection_closed_without_a_reply_is_an_error_not_a_silent_resend(
    serve: Any, monkeypatch: Any
) -> None:
    def script(ex: Exchange) -> bool:
        if ex.number == 2:
            return False  # the server drops the reused connection as the request arrives: no byte of a reply
        ex.sock.sendall(reply())
        return True

    server = serve(script)
    first, second = ask(server.base_url, monkeypatch, times=2)
    assert first.output == "4"
    failure(second)
    assert second.retryable
    assert len(server.requests) == 2  # the server saw it: the provider's retry policy decides, and counts it


@pytest.mark.parametrize(
    "interim",
    [
        [b"HTTP/1.1 100 Continue\r\n\r\n"],
        [b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"],
        [b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\n"],
    ],
    ids=["100", "103", "100+103"],
)
def test_interim_replies_before_the_answer_are_skipped(serve: Any, monkeypatch: Any, interim: list[bytes]) -> None:
    def script(ex: Exchange) -> None:
        for head in interim:
            ex.sock.sendall(head)
            time.sleep(0.05)  # the client sees the interim reply on its own first
        ex.sock.sendall(reply(answer_body(f"answer {ex.number}")))

    server = serve(script)
    assert outputs(ask(server.base_url, monkeypatch, times=2)) == ["answer 1", "answer 2"]


# ---- a request that ends early never leaves its reply for the next ---------------------------------------------------


@pytest.mark.parametrize("when", ["before the reply", "mid-body"])
def test_a_cancelled_request_never_leaves_its_reply_for_the_next(serve: Any, monkeypatch: Any, when: str) -> None:
    def script(ex: Exchange) -> None:
        data = reply(answer_body(f"reply {ex.number}"))
        if ex.number == 1:
            if when == "mid-body":
                ex.sock.sendall(data[: len(data) - 10])
                data = data[len(data) - 10 :]
            time.sleep(0.6)  # the client gives up on the first request meanwhile
        ex.sock.sendall(data)

    server = serve(script)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    async def go() -> str:
        provider = open_provider("openai/m", {}, ModelSettings(timeout=5.0, max_attempts=1))
        try:
            first = asyncio.create_task(provider.complete(REQUEST))
            await asyncio.sleep(0.3)
            first.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await first
            return (await provider.complete(REQUEST)).output
        finally:
            await provider.aclose()

    assert asyncio.run(go()) == "reply 2"


def test_a_timed_out_request_never_leaves_its_reply_for_the_next(serve: Any, monkeypatch: Any) -> None:
    def script(ex: Exchange) -> None:
        if ex.number == 1:
            time.sleep(0.8)  # longer than the timeout
        ex.sock.sendall(reply(answer_body(f"reply {ex.number}")))

    server = serve(script)
    timed_out, answered = ask(server.base_url, monkeypatch, times=2, timeout=0.4)
    assert "timed out" in failure(timed_out)
    assert answered.output == "reply 2"


IDLE_CLOSE = 5.0
"""vLLM and SGLang (uvicorn) close a keep-alive connection idle this long."""


def test_keep_alive_connections_expire_before_the_server_closes_them(serve: Any, monkeypatch: Any) -> None:
    def script(ex: Exchange) -> bool:
        if ex.idle > IDLE_CLOSE - 0.5:
            return False  # the server's close, racing a request sent on the stale connection: the request is lost
        ex.sock.sendall(reply())
        return True

    server = serve(script)
    assert outputs(ask(server.base_url, monkeypatch, times=2, pause=IDLE_CLOSE - 0.4)) == ["4", "4"]
    assert server.connections == 2  # the second request went out on a new connection


# ---- broken and hostile replies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n", r"(?i)http|response|invalid|malformed"),
        (reply(b"not gzip", headers=("Content-Encoding: gzip",)), r"(?i)gzip|decod|compress"),
        (
            b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"choices"',
            r"(?i)closed|ended|incomplete|disconnect|payload",
        ),
        (reply(b'{"choices": [{"message": {"content": "tru'), r"(?i)malformed"),
        (reply(b"<html>502 Bad Gateway</html>", headers=("Content-Type: text/html",)), r"(?i)malformed|json"),
        (reply(b'{"choices": []}'), r"(?i)malformed"),
    ],
    ids=["not-http", "bad-gzip", "truncated", "garbage-json", "html", "no-choice"],
)
def test_broken_replies_fail_the_request_with_a_reason(serve: Any, monkeypatch: Any, raw: bytes, reason: str) -> None:
    def script(ex: Exchange) -> bool:
        ex.sock.sendall(raw)
        return False

    server = serve(script)
    (outcome,) = ask(server.base_url, monkeypatch)
    assert re.search(reason, failure(outcome)), str(outcome)
    assert outcome.retryable


def test_broken_replies_are_retried(serve: Any, monkeypatch: Any) -> None:
    def script(ex: Exchange) -> bool:
        ex.sock.sendall(b"garbage\r\n\r\n" if ex.number == 1 else reply())
        return ex.number != 1

    server = serve(script)
    (response,) = ask(server.base_url, monkeypatch, max_attempts=2)
    assert (response.output, response.attempts) == ("4", 2)


def test_a_slow_reply_times_out(serve: Any, monkeypatch: Any) -> None:
    server = serve(lambda ex: time.sleep(5))  # reads the request, never answers in time
    (outcome,) = ask(server.base_url, monkeypatch, timeout=0.3)
    assert "timed out" in failure(outcome) and outcome.retryable


def test_nothing_listening_is_a_connection_failure(monkeypatch: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (outcome,) = ask(f"http://127.0.0.1:{port}/v1", monkeypatch)
    assert re.search(r"(?i)refused|cannot connect|connect", failure(outcome))
    assert outcome.retryable


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Flood-%d: yes\r\n" % i for i in range(10_000)),
        b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * (1 << 20) + b"\r\n",
    ],
    ids=["10000-headers", "1MB-header"],
)
def test_header_floods_fail_the_request(serve: Any, monkeypatch: Any, head: bytes) -> None:
    body = answer_body()
    server = serve(lambda ex: ex.sock.sendall(head + b"Content-Length: %d\r\n\r\n%s" % (len(body), body)))
    (outcome,) = ask(server.base_url, monkeypatch)
    assert re.search(r"(?i)header", failure(outcome)), str(outcome)


@functools.lru_cache(maxsize=1)
def _padded_answer() -> bytes:
    """A valid answer padded past the body limit: read whole, it would be accepted."""
    return answer_body("4", pad=" " * (LIMIT + (1 << 20)))


@functools.lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    return gzip.compress(_padded_answer(), compresslevel=6)


@pytest.mark.parametrize("kind", ["content-length", "chunked", "gzip-bomb"])
def test_replies_over_the_body_limit_fail(serve: Any, monkeypatch: Any, kind: str) -> None:
    def script(ex: Exchange) -> bool:
        body = _padded_answer()
        with contextlib.suppress(OSError):  # the client may stop reading as soon as it knows
            if kind == "content-length":
                ex.sock.sendall(reply(body))
            elif kind == "chunked":
                ex.sock.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                )
                for start in range(0, len(body), 1 << 20):
                    part = body[start : start + (1 << 20)]
                    ex.sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
                ex.sock.sendall(b"0\r\n\r\n")
            else:
                ex.sock.sendall(reply(_gzip_bomb(), headers=("Content-Encoding: gzip",)))
        return False

    server = serve(script)
    (outcome,) = ask(server.base_url, monkeypatch, timeout=30.0)
    assert re.search(r"(?i)\b64 ?Mi?B\b|too large", failure(outcome)), str(outcome)


ENDLESS = {
    "header-flood": (b"HTTP/1.1 200 OK\r\n", b"X-Flood: yes\r\n" * 4096),
    "huge-header": (b"HTTP/1.1 200 OK\r\nX-Huge: ", b"a" * 65536),
    "1-byte-chunks": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"1\r\n \r\n" * 10_000,
    ),
}
"""Replies that never end: how each starts, and the block repeated after that until the client goes away."""
CLIENT = """
import asyncio, json, re
from harness.errors import ProviderError
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.types import Request, Sample

async def main():
    provider = open_provider("openai/m", {}, ModelSettings(concurrency=16, timeout=3.0, max_attempts=1))
    request = Request(({"role": "user", "content": "q"},), {}, Sample("s", {}, ("a",)))
    async def one():
        try:
            return "answered: " + (await provider.complete(request)).output[:100]
        except ProviderError as exc:
            return "failed: " + str(exc)
    try:
        return await asyncio.gather(*(one() for _ in range(16)))
    finally:
        await provider.aclose()

outcomes = asyncio.run(main())
# VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's peak (the test process holds 65 MB answers)
peak_kb = int(re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read()).group(1))
print(json.dumps({"outcomes": outcomes, "peak_mb": peak_kb / 1024}))
"""


@pytest.mark.parametrize("kind", sorted(ENDLESS))
def test_endless_replies_fail_with_memory_bounded(serve: Any, kind: str) -> None:
    start, block = ENDLESS[kind]

    def script(ex: Exchange) -> bool:
        flood(ex.sock, block, start)
        return False

    server = serve(script)
    env = {"OPENAI_BASE_URL": server.base_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", CLIENT], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert len(report["outcomes"]) == 16
    assert all(outcome.startswith("failed: ") for outcome in report["outcomes"]), report["outcomes"]
    assert report["peak_mb"] < 300, f"peak RSS {report['peak_mb']:.0f} MB with 16 endless replies in flight"


DEEP = 100_000
"""How deep a small model caught in a loop nests its brackets."""


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        answer_body("4")[:-1] + b', "extra": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"choices": [{"message": {"content": ' + b"[" * DEEP + b"]" * DEEP + b"}}]}",
    ],
    ids=["whole-body", "beside-the-answer", "as-the-answer"],
)
def test_a_deeply_nested_reply_is_malformed_not_a_crash(serve: Any, monkeypatch: Any, body: bytes) -> None:
    server = serve(lambda ex: ex.sock.sendall(reply(body)))
    (outcome,) = ask(server.base_url, monkeypatch)
    assert "malformed" in failure(outcome)


HOSTILE_EVAL = (
    "id: t\ndescription: d\nlanguage: en\nversion: 1\ndata: {path: t/t.jsonl}\n"
    "prompt: {user: 'Q {{ question }}'}\ngrader: {kind: exact}\n"
)


def _hostile(ex: Exchange) -> bool:
    """Answers each sample of the hostile eval by its question."""
    question = ex.json()["messages"][-1]["content"].removeprefix("Q ")
    if question == "deep":
        ex.sock.sendall(reply(b"[" * DEEP + b"]" * DEEP))
    elif question == "huge":
        with contextlib.suppress(OSError):
            ex.sock.sendall(reply(_padded_answer()))
        return False
    elif question == "flood":
        flood(ex.sock, b"X-Flood: yes\r\n" * 4096, b"HTTP/1.1 200 OK\r\n")
        return False
    elif question == "interim":
        ex.sock.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n" + reply(answer_body("x")))
    else:
        ex.sock.sendall(reply(answer_body("x")))
    return True


def test_hostile_replies_each_fail_one_sample_of_a_run(serve: Any, workspace: Path) -> None:
    questions = ["ok", "deep", "huge", "flood", "interim", "fine"]
    write(workspace / "registry/evals/t.yaml", HOSTILE_EVAL)
    write_jsonl(workspace / "evals/t/t.jsonl", [{"id": q, "question": q, "answers": ["x"]} for q in questions])
    server = serve(_hostile)
    result = evalrun(
        "run", "t", "--model", "openai/m", "--max-attempts", "1", "--concurrency", "6", "--timeout", "20",
        "--results", str(workspace / "out"), "--json",
        cwd=workspace, env={"OPENAI_BASE_URL": server.base_url}, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    (samples,) = (workspace / "out").glob("runs/*/samples.jsonl")
    records = {r["sample_id"]: r for r in map(json.loads, samples.read_text(encoding="utf-8").splitlines())}
    assert sorted(records) == sorted(questions)  # every sample recorded, once
    assert [records[q]["score"] for q in ("ok", "interim", "fine")] == [1.0, 1.0, 1.0]
    assert "malformed" in records["deep"]["error"]
    assert re.search(r"(?i)\b64 ?Mi?B\b|too large", records["huge"]["error"]), records["huge"]["error"]
    assert re.search(r"(?i)header", records["flood"]["error"]), records["flood"]["error"]


# ---- credentials -----------------------------------------------------------------------------------------------------


def test_credentials_in_the_url_become_basic_auth(serve: Any, monkeypatch: Any) -> None:
    server = serve(lambda ex: ex.sock.sendall(reply()))
    url = server.base_url.replace("//", "//user:p%40ss@")
    assert outputs(ask(url, monkeypatch, key=None)) == ["4"]
    expected = "Authorization: Basic " + base64.b64encode(b"user:p@ss").decode()
    assert expected in server.requests[0].decode()


def test_a_key_with_a_line_break_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret\r\nX-Injected: 1")
    with pytest.raises(InputError) as caught:
        open_provider("openai/m", {}, ModelSettings())
    assert "header Authorization contains a line break" in str(caught.value)
    assert "sk-secret" not in str(caught.value)


USER, PASSWORD = "alice", "s3cr3t@pw-9d1e"
"""Credentials written into a base URL (`https://alice:s3cr3t%40pw-9d1e@host/v1`)."""
URL_SECRETS = (
    PASSWORD,
    "s3cr3t%40pw-9d1e",
    f"{USER}:{PASSWORD}",
    base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
)


def _echo_credentials(ex: Exchange) -> None:
    """A 401 whose message repeats what the client sent: the Authorization header, decoded too, and the request line."""
    authorization = ex.header("Authorization") or ""
    decoded = ""
    if authorization.startswith("Basic "):
        decoded = base64.b64decode(authorization[6:]).decode()
    request_line = ex.head.split(b"\r\n")[0].decode()
    message = f"invalid credentials: Authorization: {authorization} ({decoded}) for {request_line}"
    ex.sock.sendall(reply(json.dumps({"error": {"message": message}}).encode(), status="401 Unauthorized"))


@pytest.mark.parametrize("where", ["key", "url"])
def test_credentials_the_server_echoes_are_not_shown(serve: Any, monkeypatch: Any, where: str) -> None:
    server = serve(_echo_credentials)
    if where == "key":
        (outcome,) = ask(server.base_url, monkeypatch)
        secrets: tuple[str, ...] = (SECRET,)
    else:
        (outcome,) = ask(server.base_url.replace("//", f"//{USER}:s3cr3t%40pw-9d1e@"), monkeypatch, key=None)
        secrets = URL_SECRETS
    message = failure(outcome)
    assert "401" in message and "invalid credentials" in message
    for secret in secrets:
        assert secret not in message


@pytest.mark.parametrize("where", ["key", "url"])
def test_credentials_the_server_echoes_reach_no_record_or_output(serve: Any, workspace: Path, where: str) -> None:
    write(workspace / "registry/evals/t.yaml", HOSTILE_EVAL)
    write_jsonl(workspace / "evals/t/t.jsonl", [{"id": "a", "question": "q", "answers": ["x"]}])
    server = serve(_echo_credentials)
    if where == "key":
        env, secrets = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": SECRET}, (SECRET,)
    else:
        env = {"OPENAI_BASE_URL": server.base_url.replace("//", f"//{USER}:s3cr3t%40pw-9d1e@")}
        secrets = URL_SECRETS
    result = evalrun("run", "t", "--model", "openai/m", "--results", str(workspace / "out"), cwd=workspace, env=env)
    assert result.returncode == 1, result.stderr
    (samples,) = (workspace / "out").glob("runs/*/samples.jsonl")
    assert "401" in samples.read_text(encoding="utf-8")  # the failure was recorded, so the check below means something
    written = [path.read_text(encoding="utf-8") for path in (workspace / "out").rglob("*") if path.is_file()]
    for secret in secrets:
        for text in (result.stdout, result.stderr, *written):
            assert secret not in text


# ---- the endpoint's own words ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (400, {"detail": "max_tokens must be at most 4096"}, "max_tokens must be at most 4096"),
        (400, {"error": {"message": "Invalid 'temperature': above 2", "type": "invalid_request_error"}}, "above 2"),
        (
            404,
            {"object": "error", "message": "The model `m` does not exist.", "type": "NotFoundError"},
            "does not exist",
        ),
        (
            422,
            {"detail": [{"loc": ["body", "messages"], "msg": "Field required", "type": "missing"}]},
            "Field required",
        ),
    ],
    ids=["fastapi-detail", "openai-error", "vllm-error", "fastapi-validation"],
)
def test_the_endpoints_own_error_message_is_shown(
    openai_server: FakeOpenAI, monkeypatch: Any, status: int, body: dict[str, Any], shown: str
) -> None:
    openai_server.faults.append(Fault("status", status, body=body))
    (outcome,) = ask(openai_server.base_url, monkeypatch)
    message = failure(outcome)
    assert message.startswith(f"HTTP {status}") and shown in message, message
    assert not outcome.retryable


def test_an_error_without_a_body_keeps_the_servers_reason(serve: Any, monkeypatch: Any) -> None:
    server = serve(lambda ex: ex.sock.sendall(reply(b"", status="503 Service Unavailable")))
    (outcome,) = ask(server.base_url, monkeypatch)
    assert "HTTP 503: Service Unavailable" in failure(outcome)


# ---- preset headers --------------------------------------------------------------------------------------------------


def test_preset_headers_are_sent(openai_server: FakeOpenAI, workspace: Path) -> None:
    write(workspace / "registry/evals/t.yaml", HOSTILE_EVAL)
    write_jsonl(workspace / "evals/t/t.jsonl", [{"id": "a", "question": "q", "answers": ["ok"]}])
    write(
        workspace / "registry/models/azure-ish.yaml",
        f"id: azure-ish\nprovider: openai\nmodel: m\nbase_url: {openai_server.base_url}\n"
        "headers: {api-version: '2024-06-01', OpenAI-Organization: org-test}\n",
    )
    result = evalrun("run", "t", "--model", "azure-ish", "--results", str(workspace / "out"), cwd=workspace)
    assert result.returncode == 0, result.stderr
    sent = {name.lower(): value for name, value in openai_server.requests[0]["headers"].items()}
    assert sent["api-version"] == "2024-06-01" and sent["openai-organization"] == "org-test"


@pytest.mark.parametrize("name", ["Authorization", "x-api-key", "api-key", "Cookie", "Proxy-Authorization"])
def test_preset_headers_cannot_carry_credentials(workspace: Path, name: str) -> None:
    write(
        workspace / "registry/models/leaky.yaml",
        f"id: leaky\nprovider: openai\nmodel: m\nbase_url: http://127.0.0.1:9/v1\nheaders: {{{name}: sk-in-clear-123}}\n",
    )
    result = evalrun("validate", cwd=workspace)
    assert result.returncode == 2 and "registry/models/leaky.yaml:" in result.stderr, result.stderr
    assert "sk-in-clear-123" not in result.stderr and "Traceback" not in result.stderr
