"""The request path's HTTP: one aiohttp session per endpoint, replies read within limits, errors in plain words.

aiohttp does the HTTP (keep-alive pool, interim 1xx replies, header limits, proxies through CONNECT, TLS); this
module decides the limits (reply size after decompression, idle keep-alive, deadlines) and what a failure is called.
"""

from __future__ import annotations

import asyncio
import errno
import json
import re
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from harness import __version__
from harness.models.sse import Event, EventParser

MAX_REPLY = 64 * 1024 * 1024
"""A reply (as sent, or once decompressed) larger than this many bytes is refused rather than held in memory."""
KEEPALIVE_SECONDS = 4.0
"""Idle keep-alive connections are dropped after this long (vLLM and SGLang close theirs after 5 s)."""
STREAM_TIMEOUT_FACTOR = 20
"""A streamed reply may take up to this many times the request timeout in all (the timeout bounds each silence)."""
MAX_HEADERS, MAX_HEADER_BYTES = 128, 16 * 1024
MAX_EVENT_LINE = 8 * 1024 * 1024
"""One line of an event stream longer than this is refused (a chunk of an answer is a few bytes to a few KB)."""


class TransportError(Exception):
    """The exchange failed below the model's answer: no connection, a deadline, a broken or oversized reply."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable
        """False when trying again cannot help (an untrusted certificate, a proxy refusing us)."""


@dataclass(frozen=True)
class Reply:
    """A complete HTTP response: status, lower-cased headers (repeats joined by ", "), decoded body."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not JSON or is nested too deep to parse."""
        try:
            return json.loads(self.body)
        except RecursionError:
            raise ValueError("nested too deep") from None


