"""Cases found in review of the run engine: each a behaviour that must hold."""

from __future__ import annotations

import asyncio
import fcntl
import json
import signal
from pathlib import Path

import pytest

from harness.errors import ProviderError
from harness.models.ollama import host_url
from harness.models.pacing import AdaptiveLimit
from harness.registry.specs import endpoint_url_problem
from tests.conftest import REPO, against, evalrun
from tests.openai_server import FakeOpenAI, Fault
from tests.test_openai_provider import ask
from tests.test_resume import kill_after, start


@pytest.mark.parametrize(
    "host, url",
    [
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("example.org", "http://example.org:11434"),
        ("127.0.0.1:1234", "http://127.0.0.1:1234"),
        ("https://ollama.example.org", "https://ollama.example.org"),
    ],
)
def test_ollama_host_is_read_as_ollama_reads_it(host: str, url: str) -> None:
    assert host_url(host) == url


def test_url_problems_hide_credentials() -> None:
    problem = endpoint_url_problem("http://user:sk-secret@127.0.0.1:99999/v1")
    assert problem is not None and "sk-secret" not in problem and "***@127.0.0.1" in problem


def test_pass_at_k_must_be_a_plain_number(tmp_path: Path) -> None:
    for reducer in ("pass@01", "pass@²", "pass@0"):
        result = evalrun("run", "gpt-history.en", "-m", "baseline/oracle", "--reducer", reducer, cwd=REPO)
        assert result.returncode == 2 and "is not mean, majority, all or pass@k" in result.stderr


def test_out_of_quota_is_not_retried(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    body = {
        "error": {
            "message": "You exceeded your current quota.",
            "type": "insufficient_quota",
            "code": "insufficient_quota",
        }
    }
    openai_server.faults.append(Fault("status", 429, retry_after="0", body=body))
    with pytest.raises(ProviderError) as caught:
        ask(openai_server, monkeypatch)
    assert caught.value.attempts == 1 and len(openai_server.requests) == 1


def test_a_woken_then_cancelled_waiter_hands_its_place_on() -> None:
    async def main() -> bool:
        limit = AdaptiveLimit(1)
        await limit.acquire()
        second = asyncio.ensure_future(limit.acquire())
        third = asyncio.ensure_future(limit.acquire())
        await asyncio.sleep(0)
        limit.release(0, False)  # wakes `second` ...
        second.cancel()  # ... which is cancelled before it runs
        await asyncio.sleep(0.01)
        return third.done()

    assert asyncio.run(main())


def test_regrading_an_unfinished_run_does_not_capture_resume(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.05)
    kill_after(start(openai_server, tmp_path, REPO, "--concurrency", "2"), openai_server, 6, signal.SIGINT)
    (original,) = (tmp_path / "runs").iterdir()
    regraded = evalrun("regrade", original.name, "--grader", "exact", "--json", "--results", str(tmp_path), cwd=REPO)
    assert regraded.returncode == 0, regraded.stderr
    openai_server.fault_for = lambda body: None
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    result = evalrun(
        "run", "gpt-history.en", "-m", "openai/m", "--resume", "--json", "--results", str(tmp_path), cwd=REPO, env=env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["run_id"] == original.name
    regrade_id = json.loads(regraded.stdout)["runs"][0]["run_id"]
    result = evalrun(
        "run", "gpt-history.en", "-m", "openai/m", "--resume", regrade_id, "--results", str(tmp_path), cwd=REPO, env=env
    )
    assert result.returncode == 2 and "is a regrade of" in result.stderr


def test_a_run_another_process_is_writing_cannot_be_resumed(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.05)
    kill_after(start(openai_server, tmp_path, REPO, "--concurrency", "2"), openai_server, 4, signal.SIGKILL)
    (run_dir,) = (tmp_path / "runs").iterdir()
    with open(run_dir / "samples.jsonl", "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        result = against(
            openai_server,
            "run",
            "gpt-history.en",
            "-m",
            "openai/m",
            "--resume",
            run_dir.name,
            "--results",
            str(tmp_path),
        )
    assert result.returncode == 2 and "is being written by another evalrun process" in result.stderr


def test_resume_says_when_it_starts_afresh(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    result = against(
        openai_server, "run", "gpt-history.en", "-m", "openai/m", "--limit", "2", "--resume", "--results", str(tmp_path)
    )
    assert "no unfinished run with these settings to resume; starting a new run" in result.stderr


def test_cached_answers_are_not_latency(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    for _ in range(2):
        result = evalrun(
            "run",
            "gpt-history.en",
            "-m",
            "openai/m",
            "--limit",
            "3",
            "--json",
            "--results",
            str(tmp_path),
            cwd=REPO,
            env=env,
        )
    assert json.loads(result.stdout)["runs"][0]["latency_s"] == {"mean": None, "p50": None, "p95": None}
