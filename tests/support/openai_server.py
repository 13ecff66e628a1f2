"""A real model server on 127.0.0.1 for tests, speaking the OpenAI (chat and completions), Anthropic and Ollama wire formats, plain or streamed (Server-Sent Events), over HTTP or TLS, with scriptable faults."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class StreamStyle:
    """How a streamed reply (a request with `"stream": true`) is written as Server-Sent Events."""

    piece: int = 4
    """Characters of the answer per delta event (1: one event per character)."""
    pause: float = 0.0
    """Seconds between events."""
    first_pause: float = 0.0
    """Seconds between the response headers and the first event."""
    done: bool = True
    """End an OpenAI stream with `data: [DONE]` (transformers serve does not)."""
    usage: bool = True
    """Send the usage event when the request asks for it (`stream_options.include_usage`; Anthropic: always)."""
    crlf: bool = False
    """End lines with CRLF instead of LF."""
    comment: bool = False
    """Open the stream with an SSE comment (`: keep-alive`), as OpenRouter does."""
    chunk_bytes: int = 0
    """Write each event in HTTP chunks of this many bytes (splitting lines and UTF-8 characters); 0: one per event."""
    framing: str = "chunked"
    """`chunked` (Transfer-Encoding), or `close`: no length, the stream ends when the server closes the connection."""
    break_after: int | None = None
    """Drop the connection after this many events, without ending the stream."""
    error_after: int | None = None
    """After this many events, send the wire format's error event (OpenAI: a `data: {"error": …}` line) and end."""
    error_message: str = "injected stream error"


@dataclass(frozen=True)
class Fault:
    """What the server does to one request instead of answering normally."""

    kind: str  # "status", "slow", "garbage", "badgzip", "drop", "truncate", "stream" (streamed in `style`)
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    body: dict[str, Any] | None = None
    style: StreamStyle | None = None
    """For kind "stream": how this one streamed reply is written, instead of the server's `stream` style."""


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
    in_flight_by_model: dict[str, int] = field(default_factory=dict)
    max_in_flight_by_model: dict[str, int] = field(default_factory=dict)
    """The most requests of each model (the body's `model`) that were in the server at once."""
    stream: StreamStyle = field(default_factory=StreamStyle)
    """How streamed replies are written, unless a "stream" fault says otherwise for one request."""
    peer_certificates: list[dict[str, Any] | None] = field(default_factory=list)
    """Over TLS: the client certificate of each request (None when the client sent none)."""

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

        def setup(self) -> None:
            super().setup()
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.do_handshake()  # here, in the connection's thread, not in the accepting one

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self._leave()
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            with state.lock:
                state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
                model = str(body.get("model"))
                state.in_flight_by_model[model] = state.in_flight_by_model.get(model, 0) + 1
                state.max_in_flight_by_model[model] = max(
                    state.max_in_flight_by_model.get(model, 0), state.in_flight_by_model[model]
                )
            self._model: str | None = model
            if isinstance(self.connection, ssl.SSLSocket):
                with state.lock:
                    state.peer_certificates.append(self.connection.getpeercert() or None)
            try:
                self._respond(body)
            finally:
                self._leave()

        def _leave(self) -> None:
            """Count this request out of the in-flight totals, once, before its reply can reach the client."""
            model, self._model = getattr(self, "_model", None), None
            if model is not None:
                with state.lock:
                    state.in_flight -= 1
                    state.in_flight_by_model[model] -= 1

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
            if body.get("stream") is True and self.path in STREAMS:
                style = fault.style if fault is not None and fault.kind == "stream" and fault.style else state.stream
                self._stream(body, style)
                return
            self._send(200, ANSWERS[self.path](body.get("model", "test"), state.answer(body), state.usage))

        def _stream(self, body: dict[str, Any], style: StreamStyle) -> None:
            """Write the answer as Server-Sent Events in the path's wire format, as `style` says."""
            model, text = body.get("model", "test"), state.answer(body)
            asked = (body.get("stream_options") or {}).get("include_usage") is True
            events = STREAMS[self.path](model, text, state.usage, asked and style.usage, style)
            newline = "\r\n" if style.crlf else "\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            if style.framing == "chunked":
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.flush()

            def write(text: str) -> None:
                data = text.replace("\n", newline).encode()
                step = style.chunk_bytes or len(data)
                for start in range(0, len(data), step):
                    part = data[start : start + step]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if style.framing == "chunked" else part)
                    self.wfile.flush()

            if style.comment:
                write(": keep-alive\n\n")
            time.sleep(style.first_pause)
            for number, event in enumerate(events):
                if number and style.pause:
                    time.sleep(style.pause)
                if number == style.break_after:
                    self._leave()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if number == style.error_after:
                    write(STREAM_ERRORS[self.path](style.error_message))
                    if events[-1] == DONE:
                        write(DONE)  # as vLLM does after an error event
                    break
                if number == len(events) - 1:
                    self._leave()
                write(event)
            self._leave()
            if style.framing == "chunked":
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)

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


def _sse(data: Any, event: str | None = None) -> str:
    """One Server-Sent Event: an optional `event:` line, a `data:` line, and the blank line that ends it."""
    line = f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"
    return f"event: {event}\n{line}" if event else line


