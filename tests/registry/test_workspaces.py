"""The user's tasks beside the built-in ones: the current folder's registry (or --registry DIR, or EVALRUN_PATH) adds to
the built-in registry, an id defined twice is an error naming both files, `list` says where each entry comes from, and
EVALRUN_HOME names a registry used instead of the built-in one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import REPO, evalrun, write, write_jsonl

EVAL = """\
id: {id}
description: A task of the user's own.
language: en
version: 1
data: {{path: {id}/en.jsonl}}
prompt: {{user: "{{{{ question }}}}"}}
grader: {{kind: exact}}
"""


def own_task(folder: Path, eval_id: str = "mine") -> Path:
    """A folder holding one eval of its own (spec, data, data card), as a user writes it."""
    write(folder / f"registry/evals/{eval_id}.yaml", EVAL.format(id=eval_id))
    rows = [{"id": f"{eval_id}-{i}", "question": f"Say {i}", "answers": [str(i)]} for i in range(4)]
    write_jsonl(folder / f"evals/{eval_id}/en.jsonl", rows)
    return folder


def listed(result_stdout: str) -> dict[str, dict[str, str]]:
    """`evalrun list --json` as {eval id: entry}."""
    return {entry["id"]: entry for entry in json.loads(result_stdout)["evals"]}


def test_a_folder_with_one_task_lists_and_runs_it_beside_core(tmp_path: Path) -> None:
    folder = own_task(tmp_path / "project")
    result = evalrun("list", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    evals = listed(result.stdout)
    assert evals["mine"]["source"] == "." and evals["gpt-history.en"]["source"] == "built-in"
    table = evalrun("list", cwd=folder).stdout
    assert "| source" in table and "built-in" in table

    run = evalrun(
        "run", "mine", "core", "--model", "baseline/oracle", "--limit", "2", "--no-cache", "--json", cwd=folder
    )
    assert run.returncode == 0, run.stderr
    ran = {summary["eval"]["id"]: summary for summary in json.loads(run.stdout)["runs"]}
    from harness.registry.loader import Registry
    from harness.registry.workspace import Workspace

    core = Registry.load(Workspace(REPO)).suites["core"].evals
    assert set(ran) == {"mine", *core} and "comprehension.ja" in core
    assert ran["mine"]["metrics"]["accuracy"]["mean"] == 1.0
    assert ran["mine"]["eval"]["spec_path"] == "registry/evals/mine.yaml"

    checked = evalrun("validate", cwd=folder)  # the user's own registry; the built-in one is read, not re-checked
    assert checked.returncode == 0, checked.stderr


def test_from_a_subfolder_the_nearest_registry_above_counts(tmp_path: Path) -> None:
    folder = own_task(tmp_path / "project")
    below = folder / "notebooks/deep"
    below.mkdir(parents=True)
    assert {"mine", "gpt-history.en"} <= set(listed(evalrun("list", "--json", cwd=below).stdout))


def test_an_id_defined_twice_is_an_error_naming_both_files(tmp_path: Path) -> None:
    folder = own_task(tmp_path / "project", "gpt-history.en")
    for command in (["list"], ["validate"], ["run", "gpt-history.en", "--model", "baseline/oracle", "--no-cache"]):
        result = evalrun(*command, cwd=folder)
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr
        line = f"registry/evals/gpt-history.en.yaml:1: duplicate eval id 'gpt-history.en' (also defined at {REPO}"
        assert line in result.stderr, result.stderr


def test_registry_folders_add_from_the_command_line_and_the_environment(tmp_path: Path) -> None:
    first = own_task(tmp_path / "first", "first")
    second = own_task(tmp_path / "second", "second")
    presets = write(tmp_path / "presets/registry/models/my-server.yaml", "id: my-server\nprovider: openai\nmodel: m\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"EVALRUN_PATH": f"{presets.parents[2]}"}
    result = evalrun("list", "--json", "--registry", str(first), "--registry", str(second), cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"first", "second", "gpt-history.en"} <= {e["id"] for e in data["evals"]}
    assert {m["id"]: m["source"] for m in data["models"]}["my-server"].endswith("presets")
    run = evalrun("run", "second", "--registry", str(second), "--model", "baseline/oracle", "--no-cache", cwd=elsewhere)
    assert run.returncode == 0, run.stderr

    missing = evalrun("list", "--registry", str(tmp_path / "nothing"), cwd=elsewhere)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert missing.stderr.startswith(f"evalrun: --registry {tmp_path / 'nothing'} has no registry")
    unset = evalrun("list", cwd=elsewhere, env={"EVALRUN_PATH": str(elsewhere)})
    assert unset.returncode == 2 and "EVALRUN_PATH folder" in unset.stderr


def test_evalrun_home_names_the_only_registry(tmp_path: Path) -> None:
    home = own_task(tmp_path / "fork")
    result = evalrun("list", "--json", cwd=tmp_path, env={"EVALRUN_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    assert set(listed(result.stdout)) == {"mine"}


def test_without_a_registry_of_its_own_the_built_in_one_is_used(tmp_path: Path) -> None:
    result = evalrun("list", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    evals = listed(result.stdout)
    assert "gpt-history.en" in evals and {e["source"] for e in evals.values()} == {"built-in"}
    assert "| source" not in evalrun("list", cwd=tmp_path).stdout  # one source: no column for it


def test_run_refuses_a_data_file_over_the_limit_as_validate_does(tmp_path: Path) -> None:
    workspace = own_task(tmp_path / "big")
    with open(workspace / "evals/mine/en.jsonl", "r+b") as handle:
        handle.truncate(51 << 20)  # sparse: over the 50 MB limit without writing it
    for command in (("validate",), ("run", "mine", "--model", "baseline/oracle", "--results", str(tmp_path / "out"))):
        result = evalrun(*command, cwd=workspace)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "evals/mine/en.jsonl:1: data file is 51 MB; the limit is 50 MB" in result.stderr, command
        assert "Traceback" not in result.stderr
