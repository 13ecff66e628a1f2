"""Which stored runs a leaderboard counts, and why each other run is left out.

By default: for each model × eval, the newest complete run of the eval as the registry has it now (its spec and data
hashes) with no sample selection (`--limit`, `--sample-id`). Regrades, smoke runs, runs that did not complete, runs of
an older version of the eval and runs superseded by a newer one are left out, each with its reason. Runs named by id
are the only ones counted, whatever they are; `include_partial` also counts smoke and unfinished runs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.analysis.pairing import Run, stored_runs
from harness.errors import InputError, printable
from harness.registry.specs import EvalSpec


@dataclass(frozen=True)
class Excluded:
    """A stored run left off the board, and why."""

    run: Run
    reason: str


@dataclass(frozen=True)
class Column:
    """What makes two runs measure the same thing: runs share a column only when all of it is equal."""

    eval_id: str
    spec_hash: str
    data_hash: str
    grader: str
    grader_options: str
    generation: str
    epochs: int
    reducer: str

    @classmethod
    def of(cls, run: Run) -> Column:
        """The column of a run."""
        record = run.summary
        return cls(
            record.eval.id,
            record.eval.spec_hash,
            record.eval.data_hash,
            record.eval.grader,
            json.dumps(record.eval.grader_options, sort_keys=True, ensure_ascii=False),
            json.dumps(record.generation, sort_keys=True, ensure_ascii=False),
            record.epochs,
            record.reducer,
        )


@dataclass
class Choice:
    """The runs counted (one per model and column) and those left out, with reasons."""

    counted: list[Run] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)


def gather(folders: Sequence[Path]) -> list[Run]:
    """Every readable stored run under each results folder, once each (by run id), oldest first."""
    found: dict[str, Run] = {}
    for folder in folders:
        for run in stored_runs(folder):
            found.setdefault(run.run_id, run)
    return sorted(found.values(), key=_age)


def choose(
    runs: Sequence[Run],
    current: Mapping[str, EvalSpec],
    *,
    select: Sequence[str] = (),
    include_partial: bool = False,
) -> Choice:
    """The runs a board counts among `runs` (see the module's rule); `current` are the registry's evals by id, whose
    spec and data a default board's runs must match; `select` names the only runs to count."""
    choice = Choice()
    if select:
        by_id = {run.run_id: run for run in runs}
        missing = [name for name in select if name not in by_id]
        if missing:
            raise InputError([printable(f"evalrun: report: no stored run {name!r}") for name in missing])
        chosen = {by_id[name].run_id for name in select}
        choice.counted = [run for run in runs if run.run_id in chosen]
        choice.excluded = [Excluded(run, "not selected") for run in runs if run.run_id not in chosen]
        return choice
    newest: dict[tuple[str, Column], Run] = {}
    data_hashes: dict[str, str] = {}
    for run in runs:
        reason = _left_out(run, current, include_partial, data_hashes)
        if reason:
            choice.excluded.append(Excluded(run, reason))
            continue
        key = (run.model, Column.of(run))
        if key in newest:
            choice.excluded.append(Excluded(newest[key], f"superseded by the newer run {run.run_id}"))
        newest[key] = run  # runs come oldest first
    choice.counted = sorted(newest.values(), key=_age)
    return choice


def _left_out(
    run: Run, current: Mapping[str, EvalSpec], include_partial: bool, data_hashes: dict[str, str]
) -> str | None:
    """Why a default board leaves a run out, or None; `data_hashes` keeps each eval's current data hash."""
    record = run.summary
    if record.regraded_from is not None:
        return f"a regrade of {record.regraded_from}"
    if not include_partial and (record.limit is not None or record.sample_ids is not None):
        return "a smoke run (--limit or --sample-id)"
    if not include_partial and record.status != "complete":
        return f"{record.status}, not complete"
    spec = current.get(record.eval.id)
    if spec is None:
        return "its eval is not in the registry"
    if record.eval.spec_hash != _spec_hash(spec, record.generation):
        return "its spec differs from the eval's now (an older version, or --system-message)"
    if spec.id not in data_hashes:
        from harness.data.dataset import Dataset

        data_hashes[spec.id] = Dataset(spec).fingerprint()
    if record.eval.data_hash != data_hashes[spec.id]:
        return "an older version of the eval's data"
    return None


def _spec_hash(spec: EvalSpec, generation: Mapping[str, object]) -> str:
    """The spec hash a run of `spec` has when asked with `generation` (flags such as --temperature change it)."""
    from harness.runner.overrides import with_generation

    overridden = {k: v for k, v in generation.items() if spec.generation.get(k) != v}
    return with_generation(spec, overridden).spec_hash if overridden else spec.spec_hash


def _age(run: Run) -> tuple[str, str]:
    """Sort key of a run by when it was made."""
    return (run.summary.created_at, run.run_id)
