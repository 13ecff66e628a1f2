"""Check registry files and the data behind each eval, reporting every problem as `path:line: message`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from harness.data import SampleError, load_hf, to_sample
from harness.errors import InputError, Problem
from harness.prompt import PromptError, PromptRenderer, template_fields
from harness.registry import Registry
from harness.spec import EvalSpec
from harness.workspace import Workspace


def validate(workspace: Workspace, paths: Iterable[Path] = ()) -> list[Problem]:
    """Problems in the registry and its data; limited to files under `paths` when any are given."""
    targets = [p.resolve() for p in paths]
    for target in targets:
        if not target.exists():
            raise InputError([Problem(str(target), 1, "no such file or directory")])
    extra = [p for t in targets for p in _yaml_under(t) if not p.is_relative_to(workspace.registry_dir.resolve())]
    registry = Registry.load(workspace, extra)
    problems = list(registry.problems)
    for spec in registry.evals.values():
        problems += check_data(spec, workspace)
    if targets:
        problems = [p for p in problems if _under(p.path, targets)]
    return problems


def check_data(spec: EvalSpec, workspace: Workspace) -> list[Problem]:
    """Problems with each sample of an eval's data (and its few-shot file): JSON, fields, ids, prompts."""
    renderer = PromptRenderer(spec.prompt)
    needed = template_fields(spec.prompt)
    problems: list[Problem] = []
    sources = []
    if spec.data.path is not None:
        sources.append((spec.data.path, True))
    if spec.prompt.few_shot_path:
        sources.append((spec.prompt.few_shot_path, False))
    for relative, is_main in sources:
        path = workspace.data_file(relative)
        display = workspace.display(path)
        problems += _check_rows(spec, renderer, needed, display, _jsonl_rows(path), is_main)
    if spec.data.hf is not None:
        hf = spec.data.hf
        local = workspace.local_path(hf.path)
        if local is not None:  # hub datasets are checked when they are loaded, not here (no network needed)
            try:
                rows = ((i + 1, row, None) for i, row in enumerate(load_hf(hf.path, hf.name, hf.split, hf.revision, workspace)))
                problems += _check_rows(spec, renderer, needed, f"hf:{hf.path}", rows, True)
            except InputError as exc:
                problems += exc.problems
    return problems


def _check_rows(spec: EvalSpec, renderer: PromptRenderer, needed: set[str], display: str, rows: Iterator[tuple[int, Any, str | None]], is_main: bool) -> list[Problem]:
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    count = 0
    for line, value, parse_error in rows:
        count += 1
        if parse_error:
            problems.append(Problem(display, line, parse_error))
            continue
        try:
            sample = to_sample(value, spec.data, spec.grader == "choice")
        except SampleError as exc:
            problems.append(Problem(display, line, str(exc)))
            continue
        missing = sorted(needed - set(sample.fields))
        if missing:
            problems.append(Problem(display, line, f"missing field{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} used by the prompt of {spec.id}"))
            continue
        if sample.id in first_seen:
            problems.append(Problem(display, line, f"duplicate sample id {sample.id!r} (first at line {first_seen[sample.id]})"))
        first_seen.setdefault(sample.id, line)
        try:
            renderer.render(sample)
        except PromptError as exc:
            problems.append(Problem(display, line, f"prompt of {spec.id} cannot be rendered: {exc}"))
    if count == 0 and is_main:
        problems.append(Problem(display, 1, f"no samples: the data of {spec.id} is empty"))
    return problems


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """(line, value, None) for each JSON line, or (line, None, message) where a line does not parse."""
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        yield 1, None, f"cannot read data file: {exc.strerror}"
        return
    number = 0
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line), None
                except json.JSONDecodeError as exc:
                    yield number, None, f"invalid JSON: {exc.msg} (column {exc.colno})"
        except UnicodeDecodeError as exc:
            yield number + 1, None, f"not UTF-8 text ({exc.reason})"


def _yaml_under(target: Path) -> list[Path]:
    if target.is_file():
        return [target] if target.suffix in (".yaml", ".yml") else []
    return sorted(p for p in target.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _under(display: str, targets: list[Path]) -> bool:
    path = Path(display)
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    return any(path == t or path.is_relative_to(t) for t in targets)
