"""`evalrun list`: evals (id, language, samples, grader), suites and models, as tables and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from tests.support import REPO, evalrun, write


def test_list_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    evals = {e["id"]: e for e in data["evals"]}
    assert {"gpt-history.en", "gpt-history.ja", "gpt-history.zh", "comprehension.ja"} <= set(evals)
    assert evals["comprehension.ja"]["language"] == "ja" and evals["comprehension.ja"]["grader"] == "em"
    assert evals["gpt-history.en"]["samples"] == sum(
        1 for line in (REPO / "evals/gpt-history/en.jsonl").open() if line.strip()
    )
    (core,) = [suite for suite in data["suites"] if suite["id"] == "core"]
    assert core["source"] == "built-in" and core["description"]
    assert core["evals"][:4] == ["gpt-history.en", "gpt-history.ja", "gpt-history.zh", "comprehension.ja"]
    assert {"comprehension.zh-Hant", "comprehension.zh-Hans"} <= set(core["evals"]) <= set(evals)
    models = {m["id"] for m in data["models"]}
    assert {"baseline/oracle", "baseline/random", "baseline/reader", "gpt-4o-mini"} <= models


def test_list_table() -> None:
    result = evalrun("list", cwd=REPO)
    assert result.returncode == 0
    for expected in ("Evals", "Suites", "Models", "comprehension.ja", "| core", "baseline/reader"):
        assert expected in result.stdout


def test_list_refuses_an_invalid_registry(workspace: Path) -> None:
    write(workspace / "registry/suites/x.yaml", "id: x\n")
    result = evalrun("list", cwd=workspace)
    assert result.returncode == 2
    assert (
        result.stderr
        == "registry/suites/x.yaml:1: file: 'description' is required\nregistry/suites/x.yaml:1: file: 'evals' is required\n"
    )


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "harness", "list"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `evalrun list | head -0`: closed before evalrun writes
    assert process.wait(timeout=60) == 1
    assert process.stderr.read() == b""
