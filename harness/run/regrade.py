"""Re-score a stored run's outputs with the eval's current grader (or another), as a new run linked to the old."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from harness.data.checks import check_data
from harness.data.dataset import Dataset
from harness.errors import InputError
from harness.grading import Grader, build_grader
from harness.grading.judge import JudgeError, JudgeGrader
from harness.registry.graders import KINDS
from harness.registry.specs import EvalSpec
from harness.registry.workspace import Workspace
from harness.run.store import RunStore
from harness.run.summary import Tally, now, summarize
from harness.types import Sample

WINDOW = 256
"""Records graded at once: a judge's requests overlap (its own concurrency limit applies) and memory stays flat."""


async def regrade(
    store: RunStore,
    run_id: str,
    spec: EvalSpec,
    workspace: Workspace,
    grader: Mapping[str, Any] | None = None,
    judge: JudgeGrader | None = None,
) -> dict[str, Any]:
    """Grade every stored output of `run_id` again (with the eval's current grader, or the `grader:` block given;
    `judge` when that grader is a judge), against the eval's current answers; the new run's summary."""
    old = store.summary(run_id)
    if old["eval"]["id"] != spec.id:
        raise InputError(f"evalrun: run {run_id} is of eval {old['eval']['id']!r}, not {spec.id!r}")
    problems = check_data(spec, workspace, hub=True)
    if problems:
        raise InputError(problems)
    dataset = Dataset(spec, workspace)
    current = {sample.id: sample for sample in dataset.samples()}
    config = grader or spec.grader_config
    kind = config["kind"]
    if (kind == "judge") != (judge is not None):
        raise InputError("evalrun: a judge grades only with the judge grader")  # the CLI pairs them; a misuse if not
    metrics = spec.metrics if kind == spec.grader else KINDS[kind].metrics
    scorer: Grader | JudgeGrader = judge or build_grader(config, spec.language)
    writer = store.create(spec.id, old["model"]["name"])
    tally = Tally(metrics, old.get("epochs", 1))
    store.repair(run_id)
    try:
        for window in _windows(store.records(run_id)):
            for record in await asyncio.gather(*(_rescored(record, scorer, current) for record in window)):
                writer.append(record)
                tally.add(record)
    finally:
        writer.close()
    summary = {
        **old,
        "run_id": writer.run_id,
        "regraded_from": run_id,
        "fingerprint": hashlib.sha256(f"regrade of {run_id} as {writer.run_id}".encode()).hexdigest(),
        "created_at": now(),
        "eval": {
            **old["eval"],
            "grader": kind,
            "grader_options": {k: v for k, v in config.items() if k != "kind"},
            **({"judge": dict(judge.judge.describe())} if judge else {}),
            "metrics": list(metrics),
            "spec_hash": spec.spec_hash,
            "data_hash": dataset.fingerprint(),
        },
        "paths": {"run": str(writer.run_path), "samples": str(writer.samples_path)},
    }
    summary.update(
        summarize(tally, metrics, old["seed"], old.get("duration_s") or 0.0, None, old.get("reducer", "mean")),
        finished_at=now(),
    )
    summary["cost_usd"] = old.get("cost_usd")  # the same answers, paid for once
    if old.get("status") != "complete":
        summary["status"] = old.get("status")
    writer.write_summary(summary)
    return summary


def _windows(records: Iterable[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """The records in consecutive lists of at most WINDOW."""
    window: list[dict[str, Any]] = []
    for record in records:
        window.append(record)
        if len(window) == WINDOW:
            yield window
            window = []
    if window:
        yield window


async def _rescored(
    record: dict[str, Any], scorer: Grader | JudgeGrader, current: Mapping[str, Sample]
) -> dict[str, Any]:
    """The record graded again: every answer the model gave, including one whose judge failed before."""
    if record["output"] is None:  # the model never answered: nothing to grade
        return record
    sample = current.get(record["sample_id"]) or _recorded_sample(record)
    try:
        if isinstance(scorer, JudgeGrader):
            score = await scorer.agrade(record["output"], sample)
        else:
            score = scorer.grade(record["output"], sample)
    except JudgeError as exc:
        return {**record, "score": None, "metrics": None, "unparsed": False, "grader": None, "error": str(exc)}
    return {
        **record,
        "references": list(sample.references),
        "score": score.value,
        "metrics": dict(score.metrics),
        "unparsed": score.unparsed,
        "grader": dict(score.detail),
        "error": None,
    }


def _recorded_sample(record: dict[str, Any]) -> Sample:
    """A sample rebuilt from its record, for one no longer in the eval's data."""
    return Sample(record["sample_id"], {}, tuple(record["references"]), tuple(record.get("choices") or ()))
