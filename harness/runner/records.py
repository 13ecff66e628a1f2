"""Run records, defined once: the run header and results (`run.json`) and the sample record (a `samples.jsonl` line),
with the only functions that turn them into JSON and back. Their JSON Schemas (`harness/runner/schemas/`) are generated
from these types (`python -m harness.runner.record_schemas`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.errors import InputError, printable
from harness.runner.statistics import Estimate
from harness.runner.typed_json import ShapeError, field_names, from_data, to_data

SCHEMA_VERSION = 2
"""2: every field is written, and `latency_s` is the answering request's own time. Version 1 records (which may lack
fields added later, and whose latency included the wait for a place) are read with the missing fields at their
defaults."""

SHA256 = {"pattern": "^[0-9a-f]{64}$"}
COUNT = {"minimum": 0}
Status = Literal["running", "complete", "failed", "interrupted", "stopped"]


def _about(text: str, **keywords: Any) -> Any:
    """Schema keywords and a description for one field."""
    return {"schema": {**keywords, "description": text}}


@dataclass(slots=True)
class SampleRecord:
    """One asked (and graded) sample: what was sent, what came back, how it scored, or why it failed."""

    sample_id: str = field(metadata=_about("the sample's id in the eval's data", minLength=1))
    epoch: int = field(metadata=_about("which repetition of the sample (1-based)", minimum=1))
    messages: list[dict[str, str]] | None = field(default=None, metadata=_about("the rendered chat messages"))
    references: list[str] = field(default_factory=list, metadata=_about("the reference answers it was graded against"))
    choices: list[str] | None = field(default=None, metadata=_about("the options, for multiple choice"))
    output: str | None = field(default=None, metadata=_about("the model's answer; null when none came"))
    output_cut: bool = field(
        default=False,
        metadata=_about(
            "true when the answer was longer than the answer limit (--max-answer-bytes): output holds its first "
            "part, and that part was graded"
        ),
    )
    output_bytes: int | None = field(
        default=None, metadata=_about("the whole answer's length in UTF-8 bytes when it was cut, else null", **COUNT)
    )
    score: float | None = field(default=None, metadata=_about("the primary score", minimum=0, maximum=1))
    metrics: dict[str, float] | None = field(default=None, metadata=_about("every metric's value"))
    unparsed: bool = field(default=False, metadata=_about("the grader found no answer it could read in the output"))
    in_language: bool | None = field(
        default=None,
        metadata=_about(
            "whether the answer is written in the eval's language and script; null when its letters cannot tell (a"
            " number, a label, a name in Latin letters)"
        ),
    )
    grader: dict[str, Any] | None = field(
        default=None, metadata=_about("what the grader saw: the reference matched, the option chosen, …")
    )
    usage: dict[str, int | None] | None = field(
        default=None, metadata=_about("prompt_tokens and completion_tokens as the endpoint reported them")
    )
    latency_s: float | None = field(
        default=None,
        metadata=_about(
            "seconds the answering request took (not the wait for a place, backoff or earlier attempts); for a "
            "failed sample, the whole time spent on it",
            minimum=0,
        ),
    )
    ttft_s: float | None = field(
        default=None, metadata=_about("seconds to the first answer text, for streamed answers", minimum=0)
    )
    attempts: int = field(default=0, metadata=_about("requests made for this answer (0: from the cache)", **COUNT))
    finish_reason: str | None = field(default=None, metadata=_about("why the answer ended, as the endpoint said"))
    served_by: str | None = field(default=None, metadata=_about("the model name the endpoint reported"))
    cached: bool = field(default=False, metadata=_about("the answer came from the response cache"))
    error: str | None = field(default=None, metadata=_about("why the sample failed; null when it was scored"))


@dataclass
class EvalInfo:
    """The eval a run is of, as it was when the run started."""

    id: str
    version: int
    language: str
    grader: str
    metrics: list[str]
    spec_hash: str = field(metadata={"schema": SHA256})
    data_hash: str = field(metadata={"schema": SHA256})
    grader_options: dict[str, Any] = field(
        default_factory=dict,
        metadata=_about("the rest of the eval's grader block (standard, tolerance, …), or the options a regrade used"),
    )
    spec_path: str | None = None
    judge: dict[str, Any] | None = field(default=None, metadata=_about("the judge model, for a judge grader"))


@dataclass
class ModelInfo:
    """The model a run asked, as the endpoint was configured (never a key)."""

    name: str
    provider: str
    model: str
    params: dict[str, Any] = field(default_factory=dict)
    base_url: str | None = None
    stream: bool | None = field(default=None, metadata=_about("streamed or not, as set; null: as the provider needs"))
    served_by: list[str] = field(
        default_factory=list, metadata=_about("model names the endpoint reported in its responses")
    )


@dataclass
class Paths:
    """Where the run's two files are."""

    run: str
    samples: str


