"""A number from an official standard is shown with the standard's name: run records keep llm-jp-eval's metric names,
and the results table, the board (text, CSV, JSON), `evalrun compare` and `load_runs().frame()` name the standard."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import harness
from harness.analysis.board_render import board_csv, board_json, board_text
from harness.analysis.board_runs import choose, gather
from harness.analysis.compare import compare, render
from harness.analysis.leaderboard import build_board
from harness.analysis.pairing import read_run
from harness.analysis.table import results_table
from harness.registry.loader import Registry
from harness.registry.workspace import Workspace
from harness.runner.records import RunRecord
from tests.support import write, write_jsonl

EVAL = """\
id: jqa.ja
description: Short answers, scored as llm-jp-eval scores them.
language: ja
version: 1
data:
  path: jqa/ja.jsonl
prompt:
  user: "{{ question }}"
grader:
  kind: f1
  standard: llm-jp-eval
"""
ROWS = [
    {"id": "q1", "question": "日本の首都は？", "answers": ["東京"]},
    {"id": "q2", "question": "中国の首都は？", "answers": ["北京"]},
    {"id": "q3", "question": "関西の二大都市は？", "answers": ["大阪\n京都"]},
]


@pytest.fixture
def runs(workspace: Path) -> tuple[Path, list[RunRecord]]:
    """A workspace with an llm-jp-eval graded eval, run by the oracle and the reader baselines."""
    write(workspace / "registry/evals/jqa.ja.yaml", EVAL)
    write_jsonl(workspace / "evals/jqa/ja.jsonl", ROWS)
    results = workspace / "results"
    made = harness.run("jqa.ja", ["baseline/oracle", "baseline/reader"], results=results, registries=[workspace])
    return workspace, made


def test_the_run_record_keeps_llm_jp_eval_names_with_char_f1_primary(runs: tuple[Path, list[RunRecord]]) -> None:
    _, made = runs
    for record in made:
        assert record.eval.metrics == ["char_f1", "exact_match", "set_f1"] and record.primary_metric == "char_f1"
        assert set(record.metrics) == {"char_f1", "exact_match", "set_f1"}
        assert record.eval.grader_options == {"standard": "llm-jp-eval"}
    oracle = next(record for record in made if record.model.name == "baseline/oracle")
    assert oracle.metrics["char_f1"].mean == oracle.metrics["set_f1"].mean == 1.0


def test_every_table_names_the_standard_beside_the_metric(runs: tuple[Path, list[RunRecord]]) -> None:
    workspace, made = runs
    assert "llm-jp-eval char_f1" in results_table(made, [], ["baseline/oracle", "baseline/reader"])

    registry = Registry.load(Workspace(workspace))
    board = build_board(choose(gather([workspace / "results"]), registry.evals), {})
    assert "jqa.ja (llm-jp-eval char_f1)" in board_text(board, markdown=True)
    cells = list(csv.DictReader(io.StringIO(board_csv(board))))
    assert {(cell["metric"], cell["standard"]) for cell in cells} == {("char_f1", "llm-jp-eval")}
    (column,) = json.loads(board_json(board))["columns"]
    assert (column["standard"], column["metric_label"]) == ("llm-jp-eval", "llm-jp-eval char_f1")

    folders = {record.model.name: Path(record.paths.run).parent for record in made}
    pair = (read_run(folders["baseline/oracle"]), read_run(folders["baseline/reader"]))
    document = compare([pair], resamples=200)
    assert document["comparisons"][0]["standard"] == "llm-jp-eval"
    assert "llm-jp-eval char_f1" in render(document)
    assert "llm-jp-eval set_f1" in render(compare([pair], metric="set_f1", resamples=200))

    frame = harness.load_runs(workspace / "results").frame()
    assert set(frame["standard"]) == {"llm-jp-eval"} and set(frame["metric"]) == {"char_f1", "exact_match", "set_f1"}


def test_evalrun_s_own_mode_shows_the_bare_metric(workspace: Path) -> None:
    write(workspace / "registry/evals/jqa.ja.yaml", EVAL.replace("  standard: llm-jp-eval\n", ""))
    write_jsonl(workspace / "evals/jqa/ja.jsonl", ROWS)
    made = harness.run("jqa.ja", ["baseline/oracle"], results=workspace / "results", registries=[workspace])
    table = results_table(made, [], ["baseline/oracle"])
    assert "| f1 " in table and "llm-jp-eval" not in table and "cjk" not in table
    assert set(harness.load_runs(workspace / "results").frame()["standard"]) == {None}
