"""The pull-request workflow's own scripts, run with bash on a real git history as GitHub would run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import REPO, write, write_jsonl
from tests.support.demo import TASK_EVAL, TASK_ROWS, git

WORKFLOW = REPO / ".github/workflows/ci.yml"


def steps() -> dict[str, dict[str, Any]]:
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    return {step["name"]: step for job in jobs.values() for step in job["steps"] if "name" in step}


def run_step(name: str, cwd: Path, tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run one workflow step's script with bash, evalrun on PATH; its result and the job summary it wrote."""
    summary, temp = tmp_path / "summary.md", tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    summary.touch()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EVALRUN")},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
        **env,
    }
    result = subprocess.run(
        ["bash", "-e", "-c", steps()[name]["run"]], check=False, cwd=cwd, env=env, capture_output=True, text=True
    )
    return result, summary.read_text(encoding="utf-8")


@pytest.fixture
def pull_request(workspace: Path) -> Path:
    """A repository whose main branch has one eval, and a PR branch that adds another."""
    write(workspace / "registry/evals/demo.en.yaml", TASK_EVAL)
    write_jsonl(workspace / "evals/demo/en.jsonl", TASK_ROWS)
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-qm", "base")
    git(workspace, "checkout", "-qb", "pr")
    return workspace


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash")
def test_the_job_summary_lists_new_evals_with_oracle_and_baseline_scores(pull_request: Path, tmp_path: Path) -> None:
    result, summary = run_step("Summarize new or changed evals", pull_request, tmp_path, BASE="main")
    assert result.returncode == 0, result.stderr
    assert "None: this pull request changes no eval" in summary
    added = TASK_EVAL.replace("demo.en", "capitals.en").replace("demo/en.jsonl", "capitals/en.jsonl")
    write(pull_request / "registry/evals/capitals.en.yaml", added)
    write_jsonl(
        pull_request / "evals/capitals/en.jsonl", [{"id": "c1", "question": "Capital of France?", "answers": ["Paris"]}]
    )
    git(pull_request, "add", "-A")
    git(pull_request, "commit", "-qm", "add capitals")
    result, summary = run_step("Summarize new or changed evals", pull_request, tmp_path, BASE="main")
    assert result.returncode == 0, result.stderr
    table = [line for line in summary.splitlines() if line.startswith("| capitals.en")]
    assert table[0].split("|")[3].strip() == "1"  # samples, from the listing
    assert "1.000 [" in table[1] and "n/a" in table[1]  # oracle full marks; the reader has nothing to read
    assert "demo.en" not in summary


def test_validation_step_runs_the_whole_registry(pull_request: Path, tmp_path: Path) -> None:
    result, _ = run_step("Validate the whole registry", pull_request, tmp_path)
    assert result.returncode == 0, result.stderr
    write(pull_request / "evals/demo/README.md", "no front matter\n")
    result, _ = run_step("Validate the whole registry", pull_request, tmp_path)
    assert result.returncode == 2 and "evals/demo/README.md:1: a data card starts with" in result.stderr


def test_the_workflow_never_runs_untrusted_code_with_secrets() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request_target" not in triggers and workflow["permissions"] == {"contents": "read"}
    assert "${{ github.event" not in WORKFLOW.read_text(encoding="utf-8")  # no PR-controlled text in scripts
