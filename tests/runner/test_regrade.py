"""`evalrun regrade`: re-score stored outputs with the current answers or another grader, never calling the model."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support import FACTS, REPO, evalrun, write
from tests.support.openai_server import FakeOpenAI


def test_regrade_after_an_answer_key_fix(openai_server: FakeOpenAI, repo_copy: Path, tmp_path: Path) -> None:
    openai_server.answer = lambda body: "GPT-3 has 175 billion parameters, said the paper."
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    first = evalrun(
        "run", "gpt-history.en", "--model", "openai/m", "--json", "--results", str(tmp_path), cwd=repo_copy, env=env
    )
    old = json.loads(first.stdout)["runs"][0]
    asked = len(openai_server.requests)
    assert old["metrics"]["accuracy"]["mean"] == 1 / FACTS  # only the GPT-3 parameter count is right

    data = repo_copy / "evals/gpt-history/en.jsonl"
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
    rows[0]["answers"] = ["175 billion"]  # a (deliberately wrong) fix of the answer key for the first question
    write(data, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))

    result = evalrun("regrade", old["run_id"], "--json", "--results", str(tmp_path), cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stdout)["runs"][0]
    assert len(openai_server.requests) == asked
    assert new["regraded_from"] == old["run_id"] and new["run_id"] != old["run_id"]
    assert new["metrics"]["accuracy"]["mean"] == 2 / FACTS
    assert new["eval"]["data_hash"] != old["eval"]["data_hash"]
    records = [json.loads(line) for line in Path(new["paths"]["samples"]).read_text(encoding="utf-8").splitlines()]
    assert len(records) == FACTS
    assert next(r for r in records if r["sample_id"] == rows[0]["id"])["references"] == ["175 billion"]
    assert Path(old["paths"]["samples"]).read_text(encoding="utf-8").count("\n") == FACTS  # the old run is untouched


def test_regrade_with_another_grader(tmp_path: Path) -> None:
    run = json.loads(
        evalrun(
            "run", "comprehension.ja", "--model", "baseline/reader", "--json", "--results", str(tmp_path), cwd=REPO
        ).stdout
    )["runs"][0]
    result = evalrun("regrade", run["run_id"], "--grader", "f1", "--json", "--results", str(tmp_path), cwd=REPO)
    new = json.loads(result.stdout)["runs"][0]
    assert new["primary_metric"] == "f1" and new["eval"]["grader"] == "f1"
    assert new["metrics"]["f1"]["mean"] == run["metrics"]["f1"]["mean"]
    result = evalrun("regrade", run["run_id"], "--grader", "exact", "--results", str(tmp_path), cwd=REPO)
    assert result.returncode == 0 and re.search(r"\| comprehension\.ja\s+\| accuracy\s+\|", result.stdout)


def test_regrade_under_llm_jp_eval_renames_the_metrics_and_names_the_standard(tmp_path: Path) -> None:
    command = ("run", "comprehension.ja", "--model", "baseline/reader", "--limit", "5", "--json")
    run = json.loads(evalrun(*command, "--results", str(tmp_path), cwd=REPO).stdout)["runs"][0]
    assert run["eval"]["metrics"] == ["em", "f1"]  # as the eval lists them
    option = ("--option", "standard=llm-jp-eval", "--results", str(tmp_path))
    result = evalrun("regrade", run["run_id"], *option, "--json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stdout)["runs"][0]
    assert new["primary_metric"] == "exact_match" and new["eval"]["grader_options"] == {"standard": "llm-jp-eval"}
    assert list(new["metrics"]) == ["exact_match", "char_f1", "set_f1"]
    table = evalrun("regrade", run["run_id"], *option, cwd=REPO)
    assert re.search(r"\| comprehension\.ja\s+\| llm-jp-eval exact_match\s+\|", table.stdout), table.stdout


def test_regrade_unknown_run(tmp_path: Path) -> None:
    result = evalrun("regrade", "nope", "--results", str(tmp_path), cwd=REPO)
    assert result.returncode == 2 and result.stderr.startswith("evalrun: no run 'nope'")
