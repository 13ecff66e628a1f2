"""Re-score a stored run's outputs with the eval's current grader (or another), as a new run linked to the old."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from harness.data.checks import check_data
from harness.data.dataset import Dataset
from harness.errors import InputError
from harness.grading.isolation import GradingFailed
from harness.grading.judge import JudgeGrader
from harness.grading.provenance import grader_libraries
from harness.grading.scorer import Scorer, scorer
from harness.registry.graders import metrics_when_changed
from harness.registry.specs import EvalSpec
from harness.runner.records import SCHEMA_VERSION, Paths, RunRecord, SampleRecord
from harness.runner.store import RunStore
from harness.runner.summary import Tally, now, summarize
from harness.types import Sample

WINDOW = 256
"""Records graded at once: a judge's requests overlap (its own concurrency limit applies) and memory stays flat."""


async def regrade(
    store: RunStore,
    run_id: str,
    spec: EvalSpec,
    grader: Mapping[str, Any] | None = None,
    judge: JudgeGrader | None = None,
) -> RunRecord:
    """Grade every stored output of `run_id` again (with the eval's current grader, or the `grader:` block given;
    `judge` when that grader is a judge), against the eval's current answers; the new run's summary."""
    old = store.summary(run_id)
    if old.eval.id != spec.id:
        raise InputError(f"evalrun: run {run_id} is of eval {old.eval.id!r}, not {spec.id!r}")
    problems = check_data(spec, hub=True)
    if problems:
        raise InputError(problems)
    dataset = Dataset(spec)
    current = {sample.id: sample for sample in dataset.samples()}
    config = grader or spec.grader_config
    kind = config["kind"]
    if (kind == "judge") != (judge is not None):
        raise InputError("evalrun: a judge grades only with the judge grader")  # the CLI pairs them; a misuse if not
    metrics = metrics_when_changed(spec.metrics, spec.grader_config, config)
    scoring = scorer(config, spec.language, judge)
    writer = store.create(spec.id, old.model.name)
    tally = Tally(metrics, old.epochs)
    store.repair(run_id)
    try:
        for window in _windows(store.records(run_id, old.schema_version)):
            for record in await asyncio.gather(*(_rescored(record, scoring, current) for record in window)):
                writer.append(record)
                tally.add(record)
    finally:
        writer.close()
    identity = {key: value for key, value in old.identity.items() if key != "grader_libraries"}
    libraries = grader_libraries(config)
    if libraries:  # the versions this regrade scored with, not the old run's
        identity["grader_libraries"] = libraries
    summary = replace(
        old,
        schema_version=SCHEMA_VERSION,
        identity=identity,
        run_id=writer.run_id,
        regraded_from=run_id,
        fingerprint=hashlib.sha256(f"regrade of {run_id} as {writer.run_id}".encode()).hexdigest(),
        created_at=now(),
        eval=replace(
            old.eval,
            grader=kind,
            grader_options={k: v for k, v in config.items() if k != "kind"},
            judge=dict(judge.judge.describe()) if judge else old.eval.judge,
            metrics=list(metrics),
            spec_hash=spec.spec_hash,
            data_hash=dataset.fingerprint(),
        ),
        paths=Paths(str(writer.run_path), str(writer.samples_path)),
        finished_at=now(),
    )
    summary.set_results(summarize(tally, metrics, old.seed, old.duration_s, None, old.reducer))
    summary.cost_usd = old.cost_usd  # the same answers, paid for once
    writer.write_summary(summary)
    return summary


def _windows(records: Iterable[SampleRecord]) -> Iterable[list[SampleRecord]]:
    """The records in consecutive lists of at most WINDOW."""
    window: list[SampleRecord] = []
    for record in records:
        window.append(record)
        if len(window) == WINDOW:
            yield window
            window = []
    if window:
        yield window


async def _rescored(record: SampleRecord, grader: Scorer, current: Mapping[str, Sample]) -> SampleRecord:
    """The record graded again: every answer the model gave, including one whose judge failed before."""
    if record.output is None:  # the model never answered: nothing to grade
        return record
    sample = current.get(record.sample_id) or _recorded_sample(record)
    try:
        score = await grader.score(record.output, sample)
    except GradingFailed as exc:
        return replace(record, score=None, metrics=None, unparsed=False, grader=None, error=str(exc))
    return replace(
        record,
        references=list(sample.references),
        score=score.value,
        metrics=dict(score.metrics),
        unparsed=score.unparsed,
        grader=dict(score.detail),
        error=None,
    )


def _recorded_sample(record: SampleRecord) -> Sample:
    """A sample rebuilt from its record, for one no longer in the eval's data."""
    return Sample(record.sample_id, {}, tuple(record.references), tuple(record.choices or ()))
