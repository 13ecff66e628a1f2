"""A raw-socket HTTP server on 127.0.0.1 that reads each request whole and lets a test script the exact reply bytes."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Exchange:
    """One request as the server read it, and the socket its reply goes back on."""

    sock: socket.socket
    number: int
    """1-based, across all connections, in the order requests arrived."""
    connection: int
    """1-based number of the connection the request arrived on."""
    idle: float
    """Seconds the connection sat idle before this request (since the previous reply on it; 0 for its first)."""
    head: bytes
    body: bytes

    def header(self, name: str) -> str | None:
        """The value of a request header, by case-insensitive name."""
        for line in self.head.decode("latin-1").split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    def json(self) -> Any:
        """The request body as JSON."""
        return json.loads(self.body)


Script = Callable[[Exchange], "bool | None"]
"""What the server does with a request: write anything (or nothing) back; return False to close the connection."""


def answer_body(content: str = "4", **extra: Any) -> bytes:
    """An OpenAI chat completion body answering `content`."""
    choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
    return json.dumps({"choices": [choice], "model": "m", **extra}).encode()


def reply(body: bytes | None = None, status: str = "200 OK", headers: tuple[str, ...] = ()) -> bytes:
    """An HTTP/1.1 response with a Content-Length (and a JSON content type unless `headers` name one)."""
    body = answer_body() if body is None else body
    typed = any(header.lower().startswith("content-type:") for header in headers)
    head = [
        f"HTTP/1.1 {status}",
        f"Content-Length: {len(body)}",
        *([] if typed else ["Content-Type: application/json"]),
    ]
    return ("\r\n".join([*head, *headers]) + "\r\n\r\n").encode() + body


def flood(sock: socket.socket, block: bytes, start: bytes = b"") -> None:
    """Send `start`, then `block` again and again until the client goes away."""
    with contextlib.suppress(OSError):
        sock.sendall(start)
        while True:
            sock.sendall(block)


class RawServer:
    """Accepts connections, reads each request whole (Content-Length or chunked), and hands it to the script."""

    def __init__(self, script: Script):
        self.script = script
        self.requests: list[bytes] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        """Stop accepting connections."""
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._serve, args=(connection, number), daemon=True).start()

    def _serve(self, connection: socket.socket, number: int) -> None:
        with connection:
            buffer = b""
            idle_since: float | None = None
            while True:
                try:
                    head, body, buffer = _read_request(connection, buffer)
                except (OSError, ValueError):
                    return
                idle = 0.0 if idle_since is None else time.monotonic() - idle_since
                with self._lock:
                    self.requests.append(head + b"\r\n\r\n" + body)
                    exchange = Exchange(connection, len(self.requests), number, idle, head, body)
                try:
                    if self.script(exchange) is False:
                        return
                except OSError:
                    return
                idle_since = time.monotonic()


def _read_request(connection: socket.socket, buffer: bytes) -> tuple[bytes, bytes, bytes]:
    """The next request's head and body from the connection, and the bytes read past it."""
    while b"\r\n\r\n" not in buffer:
        chunk = connection.recv(65536)
        if not chunk:
            raise ValueError("connection closed")
        buffer += chunk
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    fields = {
        key.strip().lower(): value.strip()
        for key, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:])
    }
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while True:
            while b"\r\n" not in buffer:
                buffer += _more(connection)
            size_line, _, buffer = buffer.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(buffer) < size + 2:
                buffer += _more(connection)
            body, buffer = body + buffer[:size], buffer[size + 2 :]
            if size == 0:
                return head, body, buffer
    length = int(fields.get(b"content-length", b"0"))
    while len(buffer) < length:
        buffer += _more(connection)
    return head, buffer[:length], buffer[length:]


def _more(connection: socket.socket) -> bytes:
    chunk = connection.recv(65536)
    if not chunk:
        raise ValueError("connection closed mid-request")
    return chunk
