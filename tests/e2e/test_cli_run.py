"""`evalrun run` end to end through the real command, against the real test server and the offline baselines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.runner.record_schemas import validator as record_validator
from tests.support import REPO, SECRET, against, evalrun
from tests.support.openai_server import FakeOpenAI, Fault

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def rows(relative: str) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for line in (REPO / "evals" / relative).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def varied(answer: str, i: int, sentence: bool = True) -> str:
    """A correct answer in another surface form: full-width digits, a trailing 。, other case, quotes, a sentence."""
    forms = [answer.translate(FULL_WIDTH), answer + "。", answer.upper(), f"「{answer}」", answer.lower() + " "]
    if sentence:
        forms.append(f"The answer is {answer}.")
    return forms[i % len(forms)]


def question_answering_server(server: FakeOpenAI, data: list[dict[str, Any]], key: str, wrong: str) -> set[str]:
    """Script `server` to answer two samples in three correctly (in varied forms); return the ids it gets right."""
    right = {row["id"] for i, row in enumerate(data) if i % 3 != 2}
    by_text = {row[key]: (i, row) for i, row in enumerate(data)}

    def answer(body: dict[str, Any]) -> str:
        prompt = body["messages"][-1]["content"]
        i, row = next(v for text, v in by_text.items() if text in prompt)
        return varied(row["answers"][0], i) if row["id"] in right else wrong

    server.answer = answer
    return right


def load_run(summary: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    run = json.loads(Path(summary["paths"]["run"]).read_text(encoding="utf-8"))
    samples = [json.loads(line) for line in Path(summary["paths"]["samples"]).read_text(encoding="utf-8").splitlines()]
    return run, samples


def test_run_against_openai_compatible_server(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    history, reading = rows("gpt-history/en.jsonl"), rows("comprehension/ja.jsonl")
    right_history = question_answering_server(openai_server, history, "question", "I do not know.")
    right_reading = {r["id"] for i, r in enumerate(reading) if i % 3 != 2}
    history_answer = openai_server.answer

    def answer(body: dict[str, Any]) -> str:
        prompt = body["messages"][-1]["content"]
        if "文章：" not in prompt:
            return history_answer(body)
        i, row = next((i, r) for i, r in enumerate(reading) if r["question"] in prompt and r["context"] in prompt)
        return varied(row["answers"][0], i, sentence=False) if row["id"] in right_reading else "わかりません"

    openai_server.answer = answer
    result = evalrun(
        "run",
        "gpt-history.en",
        "comprehension.ja",
        "--model",
        "openai/test-model",
        "--json",
        "--concurrency",
        "4",
        "--results",
        str(tmp_path / "out"),
        cwd=REPO,
        env={"OPENAI_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": SECRET},
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["skipped"] == []
    by_eval = {s["eval"]["id"]: s for s in document["runs"]}
    expectations = {
        "gpt-history.en": (history, right_history, "accuracy"),
        "comprehension.ja": (reading, right_reading, "em"),
    }
    for eval_id, (data, right, metric) in expectations.items():
        summary = by_eval[eval_id]
        assert summary["status"] == "complete"
        assert summary["primary_metric"] == metric
        assert summary["metrics"][metric]["mean"] == pytest.approx(len(right) / len(data))
        assert (
            summary["metrics"][metric]["ci_low"]
            < summary["metrics"][metric]["mean"]
            < summary["metrics"][metric]["ci_high"]
        )
        counts = dict(summary["counts"])
        assert counts.pop("in_language") == counts.pop("language_known")  # every answer told is in the eval's language
        assert counts == {
            "samples": len(data),
            "scored": len(data),
            "errors": 0,
            "unparsed": 0,
            "cached": 0,
            "cut": 0,
            "retries": 0,
        }
        run, samples = load_run(summary)
        assert run == summary
        assert run["model"]["served_by"] == ["test-model"]
        assert not list(record_validator("run").iter_errors(run))
        assert sorted(s["sample_id"] for s in samples) == sorted(r["id"] for r in data)
        for record in samples:
            assert not list(record_validator("sample").iter_errors(record))
            assert record["score"] == (1.0 if record["sample_id"] in right else 0.0), record
            assert record["messages"][-1]["role"] == "user" and record["error"] is None
            assert record["served_by"] == "test-model"
    assert openai_server.max_in_flight <= 4
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8")
    assert SECRET not in result.stdout + result.stderr


def test_failed_samples_are_recorded_and_counted(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    data = rows("gpt-history/en.jsonl")[:12]
    right = question_answering_server(openai_server, data, "question", "no idea")
    refused = {row["question"] for row in data[:3]}
    openai_server.fault_for = lambda body: (
        Fault("status", 400) if any(q in body["messages"][-1]["content"] for q in refused) else None
    )
    result = against(
        openai_server, "run", "gpt-history.en", "--model", "openai/m", "--limit", "12", "--results", str(tmp_path)
    )
    assert result.returncode == 1
    assert "3 sample(s) failed" in result.stderr
    assert re.search(
        r"gpt-history\.en\s*\|\s*accuracy\s*\|\s*\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\] n=9 err=3", result.stdout
    ), result.stdout
    run_dir = next((tmp_path / "runs").iterdir())
    summary = json.loads((run_dir / "run.json").read_text())
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    counts = dict(summary["counts"])
    assert counts.pop("in_language") == counts.pop("language_known")
    assert counts == {
        "samples": 12,
        "scored": 9,
        "errors": 3,
        "unparsed": 0,
        "cached": 0,
        "cut": 0,
        "retries": 0,
    }
    assert summary["metrics"]["accuracy"]["mean"] == pytest.approx(len(right - {r["id"] for r in data[:3]}) / 9)
    errored = [s for s in samples if s["error"]]
    assert len(errored) == 3 and all(s["score"] is None and "HTTP 400" in s["error"] for s in errored)
    assert summary["errors"] == [{"message": errored[0]["error"], "count": 3}]


def test_rate_limited_server_loses_nothing(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    data = rows("gpt-history/en.jsonl")[:10]
    question_answering_server(openai_server, data, "question", "no idea")
    openai_server.faults.extend([Fault("status", 429, retry_after="0"), Fault("status", 500), Fault("garbage")] * 2)
    result = against(
        openai_server,
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--limit",
        "10",
        "--json",
        "--results",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["runs"][0]
    _, samples = load_run(summary)
    assert summary["counts"]["errors"] == 0 and len(samples) == 10
    assert sum(s["attempts"] for s in samples) == 16


def test_quick_start_baselines_on_the_core_suite(tmp_path: Path) -> None:
    result = evalrun(
        "run",
        "core",
        "--model",
        "baseline/oracle",
        "--model",
        "baseline/random",
        "--model",
        "baseline/reader",
        "--results",
        str(tmp_path),
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    header, _, *body = result.stdout.split("\n\n")[0].splitlines()
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "eval",
        "metric",
        "baseline/oracle",
        "baseline/random",
        "baseline/reader",
    ]
    table = {
        line.split("|")[1].strip(): [c.strip() for c in line.strip("|").split("|")]
        for line in body
        if line.startswith("|")
    }
    from harness.registry.loader import Registry
    from harness.registry.workspace import Workspace

    assert set(table) == set(Registry.load(Workspace(REPO)).suites["core"].evals)
    for cells in table.values():
        assert cells[2].startswith("1.000 "), cells
    assert table["gpt-history.en"][3] == "n/a" and table["gpt-history.en"][4].startswith("0.000 ")
    assert "n/a: baseline/random — closed-book eval" in result.stdout


def test_unknown_eval_and_bad_flags_are_input_errors(tmp_path: Path) -> None:
    result = evalrun("run", "no-such-eval", "--model", "baseline/oracle", "--results", str(tmp_path), cwd=REPO)
    assert (
        result.returncode == 2
        and result.stderr == "evalrun: unknown eval or suite 'no-such-eval'; `evalrun list` shows them\n"
    )
    for flag, value, message in [
        ("--concurrency", "0", "must be from 1 to 1024, not 0"),
        ("--seed", "-1", "must be from 0"),
        ("--limit", "9" * 30, "a count must be from 1 to 1,000,000,000"),
        ("--timeout", "nan", "must be from"),
    ]:
        result = evalrun("run", "core", "--model", "baseline/oracle", flag, value, cwd=REPO)
        assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr, (
            flag,
            result.stderr,
        )
    result = evalrun("run", "core", "--model", "martian/x", cwd=REPO)
    assert (
        result.returncode == 2
        and result.stderr.strip()
        == "evalrun: unknown provider 'martian' in model 'martian/x' (known: openai, openai-completions, anthropic, ollama, baseline)"
    )
    result = evalrun("run", "core", "--model", "openai/x", cwd=REPO, env={"OPENAI_BASE_URL": "http://[::1"})
    assert result.returncode == 2 and "is not a valid URL" in result.stderr and "Traceback" not in result.stderr
    afile = tmp_path / "afile"
    afile.write_text("")
    result = evalrun("run", "core", "--model", "baseline/oracle", "--results", str(afile), cwd=REPO)
    assert result.returncode == 2 and "cannot create a run folder" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_interrupted_run_keeps_what_finished(openai_server: FakeOpenAI, tmp_path: Path, signal_name: str) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    openai_server.fault_for = lambda body: Fault("slow", seconds=0.1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {
        "OPENAI_BASE_URL": openai_server.base_url
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "run",
            "gpt-history.en",
            "--model",
            "openai/m",
            "--concurrency",
            "2",
            "--results",
            str(tmp_path),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(openai_server.requests) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(getattr(signal, signal_name))
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == (143 if signal_name == "SIGTERM" else 130), stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    run_dir = next((tmp_path / "runs").iterdir())
    summary = json.loads((run_dir / "run.json").read_text())
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    assert summary["status"] == "interrupted"
    assert 0 < len(samples) == summary["counts"]["samples"] < 50
    assert len({s["sample_id"] for s in samples}) == len(samples)
