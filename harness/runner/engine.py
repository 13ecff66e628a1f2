"""Run evals against models: render, ask, grade and record every sample, then summarize."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import traceback
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from harness.data.checks import check_data
from harness.data.dataset import Dataset
from harness.data.prompt import PromptError, PromptRenderer
from harness.data.selection import Selection
from harness.errors import InputError, ProviderError, RecordWriteError, RunFailed
from harness.grading.isolation import GradingFailed, describe
from harness.grading.judge import JudgeGrader
from harness.grading.scorer import Scorer, scorer
from harness.models.base import ModelSettings, Provider
from harness.registry.specs import EvalSpec
from harness.runner.opening import RESUME_ANY, open_run
from harness.runner.progress import Board
from harness.runner.records import RunRecord, SampleRecord
from harness.runner.store import RunStore
from harness.runner.summary import Tally, now, summarize
from harness.text.language import in_language
from harness.types import Request, Sample


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for, beyond which evals and models: one settings object for a run, the endpoints' part in
    `models` (concurrency, seed and answer limit are read from there)."""

    results_dir: Path
    selection: Selection = field(default_factory=Selection)
    """Which samples of each eval (all of them by default)."""
    models: ModelSettings = field(default_factory=ModelSettings)
    """How the models are asked: concurrency, timeouts, retries, pacing, generation overrides, the answer limit."""
    resume: str | None = None
    """None: a new run; RESUME_ANY: continue the newest unfinished run that matches; else a run id to continue."""
    max_errors: ErrorLimit | None = None
    progress: bool = False
    epochs: int = 1
    reducer: str = "mean"
    """How each sample's epochs become one score: see harness.runner.summary.REDUCERS."""
    say: Callable[[str], None] = lambda message: None
    """Where notes for the person running evalrun go (the CLI prints them on stderr)."""
    judges: Mapping[str, JudgeGrader] = field(default_factory=dict)
    """The judge grader of each eval (by id) whose grader is `judge`."""

    @property
    def concurrency(self) -> int:
        """Requests in flight per model, across all of its evals."""
        return self.models.concurrency

    @property
    def seed(self) -> int:
        """The seed of few-shot picks, baselines and bootstrap intervals."""
        return self.models.seed

    @property
    def max_answer_bytes(self) -> int:
        """The answer limit the models were given (part of the run's identity when it is not the default)."""
        return self.models.max_answer_bytes


@dataclass(frozen=True)
class ErrorLimit:
    """When a run stops asking: more than `count` failed samples, or a failure rate above `rate`."""

    count: int | None = None
    rate: float | None = None
    min_samples: int = 20
    """A rate is judged only once this many samples have finished."""

    def exceeded(self, errors: int, samples: int) -> str | None:
        """Why a run with `errors` failures among `samples` finished (this session) must stop now, or None."""
        if self.count is not None and errors > self.count:
            return f"{errors} samples failed, more than --max-errors {self.count}"
        if self.rate is not None and samples >= self.min_samples and errors / samples > self.rate:
            return f"{errors / samples:.0%} of {samples} samples failed, more than --max-errors {self.rate:.0%}"
        return None


SAMPLES_PER_REQUEST = 4
"""Samples a model may have in progress per request it may have in flight: while some wait out a Retry-After or a
backoff, others use the model's places (requests in flight are capped by the provider, at --concurrency)."""


def samples_in_progress(options: RunOptions) -> int:
    """How many samples of one model may be in progress at once, across all of its evals."""
    return SAMPLES_PER_REQUEST * max(1, options.concurrency)


T = TypeVar("T")
LANGUAGE_SAMPLE = 2000
"""How much of an answer is read to tell its language (its start tells; the rest would cost the event loop)."""
SAVE_SECONDS = 5.0
"""How often a running run rewrites its run.json with the totals so far."""


@dataclass(frozen=True)
class Skipped:
    """An eval × model pair that was not run, and why."""

    eval_id: str
    model: str
    reason: str


