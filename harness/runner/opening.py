"""Opening a run's record: a new run folder, or the unfinished one being resumed, named by the run's identity."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from harness import __version__
from harness.errors import InputError
from harness.grading.provenance import grader_libraries
from harness.models.base import MAX_ANSWER_BYTES, Provider
from harness.registry.specs import EvalSpec
from harness.registry.workspace import display_path
from harness.runner.records import EvalInfo, ModelInfo, Paths, RunRecord, SampleRecord
from harness.runner.store import RunStore, RunWriter
from harness.runner.summary import now

if TYPE_CHECKING:
    from harness.runner.engine import RunOptions

RESUME_ANY = "any"
"""`--resume` without a run id: continue the newest unfinished run with the same identity."""


def open_run(
    spec: EvalSpec, provider: Provider, options: RunOptions, store: RunStore, data_hash: str
) -> tuple[RunWriter, RunRecord, Iterable[SampleRecord]]:
    """A new run folder, or the unfinished one being resumed: its writer, summary and the records it holds."""
    identity = identity_of(spec, dict(provider.describe()), options, data_hash)
    if spec.id in options.judges:  # a different judge makes a different run
        identity["judge"] = dict(options.judges[spec.id].judge.describe())
    fingerprint = fingerprint_of(identity)
    run_id = store.unfinished(fingerprint) if options.resume == RESUME_ANY else options.resume
    if run_id is None and options.resume == RESUME_ANY:
        options.say(f"{spec.id} × {provider.name}: no unfinished run with these settings to resume; starting a new run")
    if run_id is None:
        writer = store.create(spec.id, provider.name)
        return writer, header(spec, provider, options, writer, data_hash, identity), []
    summary = store.summary(run_id)
    if summary.regraded_from is not None:
        raise InputError(f"evalrun: run {run_id} is a regrade of {summary.regraded_from}; resume that run instead")
    if summary.fingerprint != fingerprint:
        stored = summary.identity
        changed = [key for key in identity if stored.get(key) != identity[key]] or ["harness record format"]
        raise InputError(f"evalrun: cannot resume {run_id}: its {', '.join(changed)} no longer match; start a new run")
    if summary.status == "complete":
        raise InputError(f"evalrun: run {run_id} is complete; there is nothing to resume")
    writer = store.reopen(run_id)  # takes the run's lock first, so no other process can be resuming it
    store.repair(run_id)
    summary.stopped, summary.status, summary.finished_at = None, "running", None
    summary.resumed += 1
    summary.concurrency, summary.reducer = options.concurrency, options.reducer
    return writer, summary, store.records(run_id, summary.schema_version)


def identity_of(spec: EvalSpec, model: dict[str, Any], options: RunOptions, data_hash: str) -> dict[str, Any]:
    """What makes two runs the same run: the eval, its data, the model and the parameters, and the versions of the
    libraries its grader's scores move with."""
    identity = {
        "eval": spec.id,
        "spec": spec.spec_hash,
        "data": data_hash,
        "model": model,
        "generation": dict(spec.generation),
        "seed": options.seed,
        "limit": options.selection.limit,
        "epochs": options.epochs,
    }
    if options.selection.ids is not None:  # keys only when set, so runs made before they existed still resume
        identity["sample_ids"] = list(options.selection.ids)
    if options.max_answer_bytes != MAX_ANSWER_BYTES:
        identity["max_answer_bytes"] = options.max_answer_bytes
    libraries = grader_libraries(spec.grader_config)
    if libraries:  # scores that move with a library's version (cmrc2018: nltk) make a different run with another
        identity["grader_libraries"] = libraries
    return identity


def fingerprint_of(identity: dict[str, Any]) -> str:
    """SHA-256 of the identity's canonical JSON."""
    return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def header(
    spec: EvalSpec, provider: Provider, options: RunOptions, writer: RunWriter, data_hash: str, identity: dict[str, Any]
) -> RunRecord:
    """The run.json a new run starts with."""
    model = provider.describe()
    return RunRecord(
        run_id=writer.run_id,
        fingerprint=fingerprint_of(identity),
        identity=identity,
        status="running",
        created_at=now(),
        finished_at=None,
        harness_version=__version__,
        eval=EvalInfo(
            id=spec.id,
            version=spec.version,
            language=spec.language,
            grader=spec.grader,
            grader_options=dict(spec.grader_options),
            metrics=list(spec.metrics),
            spec_hash=spec.spec_hash,
            data_hash=data_hash,
            spec_path=display_path(spec.source) if spec.source else None,
        ),
        model=ModelInfo(
            name=provider.name,
            provider=model["provider"],
            model=model["model"],
            params=dict(model.get("params", {})),
            base_url=model.get("base_url"),
            stream=model.get("stream"),
        ),
        generation=dict(spec.generation),
        seed=options.seed,
        limit=options.selection.limit,
        sample_ids=None if options.selection.ids is None else list(options.selection.ids),
        epochs=options.epochs,
        reducer=options.reducer,
        concurrency=options.concurrency,
        primary_metric=spec.metrics[0],
        paths=Paths(str(writer.run_path), str(writer.samples_path)),
    )
