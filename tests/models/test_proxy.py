"""Proxies from the environment, read as curl and `requests` read them, through a real forward proxy on 127.0.0.1:
HTTP_PROXY / HTTPS_PROXY (CONNECT) / ALL_PROXY, NO_PROXY, lower case first, credentials sent and never shown."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import ProviderError
from harness.types import Request, Response, Sample
from tests.support import SECRET, evalrun, write, write_jsonl
from tests.support.forward_proxy import ForwardProxy
from tests.support.openai_server import FakeOpenAI, ServerThread, certificates
from tests.support.outcomes import answered, failed, outcome

REQUEST = Request(({"role": "user", "content": "2+2?"},), {}, Sample(id="s", fields={}, references=("4",)))
VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
HOSTS = {"models.example": "127.0.0.1", "models.test": "127.0.0.1"}
"""Names only the proxy can resolve: a request to them that succeeds went through the proxy."""
USER, PASSWORD = "proxy-user", "p@ss w0rd-71c4"
PASSWORD_FORMS = (PASSWORD, "p%40ss%20w0rd-71c4", base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
"""The proxy password as written, percent-encoded in a URL, and inside Basic auth: none may be shown."""


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no proxy variable set, in either case."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    """An open forward proxy that resolves HOSTS to 127.0.0.1."""
    running = ForwardProxy(hosts=HOSTS)
    yield running
    running.close()


@pytest.fixture
def guarded_proxy() -> Iterator[ForwardProxy]:
    """A forward proxy that answers 407 unless given USER and PASSWORD."""
    running = ForwardProxy(credentials=(USER, PASSWORD), hosts=HOSTS)
    yield running
    running.close()


def dead_proxy(user: str = "", password: str = "") -> str:
    """The URL of a proxy that is not running (a port nothing listens on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    auth = f"{user}:{password}@" if user else ""
    return f"http://{auth}127.0.0.1:{port}"


def on_host(server: FakeOpenAI, host: str) -> str:
    """The test server's base URL with another host name for it."""
    return server.base_url.replace("127.0.0.1", host)


def port_of(server: FakeOpenAI) -> int:
    return int(server.base_url.rsplit(":", 1)[1].split("/")[0])


def ask(base_url: str, monkeypatch: pytest.MonkeyPatch, kind: str = "openai") -> Response | ProviderError:
    """One request through the provider API to `base_url`; the Response, or the ProviderError raised."""
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url.removesuffix("/v1"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("OLLAMA_HOST", base_url.removesuffix("/v1"))
    return outcome(f"{kind}/m", REQUEST, timeout=5.0, max_attempts=1)


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_each_proxy_variable_is_used(
    openai_server: FakeOpenAI, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, proxy.url())
    assert answered(ask(on_host(openai_server, "models.example"), monkeypatch)).output == "ok"
    target = f"http://models.example:{port_of(openai_server)}/v1/chat/completions"
    assert [(f.method, f.target, f.status) for f in proxy.log] == [("POST", target, 200)]


def test_a_proxy_url_without_a_scheme_is_http(
    openai_server: FakeOpenAI, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"127.0.0.1:{proxy.port}")  # as curl reads it
    assert answered(ask(on_host(openai_server, "models.example"), monkeypatch)).output == "ok"
    assert len(proxy.log) == 1


@pytest.mark.parametrize("kind", ["openai-completions", "anthropic", "ollama"])
def test_every_provider_goes_through_the_proxy(
    openai_server: FakeOpenAI, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    assert answered(ask(on_host(openai_server, "models.example"), monkeypatch, kind)).output == "ok"
    assert [f.status for f in proxy.log] == [200]


@pytest.mark.parametrize(
    ("lower", "upper", "value"),
    [("http_proxy", "HTTP_PROXY", "proxy"), ("all_proxy", "ALL_PROXY", "proxy"), ("no_proxy", "NO_PROXY", "127.0.0.1")],
)
def test_lower_case_wins_over_upper_case(
    openai_server: FakeOpenAI, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, lower: str, upper: str, value: str
) -> None:
    if lower == "no_proxy":
        monkeypatch.setenv("HTTP_PROXY", dead_proxy())
        monkeypatch.setenv(lower, value)
        monkeypatch.setenv(upper, "nothing.example")
        assert answered(ask(openai_server.base_url, monkeypatch)).output == "ok"  # direct, as no_proxy says
        return
    monkeypatch.setenv(lower, proxy.url())
    monkeypatch.setenv(upper, dead_proxy())
    assert answered(ask(on_host(openai_server, "models.example"), monkeypatch)).output == "ok"
    assert len(proxy.log) == 1


def test_the_schemes_own_proxy_wins_over_all_proxy(
    openai_server: FakeOpenAI, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    monkeypatch.setenv("ALL_PROXY", dead_proxy())
    assert answered(ask(on_host(openai_server, "models.example"), monkeypatch)).output == "ok"


def test_https_proxy_is_not_used_for_http(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", dead_proxy())
    assert answered(ask(openai_server.base_url, monkeypatch)).output == "ok"


# ---- NO_PROXY --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("no_proxy", "host", "proxied"),
    [
        ("localhost", "localhost", False),
        ("localhost", "127.0.0.1", True),
        ("*", "127.0.0.1", False),
        ("127.0.0.1", "127.0.0.1", False),
        ("127.0.0.0/8", "127.0.0.1", False),
        ("127.0.0.1:{port}", "127.0.0.1", False),
        ("127.0.0.1:{other}", "127.0.0.1", True),
        ("other.example, localhost", "localhost", False),
        ("models.example", "models.example", False),
        (".example", "models.example", False),
        ("example", "models.example", False),
        (".example", "models.test", True),
        ("api.models.example", "models.example", True),
    ],
)
@pytest.mark.parametrize("variable", ["NO_PROXY", "no_proxy"])
def test_no_proxy_goes_around_the_proxy(
    openai_server: FakeOpenAI,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    no_proxy: str,
    host: str,
    proxied: bool,
) -> None:
    port = port_of(openai_server)
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    monkeypatch.setenv(variable, no_proxy.format(port=port, other=port + 1 if port < 65535 else port - 1))
    outcome = ask(on_host(openai_server, host), monkeypatch)
    if proxied:
        assert answered(outcome).output == "ok"
        assert [f.target for f in proxy.log] == [f"http://{host}:{port}/v1/chat/completions"]
        return
    assert proxy.log == []
    if host in HOSTS:  # only the proxy knows that name: the direct attempt cannot resolve it
        failed(outcome)
    else:
        assert answered(outcome).output == "ok"


# ---- credentials and failures ----------------------------------------------------------------------------------------


def test_proxy_credentials_in_the_url_are_sent(
    openai_server: FakeOpenAI, guarded_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", guarded_proxy.url(USER, PASSWORD))
    assert answered(ask(on_host(openai_server, "models.example"), monkeypatch)).output == "ok"
    assert [(f.sent_credentials, f.authorized, f.status) for f in guarded_proxy.log] == [(True, True, 200)]
    (sent,) = openai_server.requests
    assert not any(name.lower() == "proxy-authorization" for name in sent["headers"])  # for the proxy, not the server


@pytest.mark.parametrize("password", ["wrong-pw-5e2a", None], ids=["wrong", "missing"])
def test_a_proxy_refusing_the_credentials_fails_clearly(
    openai_server: FakeOpenAI, guarded_proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, password: str | None
) -> None:
    url = guarded_proxy.url(USER, password) if password else guarded_proxy.url()
    monkeypatch.setenv("HTTP_PROXY", url)
    outcome = ask(on_host(openai_server, "models.example"), monkeypatch)
    message = failed(outcome)
    assert "407" in message and "proxy" in message.lower(), message
    assert not outcome.retryable  # the same credentials will be refused again
    assert "wrong-pw-5e2a" not in message and openai_server.requests == []


def test_an_unreachable_proxy_fails_clearly(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", dead_proxy(USER, "p%40ss%20w0rd-71c4"))
    message = failed(ask(on_host(openai_server, "models.example"), monkeypatch))
    assert "proxy" in message.lower(), message
    for secret in PASSWORD_FORMS:
        assert secret not in message


# ---- through the command line: HTTPS through CONNECT, and what a failing proxy leaves behind ------------------------


EVAL = (
    "id: t\ndescription: d\nlanguage: en\nversion: 1\ndata: {path: t/t.jsonl}\n"
    "prompt: {user: 'Q {{ question }}'}\ngrader: {kind: exact}\n"
)


def _eval(workspace: Path) -> None:
    write(workspace / "registry/evals/t.yaml", EVAL)
    write_jsonl(
        workspace / "evals/t/t.jsonl", [{"id": f"s{i}", "question": f"q{i}", "answers": ["ok"]} for i in range(2)]
    )


@pytest.mark.parametrize("variables", [("HTTPS_PROXY",), ("https_proxy", "HTTPS_PROXY"), ("ALL_PROXY",)])
def test_https_goes_through_a_connect_tunnel(
    guarded_proxy: ForwardProxy, workspace: Path, tmp_path: Path, variables: tuple[str, ...]
) -> None:
    files = certificates(tmp_path / "tls", "models.example")
    _eval(workspace)
    with ServerThread(FakeOpenAI(), tls=files.server_context(), host="models.example") as server:
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "SSL_CERT_FILE": str(files.ca),
            variables[0]: guarded_proxy.url(USER, PASSWORD),
        }
        if len(variables) == 2:
            env[variables[1]] = dead_proxy()  # the upper-case name loses to the lower-case one
        result = evalrun("run", "t", "--model", "openai/m", "--results", str(workspace / "out"), cwd=workspace, env=env)
        assert result.returncode == 0, result.stderr
        assert len(server.requests) == 2 and len(server.peer_certificates) == 2  # answered over TLS
    target = f"models.example:{server.base_url.rsplit(':', 1)[1].split('/')[0]}"
    assert {(f.method, f.target, f.authorized, f.status) for f in guarded_proxy.log} == {("CONNECT", target, True, 200)}


@pytest.mark.parametrize("failure", ["refused-credentials", "unreachable"])
def test_proxy_credentials_reach_no_record_or_output(
    openai_server: FakeOpenAI, guarded_proxy: ForwardProxy, workspace: Path, failure: str
) -> None:
    _eval(workspace)
    encoded = "p%40ss%20w0rd-71c4"
    if failure == "unreachable":
        proxy_url = dead_proxy(USER, encoded)
    else:  # the right user, a password the proxy does not take
        guarded_proxy.credentials = (USER, "another-password")
        proxy_url = guarded_proxy.url(USER, PASSWORD)
    env = {"OPENAI_BASE_URL": on_host(openai_server, "models.example"), "HTTP_PROXY": proxy_url}
    result = evalrun("run", "t", "--model", "openai/m", "--results", str(workspace / "out"), cwd=workspace, env=env)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (samples,) = (workspace / "out").glob("runs/*/samples.jsonl")
    assert "proxy" in samples.read_text(encoding="utf-8").lower()  # each sample failed, saying why
    written = [path.read_text(encoding="utf-8") for path in (workspace / "out").rglob("*") if path.is_file()]
    for secret in PASSWORD_FORMS:
        for text in (result.stdout, result.stderr, *written):
            assert secret not in text
