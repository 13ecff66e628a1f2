"""Every eval × model pair of a run is in flight at once, each model capped by its --concurrency across its evals;
pairs keep their own records, --max-errors stop and resume; the progress display shows every pair."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.runner.progress import Board
from harness.runner.records import SampleRecord
from harness.runner.summary import Tally
from tests.support import evalrun, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault, ServerThread

SAMPLES = 16
CONCURRENCY = 3
EVALS = ("alpha", "beta")
MODELS = ("m1", "m2")
PAIRS = [(eval_id, model) for eval_id in EVALS for model in MODELS]  # the order summaries come back in
LINE = re.compile(
    r"(?P<label>\S+ × \S+)  (?P<done>\d+)/(?P<total>\d+)  \d+\.\d/s  "
    r"(?P<when>ETA \S+|(?:complete|stopped|interrupted|failed) in \S+)  retries (?P<retries>\d+)  "
    r"errors (?P<errors>\d+)(?:  cap (?P<cap>\d+))?"
)
"""A plain progress line."""


@dataclass(frozen=True)
class Site:
    """A workspace with evals alpha and beta, and presets m1 and m2 on two ports of one server state."""

    root: Path
    server: FakeOpenAI


@pytest.fixture
def site(workspace: Path) -> Iterator[Site]:
    """Each model is its own endpoint (its own port), while the server's counts are shared by both."""
    for eval_id in EVALS:
        write(
            workspace / f"registry/evals/{eval_id}.yaml",
            f"id: {eval_id}\ndescription: Scheduling test eval {eval_id}.\nlanguage: en\nversion: 1\n"
            f"data: {{path: sched/{eval_id}.jsonl}}\n"
            f'prompt: {{system: "eval {eval_id}", user: "{{{{ question }}}}"}}\ngrader: {{kind: includes}}\n',
        )
        rows = [
            {"id": f"{eval_id}-{i}", "question": f"{eval_id} question {i}?", "answers": ["ok"]} for i in range(SAMPLES)
        ]
        write_jsonl(workspace / f"evals/sched/{eval_id}.jsonl", rows)
    state = FakeOpenAI()
    threads = [ServerThread(state) for _ in MODELS]
    for model, thread in zip(MODELS, threads, strict=True):
        write(
            workspace / f"registry/models/{model}.yaml",
            f"id: {model}\nprovider: openai\nmodel: {model}\n"
            f"base_url: http://127.0.0.1:{thread.httpd.server_address[1]}/v1\n",
        )
    with threads[0], threads[1]:
        yield Site(workspace, state)


def command(results: Path, *extra: str) -> list[str]:
    models = [arg for model in MODELS for arg in ("--model", model)]
    return ["run", *EVALS, *models, "--concurrency", str(CONCURRENCY), "--no-cache", "--results", str(results), *extra]


def eval_of(request: dict[str, Any]) -> str:
    return str(request["body"]["messages"][0]["content"]).removeprefix("eval ")


def records(site: Site, summary: dict[str, Any]) -> list[dict[str, Any]]:
    path = Path(summary["paths"]["samples"])
    return [json.loads(line) for line in (path if path.is_absolute() else site.root / path).read_text().splitlines()]