async def run_all(
    specs: Sequence[EvalSpec], providers: Sequence[Provider], options: RunOptions
) -> tuple[list[RunRecord], list[Skipped]]:
    """Check every eval's data, then run every eval × model pair at once; the summaries (eval-major, then model, as
    given) and the pairs skipped. Each model's samples in progress are capped (samples_in_progress) across all of its
    evals, its requests in flight by its provider at `options.concurrency`; a pair's own failure (not a sample's) cancels the others, which are left interrupted and resumable."""
    problems = [problem for spec in specs for problem in check_data(spec, hub=True)]
    if problems:
        raise InputError(problems)
    if options.resume not in (None, RESUME_ANY) and len(specs) * len(providers) != 1:
        raise InputError("evalrun: --resume RUN_ID continues one run: give one eval and one model")
    store = RunStore(options.results_dir)
    pairs: list[tuple[EvalSpec, Provider]] = []
    skipped: list[Skipped] = []
    for spec in specs:
        for provider in providers:
            reason = provider.unsupported_reason(spec)
            if reason:
                skipped.append(Skipped(spec.id, provider.name, reason))
            else:
                pairs.append((spec, provider))
    slots = {provider.name: asyncio.Semaphore(samples_in_progress(options)) for provider in providers}
    async with Board(enabled=options.progress) as board:
        summaries = await _together(
            [run_eval(spec, provider, options, store, slots[provider.name], board) for spec, provider in pairs]
        )
    return summaries, skipped


async def run_eval(
    spec: EvalSpec,
    provider: Provider,
    options: RunOptions,
    store: RunStore,
    slots: asyncio.Semaphore | None = None,
    board: Board | None = None,
) -> RunRecord:
    """Run one eval (whose data has been checked) against one model; its summary, also written to run.json.

    `slots` caps the model's samples in progress (shared by all of its evals; default: this run's own
    `options.concurrency`), and `board` shows this pair's progress among others (default: none shown)."""
    dataset = Dataset(spec)
    options = replace(options, selection=options.selection.within(dataset))  # the ids this eval holds
    data_hash = dataset.fingerprint()
    renderer = PromptRenderer(spec.prompt)
    grader = scorer(spec.grader_config, spec.language, options.judges.get(spec.id))
    shots = FewShot(spec, dataset, options.seed)
    writer, summary, done = open_run(spec, provider, options, store, data_hash)
    writer.write_summary(summary)
    tally = Tally(spec.metrics, options.epochs)
    finished = set()
    for record in done:
        tally.add(record)
        finished.add((record.sample_id, record.epoch))
    available = dataset.count()
    work: Iterator[tuple[Sample, int]] = (
        (sample, epoch)
        for sample in options.selection.take(dataset.samples(), available)
        for epoch in range(1, options.epochs + 1)
        if (sample.id, epoch) not in finished
    )
    earlier = summary.duration_s
    started = time.perf_counter()

    total = options.selection.size(available) * options.epochs
    slots = slots or asyncio.Semaphore(samples_in_progress(options))
    board = board or Board(enabled=False)
    shown = board.add(f"{spec.id} × {provider.name}", total, tally, provider.throttle)
    stop: list[str] = []
    errors_before, samples_before = tally.errors, tally.samples
    saved = [time.monotonic()]

    def save() -> None:
        """Write run.json with the totals so far."""
        seconds = earlier + time.perf_counter() - started
        summary.set_results(summarize(tally, spec.metrics, options.seed, seconds, provider.prices, options.reducer))
        summary.model.served_by = sorted(tally.served_by)
        writer.write_summary(summary)

    async def worker() -> None:
        for sample, epoch in work:
            if stop:
                return
            async with slots:  # requests in flight are capped by the provider; a sample waiting out a retry holds none
                if stop:
                    return
                record = await _attempt(sample, epoch, spec, provider, renderer, grader, shots)
            writer.append(record)
            tally.add(record)
            if time.monotonic() - saved[0] > SAVE_SECONDS:  # keep run.json current: a killed run still tells its time
                saved[0] = time.monotonic()
                save()
            limit = options.max_errors
            reason = limit.exceeded(tally.errors - errors_before, tally.samples - samples_before) if limit else None
            if reason and not stop:
                stop.append(reason)
                raise _Stopped  # samples still in progress are dropped unrecorded: --resume asks them again

    status = "failed"
    try:
        with contextlib.suppress(_Stopped):
            await _together([worker() for _ in range(max(1, min(samples_in_progress(options), total - tally.samples)))])
        status = "stopped" if stop else "complete"
    except (asyncio.CancelledError, KeyboardInterrupt, RecordWriteError):  # a record not written: resumable too
        status = "interrupted"
        raise
    except Exception as exc:  # a fault in evalrun itself, not a sample's: the run is left failed and resumable
        raise RunFailed(
            f"{spec.id} × {provider.name}: {_fault(exc)}; finished samples are kept, --resume continues"
        ) from exc
    finally:
        board.finish(shown, status)
        if stop:
            summary.stopped = stop[0]
        writer.close()
        summary.status = status  # type: ignore[assignment]
        summary.finished_at = now()
        save()
    return summary