DONE = _sse("[DONE]")
"""The sentinel that ends an OpenAI stream."""


def _pieces(text: str, style: StreamStyle) -> list[str]:
    return [text[start : start + style.piece] for start in range(0, len(text), style.piece)] or [""]


def _chat_stream(model: str, text: str, usage: dict[str, Any], with_usage: bool, style: StreamStyle) -> list[str]:
    """OpenAI chat chunks: the role, a delta per piece, the finish reason, the usage chunk when asked, `[DONE]`."""
    base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
    extra = {"usage": None} if with_usage else {}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return _sse({**base, "choices": [choice], **extra})

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": piece}) for piece in _pieces(text, style)]
    events.append(chunk({}, "stop"))
    if with_usage:
        events.append(_sse({**base, "choices": [], "usage": usage}))
    return events + ([DONE] if style.done else [])


def _completion_stream(model: str, text: str, usage: dict[str, Any], with_usage: bool, style: StreamStyle) -> list[str]:
    """Legacy completions chunks: `choices[0].text` per piece, the finish reason, the usage chunk when asked, `[DONE]`."""
    base = {"id": "cmpl-test", "object": "text_completion", "created": int(time.time()), "model": model}

    def chunk(piece: str, finish: str | None = None) -> str:
        return _sse({**base, "choices": [{"index": 0, "text": piece, "logprobs": None, "finish_reason": finish}]})

    events = [chunk(piece) for piece in _pieces(text, style)] + [chunk("", "stop")]
    if with_usage:
        events.append(_sse({**base, "choices": [], "usage": usage}))
    return events + ([DONE] if style.done else [])


def _anthropic_stream(model: str, text: str, usage: dict[str, Any], _: bool, style: StreamStyle) -> list[str]:
    """Anthropic events: message_start (input tokens), a text block with a ping in it, message_delta, message_stop."""
    message = {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": usage.get("prompt_tokens") if style.usage else 0, "output_tokens": 1},
    }
    events = [
        _sse({"type": "message_start", "message": message}, "message_start"),
        _sse(
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            "content_block_start",
        ),
        _sse({"type": "ping"}, "ping"),
    ]
    for piece in _pieces(text, style):
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
        events.append(_sse(delta, "content_block_delta"))
    events.append(_sse({"type": "content_block_stop", "index": 0}, "content_block_stop"))
    final = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}}
    if style.usage:
        final["usage"] = {"output_tokens": usage.get("completion_tokens")}
    events.append(_sse(final, "message_delta"))
    return events + [_sse({"type": "message_stop"}, "message_stop")]


STREAMS = {
    "/v1/chat/completions": _chat_stream,
    "/v1/completions": _completion_stream,
    "/v1/messages": _anthropic_stream,
}
"""Each wire format that can stream, by path: the events of a streamed answer, in order."""
STREAM_ERRORS = {
    "/v1/chat/completions": lambda message: _sse({"error": {"message": message, "type": "server_error", "code": None}}),
    "/v1/completions": lambda message: _sse({"error": {"message": message, "type": "server_error", "code": None}}),
    "/v1/messages": lambda message: _sse(
        {"type": "error", "error": {"type": "overloaded_error", "message": message}}, "error"
    ),
}
"""How each streaming wire format reports an error in the middle of a stream."""


class _QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print a client hanging up (tests do that on purpose) to stderr."""

    daemon_threads = True
    tls: ssl.SSLContext | None = None
    """When set, each accepted connection speaks TLS (its handshake runs in the connection's own thread)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()
        if self.tls is not None:
            connection = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address


class ServerThread:
    """Runs a FakeOpenAI on an ephemeral 127.0.0.1 port until stopped; with `tls`, over https (named `host` in its URL)."""

    def __init__(self, state: FakeOpenAI, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"):
        self.state = state
        self.httpd = _QuietServer(("127.0.0.1", 0), _handler(state))
        self.httpd.tls = tls
        state.base_url = f"{'https' if tls else 'http'}://{host}:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass(frozen=True)
class Certificates:
    """A test certificate authority and what it issued, as PEM files: a server certificate and a client certificate."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    def server_context(self, *, require_client_cert: bool = False) -> ssl.SSLContext:
        """A TLS server context with the server certificate; optionally refusing clients without one from this CA."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_cert, self.server_key)
        if require_client_cert:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=self.ca)
        return context


def certificates(folder: Path, *names: str) -> Certificates:
    """A fresh CA (trustme) with a server certificate for `names` (default 127.0.0.1 and localhost), written to `folder`."""
    import trustme

    folder.mkdir(parents=True, exist_ok=True)
    authority = trustme.CA()
    server = authority.issue_cert(*(names or ("127.0.0.1", "localhost")))
    client = authority.issue_cert("evalrun-test-client@example.com")
    files = Certificates(
        *(folder / name for name in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key"))
    )
    authority.cert_pem.write_to_path(str(files.ca))
    server.cert_chain_pems[0].write_to_path(str(files.server_cert))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(files.server_cert), append=True)
    server.private_key_pem.write_to_path(str(files.server_key))
    client.cert_chain_pems[0].write_to_path(str(files.client_cert))
    client.private_key_pem.write_to_path(str(files.client_key))
    return files
