"""A forward HTTP proxy on 127.0.0.1 for tests: absolute-form requests and CONNECT tunnels, optional Basic auth, a log."""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer", "upgrade"}
"""Headers that concern one hop only: the proxy does not pass them on."""
MAX_HEAD = 65536
BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass(frozen=True)
class Forwarded:
    """One request the proxy received: what it was asked, whether its credentials were right, and what it answered."""

    method: str
    target: str
    """`http://host:port/path` for a plain request, `host:port` for CONNECT."""
    sent_credentials: bool
    """Whether the request carried a Proxy-Authorization header at all."""
    authorized: bool
    """Whether Proxy-Authorization matched the credentials the proxy requires (True when it requires none)."""
    status: int
    """The proxy's answer: the upstream status, 200 for an opened tunnel, 407 without the right credentials, 502."""


class ForwardProxy:
    """Runs until closed; `hosts` maps names the proxy resolves itself (`models.example` → `127.0.0.1`)."""

    def __init__(self, credentials: tuple[str, str] | None = None, hosts: Mapping[str, str] | None = None):
        self.credentials = credentials
        self.hosts = dict(hosts or {})
        self.log: list[Forwarded] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, user: str | None = None, password: str | None = None) -> str:
        """The proxy's URL, with `user:password@` (percent-encoded) when given."""
        auth = f"{quote(user, safe='')}:{quote(password or '', safe='')}@" if user is not None else ""
        return f"http://{auth}127.0.0.1:{self.port}"

    def close(self) -> None:
        """Stop accepting connections."""
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            try:
                head, rest = _read_head(client)
            except (OSError, ValueError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
            headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
            given = next((value for name, value in headers if name.lower() == "proxy-authorization"), None)
            authorized = self.credentials is None or given == _basic(*self.credentials)

            def record(status: int) -> None:  # before the answer is sent, so a test that has it sees the entry
                with self._lock:
                    self.log.append(Forwarded(method, target, given is not None, authorized, status))

            with contextlib.suppress(OSError, ValueError):
                if not authorized:
                    record(407)
                    body = b"proxy authentication required"
                    client.sendall(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="evalrun-test"\r\n'
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                    )
                elif method == "CONNECT":
                    self._tunnel(client, target, rest, record)
                else:
                    self._forward(client, method, target, headers, rest, record)

    def _upstream(self, host: str, port: int) -> socket.socket:
        return socket.create_connection((self.hosts.get(host, host), port), timeout=10)

    def _tunnel(self, client: socket.socket, target: str, rest: bytes, record: Callable[[int], None]) -> None:
        """CONNECT host:port: open the tunnel and copy bytes both ways until either side closes."""
        host, _, port = target.rpartition(":")
        try:
            upstream = self._upstream(host.strip("[]"), int(port))
        except (OSError, ValueError):
            record(502)
            client.sendall(BAD_GATEWAY)
            return
        with upstream:
            upstream.settimeout(None)
            record(200)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            back = threading.Thread(target=_copy, args=(upstream, client), daemon=True)
            back.start()
            _copy(client, upstream)
            back.join()

    def _forward(
        self,
        client: socket.socket,
        method: str,
        target: str,
        headers: list[tuple[str, ...]],
        rest: bytes,
        record: Callable[[int], None],
    ) -> None:
        """An absolute-form request: sent on in origin form on a new connection, its reply relayed, then closed."""
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            record(400)
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        length = int(next((value for name, value in headers if name.lower() == "content-length"), "0"))
        body = rest
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        try:
            upstream = self._upstream(parts.hostname, parts.port or 80)
        except OSError:
            record(502)
            client.sendall(BAD_GATEWAY)
            return
        with upstream:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            kept = [f"{name}: {value}" for name, value in headers if name.lower() not in HOP_BY_HOP]
            request = "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""])
            upstream.sendall(request.encode("latin-1") + body[:length])
            reply_head, reply_rest = _read_head(upstream)
            reply_lines = reply_head.decode("latin-1").split("\r\n")
            record(int(reply_lines[0].split(" ")[1]))
            kept_reply = [line for line in reply_lines[1:] if line.split(":", 1)[0].strip().lower() not in HOP_BY_HOP]
            client.sendall("\r\n".join([reply_lines[0], *kept_reply, "Connection: close", "", ""]).encode("latin-1"))
            if reply_rest:
                client.sendall(reply_rest)
            _copy(upstream, client)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _read_head(connection: socket.socket) -> tuple[bytes, bytes]:
    """A message head (without its blank line) and whatever bytes came after it."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = connection.recv(65536)
        if not chunk or len(buffer) > MAX_HEAD:
            raise ValueError("no complete message head")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    return head, rest


def _copy(source: socket.socket, target: socket.socket) -> None:
    """Bytes from `source` to `target` until `source` ends; then `target` is told no more will come."""
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)
