"""HTTP/1.1 keep-alive connections on asyncio, parsed by httptools: the request path's transport.

A run spends nearly all of its own CPU here, so this layer does only what posting JSON to a model endpoint needs:
one request at a time per connection, a deadline per exchange, Content-Length or chunked bodies, gzip and deflate.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httptools

from harness import __version__

MAX_REPLY = 64 * 1024 * 1024
"""A reply (as sent, or once decompressed) larger than this many bytes is refused rather than held in memory."""


class ConnectionFailed(Exception):
    """The exchange failed below HTTP: no connection, a deadline passed, the peer hung up or did not speak HTTP."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable
        """False when trying again cannot help (the server's certificate is not trusted)."""


@dataclass(frozen=True)
class Reply:
    """A complete HTTP response: status, lower-cased headers (repeats joined by ", "), decoded body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not."""
        return json.loads(self.body)


class Endpoint:
    """Where requests go: one URL, its fixed headers, and a stack of idle keep-alive connections to it."""

    def __init__(self, url: str, headers: dict[str, str], timeout: float):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {parts.scheme}://{parts.hostname or ''}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self.timeout = timeout
        authority = self.host if parts.port is None else f"{self.host}:{parts.port}"
        if ":" in self.host:  # an IPv6 literal
            authority = f"[{self.host}]" if parts.port is None else f"[{self.host}]:{parts.port}"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        fixed = {
            "Host": authority,
            "User-Agent": f"evalrun/{__version__}",
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            **headers,
        }
        for name, value in fixed.items():
            if any(char in f"{name}{value}" for char in "\r\n\0"):
                raise ValueError(f"the value of header {name} contains a line break or NUL")
        lines = [f"POST {target} HTTP/1.1"] + [f"{name}: {value}" for name, value in fixed.items()]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._idle: list[Connection] = []
        self._open: set[Connection] = set()

    async def post(self, payload: bytes) -> Reply:
        """Send `payload` as the body of a POST and return the reply, within the endpoint's timeout."""
        request = self._head + b"%d\r\n\r\n" % len(payload) + payload
        connection = None
        while self._idle:
            candidate = self._idle.pop()
            if candidate.usable:
                connection = candidate
                break
            self._open.discard(candidate)  # the server closed it while it sat idle
        if connection is None:
            connection = await self._connect()
        try:
            return await connection.exchange(request, self.timeout)
        finally:
            if connection.usable:
                self._idle.append(connection)
            else:
                self._open.discard(connection)

    async def _connect(self) -> Connection:
        loop = asyncio.get_running_loop()
        server_hostname = self.host if self.ssl else None
        opening = loop.create_connection(
            Connection, self.host, self.port, ssl=self.ssl, server_hostname=server_hostname
        )
        try:
            _, connection = await asyncio.wait_for(opening, self.timeout)
        except asyncio.TimeoutError:
            raise ConnectionFailed(f"timed out after {self.timeout:g}s connecting") from None
        except ssl.SSLCertVerificationError as exc:
            raise ConnectionFailed(
                f"connection failed (SSLCertVerificationError: {exc.verify_message})", retryable=False
            ) from None
        except OSError as exc:  # ssl.SSLError included
            raise ConnectionFailed(f"connection failed ({type(exc).__name__})") from None
        self._open.add(connection)
        return connection

    def close(self) -> None:
        """Close every connection."""
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()


class Connection(asyncio.Protocol):
    """One connection carrying one request at a time; httptools calls back as the reply's parts arrive."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[Reply] | None = None
        self._reason = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = 0
        self._received = False
        self._headers_done = False
        self.usable = True

    async def exchange(self, request: bytes, timeout: float) -> Reply:
        """Write `request` and wait for the whole reply, at most `timeout` seconds."""
        assert self._transport is not None and self._waiter is None
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        self._reason, self._headers, self._body, self._size = b"", {}, [], 0
        self._received = self._headers_done = False
        self._transport.write(request)
        deadline = loop.call_later(timeout, self._fail, f"timed out after {timeout:g}s")
        try:
            return await waiter
        finally:
            deadline.cancel()
            self._waiter = None

    def close(self) -> None:
        """Close the connection; an exchange in progress fails."""
        self.usable = False
        if self._transport is not None:
            self._transport.close()

    def _fail(self, message: str) -> None:
        self.close()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionFailed(message))

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # bytes nobody asked for: the connection cannot be trusted any more
            self.close()
            return
        self._received = True
        self._size += len(data)
        if self._size > MAX_REPLY:
            self._fail(f"reply over {MAX_REPLY >> 20} MB")
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail("the server switched protocols")
        except httptools.HttpParserError as exc:
            self._fail(f"not an HTTP response ({exc.__class__.__name__})")

    def eof_received(self) -> bool | None:
        self._finish_at_eof()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.usable = False
        self._finish_at_eof()

    def _finish_at_eof(self) -> None:
        if self._waiter is None or self._waiter.done():
            return
        if self._headers_done and "content-length" not in self._headers and "transfer-encoding" not in self._headers:
            self.on_message_complete()  # a body delimited by the connection closing
            return
        self._fail("connection closed before the reply" + (" ended" if self._received else ""))

    # httptools callbacks

    def on_status(self, status: bytes) -> None:
        self._reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        self._headers[key] = f"{self._headers[key]}, {text}" if key in self._headers else text

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if not self._parser.should_keep_alive():
            self.close()
        try:
            body = decoded(b"".join(self._body), self._headers.get("content-encoding", ""))
        except ValueError as exc:
            self._fail(str(exc))
            return
        status = self._parser.get_status_code()
        waiter.set_result(Reply(status, self._reason.decode("latin-1"), self._headers, body))


def decoded(body: bytes, encoding: str) -> bytes:
    """The body with its Content-Encoding (identity, gzip or deflate) undone; ValueError when it cannot be."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        formats = [zlib.MAX_WBITS | 16]
    elif encoding == "deflate":
        formats = [zlib.MAX_WBITS, -zlib.MAX_WBITS]  # zlib-wrapped as the standard says, or raw as some servers send
    else:
        raise ValueError(f"unreadable response (unsupported content encoding {encoding[:40]!r})")
    for wbits in formats:
        inflater = zlib.decompressobj(wbits)
        try:
            text = inflater.decompress(body, MAX_REPLY)
        except zlib.error:
            continue
        if inflater.unconsumed_tail:
            raise ValueError(f"unreadable response (over {MAX_REPLY >> 20} MB once decompressed)")
        return text
    raise ValueError(f"unreadable response (body is not valid {encoding})")
