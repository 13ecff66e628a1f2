"""TLS against an https test server with certificates from a test CA (trustme): an untrusted server fails at once,
SSL_CERT_FILE / SSL_CERT_DIR and a preset's `ca_file` make it trusted, and a preset's client certificate is presented."""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import ProviderError
from harness.types import Request, Response, Sample
from tests.support import evalrun, write, write_jsonl
from tests.support.openai_server import Certificates, FakeOpenAI, ServerThread, certificates
from tests.support.outcomes import outcome

REQUEST = Request(({"role": "user", "content": "2+2?"},), {}, Sample(id="s", fields={}, references=("4",)))
EVAL = (
    "id: t\ndescription: d\nlanguage: en\nversion: 1\ndata: {path: t/t.jsonl}\n"
    "prompt: {user: 'Q {{ question }}'}\ngrader: {kind: exact}\n"
)


@pytest.fixture
def tls(workspace: Path) -> Certificates:
    """A fresh test CA and certificates, in the workspace's `certs/` (so a preset may name them)."""
    return certificates(workspace / "certs")


@pytest.fixture
def https_server(tls: Certificates) -> Iterator[FakeOpenAI]:
    """The test server over https on 127.0.0.1, its certificate issued by the test CA."""
    with ServerThread(FakeOpenAI(), tls=tls.server_context()) as state:
        yield state


@pytest.fixture
def mutual_server(tls: Certificates) -> Iterator[FakeOpenAI]:
    """The test server over https, refusing any client without a certificate from the test CA."""
    with ServerThread(FakeOpenAI(), tls=tls.server_context(require_client_cert=True)) as state:
        yield state


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def ask(base_url: str, monkeypatch: pytest.MonkeyPatch) -> Response | ProviderError:
    """One request through the provider API, with retries allowed; the Response or the ProviderError raised."""
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return outcome("openai/m", REQUEST, timeout=5.0, max_attempts=3)


