"""The scratch workspace a benchmark runs in (E synthetic evals), the `evalrun run` command, and the records left."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from children import EVALRUN

EVAL = """\
id: {id}
description: Synthetic short questions for the benchmark.
language: en
version: 1
data: {{path: bench/{id}.jsonl}}
prompt: {{user: "{{{{ question }}}}"}}
generation: {{max_tokens: 8}}
grader: {{kind: exact}}
"""


def write_workspace(root: Path, evals: int, per_eval: int) -> list[str]:
    """Registry and data of `evals` evals of `per_eval` samples each (questions Q0, Q1, … across all); their ids."""
    (root / "registry/evals").mkdir(parents=True)
    (root / "evals/bench").mkdir(parents=True)
    ids = ["bench"] if evals == 1 else [f"bench-{e}" for e in range(evals)]
    for e, eval_id in enumerate(ids):
        (root / f"registry/evals/{eval_id}.yaml").write_text(EVAL.format(id=eval_id))
        with open(root / f"evals/bench/{eval_id}.jsonl", "w") as out:
            for n in range(e * per_eval, (e + 1) * per_eval):
                sample = {"id": f"s{n}", "question": f"Q{n}: what is the answer?", "answers": [f"A{n}"]}
                out.write(json.dumps(sample) + "\n")
    return ids


def run_command(evals: list[str], models: list[str], concurrency: int, results: Path, *options: str) -> list[str]:
    """`evalrun run` of every eval against every model, printing JSON."""
    command = [*EVALRUN, "run", *evals, "--json", "--concurrency", str(concurrency), "--results", str(results)]
    for model in models:
        command += ["--model", model]
    return command + list(options)


@dataclass(frozen=True)
class Records:
    """What a run left in its results folder: sample lines, distinct samples, failed samples, metrics per pair."""

    lines: int
    unique: int
    errors: int
    first_error: str | None
    metrics: dict[tuple[str, str], Any]

    def problems(self, expected: int) -> list[str]:
        """What is wrong with these records for `expected` samples in all: lost, duplicated or failed samples."""
        found = []
        if self.unique < expected:
            found.append(f"{expected - self.unique} lost")
        if self.lines > self.unique:
            found.append(f"{self.lines - self.unique} duplicated")
        if self.errors:
            found.append(f"{self.errors} failed (first: {self.first_error})")
        return found


def read_records(results: Path, document: Any) -> Records:
    """Count every samples.jsonl line under `results` and take each pair's metrics from the run's JSON output."""
    seen: Counter[tuple[str, str, int]] = Counter()
    errors, first_error = 0, None
    for path in sorted((results / "runs").glob("*/samples.jsonl")):
        with open(path) as lines:
            for line in lines:
                record = json.loads(line)
                seen[path.parent.name, record["sample_id"], record["epoch"]] += 1
                if record.get("error"):
                    errors += 1
                    first_error = first_error or record["error"]
    metrics = {(run["eval"]["id"], run["model"]["name"]): run["metrics"] for run in document["runs"]}
    return Records(sum(seen.values()), len(seen), errors, first_error, metrics)


def accuracy(records: Records) -> float:
    """The mean accuracy over every pair (each pair weighted alike)."""
    means: list[float] = [metrics["accuracy"]["mean"] for metrics in records.metrics.values()]
    return sum(means) / len(means)
