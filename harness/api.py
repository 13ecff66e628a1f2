"""evalrun as a library, for evaluating inside a training loop or a notebook: `run` evals against models and get their
run records back, as `evalrun run` writes them; `load_runs` reads stored runs, with pandas DataFrames of them.

    import harness
    records = harness.run("core", "baseline/oracle", limit=10)
    runs = harness.load_runs("results")
    runs.frame()          # one row per run: eval, model, metric, mean, interval, n, errors, …
"""

from __future__ import annotations

import asyncio
import functools
import warnings
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from harness.errors import InputError

P = ParamSpec("P")
T = TypeVar("T")

if TYPE_CHECKING:
    import pandas

    from harness.analysis.pairing import Run
    from harness.runner.records import RunRecord


async def arun(
    evals: str | Sequence[str],
    models: str | Sequence[str],
    *,
    results: str | Path = "results",
    limit: float | str | None = None,
    sample_ids: Sequence[str] | None = None,
    epochs: int = 1,
    reducer: str = "mean",
    seed: int = 0,
    concurrency: int = 8,
    generation: Mapping[str, Any] | None = None,
    system_message: str | None = None,
    judge: str | None = None,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    registries: Sequence[str | Path] = (),
    timeout: float = 60.0,
    max_attempts: int = 4,
    progress: bool = False,
) -> list[RunRecord]:
    """Run every eval (or suite) named against every model named, as `evalrun run` does, and return the run
    records (also written under `results`). InputError, with every problem, for an unknown eval or model, a bad
    option or bad data; nothing is asked then. `harness.run` takes the same arguments and waits for the result."""
    from harness.data.selection import Selection, by_ids, evals_with_ids, parse_limit
    from harness.models.base import ModelSettings
    from harness.models.cache import ResponseCache, default_cache_dir
    from harness.registry.loader import Registry
    from harness.registry.workspace import search_path
    from harness.runner.engine import RunOptions
    from harness.runner.overrides import with_generation
    from harness.runner.session import evaluate
    from harness.runner.summary import REDUCERS

    names, model_names = _names(evals, "evals"), list(dict.fromkeys(_names(models, "models")))
    if limit is not None and sample_ids is not None:
        raise InputError("evalrun: give limit or sample_ids, not both")
    if not (reducer in REDUCERS or reducer.startswith("pass@")) or epochs < 1 or concurrency < 1:
        raise InputError(f"evalrun: epochs and concurrency are at least 1, and reducer one of {', '.join(REDUCERS)}")
    try:
        selection = by_ids(sample_ids) if sample_ids is not None else Selection()
        selection = parse_limit(str(limit)) if limit is not None else selection
    except ValueError as exc:
        raise InputError(f"evalrun: limit: {exc}") from None
    params = _checked_generation(generation or {})
    registry = Registry.load(search_path(registries=[Path(p) for p in registries]))
    registry.raise_problems()
    specs = [with_generation(spec, params, system_message) for spec in registry.resolve(names)]
    specs = evals_with_ids(specs, selection)
    settings = ModelSettings(
        concurrency=concurrency, timeout=timeout, max_attempts=max_attempts, seed=seed, model_args=params
    )
    options = RunOptions(
        Path(results), selection, settings, epochs=epochs, reducer=reducer, progress=progress, say=lambda _: None
    )
    store = ResponseCache(Path(cache_dir) if cache_dir else default_cache_dir()) if cache else None
    try:
        summaries, skipped = await evaluate(registry, specs, model_names, options, judge=judge, cache=store)
    finally:
        if store is not None:
            store.close()
    for pair in skipped:
        warnings.warn(f"{pair.eval_id} × {pair.model} was not run: {pair.reason}", stacklevel=2)
    return summaries


def _blocking(coroutine: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """The coroutine function as a plain one, with the same arguments, that runs it in a new event loop."""

    @functools.wraps(coroutine)
    def blocking(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coroutine(*args, **kwargs))
        raise RuntimeError("harness.run() cannot start inside a running event loop: use `await harness.arun(...)`")

    blocking.__name__ = blocking.__qualname__ = "run"
    return blocking


run = _blocking(arun)
"""`arun` for code without an event loop of its own: the same arguments, the run records returned."""


def _names(value: str | Sequence[str], what: str) -> list[str]:
    """One name or several, as a list; InputError for none."""
    names = [value] if isinstance(value, str) else list(value)
    if not names or not all(isinstance(name, str) and name for name in names):
        raise InputError(f"evalrun: {what}: give one name or a list of names")
    return names


def _checked_generation(generation: Mapping[str, Any]) -> dict[str, Any]:
    """Generation parameters checked as an eval's `generation:` block is; InputError naming each problem."""
    from harness.registry.schemas import validator

    errors = validator("eval", "generation").iter_errors(dict(generation))
    problems = [f"evalrun: generation: {error.message}" for error in errors]
    if problems:
        raise InputError(problems)
    return dict(generation)


@dataclass(frozen=True)
class StoredRuns(Sequence["Run"]):
    """Stored runs, oldest first: each a run record (`.summary`) with its folder and sample records (`.samples()`)."""

    runs: tuple[Run, ...]

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, index: Any) -> Any:
        return self.runs[index]

    def __iter__(self) -> Iterator[Run]:
        return iter(self.runs)

    def frame(self) -> pandas.DataFrame:
        """One row per run and metric: run id, eval, language, model, status, metric, standard (the official one an
        em/f1 grader computed it by, else None), primary, mean, ci_low, ci_high, n, samples, errors, unparsed,
        cost_usd, created_at."""
        from harness.registry.graders import standard_of

        rows = [
            {
                "run_id": run.run_id,
                "eval": run.eval_id,
                "language": run.summary.eval.language,
                "model": run.model,
                "status": run.summary.status,
                "metric": metric,
                "standard": standard_of(run.summary.eval.grader, run.summary.eval.grader_options),
                "primary": metric == run.summary.primary_metric,
                "mean": None if found is None else found.mean,
                "ci_low": None if found is None else found.ci_low,
                "ci_high": None if found is None else found.ci_high,
                "n": 0 if found is None else found.n,
                "samples": run.summary.counts.samples,
                "errors": run.summary.counts.errors,
                "unparsed": run.summary.counts.unparsed,
                "cost_usd": run.summary.cost_usd,
                "created_at": run.summary.created_at,
            }
            for run in self.runs
            for metric, found in run.summary.metrics.items()
        ]
        return _pandas().DataFrame(rows)

    def samples_frame(self) -> pandas.DataFrame:
        """One row per sample record of every run: run id, eval, model, sample id, epoch, score, output, error, …"""
        from harness.runner.records import sample_data

        rows = [
            {"run_id": run.run_id, "eval": run.eval_id, "model": run.model, **sample_data(record)}
            for run in self.runs
            for record in run.samples()
        ]
        return _pandas().DataFrame(rows)


def load_runs(results: str | Path = "results") -> StoredRuns:
    """Every stored run under `results/runs/` with a readable run record, oldest first (others are passed over)."""
    from harness.analysis.pairing import stored_runs

    runs = sorted(stored_runs(Path(results)), key=lambda r: (r.summary.created_at, r.run_id))
    return StoredRuns(tuple(runs))


def _pandas() -> Any:
    """The pandas module (a dependency of evalrun's, imported only for frames)."""
    import pandas

    return pandas