def run(workspace: Path, model: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`evalrun run` of a one-sample eval in the workspace."""
    write(workspace / "registry/evals/t.yaml", EVAL)
    write_jsonl(workspace / "evals/t/t.jsonl", [{"id": "a", "question": "q", "answers": ["ok"]}])
    return evalrun("run", "t", "--model", model, "--results", str(workspace / "out"), cwd=workspace, env=env)


def sample_error(workspace: Path) -> str:
    """The recorded error of the run's one sample."""
    (samples,) = (workspace / "out").glob("runs/*/samples.jsonl")
    error = json.loads(samples.read_text(encoding="utf-8"))["error"]
    assert isinstance(error, str), error
    return error


def preset(workspace: Path, server: FakeOpenAI, extra: str) -> None:
    write(
        workspace / "registry/models/secure.yaml",
        f"id: secure\nprovider: openai\nmodel: m\nbase_url: {server.base_url}\n{extra}",
    )


# ---- verification ----------------------------------------------------------------------------------------------------


def test_an_untrusted_certificate_fails_at_once(https_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = ask(https_server.base_url, monkeypatch)  # the test CA is in no trust store
    assert isinstance(outcome, ProviderError), outcome
    message = str(outcome)
    assert "certificate" in message.lower() and "\n" not in message, message
    assert not outcome.retryable and outcome.attempts == 1  # trying again cannot help
    assert https_server.requests == []


def test_a_certificate_for_another_name_fails_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = certificates(tmp_path / "certs", "models.example")  # trusted, but not for 127.0.0.1
    monkeypatch.setenv("SSL_CERT_FILE", str(files.ca))
    with ServerThread(FakeOpenAI(), tls=files.server_context()) as server:
        outcome = ask(server.base_url, monkeypatch)
    assert isinstance(outcome, ProviderError), outcome
    assert "certificate" in str(outcome).lower() or "hostname" in str(outcome).lower(), str(outcome)
    assert not outcome.retryable and outcome.attempts == 1


def test_ssl_cert_file_trusts_a_private_ca(
    https_server: FakeOpenAI, tls: Certificates, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))  # how a private CA is trusted, as with OpenSSL everywhere
    outcome = ask(https_server.base_url, monkeypatch)
    assert isinstance(outcome, Response) and outcome.output == "ok", outcome
    result = run(workspace, "openai/m", {"OPENAI_BASE_URL": https_server.base_url, "SSL_CERT_FILE": str(tls.ca)})
    assert result.returncode == 0, result.stderr
    assert len(https_server.requests) == 2


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs `openssl rehash` to build a CA directory")
def test_ssl_cert_dir_trusts_a_private_ca(
    https_server: FakeOpenAI, tls: Certificates, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ca-dir"
    folder.mkdir()
    shutil.copy(tls.ca, folder / "test-ca.pem")
    subprocess.run(["openssl", "rehash", str(folder)], check=True, capture_output=True)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    result = run(workspace, "openai/m", {"OPENAI_BASE_URL": https_server.base_url, "SSL_CERT_DIR": str(folder)})
    assert result.returncode == 0, result.stderr
    assert len(https_server.requests) == 1


def test_a_presets_ca_file_trusts_a_private_ca(https_server: FakeOpenAI, workspace: Path) -> None:
    preset(workspace, https_server, "ca_file: certs/ca.pem\n")
    result = run(workspace, "secure", {})
    assert result.returncode == 0, result.stderr
    assert len(https_server.requests) == 1


def test_without_the_presets_ca_file_the_server_is_not_trusted(https_server: FakeOpenAI, workspace: Path) -> None:
    preset(workspace, https_server, "")
    result = run(workspace, "secure", {})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "certificate" in sample_error(workspace).lower()
    assert https_server.requests == []


# ---- client certificates ---------------------------------------------------------------------------------------------


CLIENT_PRESET = (
    "ca_file: certs/ca.pem\nclient_cert_env: EVALRUN_TEST_CLIENT_CERT\nclient_key_env: EVALRUN_TEST_CLIENT_KEY\n"
)


def test_a_client_certificate_from_the_preset_is_presented(
    mutual_server: FakeOpenAI, tls: Certificates, workspace: Path
) -> None:
    preset(workspace, mutual_server, CLIENT_PRESET)
    env = {"EVALRUN_TEST_CLIENT_CERT": str(tls.client_cert), "EVALRUN_TEST_CLIENT_KEY": str(tls.client_key)}
    result = run(workspace, "secure", env)
    assert result.returncode == 0, result.stderr
    (presented,) = mutual_server.peer_certificates
    assert presented is not None  # the server saw the client's certificate


def test_a_client_certificate_and_key_in_one_file(
    mutual_server: FakeOpenAI, tls: Certificates, workspace: Path
) -> None:
    both = workspace / "certs/client-with-key.pem"
    both.write_text(tls.client_cert.read_text() + tls.client_key.read_text())
    preset(workspace, mutual_server, "ca_file: certs/ca.pem\nclient_cert_env: EVALRUN_TEST_CLIENT_CERT\n")
    result = run(workspace, "secure", {"EVALRUN_TEST_CLIENT_CERT": str(both)})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_without_a_client_certificate_the_server_refuses_clearly(
    tls: Certificates, workspace: Path, version: str
) -> None:
    context = tls.server_context(require_client_cert=True)
    context.maximum_version = getattr(ssl.TLSVersion, version)
    with ServerThread(FakeOpenAI(), tls=context) as server:
        preset(workspace, server, "ca_file: certs/ca.pem\n")
        result = run(workspace, "secure", {})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    error = sample_error(workspace)
    if version == "TLSv1_2":  # refused inside the handshake, so the client can tell
        assert re.search(r"(?i)certificate|tls", error), error
    # TLS 1.3 refuses after the client's handshake is done: the client may only see its request cut off
    assert server.requests == []


def test_a_client_certificate_that_cannot_be_read_is_an_input_error(mutual_server: FakeOpenAI, workspace: Path) -> None:
    preset(workspace, mutual_server, CLIENT_PRESET)
    missing = str(workspace / "certs/nothing.pem")
    result = run(workspace, "secure", {"EVALRUN_TEST_CLIENT_CERT": missing, "EVALRUN_TEST_CLIENT_KEY": missing})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert mutual_server.requests == []