class Session:
    """One endpoint's HTTP: a lazily opened aiohttp session with its TLS context, proxy and fixed headers."""

    def __init__(self, headers: Mapping[str, str], proxy: str | None, tls: ssl.SSLContext | None):
        for name, value in headers.items():
            if any(char in f"{name}{value}" for char in "\r\n\0"):
                raise ValueError(f"the value of header {name} contains a line break or NUL")
        self.headers = {"User-Agent": f"evalrun/{__version__}", "Accept": "application/json", **headers}
        self.proxy = proxy
        self.tls = tls
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=0, keepalive_timeout=KEEPALIVE_SECONDS, ssl=self.tls if self.tls is not None else True
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers=self.headers,
                auto_decompress=False,
                max_headers=MAX_HEADERS,
                max_field_size=MAX_HEADER_BYTES,
                max_line_size=MAX_HEADER_BYTES,
                skip_auto_headers=("Accept-Encoding",),
                trust_env=False,  # proxies come from harness.models.proxies, read once
            )
        return self._session

    async def post(self, url: str, payload: bytes, timeout: float) -> Reply:
        """POST `payload` (JSON) and return the whole reply within `timeout` seconds."""
        limits = aiohttp.ClientTimeout(total=timeout)
        try:
            async with self._request(url, payload, limits, {"Accept-Encoding": "gzip, deflate"}) as response:
                return await _whole(response)
        except asyncio.TimeoutError:
            raise TransportError(f"timed out after {timeout:g}s") from None

    @asynccontextmanager
    async def stream(self, url: str, payload: bytes, idle: float) -> AsyncIterator[Stream]:
        """POST `payload` asking for an event stream; each silence may last `idle` seconds, the whole stream
        STREAM_TIMEOUT_FACTOR times that."""
        limits = aiohttp.ClientTimeout(total=idle * STREAM_TIMEOUT_FACTOR, sock_connect=idle, sock_read=idle)
        headers = {"Accept": "text/event-stream", "Accept-Encoding": "identity"}
        started = time.perf_counter()
        try:
            async with self._request(url, payload, limits, headers) as response:
                yield Stream(response, started)
        except asyncio.TimeoutError:
            raise TransportError(f"timed out: no data for {idle:g}s (or the stream ran past its limit)") from None

    @asynccontextmanager
    async def _request(
        self, url: str, payload: bytes, limits: aiohttp.ClientTimeout, headers: Mapping[str, str]
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """One exchange; whatever ends it early (an error, a deadline, cancellation) closes its connection."""
        session = self._open()
        try:
            async with session.post(
                url,
                data=payload,
                headers={"Content-Type": "application/json", **headers},
                proxy=self.proxy,
                timeout=limits,
                allow_redirects=False,
            ) as response:
                try:
                    yield response
                except BaseException:
                    response.close()  # never hand a half-read connection back to the pool
                    raise
        except aiohttp.ClientError as exc:
            raise _failure(exc) from None

    async def close(self) -> None:
        """Close every connection."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


class Stream:
    """An open streamed reply: its status, and (when it is 200) the events as they arrive."""

    def __init__(self, response: aiohttp.ClientResponse, started: float):
        self._response = response
        self.status = response.status
        self.started = started
        """When the request was sent (perf_counter), for the time to first token."""

    @property
    def is_event_stream(self) -> bool:
        """Whether the server answered with an event stream (some ignore `stream: true` and send plain JSON)."""
        return self._response.content_type == "text/event-stream"

    async def reply(self) -> Reply:
        """The whole reply, for an error status or a server that did not stream."""
        return await _whole(self._response)

    async def events(self) -> AsyncIterator[Event]:
        """Events until the stream ends, within MAX_REPLY bytes in all."""
        parser = EventParser(MAX_EVENT_LINE)
        size = 0
        try:
            async for chunk in self._response.content.iter_any():
                size += len(chunk)
                if size > MAX_REPLY:
                    raise TransportError(f"reply over {MAX_REPLY >> 20} MB")
                for event in parser.feed(chunk):
                    yield event
            for event in parser.close():
                yield event
        except ValueError as exc:
            raise TransportError(f"unreadable event stream ({exc})") from None
        except aiohttp.ClientError as exc:
            raise _failure(exc) from None


async def _whole(response: aiohttp.ClientResponse) -> Reply:
    """Read and decode a whole reply, refusing one over MAX_REPLY bytes before or after decompression."""
    declared = response.content_length
    if declared is not None and declared > MAX_REPLY:
        raise TransportError(f"reply over {MAX_REPLY >> 20} MB")
    body = bytearray()
    try:
        async for chunk in response.content.iter_any():
            body += chunk
            if len(body) > MAX_REPLY:
                raise TransportError(f"reply over {MAX_REPLY >> 20} MB")
    except aiohttp.ClientError as exc:
        raise _failure(exc) from None
    try:
        decoded_body = decoded(bytes(body), response.headers.get("Content-Encoding", ""))
    except ValueError as exc:
        raise TransportError(str(exc)) from None
    headers: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return Reply(response.status, response.reason or "", headers, decoded_body)


def _failure(exc: aiohttp.ClientError) -> TransportError:
    """A TransportError naming what went wrong, in words that never carry a URL, credentials or server bytes."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        reason = getattr(exc.certificate_error, "verify_message", None) or type(exc.certificate_error).__name__
        return TransportError(f"the server's TLS certificate is not trusted ({reason})", retryable=False)
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        retryable = exc.status >= 500
        return TransportError(f"the proxy refused the connection (HTTP {exc.status})", retryable=retryable)
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return TransportError("cannot connect to the proxy (is it running? check HTTPS_PROXY / HTTP_PROXY)")
    if isinstance(exc, aiohttp.ClientSSLError):
        return TransportError(f"TLS handshake failed ({type(exc.os_error).__name__})")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransportError(f"connection failed ({type(exc.os_error).__name__})")
    if isinstance(exc, aiohttp.ClientOSError):  # after connecting: a reset, or a TLS alert from the server
        text = str(exc.strerror or exc)
        if "[SSL" in text:
            alert = text.partition("]")[2].partition("(")[0].strip()
            return TransportError(f"TLS failed ({_words(alert)})", retryable=False)
        return TransportError(f"connection failed ({errno.errorcode.get(exc.errno or 0, 'OSError')})")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return TransportError("connection closed before the reply")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return TransportError("connection closed before the reply ended (or its body was malformed)")
    if isinstance(exc, aiohttp.ClientResponseError):  # the reply was not HTTP aiohttp would read
        words = _words(exc.message)
        if "bytes when reading" in words:
            words = f"a status or header line over {MAX_HEADER_BYTES >> 10} KB"
        return TransportError(f"not a readable HTTP response ({words})")
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return TransportError("timed out")
    return TransportError(f"request failed ({type(exc).__name__})")


def _words(message: Any) -> str:
    """The first line of a parser's complaint, without the bytes it quotes."""
    line = re.sub(r"""b?'[^']*'?|b?"[^"]*"?""", "…", str(message).split("\n")[0])
    return "".join(char for char in line if char.isprintable())[:120].strip() or "bad message"


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
