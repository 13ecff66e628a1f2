"""The HTTP/1.1 connection layer against a raw socket server on 127.0.0.1 that sends exactly the bytes a test scripts."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import shutil
import socket
import ssl
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.errors import InputError, ProviderError
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.models.connection import MAX_REPLY, ConnectionFailed, Endpoint, decoded
from harness.types import Request, Sample
from tests.test_openai_provider import ask

ANSWER = json.dumps({"choices": [{"message": {"content": "4"}, "finish_reason": "stop"}], "model": "m"}).encode()
REQUEST = Request(({"role": "user", "content": "2+2?"},), {}, Sample(id="s", fields={}, references=("4",)))

Script = Callable[[socket.socket, int], None]
"""What the server does on its nth request: read it already, write anything (or nothing) back."""


def reply(body: bytes = ANSWER, status: str = "200 OK", headers: tuple[str, ...] = ()) -> bytes:
    """An HTTP/1.1 response with a Content-Length."""
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class RawServer:
    """Accepts connections, reads each request whole, and hands the socket to the script."""

    def __init__(self, script: Script):
        self.script = script
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = int(
                    next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))[15:]
                )
                while len(buffer) < length:
                    buffer += connection.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + buffer[:length])
                buffer = buffer[length:]
                try:
                    if self.script(connection, len(self.requests)) is False:
                        return
                except OSError:
                    return

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Script], RawServer]]:
    servers: list[RawServer] = []

    def start(script: Script) -> RawServer:
        servers.append(RawServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def post(url: str, times: int = 1, timeout: float = 2.0, headers: dict[str, str] | None = None) -> list[Any]:
    """Post `times` requests one after another on one endpoint; each result is a Reply or the exception raised."""

    async def go() -> list[Any]:
        endpoint = Endpoint(url + "/chat/completions", headers or {}, timeout)
        results: list[Any] = []
        for _ in range(times):
            try:
                results.append(await endpoint.post(b'{"q": 1}'))
            except ConnectionFailed as exc:
                results.append(exc)
        endpoint.close()
        return results

    return asyncio.run(go())


def test_keep_alive_reuses_one_connection_and_sends_a_well_formed_request(serve: Any) -> None:
    server = serve(lambda conn, n: conn.sendall(reply()))
    results = post(server.url, times=3, headers={"Authorization": "Bearer k"})
    assert [r.json()["choices"][0]["message"]["content"] for r in results] == ["4", "4", "4"]
    assert server.connections == 1
    head = server.requests[0].split(b"\r\n\r\n")[0].decode().split("\r\n")
    assert head[0] == "POST /v1/chat/completions HTTP/1.1"
    assert f"Host: {server.url.split('//')[1].split('/')[0]}" in head
    assert "Authorization: Bearer k" in head and "Content-Length: 8" in head
    assert server.requests[0].endswith(b'{"q": 1}')


def test_chunked_body_and_headers_are_read(serve: Any) -> None:
    body = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, ANSWER[:10], len(ANSWER) - 10, ANSWER[10:])
    head = b"HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\nRetry-After: 3\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
    server = serve(lambda conn, n: conn.sendall(head + body))
    (result,) = post(server.url)
    assert (result.status, result.reason, result.body) == (429, "Too Many Requests", ANSWER)
    assert result.headers["retry-after"] == "3" and result.headers["x-a"] == "1, 2"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
    ],
)
def test_compressed_bodies_are_decoded(serve: Any, encoding: str, compress: Callable[[bytes], bytes]) -> None:
    server = serve(lambda conn, n: conn.sendall(reply(compress(ANSWER), headers=(f"Content-Encoding: {encoding}",))))
    assert post(server.url)[0].body == ANSWER


def test_a_body_ended_by_closing_the_connection_is_complete(serve: Any) -> None:
    def script(conn: socket.socket, n: int) -> bool:
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + ANSWER)
        return False  # close

    server = serve(script)
    results = post(server.url, times=2)
    assert [r.body for r in results] == [ANSWER, ANSWER]
    assert server.connections == 2  # HTTP/1.0 without keep-alive: a new connection each time


def test_an_idle_connection_the_server_closed_is_replaced(serve: Any) -> None:
    def script(conn: socket.socket, n: int) -> bool:
        conn.sendall(reply())
        return False  # the server closes its keep-alive connection after each reply, without saying so

    server = serve(script)

    async def twice() -> list[bytes]:
        endpoint = Endpoint(server.url + "/chat/completions", {}, 2.0)
        first = await endpoint.post(b"{}")
        await asyncio.sleep(0.1)  # the close arrives while the connection sits idle
        second = await endpoint.post(b"{}")
        endpoint.close()
        return [first.body, second.body]

    assert asyncio.run(twice()) == [ANSWER, ANSWER]
    assert server.connections == 2


def test_a_reused_connection_closed_without_a_reply_is_an_error_not_a_silent_resend(serve: Any) -> None:
    def script(conn: socket.socket, n: int) -> bool:
        if n == 2:
            return False  # the server drops the reused connection as the request arrives: no byte of a reply
        conn.sendall(reply())
        return True

    server = serve(script)
    first, second = post(server.url, times=2)
    assert first.body == ANSWER
    assert isinstance(second, ConnectionFailed) and str(second) == "connection closed before the reply"
    assert len(server.requests) == 2  # the server saw it: the provider's retry policy decides, and counts it


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n", "not an HTTP response"),
        (reply(b"not gzip", headers=("Content-Encoding: gzip",)), "body is not valid gzip"),
        (reply(b"x", headers=("Content-Encoding: zstd",)), "unsupported content encoding 'zstd'"),
        (b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"choices"', "connection closed before the reply ended"),
    ],
)
def test_broken_replies_fail_the_exchange_with_a_reason(serve: Any, raw: bytes, message: str) -> None:
    def script(conn: socket.socket, n: int) -> bool:
        conn.sendall(raw)
        return False

    server = serve(script)
    (result,) = post(server.url)
    assert isinstance(result, ConnectionFailed) and message in str(result)


def test_broken_replies_are_retried_by_the_provider(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def script(conn: socket.socket, n: int) -> bool:
        conn.sendall(b"garbage\r\n\r\n" if n == 1 else reply())
        return n != 1

    server = serve(script)
    response = ask(server, monkeypatch, max_attempts=2)
    assert (response.output, response.attempts) == ("4", 2)


def test_a_slow_reply_times_out(serve: Any) -> None:
    server = serve(lambda conn, n: None)  # reads the request, never answers
    (result,) = post(server.url, timeout=0.3)
    assert isinstance(result, ConnectionFailed) and str(result) == "timed out after 0.3s"


def test_nothing_listening_is_a_connection_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (result,) = post(f"http://127.0.0.1:{port}/v1")
    assert isinstance(result, ConnectionFailed) and "connection failed (ConnectionRefusedError)" in str(result)


def test_oversized_and_bomb_replies_are_refused() -> None:
    with pytest.raises(ValueError, match="once decompressed"):
        decoded(gzip.compress(b"\0" * (MAX_REPLY + 1)), "gzip")


def test_an_endless_reply_is_cut_off(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harness.models.connection.MAX_REPLY", 1000)
    server = serve(lambda conn, n: conn.sendall(reply(b"x" * 5000)))
    (result,) = post(server.url)
    assert isinstance(result, ConnectionFailed) and "reply over" in str(result)


def test_credentials_in_the_url_become_basic_auth(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(lambda conn, n: conn.sendall(reply()))
    monkeypatch.setenv("OPENAI_BASE_URL", server.url.replace("//", "//user:p%40ss@"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    provider = open_provider("openai/m", {}, ModelSettings())

    async def go() -> str:
        try:
            return (await provider.complete(REQUEST)).output
        finally:
            await provider.aclose()

    assert asyncio.run(go()) == "4"
    expected = "Authorization: Basic " + base64.b64encode(b"user:p@ss").decode()
    assert expected in server.requests[0].decode()


def test_a_key_with_a_line_break_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret\r\nX-Injected: 1")
    with pytest.raises(InputError) as caught:
        open_provider("openai/m", {}, ModelSettings())
    assert "header Authorization contains a line break" in str(caught.value)
    assert "sk-secret" not in str(caught.value)


def test_http_errors_keep_the_servers_reason(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(lambda conn, n: conn.sendall(reply(b"", status="503 Service Unavailable")))
    with pytest.raises(ProviderError, match="HTTP 503: Service Unavailable"):
        ask(server, monkeypatch, max_attempts=1)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_https_verifies_the_server_against_ssl_cert_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = context.wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True)
    port = listener.getsockname()[1]

    def answer_once() -> None:
        try:
            connection, _ = listener.accept()
        except (OSError, ssl.SSLError):
            return  # the client refused the certificate
        with connection:
            connection.recv(65536)
            connection.sendall(reply())

    url = f"https://localhost:{port}/v1"
    threading.Thread(target=answer_once, daemon=True).start()
    (refused,) = post(url)  # a certificate no authority vouches for
    assert isinstance(refused, ConnectionFailed) and not refused.retryable
    assert "SSLCertVerificationError: self-signed certificate" in str(refused)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # how a private CA is trusted, as with OpenSSL everywhere
    threading.Thread(target=answer_once, daemon=True).start()
    (accepted,) = post(url)
    listener.close()
    assert accepted.body == ANSWER