def test_pairs_overlap_and_each_model_keeps_its_concurrency(site: Site, tmp_path: Path) -> None:
    server = site.server
    server.fault_for = lambda body: Fault("slow", seconds=0.05)
    result = evalrun(*command(tmp_path / "results", "--json"), cwd=site.root)
    assert result.returncode == 0, result.stderr
    summaries = json.loads(result.stdout)["runs"]
    assert [(s["eval"]["id"], s["model"]["name"]) for s in summaries] == PAIRS

    assert len(server.requests) == len(PAIRS) * SAMPLES
    assert server.max_in_flight > CONCURRENCY  # both models were being asked at the same time
    assert set(server.max_in_flight_by_model) == set(MODELS)
    assert all(peak <= CONCURRENCY for peak in server.max_in_flight_by_model.values()), server.max_in_flight_by_model
    for model in MODELS:  # a model's evals share its places: both are asked well before either is done
        asked = [eval_of(r) for r in server.requests if r["body"]["model"] == model]
        assert set(asked[:SAMPLES]) == set(EVALS), asked

    assert len({s["run_id"] for s in summaries}) == len(PAIRS)
    for summary in summaries:
        assert summary["status"] == "complete" and summary["counts"]["samples"] == SAMPLES
        ids = [r["sample_id"] for r in records(site, summary)]
        assert sorted(ids) == sorted(f"{summary['eval']['id']}-{i}" for i in range(SAMPLES))
    assert {(eval_of(r), r["body"]["model"]) for r in server.requests} == set(PAIRS)


def test_latency_is_the_request_not_the_wait_for_a_place(site: Site, tmp_path: Path) -> None:
    """Samples queue for their model's places; a record's latency is its own request's time only."""
    site.server.fault_for = lambda body: Fault("slow", seconds=0.05)
    result = evalrun(*command(tmp_path / "results", "--json"), cwd=site.root)
    assert result.returncode == 0, result.stderr
    summaries = json.loads(result.stdout)["runs"]
    for model in MODELS:
        mine = [s for s in summaries if s["model"]["name"] == model]
        latencies = [r["latency_s"] for s in mine for r in records(site, s)]
        assert all(latency >= 0.05 for latency in latencies)
        # at most CONCURRENCY requests of a model are in flight at once, so their times add up to no more than that
        # many times the run's length; waits for a place would add up to several times as much
        assert sum(latencies) <= CONCURRENCY * max(s["duration_s"] for s in mine) * 1.05, (sum(latencies), mine)


def test_plain_progress_has_a_final_line_for_every_pair(site: Site, tmp_path: Path) -> None:
    result = evalrun(*command(tmp_path / "results"), cwd=site.root)
    assert result.returncode == 0, result.stderr
    lines = [m for m in map(LINE.fullmatch, result.stderr.splitlines()) if m]
    assert sorted(m["label"] for m in lines) == sorted(f"{e} × {m}" for e, m in PAIRS)  # a short run: final lines only
    assert all(m["done"] == m["total"] == str(SAMPLES) and m["when"].startswith("complete in") for m in lines)
    assert "\r" not in result.stderr and "\x1b[" not in result.stderr


def test_max_errors_stops_one_pair_and_not_the_others(site: Site, tmp_path: Path) -> None:
    server = site.server

    def fault(body: dict[str, Any]) -> Fault:
        if body["model"] == "m1" and body["messages"][0]["content"] == "eval alpha":
            return Fault("status", 401)
        return Fault("slow", seconds=0.02)

    server.fault_for = fault
    result = evalrun(*command(tmp_path / "results", "--json", "--max-errors", "2"), cwd=site.root)
    assert result.returncode == 1
    by_pair = {(s["eval"]["id"], s["model"]["name"]): s for s in json.loads(result.stdout)["runs"]}
    stopped = by_pair.pop(("alpha", "m1"))
    assert stopped["status"] == "stopped" and stopped["stopped"] == "3 samples failed, more than --max-errors 2"
    assert 3 <= stopped["counts"]["samples"] == stopped["counts"]["errors"] < SAMPLES
    for summary in by_pair.values():
        assert summary["status"] == "complete" and summary["counts"] == {**summary["counts"], "errors": 0}
        assert summary["counts"]["samples"] == SAMPLES


