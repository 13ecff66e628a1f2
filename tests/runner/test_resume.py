"""Runs survive being killed: `--resume` continues in the same folder and records every sample exactly once."""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import FACTS, REPO, against, child_env, evalrun, write
from tests.support.openai_server import FakeOpenAI, Fault


def answer_by_question(body: dict[str, Any]) -> str:
    """A deterministic answer: right for questions of even length."""
    question = body["messages"][-1]["content"]
    return "wrong" if len(question) % 2 else question


def records(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()]


def start(server: FakeOpenAI, results: Path, cwd: Path = REPO, *extra: str) -> subprocess.Popen[str]:
    env = child_env(cwd, {"OPENAI_BASE_URL": server.base_url})
    command = [
        sys.executable,
        "-m",
        "harness",
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--results",
        str(results),
    ]
    return subprocess.Popen(
        [*command, *extra], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def kill_after(process: subprocess.Popen[str], server: FakeOpenAI, requests: int, how: int = signal.SIGKILL) -> None:
    deadline = time.monotonic() + 30
    while len(server.requests) < requests and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(how)
    process.communicate(timeout=30)


def test_kill_9_then_resume_records_every_sample_once(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.answer = answer_by_question
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.05)
    kill_after(start(openai_server, tmp_path / "killed", REPO, "--concurrency", "4"), openai_server, 20)
    (run_dir,) = (tmp_path / "killed/runs").iterdir()
    assert json.loads((run_dir / "run.json").read_text())["status"] == "running"
    before = records(run_dir)
    assert 0 < len(before) < FACTS
    with open(run_dir / "samples.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"sample_id": "torn-by-the-kill", "epo')  # a line the kill cut in half

    openai_server.fault_for = lambda body: None
    asked_before = len(openai_server.requests)
    result = against(
        openai_server,
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--resume",
        "--json",
        "--results",
        str(tmp_path / "killed"),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["runs"][0]
    assert summary["run_id"] == run_dir.name and summary["status"] == "complete" and summary["resumed"] == 1
    after = records(run_dir)
    ids = [r["sample_id"] for r in after]
    assert len(ids) == FACTS == len(set(ids))
    assert after[: len(before)] == before
    assert len(openai_server.requests) - asked_before <= FACTS - len(before)  # answered before the kill: from the cache

    clean = against(
        openai_server,
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--json",
        "--no-cache",
        "--results",
        str(tmp_path / "clean"),
    )
    clean_summary = json.loads(clean.stdout)["runs"][0]
    assert summary["metrics"] == clean_summary["metrics"]
    assert {**summary["counts"], "cached": 0} == clean_summary["counts"]


def test_resume_without_an_unfinished_run_starts_a_new_one(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    for _ in range(2):
        result = against(
            openai_server,
            "run",
            "gpt-history.en",
            "--model",
            "openai/m",
            "--limit",
            "3",
            "--resume",
            "--results",
            str(tmp_path),
        )
        assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "runs").iterdir())) == 2


def test_resume_refuses_a_run_whose_data_or_parameters_changed(
    openai_server: FakeOpenAI, repo_copy: Path, tmp_path: Path
) -> None:
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.05)
    kill_after(start(openai_server, tmp_path, repo_copy, "--concurrency", "2"), openai_server, 4)
    (run_dir,) = (tmp_path / "runs").iterdir()
    env = {"OPENAI_BASE_URL": openai_server.base_url}

    result = evalrun(
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--limit",
        "5",
        "--resume",
        run_dir.name,
        "--results",
        str(tmp_path),
        cwd=repo_copy,
        env=env,
    )
    assert (
        result.returncode == 2
        and result.stderr == f"evalrun: cannot resume {run_dir.name}: its limit no longer match; start a new run\n"
    )

    data = repo_copy / "evals/gpt-history/en.jsonl"
    write(data, data.read_text(encoding="utf-8").replace("Transformer", "Transformer model", 1))
    result = evalrun(
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--resume",
        run_dir.name,
        "--results",
        str(tmp_path),
        cwd=repo_copy,
        env=env,
    )
    assert result.returncode == 2 and "its data no longer match" in result.stderr


def test_resume_names_one_run(tmp_path: Path) -> None:
    result = evalrun(
        "run", "core", "--model", "baseline/oracle", "--resume", "nope", "--results", str(tmp_path), cwd=REPO
    )
    assert result.returncode == 2 and "give one eval and one model" in result.stderr
    result = evalrun(
        "run", "gpt-history.en", "--model", "baseline/oracle", "--resume", "nope", "--results", str(tmp_path), cwd=REPO
    )
    assert result.returncode == 2 and "no run 'nope'" in result.stderr
    done = evalrun(
        "run", "gpt-history.en", "--model", "baseline/oracle", "--json", "--results", str(tmp_path), cwd=REPO
    )
    run_id = json.loads(done.stdout)["runs"][0]["run_id"]
    result = evalrun(
        "run", "gpt-history.en", "--model", "baseline/oracle", "--resume", run_id, "--results", str(tmp_path), cwd=REPO
    )
    assert result.returncode == 2 and "is complete" in result.stderr


@pytest.mark.parametrize("signal_name", ["SIGINT"])
def test_interrupted_run_is_resumable(openai_server: FakeOpenAI, tmp_path: Path, signal_name: str) -> None:
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.05)
    process = start(openai_server, tmp_path, REPO, "--concurrency", "2")
    deadline = time.monotonic() + 30
    while len(openai_server.requests) < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(getattr(signal, signal_name))
    process.communicate(timeout=30)
    openai_server.fault_for = lambda body: None
    result = against(
        openai_server, "run", "gpt-history.en", "--model", "openai/m", "--resume", "--json", "--results", str(tmp_path)
    )
    summary = json.loads(result.stdout)["runs"][0]
    assert summary["status"] == "complete" and summary["counts"]["samples"] == FACTS
    assert len(list((tmp_path / "runs").iterdir())) == 1


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
