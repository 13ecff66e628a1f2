"""Stored runs for report tests: models of known strength on the registry's evals as they are now, one of them with
hostile text in its name, answers and grader details."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.data.dataset import Dataset
from harness.registry.loader import Registry
from harness.registry.workspace import Workspace
from harness.runner.records import SampleRecord, run_data, sample_data
from harness.runner.statistics import estimate
from tests.support import REPO, run_record, write

REGISTRY = Registry.load(Workspace(REPO))
XSS = {
    "name": "evil<img src=x onerror=window.__xss=1>",
    "answer": '</textarea><script>window.__xss=1</script><a href="javascript:window.__xss=1">x</a>',
    "sample": "",
}


def stored(results: Path, model: str, eval_id: str, answers: dict[str, tuple[str, float | None, str | None]]) -> str:
    """A complete run of `eval_id` (as the registry has it now) by `model` with these (output, score, error) answers."""
    spec = REGISTRY.evals[eval_id]
    run_id = f"{eval_id}-{len(list(results.glob('runs/*'))):03d}"
    scores = [score for _, score, error in answers.values() if error is None and score is not None]
    errors = sum(error is not None for _, _, error in answers.values())
    metric = spec.primary_metric
    record = run_record(
        run_id=run_id,
        eval={"id": eval_id, "language": spec.language, "spec_hash": spec.spec_hash, "data_hash": _data(spec),
              "metrics": list(spec.metrics)},
        model={"name": model},
        primary_metric=metric,
        metrics={metric: estimate(scores)},
        counts={"samples": len(answers), "scored": len(answers) - errors, "errors": errors},
        created_at=f"2026-01-01T00:00:{len(list(results.glob('runs/*'))):02d}+00:00",
    )  # fmt: skip
    folder = results / "runs" / run_id
    write(folder / "run.json", json.dumps(run_data(record)))
    lines = []
    for sample_id, (output, score, error) in answers.items():
        metrics = None if error else {name: score for name in spec.metrics}
        detail: dict[str, Any] | None = None if error else {"matched": output, "note": XSS["answer"]}
        lines.append(
            SampleRecord(sample_id, 1, messages=[{"role": "user", "content": f"Q {sample_id}"}], references=["ref"],
                         output=output, score=None if error else score, metrics=metrics, grader=detail, error=error)
        )  # fmt: skip
    write(folder / "samples.jsonl", "".join(json.dumps(sample_data(line)) + "\n" for line in lines))
    return run_id


def _data(spec: Any) -> str:
    return Dataset(spec).fingerprint()


def hostile_runs(results: Path) -> None:
    """strong (all right), weak (half right, one failed), the hostile model, and a baseline, on two evals."""
    for eval_id in ("gpt-history.en", "comprehension.ja"):
        ids = [sample.id for sample in Dataset(REGISTRY.evals[eval_id]).samples()][:10]
        XSS["sample"] = XSS["sample"] or ids[3]
        stored(results, "strong", eval_id, {i: ("right", 1.0, None) for i in ids})
        weak = {i: ("right" if n % 2 else "wrong", float(n % 2), None) for n, i in enumerate(ids)}
        weak[ids[0]] = ("", None, "HTTP 500: boom")
        stored(results, "weak", eval_id, weak)
        hostile = {i: (XSS["answer"] + "\u202e" + "txt.exe", 1.0 if n % 2 else 0.0, None) for n, i in enumerate(ids)}
        stored(results, XSS["name"], eval_id, hostile)
        stored(results, "baseline/oracle", eval_id, {i: ("right", 1.0, None) for i in ids})
