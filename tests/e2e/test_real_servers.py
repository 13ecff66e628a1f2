"""evalrun unchanged against a real llama.cpp server (llama-cpp-python) serving a tiny random-weight GGUF.

Needs the `servers` extra (`pip install -e '.[test,servers]'`, which builds llama.cpp); skipped without it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO, SECRET, evalrun
from tests.support.tiny_gguf import write_tiny_gguf

pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] is not installed (the `servers` extra)")
pytest.importorskip("gguf", reason="gguf is not installed (the `servers` extra)")

CONTEXT = 512  # gpt-history.en prompts fit; every comprehension.ja passage (627+ UTF-8 bytes) does not


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A llama.cpp server on 127.0.0.1 serving a tiny random model; yields its /v1 base URL."""
    folder = tmp_path_factory.mktemp("llama")
    model = write_tiny_gguf(folder / "tiny.gguf")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (folder / "server.log").open("w")
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_ctx", str(CONTEXT), "--seed", "0", "--verbose", "false"]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:  # not listening yet (URLError is an OSError)
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("llama.cpp server did not start:\n" + (folder / "server.log").read_text()[-2000:])
            time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def run(base_url: str, results: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = evalrun(
        "run",
        *args,
        "--no-cache",
        "--json",
        "--quiet",
        "--results",
        str(results),
        cwd=REPO,
        env={"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": SECRET},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result, json.loads(result.stdout)["runs"][0]


def records(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(summary["paths"]["samples"]).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("model", ["openai/tiny", "openai-completions/tiny"])
def test_runs_against_llama_cpp(llama_server: str, tmp_path: Path, model: str) -> None:
    result, summary = run(llama_server, tmp_path, "gpt-history.en", "--model", model, "--limit", "12")
    assert result.returncode == 0, result.stderr
    assert summary["status"] == "complete"
    assert summary["counts"] == {**summary["counts"], "samples": 12, "scored": 12, "errors": 0}
    assert summary["usage"]["samples_with_usage"] == 12  # llama.cpp reports usage; random weights rarely stop early
    assert summary["usage"]["completion_tokens"] > 0 and summary["metrics"]["accuracy"] is not None
    rows = records(summary)
    assert len({row["sample_id"] for row in rows}) == 12
    assert all(isinstance(row["output"], str) and row["attempts"] == 1 for row in rows)
    assert {row["finish_reason"] for row in rows} <= {"stop", "length"}
    written = "".join(path.read_text(encoding="utf-8") for path in tmp_path.rglob("*") if path.is_file())
    assert SECRET not in written and SECRET not in result.stderr


def test_context_overflow_is_a_clear_error_not_retried(llama_server: str, tmp_path: Path) -> None:
    result, summary = run(llama_server, tmp_path, "comprehension.ja", "--model", "openai/tiny", "--limit", "3")
    assert result.returncode == 1
    assert summary["counts"]["errors"] == 3 and summary["counts"]["retries"] == 0
    message = summary["errors"][0]["message"]
    assert "400" in message and "maximum context length is 512" in message, message
    assert all(row["error"] and row["attempts"] == 1 for row in records(summary))
