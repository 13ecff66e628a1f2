"""The `judge` grader: a model reads the answer with a rubric from registry/judges/; its reply is recorded and a reply
without a verdict is counted as unparsed, never as a pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.grading.judge import read_verdict
from harness.registry.specs import JudgeSpec, PromptSpec
from tests.support import evalrun, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault

EVAL = """\
id: judged
description: Judged answers.
language: en
version: 1
data: {path: judged/en.jsonl}
prompt: {user: "{{ question }}"}
grader: {kind: judge, rubric: correctness}
"""
ROWS = [
    {"id": "q1", "question": "Capital of Japan?", "answers": ["Tokyo"]},
    {"id": "q2", "question": "Capital of France?", "answers": ["Paris"]},
    {"id": "q3", "question": "Capital of Italy?", "answers": ["Rome"]},
]


@pytest.fixture
def judged(workspace: Path) -> Path:
    write(workspace / "registry/evals/judged.yaml", EVAL)
    (workspace / "registry/judges").mkdir()  # the rubric `correctness` comes from the built-in registry
    write_jsonl(workspace / "evals/judged/en.jsonl", ROWS)
    return workspace


def answer(body: dict[str, Any]) -> str:
    prompt = body["messages"][-1]["content"]
    if body["model"] == "m":  # the model under test: right about Japan and Italy, wrong about France
        return {"Capital of Japan?": "It is Tokyo.", "Capital of France?": "Lyon", "Capital of Italy?": "Rome"}[prompt]
    if "Capital of Italy?" in prompt:
        return "I am not sure what to say."  # no verdict
    return "Reasoning...\nVERDICT: CORRECT" if "Tokyo" in prompt.split("<answer>")[1] else "VERDICT: INCORRECT"


def run(server: FakeOpenAI, workspace: Path, *extra: str) -> Any:
    return evalrun(
        "run",
        "judged",
        "--model",
        "openai/m",
        "--json",
        "--no-cache",
        "--max-errors",
        "1000",
        *extra,
        cwd=workspace,
        env={"OPENAI_BASE_URL": server.base_url},
    )


def test_a_judge_grades_and_its_reply_is_recorded(openai_server: FakeOpenAI, judged: Path) -> None:
    openai_server.answer = answer
    result = run(openai_server, judged, "--judge", "openai/j")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["runs"][0]
    assert summary["counts"]["unparsed"] == 1 and summary["metrics"]["score"]["mean"] == pytest.approx(1 / 3)
    assert summary["identity"]["judge"]["model"] == "j"
    records = {
        r["sample_id"]: r for r in map(json.loads, (judged / summary["paths"]["samples"]).read_text().splitlines())
    }
    assert records["q1"]["grader"]["verdict"] == "CORRECT" and "Reasoning" in records["q1"]["grader"]["judge_output"]
    assert records["q2"]["score"] == 0.0 and records["q2"]["grader"]["verdict"] == "INCORRECT"
    assert records["q3"]["unparsed"] and records["q3"]["score"] == 0.0 and records["q3"]["grader"]["verdict"] is None
    judge_prompts = [r["body"]["messages"][-1]["content"] for r in openai_server.requests if r["body"]["model"] == "j"]
    assert any("- Tokyo" in p and "It is Tokyo." in p for p in judge_prompts)


def test_a_failing_judge_fails_the_sample_and_keeps_the_answer(openai_server: FakeOpenAI, judged: Path) -> None:
    openai_server.answer = answer
    openai_server.fault_for = lambda body: Fault("status", 400) if body["model"] == "j" else None
    result = run(openai_server, judged, "--judge", "openai/j")
    assert result.returncode == 1
    summary = json.loads(result.stdout)["runs"][0]
    assert summary["counts"]["errors"] == 3
    record = json.loads((judged / summary["paths"]["samples"]).read_text().splitlines()[0])
    assert record["output"] and record["error"].startswith("judge openai/j: HTTP 400")


def test_a_judged_eval_needs_a_judge(openai_server: FakeOpenAI, judged: Path) -> None:
    result = run(openai_server, judged)
    assert result.returncode == 2 and "graded by a judge: give --judge MODEL" in result.stderr
    assert not openai_server.requests


def test_unknown_rubric_and_bad_pattern_are_validation_errors(judged: Path) -> None:
    write(judged / "registry/evals/judged.yaml", EVAL.replace("rubric: correctness", "rubric: missing"))
    write(
        judged / "registry/judges/bad.yaml",
        "id: bad\ndescription: d\nprompt: {user: x}\nverdicts: {A: 1, B: 0}\npattern: 'A|B'\n",
    )
    result = evalrun("validate", cwd=judged)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "registry/judges/bad.yaml:5: pattern: needs a group that holds the verdict",
        "registry/evals/judged.yaml:7: grader: unknown judge rubric 'missing' (registry/judges/)",
    ]


@pytest.mark.parametrize(
    "reply, verdict",
    [
        ("VERDICT: CORRECT", "CORRECT"),
        ("At first INCORRECT... on reflection: CORRECT", "CORRECT"),  # the last verdict counts
        ("The answer is INCORRECT", "INCORRECT"),  # never CORRECT read inside INCORRECT
        ("correct", None),  # verdict words are matched as written
        ("", None),
    ],
)
def test_reading_verdicts(reply: str, verdict: str | None) -> None:
    rubric = JudgeSpec("r", "d", PromptSpec(user="x"), {"CORRECT": 1.0, "INCORRECT": 0.0})
    assert read_verdict(rubric, reply) == verdict


def test_regrade_asks_the_judge_again_without_asking_the_model(openai_server: FakeOpenAI, judged: Path) -> None:
    openai_server.answer = answer
    openai_server.fault_for = lambda body: Fault("status", 400) if body["model"] == "j" else None
    failed = json.loads(run(openai_server, judged, "--judge", "openai/j").stdout)["runs"][0]
    assert failed["counts"]["errors"] == 3  # the judge refused every time; the answers were kept
    openai_server.fault_for = lambda body: None
    asked = len([r for r in openai_server.requests if r["body"]["model"] == "m"])
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    result = evalrun("regrade", failed["run_id"], "--judge", "openai/j", "--json", "--no-cache", cwd=judged, env=env)
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stdout)["runs"][0]
    assert new["regraded_from"] == failed["run_id"] and new["eval"]["judge"]["model"] == "j"
    assert new["counts"]["errors"] == 0 and new["counts"]["unparsed"] == 1
    assert new["metrics"]["score"]["mean"] == pytest.approx(1 / 3)
    records = {r["sample_id"]: r for r in map(json.loads, (judged / new["paths"]["samples"]).read_text().splitlines())}
    assert records["q1"]["grader"]["verdict"] == "CORRECT" and records["q1"]["error"] is None
    assert len([r for r in openai_server.requests if r["body"]["model"] == "m"]) == asked  # no new question asked


def test_a_judge_failing_during_a_regrade_fails_those_samples_only(openai_server: FakeOpenAI, judged: Path) -> None:
    openai_server.answer = answer
    first = json.loads(run(openai_server, judged, "--judge", "openai/j").stdout)["runs"][0]
    assert first["counts"]["errors"] == 0
    openai_server.fault_for = lambda body: (
        Fault("status", 500) if body["model"] == "j" and "Capital of France?" in str(body["messages"]) else None
    )
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    command = ["regrade", first["run_id"], "--judge", "openai/j", "--no-cache", "--json"]
    result = evalrun(*command, cwd=judged, env=env)
    assert result.returncode == 1, result.stderr  # as a run with failed samples
    assert "judged × openai/m: 1 sample(s) failed after retries; most often (1×): judge openai/j: HTTP 500" in (
        result.stderr
    )
    new = json.loads(result.stdout)["runs"][0]
    assert new["counts"]["errors"] == 1 and new["counts"]["samples"] == 3 and new["status"] == "complete"
    records = {r["sample_id"]: r for r in map(json.loads, (judged / new["paths"]["samples"]).read_text().splitlines())}
    assert records["q2"]["output"] == "Lyon" and records["q2"]["score"] is None
    assert records["q2"]["error"].startswith("judge openai/j: HTTP 500")
    assert records["q1"]["score"] == 1.0 and records["q1"]["error"] is None


def test_regrade_with_a_judge_chosen_on_the_command_line(openai_server: FakeOpenAI, judged: Path) -> None:
    write(judged / "registry/evals/judged.yaml", EVAL.replace("{kind: judge, rubric: correctness}", "{kind: exact}"))
    openai_server.answer = answer
    exact = json.loads(run(openai_server, judged).stdout)["runs"][0]
    assert exact["metrics"]["accuracy"]["mean"] == pytest.approx(1 / 3)  # only "Rome" is exactly right
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    regrade = ["regrade", exact["run_id"], "--grader", "judge", "--option", "rubric=correctness", "--json"]
    missing = evalrun(*regrade, cwd=judged, env=env)
    assert missing.returncode == 2 and "graded by a judge: give --judge MODEL" in missing.stderr
    unknown = evalrun(*regrade, "--judge", "openai/j", "--option", "rubric=nope", cwd=judged, env=env)
    assert unknown.returncode == 2 and "unknown judge rubric 'nope'" in unknown.stderr
    result = evalrun(*regrade, "--judge", "openai/j", cwd=judged, env=env)
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stdout)["runs"][0]
    assert new["eval"]["grader"] == "judge" and new["metrics"]["score"]["mean"] == pytest.approx(1 / 3)  # Tokyo only
    again = evalrun(*regrade, "--judge", "openai/j", cwd=judged, env=env)  # the judge's replies come from the cache
    judged_requests = len([r for r in openai_server.requests if r["body"]["model"] == "j"])
    assert again.returncode == 0 and judged_requests == 3