def test_interrupt_leaves_every_pair_resumable(site: Site, tmp_path: Path) -> None:
    server = site.server
    server.fault_for = lambda body: Fault("slow", seconds=0.2)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_") and k != "EVALRUN_HOME"}
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", *command(tmp_path / "results")],
        cwd=site.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(server.requests) < 2 * CONCURRENCY and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    runs = {}
    for run_dir in (tmp_path / "results/runs").iterdir():
        summary = json.loads((run_dir / "run.json").read_text())
        runs[(summary["eval"]["id"], summary["model"]["name"])] = summary
    assert sorted(runs) == sorted(PAIRS)
    assert all(s["status"] == "interrupted" for s in runs.values())
    recorded = sum(s["counts"]["samples"] for s in runs.values())
    assert recorded < len(PAIRS) * SAMPLES

    server.fault_for = lambda body: None
    asked_before = len(server.requests)
    result = evalrun(*command(tmp_path / "results", "--resume", "--json"), cwd=site.root)
    assert result.returncode == 0, result.stderr
    summaries = json.loads(result.stdout)["runs"]
    assert len(server.requests) - asked_before == len(PAIRS) * SAMPLES - recorded  # nothing asked twice
    for summary in summaries:
        pair = (summary["eval"]["id"], summary["model"]["name"])
        assert summary["run_id"] == runs[pair]["run_id"] and summary["status"] == "complete"
        ids = [r["sample_id"] for r in records(site, summary)]
        assert len(ids) == len(set(ids)) == SAMPLES == summary["counts"]["samples"]


def record(i: int, error: str | None = None, attempts: int = 1) -> SampleRecord:
    """A finished sample record as the runner writes it."""
    metrics = None if error else {"accuracy": 1.0}
    return SampleRecord(f"s{i}", 1, latency_s=0.1, attempts=attempts, error=error, metrics=metrics)


def test_plain_lines_come_every_interval_for_unfinished_pairs() -> None:
    stream = io.StringIO()

    async def wait_for(text: str, after: int) -> None:
        while text not in stream.getvalue()[after:]:
            await asyncio.sleep(0.005)

    async def show() -> None:
        alpha, beta = Tally(("accuracy",)), Tally(("accuracy",))
        async with Board(stream=stream, interval=0.01) as board:
            first = board.add("alpha × m1", 4, alpha, lambda: 2)
            second = board.add("beta × m1", 4, beta)
            alpha.add(record(0))
            alpha.add(record(1, error="HTTP 500", attempts=3))
            await asyncio.wait_for(wait_for("beta × m1  0/4", 0), 30)
            board.finish(first, "complete")
            mark = len(stream.getvalue())
            await asyncio.wait_for(wait_for("beta × m1  0/4", mark), 30)
            board.finish(second, "interrupted")
            board.finish(second, "failed")  # a pair ends once

    asyncio.run(show())
    lines = stream.getvalue().splitlines()
    matches = [LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    alpha = [m for m in matches if m and m["label"] == "alpha × m1"]
    beta = [m for m in matches if m and m["label"] == "beta × m1"]
    assert alpha[-1]["when"].startswith("complete in") and alpha[-1]["cap"] is None  # the final line
    assert all(m["when"].startswith("ETA") for m in alpha[:-1]) and alpha[-2]["cap"] == "2"
    assert alpha[-2]["done"] == "2" and alpha[-2]["retries"] == "2" and alpha[-2]["errors"] == "1"
    final = lines.index(alpha[-1].string)
    assert any(m and m["label"] == "beta × m1" for m in matches[final + 1 :])  # still drawn while unfinished
    assert [m["when"].split()[0] for m in beta if not m["when"].startswith("ETA")] == ["interrupted"]
    assert beta[-1]["when"].startswith("interrupted in")


def test_plain_progress_never_imports_rich() -> None:
    script = (
        "import asyncio, io, sys\n"
        "from harness.runner.progress import Board\n"
        "from harness.runner.summary import Tally\n"
        "async def main():\n"
        "    async with Board(stream=io.StringIO(), interval=0.01) as board:\n"
        "        board.finish(board.add('a × m', 1, Tally(('accuracy',))), 'complete')\n"
        "asyncio.run(main())\n"
        "assert 'rich' not in sys.modules, 'rich imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