@dataclass
class Counts:
    """How many samples ended which way."""

    samples: int = field(default=0, metadata={"schema": COUNT})
    scored: int = field(default=0, metadata={"schema": COUNT})
    errors: int = field(default=0, metadata={"schema": COUNT})
    unparsed: int = field(default=0, metadata={"schema": COUNT})
    cached: int = field(default=0, metadata={"schema": COUNT})
    cut: int = field(
        default=0,
        metadata=_about("answers longer than the answer limit, cut to it and graded on the part kept", **COUNT),
    )
    retries: int = field(default=0, metadata=_about("extra attempts made over all samples", **COUNT))
    in_language: int = field(
        default=0, metadata=_about("answers written in the eval's language and script (of language_known)", **COUNT)
    )
    language_known: int = field(default=0, metadata=_about("answers whose language their letters tell", **COUNT))


@dataclass
class TokenTotals:
    """Tokens over the samples whose endpoint reported them."""

    prompt_tokens: int = field(default=0, metadata={"schema": COUNT})
    completion_tokens: int = field(default=0, metadata={"schema": COUNT})
    samples_with_usage: int = field(default=0, metadata={"schema": COUNT})


@dataclass
class LatencySummary:
    """Answering time over the samples answered by the endpoint this time (not the cache)."""

    mean: float | None = None
    p50: float | None = None
    p95: float | None = None


@dataclass
class ErrorCount:
    """One error message and how many samples failed with it."""

    message: str
    count: int = field(metadata={"schema": {"minimum": 1}})


@dataclass(kw_only=True)
class Results:
    """What a run found so far: counts, every metric with its 95% interval, usage, cost, latency, errors."""

    counts: Counts = field(default_factory=Counts)
    primary_metric: str = ""
    metrics: dict[str, Estimate | None] = field(default_factory=dict)
    usage: TokenTotals = field(default_factory=TokenTotals)
    cost_usd: float | None = field(default=None, metadata=_about("US$ for the tokens billed; null when unknown"))
    latency_s: LatencySummary = field(default_factory=LatencySummary)
    duration_s: float = field(default=0.0, metadata={"schema": {"minimum": 0}})
    throughput: float | None = field(
        default=None, metadata=_about("samples finished per second of run time", minimum=0)
    )
    errors: list[ErrorCount] = field(default_factory=list, metadata=_about("the most common errors, at most ten"))
    finish_reasons: dict[str, int] = field(
        default_factory=dict,
        metadata=_about("why the answers ended (stop, length, max_tokens, …) as the endpoint said, with how many"),
    )


