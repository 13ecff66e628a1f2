"""A real model server on 127.0.0.1 for tests, speaking the OpenAI (chat and completions), Anthropic and Ollama wire formats, with scriptable faults."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Fault:
    """What the server does to one request instead of answering normally."""

    kind: str  # "status", "slow", "garbage", "badgzip", "drop", "truncate"
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    body: dict[str, Any] | None = None


@dataclass
class FakeOpenAI:
    """Server state: how to answer, faults to apply to the next requests, and what it was sent."""

    answer: Callable[[dict[str, Any]], str] = lambda body: "ok"
    faults: deque[Fault] = field(default_factory=deque)
    fault_for: Callable[[dict[str, Any]], Fault | None] = lambda body: None
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""
    usage: dict[str, Any] = field(
        default_factory=lambda: {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
    )
    in_flight: int = 0
    max_in_flight: int = 0

    def next_fault(self, body: dict[str, Any]) -> Fault | None:
        with self.lock:
            if self.faults:
                return self.faults.popleft()
        return self.fault_for(body)


def _handler(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            with state.lock:
                state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                self._respond(body)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _respond(self, body: dict[str, Any]) -> None:
            if self.path not in ANSWERS:
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
                return
            fault = state.next_fault(body)
            if fault is not None:
                if fault.kind == "status":
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                    self._send(fault.status, fault.body or ERRORS[self.path](f"injected {fault.status}"), headers)
                    return
                if fault.kind == "slow":
                    time.sleep(fault.seconds)
                elif fault.kind == "badgzip":
                    self._send(200, b"not gzip at all", {"Content-Encoding": "gzip"})
                    return
                elif fault.kind == "garbage":
                    self._send(200, b'{"choices": [{"message": {"content": "tru')
                    return
                elif fault.kind == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b'{"choices": [')
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                elif fault.kind == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
            self._send(200, ANSWERS[self.path](body.get("model", "test"), state.answer(body), state.usage))

    return Handler


def _chat(model: str, content: Any, usage: dict[str, Any]) -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": usage,
    }


def _completion(model: str, content: Any, usage: dict[str, Any]) -> dict[str, Any]:
    choice = {"index": 0, "text": content, "finish_reason": "stop", "logprobs": None}
    return {"id": "cmpl-test", "object": "text_completion", "model": model, "choices": [choice], "usage": usage}


def _anthropic(model: str, content: Any, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": content}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": usage.get("prompt_tokens"), "output_tokens": usage.get("completion_tokens")},
    }


def _ollama(model: str, content: Any, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": model,
        "created_at": "2026-11-22T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": "stop",
        "prompt_eval_count": usage.get("prompt_tokens"),
        "eval_count": usage.get("completion_tokens"),
    }


ANSWERS = {
    "/v1/chat/completions": _chat,
    "/v1/completions": _completion,
    "/v1/messages": _anthropic,
    "/api/chat": _ollama,
}
"""Each wire format this server speaks, by path: how a successful answer looks."""
ERRORS = {
    "/v1/chat/completions": lambda message: {"error": {"message": message, "type": "server_error"}},
    "/v1/completions": lambda message: {"error": {"message": message, "type": "server_error"}},
    "/v1/messages": lambda message: {"type": "error", "error": {"type": "api_error", "message": message}},
    "/api/chat": lambda message: {"error": message},
}
"""How each wire format reports an error."""


class _QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print a client hanging up (tests do that on purpose) to stderr."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class ServerThread:
    """Runs a FakeOpenAI on an ephemeral 127.0.0.1 port until stopped."""

    def __init__(self, state: FakeOpenAI):
        self.state = state
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler(state))
        state.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
