"""Which stored runs `evalrun compare` pairs: runs named in pairs, or the newest complete run of each model per eval."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import InputError, printable
from harness.runner.records import RunRecord, SampleRecord, read_samples
from harness.runner.records import read_run as read_record


@dataclass(frozen=True)
class Run:
    """A stored run: its run.json and the folder holding its samples.jsonl."""

    summary: RunRecord
    folder: Path

    @property
    def run_id(self) -> str:
        """The run's id (its folder name when stored)."""
        return self.summary.run_id or self.folder.name

    @property
    def eval_id(self) -> str:
        """The id of the eval the run is of."""
        return self.summary.eval.id

    @property
    def model(self) -> str:
        """The model name the run was started with."""
        return self.summary.model.name

    def samples(self) -> Iterator[SampleRecord]:
        """The run's sample records, up to a torn last line."""
        return read_samples(self.folder / "samples.jsonl", self.summary.schema_version)


def read_run(folder: Path) -> Run:
    """The run stored in `folder`; InputError if it has no readable run.json."""
    return Run(read_record(folder / "run.json"), folder)


def locate_run(text: str, results_dir: Path) -> Run:
    """A run named by its id under `results_dir/runs`, or by the path of its folder (or of its run.json)."""
    stored = results_dir / "runs" / text
    if "/" not in text and text not in ("", ".", "..") and (stored / "run.json").is_file():
        return read_run(stored)
    path = Path(text)
    if path.name == "run.json" and path.is_file():
        return read_run(path.parent)
    if (path / "run.json").is_file():
        return read_run(path)
    raise InputError(printable(f"evalrun: no run {text!r} under {results_dir / 'runs'}, nor a run folder at that path"))


def runs_in_pairs(texts: Sequence[str], results_dir: Path) -> list[tuple[Run, Run]]:
    """RUN_A RUN_B [RUN_A2 RUN_B2 …] as pairs of runs of the same eval; InputError naming every problem."""
    if len(texts) % 2:
        raise InputError(f"evalrun: compare takes runs in pairs (RUN_A RUN_B …), not {len(texts)} run(s)")
    problems: list[str] = []
    runs: list[Run | None] = []
    for text in texts:
        try:
            runs.append(locate_run(text, results_dir))
        except InputError as exc:
            problems.extend(str(p) for p in exc.problems)
            runs.append(None)
    pairs = []
    for a, b in zip(runs[::2], runs[1::2], strict=True):
        if a is not None and b is not None and a.eval_id != b.eval_id:
            problems.append(
                printable(
                    f"evalrun: run {a.run_id} is of eval {a.eval_id!r} but run {b.run_id} is of {b.eval_id!r}; "
                    "only runs of the same eval can be compared"
                )
            )
        elif a is not None and b is not None:
            pairs.append((a, b))
    if problems:
        raise InputError(problems)
    return pairs


def newest_pairs(
    counted: Sequence[Run], results_dir: Path, models: Sequence[str], names: Sequence[str]
) -> tuple[list[tuple[Run, Run]], list[dict[str, str]]]:
    """For each eval, the runs of model A and of model B among `counted` (the runs a report counts: see
    harness.analysis.board_runs; the newest when an eval was measured several ways), and the evals that lack one.

    `names` are eval or suite ids (all evals with a run of A or B when empty). An eval named directly that cannot
    be compared is an error; one reached through a suite, or by default, is skipped with the reason."""
    a_model, b_model = models
    if a_model == b_model:
        raise InputError("evalrun: --model names the same model twice; to compare two runs of one model, name the runs")
    newest: dict[tuple[str, str], Run] = {}
    stored = stored_runs(results_dir)
    for run in counted:
        key = (run.model, run.eval_id)
        if key not in newest or _age(run) > _age(newest[key]):  # newest by creation time, then by id
            newest[key] = run
    known_models = sorted({model for model, _ in newest})
    missing = [model for model in models if model not in known_models]
    if missing:
        have = ", ".join(known_models[:8]) + (", …" if len(known_models) > 8 else "") if known_models else "none"
        raise InputError(
            [
                printable(
                    f"evalrun: no run of model {m!r} under {results_dir / 'runs'} that a report counts (the newest "
                    f"complete run of an eval as it is now, with no --limit; models with such runs: {have})"
                )
                for m in missing
            ]
        )
    if names:
        chosen = _expand(names, {run.eval_id for run in stored})
    else:
        chosen = [(eval_id, False) for eval_id in sorted({e for m, e in newest if m in models})]
    pairs, skipped, problems = [], [], []
    for eval_id, named in chosen:
        lacking = [model for model in models if (model, eval_id) not in newest]
        if not lacking:
            pairs.append((newest[a_model, eval_id], newest[b_model, eval_id]))
            continue
        reason = f"no run that counts of {' nor of '.join(lacking)}"
        if named:
            problems.append(printable(f"evalrun: cannot compare on {eval_id}: {reason} under {results_dir / 'runs'}"))
        else:
            skipped.append({"eval": eval_id, "reason": reason})
    if problems or not pairs:
        raise InputError(problems or [f"evalrun: nothing to compare: {s['eval']}: {s['reason']}" for s in skipped])
    return pairs, skipped


def stored_runs(results_dir: Path) -> list[Run]:
    """Every run under `results_dir/runs` with a readable run.json (others are passed over)."""
    runs_dir = results_dir / "runs"
    found = []
    for path in sorted(runs_dir.glob("*/run.json")) if runs_dir.is_dir() else ():
        try:
            found.append(read_run(path.parent))
        except InputError:
            continue
    return found


def _age(run: Run) -> tuple[str, str]:
    """Sort key of a run by when it was made."""
    return (run.summary.created_at, run.run_id)


def _expand(names: Sequence[str], stored_evals: set[str]) -> list[tuple[str, bool]]:
    """Eval ids for eval or suite ids, without repeats, each with whether it was named directly."""
    chosen: dict[str, bool] = {}
    registry = None
    unknown = []
    for name in names:
        if name in stored_evals:
            chosen[name] = True
            continue
        if registry is None:
            registry = _registry()
        if name in registry.get("evals", ()):
            chosen[name] = True
        elif name in registry.get("suites", {}):
            for eval_id in registry["suites"][name]:
                chosen.setdefault(eval_id, False)
        else:
            unknown.append(name)
    if unknown:
        raise InputError(
            [printable(f"evalrun: no runs of {name!r}, and no eval or suite of that id") for name in unknown]
        )
    return list(chosen.items())


def _registry() -> dict[str, Any]:
    """The registry's eval ids and suites (eval ids by suite id); empty if there is no usable registry."""
    from harness.registry.loader import Registry
    from harness.registry.workspace import Workspace

    try:
        registry = Registry.load(Workspace.locate())
    except InputError:
        return {}
    return {"evals": set(registry.evals), "suites": {s.id: list(s.evals) for s in registry.suites.values()}}