@dataclass(kw_only=True)
class RunRecord(Results):
    """A run: what it is (eval, model, parameters, identity), where it stands, and its results so far."""

    schema_version: int = field(default=SCHEMA_VERSION, metadata={"schema": {"const": SCHEMA_VERSION}})
    run_id: str = field(metadata={"schema": {"pattern": "^[A-Za-z0-9._-]+$"}})
    fingerprint: str = field(
        metadata=_about(
            "SHA-256 of the identity: runs that may be resumed into each other share it", pattern=SHA256["pattern"]
        ),
    )
    identity: dict[str, Any] = field(
        metadata=_about("what the fingerprint is the SHA-256 of: eval, spec and data hashes, model, parameters, …"),
    )
    status: Status
    created_at: str
    finished_at: str | None
    harness_version: str
    eval: EvalInfo
    model: ModelInfo
    generation: dict[str, Any]
    seed: int
    limit: int | float | str | None = field(
        metadata=_about(
            "--limit: the first N samples (an integer), the first fraction of them (a number below 1, or 1.0), or a "
            'range counted from 1 with both ends included ("10-20"); null: all'
        ),
    )
    sample_ids: list[str] | None = field(
        default=None, metadata=_about("--sample-id: the ids of the samples that were run (sorted); null: not by id")
    )
    epochs: int = field(default=1, metadata={"schema": {"minimum": 1}})
    reducer: str = field(default="mean", metadata={"schema": {"pattern": "^(mean|majority|all|pass@[1-9][0-9]*)$"}})
    concurrency: int = field(metadata={"schema": {"minimum": 1}})
    resumed: int = field(default=0, metadata=_about("how many times the run was resumed", **COUNT))
    paths: Paths
    stopped: str | None = field(default=None, metadata=_about("why the run stopped before its end (--max-errors)"))
    regraded_from: str | None = field(
        default=None, metadata=_about("the run whose outputs this run re-scored without calling the model")
    )

    def set_results(self, results: Results) -> None:
        """Take every results field from `results`."""
        for name in field_names(Results):
            setattr(self, name, getattr(results, name))


SAMPLE_FIELDS = field_names(SampleRecord)


def sample_data(record: SampleRecord) -> dict[str, Any]:
    """A sample record as the JSON object of its samples.jsonl line (its fields are JSON values already)."""
    return {name: getattr(record, name) for name in SAMPLE_FIELDS}


def run_data(run: RunRecord) -> dict[str, Any]:
    """A run record as the JSON object of its run.json, header fields first."""
    data = to_data(run)
    header = [name for name in field_names(RunRecord) if name not in field_names(Results)]
    return {**{name: data[name] for name in header}, **{name: data[name] for name in field_names(Results)}}


def run_from_data(data: Any, where: str) -> RunRecord:
    """The run record in a run.json's JSON data, of this schema version or an older one; InputError if it is not one."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in (1, SCHEMA_VERSION):
        raise InputError(printable(f"{where}: not a run record of a schema version this evalrun reads ({version!r})"))
    try:
        run: RunRecord = from_data(RunRecord, data, lenient=version != SCHEMA_VERSION)
    except ShapeError as exc:
        raise InputError(printable(f"{where}: not a run record: {exc}")) from None
    return run


def sample_from_data(data: Any, version: int, where: str) -> SampleRecord:
    """The sample record in one samples.jsonl line's JSON data; InputError if it is not one."""
    try:
        record: SampleRecord = from_data(SampleRecord, data, lenient=version != SCHEMA_VERSION)
        return record
    except ShapeError as exc:
        raise InputError(printable(f"{where}: not a sample record: {exc}")) from None


def read_run(path: Path) -> RunRecord:
    """The run record in the run.json at `path`; InputError if it cannot be read or is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(printable(f"evalrun: {path}: unreadable run record ({exc})")) from None
    return run_from_data(data, f"evalrun: {path}")


def read_samples(path: Path, version: int = SCHEMA_VERSION) -> Iterator[SampleRecord]:
    """The sample records in the samples.jsonl at `path`, up to the first line that is not whole JSON (the torn end
    of a killed run: nothing after it counts); none if there is no such file."""
    for number, data in _lines(path):
        yield sample_from_data(data, version, f"{path}:{number}")


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, JSON data) of every line of a samples.jsonl, up to the first line that is not whole JSON (the
    torn end of a killed run: nothing after it counts); none if there is no such file."""
    for number, line in sample_lines(path):
        try:
            yield number, json.loads(line)
        except ValueError:
            return


def sample_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every line of the samples.jsonl at `path`; none if there is no such file, InputError
    if it cannot be read."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(printable(f"evalrun: {path}: cannot read ({exc.strerror})")) from None
    with handle:
        yield from enumerate(handle, 1)
