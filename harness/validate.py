"""`evalrun validate`: registry files and the data behind each eval, every problem as `path:line: message`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from harness.datacheck import check_data
from harness.errors import InputError, Problem
from harness.grading.checks import failed_checks
from harness.registry import KINDS, Registry
from harness.workspace import Workspace, display_path

CHECKED_SUFFIXES = (".yaml", ".yml", ".jsonl")


def validate(workspace: Workspace, paths: Iterable[Path] = ()) -> list[Problem]:
    """Problems in the registry and its data; when `paths` are given, those about files under them."""
    targets = [p.resolve() for p in paths]
    for target in targets:
        if not target.exists():
            raise InputError([Problem(display_path(target), 1, "no such file or directory")])
        if target.is_file() and target.suffix not in CHECKED_SUFFIXES:
            raise InputError([Problem(display_path(target), 1, "not a registry file (.yaml) or data file (.jsonl)")])
    registry_dir = workspace.registry_dir.resolve()
    extra = [p for t in targets for p in _registry_files(t) if not p.is_relative_to(registry_dir)]
    registry = Registry.load(workspace, extra)
    problems = [p for p in registry.problems if _chosen(p.path, targets)]
    for spec in registry.evals.values():
        found = check_data(spec, workspace)
        if spec.source is not None:  # grader self-tests run here only: loading the registry stays cheap
            source = display_path(spec.source)
            found += [Problem(source, spec.line_of("checks", i), message) for i, message in failed_checks(spec)]
        named = spec.source is not None and _chosen(str(spec.source), targets)
        problems += [p for p in found if named or _chosen(p.path, targets)]
    return problems


def _registry_files(target: Path) -> Iterator[Path]:
    """YAML files a path names: itself, or those under it in `evals/`, `suites/` or `models/` folders (hidden folders skipped)."""
    if target.is_file():
        if target.suffix in (".yaml", ".yml"):
            yield target
        return
    for folder, subfolders, files in os.walk(target):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if Path(folder).name in KINDS:
            yield from (Path(folder) / f for f in sorted(files) if f.endswith((".yaml", ".yml")))


def _chosen(path: str, targets: list[Path]) -> bool:
    if not targets:
        return True
    resolved = Path(path).resolve()
    return any(resolved == t or resolved.is_relative_to(t) for t in targets)
