"""`evalrun validate`: registry files and the data behind each eval, every problem as `path:line: message`, and the
warnings that fail nothing."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from harness.authoring.changes import affected, changed_files, eval_files
from harness.authoring.overlap import Question, duplicate_problems, question_of
from harness.data.cards import DataCard, card_problems
from harness.data.checks import check_data, size_problems
from harness.data.dataset import Dataset
from harness.errors import InputError, Problem
from harness.grading.checks import failed_checks, oracle_failures
from harness.grading.provenance import language_warnings
from harness.registry.loader import Registry
from harness.registry.specs import EvalSpec
from harness.registry.workspace import ENTRY_FOLDERS, Workspace, display_path
from harness.types import Sample

CHECKED_SUFFIXES = (".yaml", ".yml", ".jsonl")


def validate(
    workspaces: Sequence[Workspace],
    paths: Iterable[Path] = (),
    changed_since: str | None = None,
    warnings: list[Problem] | None = None,
) -> list[Problem]:
    """Problems in the user's registry and its data, read with the others of `workspaces` (the built-in one first), so an
    id defined twice is found; when `paths` are given, those about files under them; with `changed_since` (a git
    revision), those about files changed since then and the evals they belong to. In a checkout of evalrun, where the
    built-in registry is the only one, that is the one checked. `warnings`, when given, receives what is allowed but
    likely wrong (such as the cmrc2018 standard on a Japanese eval), chosen the same way; a warning is no problem."""
    targets = [p.resolve() for p in paths]
    for target in targets:
        if not target.exists():
            raise InputError([Problem(display_path(target), 1, "no such file or directory")])
        if target.is_file() and target.suffix not in CHECKED_SUFFIXES:
            raise InputError([Problem(display_path(target), 1, "not a registry file (.yaml) or data file (.jsonl)")])
    registries = [workspace.registry_dir.resolve() for workspace in workspaces]
    extra = [p for t in targets for p in _registry_files(t) if not any(p.is_relative_to(r) for r in registries)]
    registry = Registry.load(workspaces, extra)
    if changed_since is not None:
        changed = changed_files(registry.workspace, changed_since)
        targets += sorted(changed) + [f for s in affected(registry.evals.values(), changed) for f in eval_files(s)]
        if not targets:
            return []
    own = [spec for spec in registry.evals.values() if registry.own("evals", spec.id)]
    named = [s for s in own if targets and s.source and _chosen(str(s.source), targets)]
    targets += [path for spec in named for path in eval_files(spec)]  # an eval named brings its data
    problems = [p for p in registry.problems if _chosen(p.path, targets)]
    cards: dict[str, tuple[DataCard | None, list[Problem]]] = {}
    questions: list[Question] = []
    for spec in own:
        found = card_problems(spec, cards)
        too_big = size_problems(spec)
        if too_big:
            found += too_big
        else:
            samples: list[tuple[int, Sample]] = []
            found += check_data(spec, good=samples if spec.data.path else None)
            found += _review_data(spec, samples, questions)
        if spec.source is not None:  # grader self-tests run here only: loading the registry stays cheap
            source = display_path(spec.source)
            found += [Problem(source, spec.line_of("checks", i), message) for i, message in failed_checks(spec)]
            if warnings is not None and _chosen(source, targets):
                warnings += [
                    Problem(source, spec.line_of("grader", *where), message)
                    for where, message in language_warnings(spec.grader_config, spec.language)
                ]
        problems += [p for p in found if _chosen(p.path, targets)]
    duplicates = duplicate_problems(questions, reported=lambda path: _chosen(path, targets))
    problems += [p for p in duplicates if _chosen(p.path, targets)]
    return list(dict.fromkeys(problems))  # a data file or card shared by evals is reported once


def _review_data(spec: EvalSpec, samples: list[tuple[int, Sample]], questions: list[Question]) -> list[Problem]:
    """The oracle self-test of an eval's good local samples; their questions go to `questions` for the duplicate check."""
    if spec.data.path is None:
        return []
    display = Dataset(spec).display()
    questions += [question_of(spec, sample, display, line) for line, sample in samples]
    return [Problem(display, line, message) for line, message in oracle_failures(spec, samples)]


def _registry_files(target: Path) -> Iterator[Path]:
    """YAML files a path names: itself, or those under it in `evals/`, `suites/` or `models/` folders (hidden folders skipped)."""
    if target.is_file():
        if target.suffix in (".yaml", ".yml"):
            yield target
        return
    for folder, subfolders, files in os.walk(target):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if Path(folder).name in ENTRY_FOLDERS:
            yield from (Path(folder) / f for f in sorted(files) if f.endswith((".yaml", ".yml")))


def _chosen(path: str, targets: list[Path]) -> bool:
    if not targets:
        return True
    try:
        resolved = Path(path).resolve()
    except (RuntimeError, OSError):  # a loop of links: compare the name as written
        resolved = Path(path).absolute()
    return any(resolved == t or resolved.is_relative_to(t) for t in targets)