class _Stopped(Exception):
    """A pair reached its --max-errors limit: its other workers stop at once."""


def _fault(exc: Exception) -> str:
    """An unexpected exception as `Type: message (at file:line)`, the line that raised it."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{describe(exc)} (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else describe(exc)


async def _together(jobs: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
    """Run `jobs` at once and return their results in order; the first failure cancels the rest and is raised.

    Cancelling the caller cancels every job too, and waits for each to finish its own clean-up."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    if not tasks:
        return []
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()  # no-op for the finished ones
        await asyncio.gather(*tasks, return_exceptions=True)
    failed = [task.exception() for task in tasks if not task.cancelled() and task.exception() is not None]
    if failed:
        raise failed[0]  # type: ignore[misc]
    return [task.result() for task in tasks]


async def _attempt(
    sample: Sample,
    epoch: int,
    spec: EvalSpec,
    provider: Provider,
    renderer: PromptRenderer,
    grader: Scorer,
    shots: FewShot,
) -> SampleRecord:
    """Ask, grade and describe one sample; failures become the record's `error`, never an exception."""
    record = SampleRecord(sample.id, epoch, references=list(sample.references), choices=list(sample.choices) or None)
    try:
        messages = renderer.render(sample, shots.for_sample(sample))
    except PromptError as exc:
        record.error = f"prompt: {exc}"
        return record
    record.messages = [dict(message) for message in messages]
    started = time.perf_counter()
    try:
        response = await provider.complete(Request(messages, spec.generation, sample, epoch))
    except ProviderError as exc:
        record.error, record.attempts, record.latency_s = (
            str(exc),
            exc.attempts,
            round(time.perf_counter() - started, 6),
        )
        return record
    if not response.cached:
        await _after_freed_requests()
    first_token = response.time_to_first_token
    record.output = response.output
    record.in_language = in_language(response.output[:LANGUAGE_SAMPLE], spec.language)
    record.output_cut = response.full_bytes is not None
    record.output_bytes = response.full_bytes
    record.usage = {
        "prompt_tokens": response.usage.prompt_tokens,
        "completion_tokens": response.usage.completion_tokens,
    }
    record.latency_s = round(time.perf_counter() - started, 6) if response.latency is None else response.latency
    record.ttft_s = None if first_token is None else round(first_token, 6)
    record.attempts = response.attempts
    record.finish_reason = response.finish_reason
    record.served_by = response.model
    record.cached = response.cached
    try:
        score = await grader.score(response.output, sample)  # a slow or failing grade fails this sample only
    except GradingFailed as exc:  # the answer is kept; the sample counts as failed, never as scored
        record.error = str(exc)
        return record
    record.score, record.metrics, record.unparsed = score.value, dict(score.metrics), score.unparsed
    record.grader = dict(score.detail)
    return record


async def _after_freed_requests() -> None:
    """Wait for the event loop's next pass, so that the requests waiting for the place an answer just freed are sent
    before that answer is graded and recorded.

    Answers arrive in bursts; graded at once, each burst's bookkeeping delays every request it freed, leaving places
    idle (10,000 samples at concurrency 64: 1.19× the physical limit, against 1.14× with this wait). A zero-length
    timer runs after the callbacks already queued, the woken requests among them; `sleep(0)` would not (measured)."""
    await asyncio.sleep(NEXT_PASS)


NEXT_PASS = 1e-9
"""A delay that puts a callback on the loop's next pass, after the callbacks ready now."""


class FewShot:
    """Picks an eval's k worked examples for each sample: seeded, never the sample itself."""

    def __init__(self, spec: EvalSpec, dataset: Dataset, seed: int):
        self.k = spec.prompt.few_shot_k
        self.seed = seed
        self.pool = list(dataset.samples(few_shot=bool(spec.prompt.few_shot_path))) if self.k else []

    def for_sample(self, sample: Sample) -> list[Sample]:
        """The k examples shown before `sample`, the same for the same seed."""
        if self.k == 0:
            return []
        picks = random.Random(f"{self.seed}:{sample.id}").sample(range(len(self.pool)), min(self.k + 1, len(self.pool)))
        return [self.pool[i] for i in picks if self.pool[i].id != sample.id][: self.k]
