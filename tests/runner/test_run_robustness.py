"""A run keeps run.json current while it goes, and a fault inside a pair's work (not a sample's) ends that run failed
and resumable, with one line on stderr and every finished record kept."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import harness.models
from harness.cli import main
from harness.registry.specs import EvalSpec
from harness.runner import engine
from harness.types import Request, Response, Usage
from tests.support import write, write_jsonl
from tests.support.openai_server import FakeOpenAI

TOTAL = 20
FREE = 5
"""Samples the server answers at once in the periodic-save test; it holds the others until run.json shows progress."""
CRASH_ON = "s-10"


@pytest.fixture
def toy(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with eval `toy` (TOTAL samples whose answer is `ok`) as the current folder."""
    write(
        workspace / "registry/evals/toy.yaml",
        "id: toy\ndescription: Robustness test eval.\nlanguage: en\nversion: 1\ndata: {path: toy/toy.jsonl}\n"
        'prompt: {user: "{{ question }}"}\ngrader: {kind: includes}\n',
    )
    rows = [{"id": f"s-{i}", "question": f"question {i}?", "answers": ["ok"]} for i in range(TOTAL)]
    write_jsonl(workspace / "evals/toy/toy.jsonl", rows)
    monkeypatch.chdir(workspace)
    monkeypatch.delenv("EVALRUN_HOME", raising=False)
    return workspace


def run_folders(results: Path) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each run under `results` by model name: its run.json and its sample records."""
    found = {}
    for folder in (results / "runs").iterdir():
        summary = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        lines = (folder / "samples.jsonl").read_text(encoding="utf-8").splitlines()
        found[summary["model"]["name"]] = (summary, [json.loads(line) for line in lines])
    return found


def test_a_running_run_keeps_its_run_json_current(
    toy: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the save interval at zero, run.json shows the samples finished so far while the others are still asked."""
    monkeypatch.setattr(engine, "SAVE_SECONDS", 0.0)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    results = toy / "results"
    gate = threading.Event()

    def hold(body: dict[str, Any]) -> None:
        if int(body["messages"][-1]["content"].removeprefix("question ").removesuffix("?")) >= FREE:
            gate.wait(60)  # released as soon as run.json has shown progress (or the watcher gave up)

    openai_server.fault_for = hold
    seen: list[dict[str, Any]] = []

    def watch() -> None:
        try:
            deadline = time.monotonic() + 60
            while not seen and time.monotonic() < deadline:
                for path in results.glob("runs/*/run.json"):
                    summary = json.loads(path.read_text(encoding="utf-8"))  # replaced atomically: never half a file
                    if summary["counts"]["samples"] > 0:
                        seen.append(summary)
                time.sleep(0.01)
        finally:
            gate.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        status = main(["run", "toy", "--model", "openai/m", "--results", str(results), "--quiet", "--no-cache"])
    finally:
        gate.set()
        watcher.join()
    assert status == 0, capsys.readouterr().err
    assert seen, "run.json never showed a finished sample while the run went on"
    during = seen[0]
    assert during["status"] == "running" and during["finished_at"] is None
    assert 0 < during["counts"]["samples"] <= FREE < TOTAL
    assert during["duration_s"] > 0  # a run killed now would still tell how long it had run
    ((after, records),) = run_folders(results).values()
    assert after["run_id"] == during["run_id"] and after["status"] == "complete"
    assert after["counts"]["samples"] == len(records) == TOTAL


class Scripted:
    """A model in this process (no network): each answer comes from `answer`, which may raise or wait."""

    cacheable = False
    prices = None

    def __init__(self, name: str, answer: Callable[[Request], Awaitable[str]]):
        self.name = name
        self.answer = answer
        self.asked: list[str] = []

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        return None

    def describe(self) -> Mapping[str, Any]:
        return {"provider": "scripted", "model": self.name, "params": {}}

    async def complete(self, request: Request) -> Response:
        self.asked.append(request.sample.id)
        return Response(await self.answer(request), Usage(1, 1), "stop", self.name)

    def throttle(self) -> int | None:
        return None

    async def aclose(self) -> None:
        pass


def use_models(monkeypatch: pytest.MonkeyPatch, *models: Scripted) -> None:
    """Make `evalrun run --model NAME` open these models by name."""
    by_name = {model.name: model for model in models}
    monkeypatch.setattr(harness.models, "open_provider", lambda name, *rest, **named: by_name[name])


def test_a_fault_in_a_pair_leaves_its_run_failed_and_resumable(
    toy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unexpected exception (not a ProviderError) inside one pair's work: one line and exit 1, never a traceback;
    the pair's finished records are kept and its run.json says failed; the other pair, cancelled mid-run, is left
    interrupted; --resume then finishes both without asking a finished sample again."""
    results = toy / "results"
    steady_answered = asyncio.Event()
    answered: list[str] = []

    async def crash(request: Request) -> str:
        if request.sample.id == CRASH_ON:
            await steady_answered.wait()  # the other pair is under way when the fault comes
            raise RuntimeError("boom")
        return "ok"

    async def steady(request: Request) -> str:
        if len(answered) >= FREE:
            await asyncio.Event().wait()  # never answered: still in flight when the run ends
        answered.append(request.sample.id)
        if len(answered) == FREE:
            steady_answered.set()
        return "ok"

    crashing, holding = Scripted("crashing", crash), Scripted("steady", steady)
    use_models(monkeypatch, crashing, holding)
    command = ["run", "toy", "--model", "crashing", "--model", "steady", "--results", str(results), "--quiet"]
    assert main(command) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if "crashing" in line]
    assert line.startswith("evalrun: toy × crashing: RuntimeError: boom (at test_run_robustness.py:")
    assert line.endswith("; finished samples are kept, --resume continues")

    before = run_folders(results)
    failed, failed_records = before["crashing"]
    assert failed["status"] == "failed" and failed["finished_at"] is not None
    ids = [r["sample_id"] for r in failed_records]
    assert CRASH_ON not in ids and len(ids) == len(set(ids)) == failed["counts"]["samples"] > 0
    assert all(r["output"] == "ok" and r["error"] is None for r in failed_records)
    interrupted, interrupted_records = before["steady"]
    assert interrupted["status"] == "interrupted"
    assert 0 < len(interrupted_records) == interrupted["counts"]["samples"] <= FREE

    well = [Scripted(name, lambda request: asyncio.sleep(0, "ok")) for name in ("crashing", "steady")]
    use_models(monkeypatch, *well)
    assert main([*command, "--resume"]) == 0, capsys.readouterr().err
    after = run_folders(results)
    for model in well:
        summary, records = after[model.name]
        first, first_records = before[model.name]
        assert summary["run_id"] == first["run_id"] and summary["status"] == "complete" and summary["resumed"] == 1
        assert records[: len(first_records)] == first_records  # what finished before the fault is kept as it was
        assert sorted(r["sample_id"] for r in records) == sorted(f"s-{i}" for i in range(TOTAL))
        assert summary["counts"]["samples"] == TOTAL and summary["counts"]["errors"] == 0
        assert sorted(model.asked) == sorted({f"s-{i}" for i in range(TOTAL)} - {r["sample_id"] for r in first_records})
