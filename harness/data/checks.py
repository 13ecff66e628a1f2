"""Check every sample of an eval's data against the eval: JSON, fields, ids, prompts, few-shot pool."""

from __future__ import annotations

from collections.abc import Iterator

from harness.data.dataset import MAX_DATA_BYTES, Dataset, Row, SampleError, to_sample
from harness.data.prompt import PromptError, PromptRenderer
from harness.errors import InputError, Problem
from harness.registry.specs import EvalSpec
from harness.registry.templates import template_fields
from harness.registry.workspace import display_path
from harness.types import Sample


def check_data(spec: EvalSpec, *, hub: bool = False, good: list[tuple[int, Sample]] | None = None) -> list[Problem]:
    """One problem per bad line of the eval's data and few-shot file; hub datasets only when `hub` is set. The good
    samples of the data (not the few-shot file) go to `good` with their lines, when it is given."""
    too_big = size_problems(spec)
    if too_big:
        return too_big
    dataset = Dataset(spec)
    renderer = PromptRenderer(spec.prompt)
    needed = template_fields(spec.prompt)
    problems: list[Problem] = []
    counts = {}
    for few_shot in (False, True) if spec.prompt.few_shot_path else (False,):
        if not few_shot and spec.data.hf is not None and not hub and spec.home.local_path(spec.data.hf.path) is None:
            continue  # a hub dataset is checked when it is loaded for a run, so validation needs no network
        try:
            found, counts[few_shot] = _check_rows(
                spec, renderer, needed, dataset.display(few_shot), dataset.rows(few_shot), None if few_shot else good
            )
        except InputError as exc:  # the data could not be loaded: its problems, a bare message located at line 1
            found = [p if isinstance(p, Problem) else Problem(dataset.display(few_shot), 1, p) for p in exc.problems]
        problems += found
        if not few_shot and counts.get(False) == 0 and not found:
            problems.append(Problem(dataset.display(), 1, f"no samples: the data of {spec.id} is empty"))
    k = spec.prompt.few_shot_k
    pool = counts.get(bool(spec.prompt.few_shot_path))
    needed_pool = k if spec.prompt.few_shot_path else k + 1
    if k and pool is not None and pool < needed_pool:
        where = display_path(spec.source) if spec.source else spec.id
        problems.append(
            Problem(
                where,
                spec.line_of("prompt", "few_shot", "k"),
                f"prompt.few_shot.k is {k} but only {pool} examples are available (each sample needs {k} others)",
            )
        )
    return problems


def _check_rows(
    spec: EvalSpec,
    renderer: PromptRenderer,
    needed: set[str],
    display: str,
    rows: Iterator[Row],
    good: list[tuple[int, Sample]] | None,
) -> tuple[list[Problem], int]:
    """Problems in one data source, and how many good samples it has (added to `good` with their lines, if given)."""
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for row in rows:
        try:
            if row.problem:
                raise SampleError(row.problem)
            sample = to_sample(row.value, spec)
            missing = sorted(needed - set(sample.fields))
            if missing:
                raise SampleError(
                    f"missing field{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} used by the prompt of {spec.id}"
                )
            if sample.id in first_seen:
                raise SampleError(f"duplicate sample id {sample.id!r} (first at line {first_seen[sample.id]})")
            renderer.render(sample)
        except SampleError as exc:
            problems.append(Problem(display, row.line, str(exc)))
        except PromptError as exc:
            problems.append(Problem(display, row.line, f"prompt of {spec.id} cannot be rendered: {exc}"))
        else:
            first_seen[sample.id] = row.line
            if good is not None:
                good.append((row.line, sample))
    return problems, len(first_seen)


def size_problems(spec: EvalSpec) -> list[Problem]:
    """A problem for each local data file of the eval over the size limit (such a file is not read further): `run`
    refuses it as `validate` does."""
    problems = []
    for relative in dict.fromkeys(p for p in (spec.data.path, spec.prompt.few_shot_path) if p):
        try:
            path = spec.home.data_file(relative)
            size = path.stat().st_size
        except (ValueError, OSError):
            continue  # a missing or escaping data file is reported by the registry
        if size > MAX_DATA_BYTES:
            message = (
                f"data file is {size / 2**20:.0f} MB; the limit is {MAX_DATA_BYTES >> 20} MB "
                "(host larger data on the Hugging Face hub)"
            )
            problems.append(Problem(display_path(path), 1, message))
    return problems
