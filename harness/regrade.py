"""Re-score a stored run's outputs with the eval's current grader (or another), as a new run linked to the old."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from harness.data import Dataset
from harness.datacheck import check_data
from harness.errors import InputError
from harness.grading import build_grader
from harness.spec import GRADER_METRICS, EvalSpec
from harness.store import RunStore
from harness.summary import Tally, now, summarize
from harness.types import Sample
from harness.workspace import Workspace

_SCORE_FIELDS = ("score", "metrics", "unparsed", "grader")


def regrade(
    store: RunStore, run_id: str, spec: EvalSpec, workspace: Workspace, grader: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Grade every stored output of `run_id` again (with the eval's current grader, or the `grader:` block given),
    against the eval's current answers; the new run's summary."""
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
    if kind == "judge":
        raise InputError(f"evalrun: regrade cannot ask a judge yet; run {spec.id} again with --judge (answers are cached)")
    metrics = spec.metrics if kind == spec.grader else GRADER_METRICS[kind]
    scorer = build_grader(config, spec.language)
    writer = store.create(spec.id, old["model"]["name"])
    tally = Tally(metrics, old.get("epochs", 1))
    store.repair(run_id)
    try:
        for record in store.records(run_id):
            if record["error"] is None:
                sample = current.get(record["sample_id"]) or _recorded_sample(record)
                score = scorer.grade(record["output"], sample)
                record = {
                    **record,
                    "references": list(sample.references),
                    "score": score.value,
                    "metrics": dict(score.metrics),
                    "unparsed": score.unparsed,
                    "grader": dict(score.detail),
                }
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


def _recorded_sample(record: dict[str, Any]) -> Sample:
    """A sample rebuilt from its record, for one no longer in the eval's data."""
    return Sample(record["sample_id"], {}, tuple(record["references"]), tuple(record.get("choices") or ()))
