"""`EVALRUN_HOME` names the registry evalrun uses, from whatever folder it runs in: instead of the built-in one and the
current folder's; `evalrun new` writes there; run records still go to ./results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import evalrun, write, write_jsonl


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder outside the workspace, with no registry at or above it."""
    return tmp_path_factory.mktemp("elsewhere")


def add_eval(root: Path, eval_id: str) -> None:
    """An eval of three samples, each answered by `yes`, in the workspace at `root`."""
    family = eval_id.split(".")[0]
    write(
        root / f"registry/evals/{eval_id}.yaml",
        f"id: {eval_id}\ndescription: Eval {eval_id} for EVALRUN_HOME tests.\nlanguage: en\nversion: 1\n"
        f'data: {{path: {family}/en.jsonl}}\nprompt: {{user: "{{{{ question }}}}"}}\ngrader: {{kind: exact}}\n',
    )
    rows = [{"id": f"{family}-{i}", "question": f"{family}: is {i} a number?", "answers": ["yes"]} for i in range(3)]
    write_jsonl(root / f"evals/{family}/en.jsonl", rows)


def listed(cwd: Path, home: Path | None) -> list[str]:
    """The eval ids `evalrun list` shows in `cwd`, with EVALRUN_HOME set to `home` (or unset)."""
    result = evalrun("list", "--json", cwd=cwd, env={"EVALRUN_HOME": str(home)} if home else None)
    assert result.returncode == 0, result.stderr
    return [entry["id"] for entry in json.loads(result.stdout)["evals"]]


def test_evalrun_home_is_the_registry_from_any_folder(workspace: Path, elsewhere: Path) -> None:
    add_eval(workspace, "homed.en")
    assert "homed.en" not in listed(elsewhere, None)
    assert listed(elsewhere, workspace) == ["homed.en"]  # the built-in evals are not added to it

    env = {"EVALRUN_HOME": str(workspace)}
    result = evalrun("run", "homed.en", "--model", "baseline/oracle", "--json", cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    (summary,) = json.loads(result.stdout)["runs"]
    assert summary["metrics"]["accuracy"]["mean"] == 1.0 and summary["counts"]["samples"] == 3
    (run_dir,) = (elsewhere / "results/runs").iterdir()  # records go to ./results, not into the registry's folder
    assert run_dir.name == summary["run_id"]
    assert not (workspace / "results").exists()


def test_evalrun_home_wins_over_the_current_folder(workspace: Path, elsewhere: Path) -> None:
    add_eval(workspace, "homed.en")
    local = elsewhere / "local"
    for part in ("registry/evals", "evals"):
        (local / part).mkdir(parents=True)
    add_eval(local, "local.en")
    assert "local.en" in listed(local, None)
    assert listed(local, workspace) == ["homed.en"]
    result = evalrun("run", "local.en", "--model", "baseline/oracle", cwd=local, env={"EVALRUN_HOME": str(workspace)})
    assert result.returncode == 2 and "local.en" in result.stderr and "Traceback" not in result.stderr


def test_evalrun_home_without_a_registry_is_one_line(elsewhere: Path) -> None:
    empty = elsewhere / "empty"
    empty.mkdir()
    for command in (("list",), ("run", "gpt-history.en", "--model", "baseline/oracle")):
        result = evalrun(*command, cwd=elsewhere, env={"EVALRUN_HOME": str(empty)})
        assert result.returncode == 2 and result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"evalrun: EVALRUN_HOME={empty} has no registry")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["empty"]  # nothing was written


def test_evalrun_new_writes_into_evalrun_home(workspace: Path, elsewhere: Path) -> None:
    env = {"EVALRUN_HOME": str(workspace)}
    result = evalrun("new", "fresh.en", "--lang", "en", "--grader", "exact", cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    for made in ("registry/evals/fresh.en.yaml", "evals/fresh/en.jsonl", "evals/fresh/README.md"):
        assert (workspace / made).is_file(), made
    assert list(elsewhere.iterdir()) == []
    checked = evalrun("validate", cwd=elsewhere, env=env)
    assert checked.returncode == 0, checked.stderr
    ran = evalrun("run", "fresh.en", "--model", "baseline/oracle", "--json", cwd=elsewhere, env=env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["runs"][0]["metrics"]["accuracy"]["mean"] == 1.0
