"""What changed since a git revision, and which evals that touches: `validate --changed-since`, `list --changed-since`."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterable
from pathlib import Path

from harness.data.cards import card_location
from harness.errors import InputError
from harness.registry.specs import EvalSpec
from harness.registry.workspace import Workspace


def changed_files(workspace: Workspace, ref: str) -> set[Path]:
    """Files added or modified since `ref`'s common ancestor with HEAD: committed, staged, unstaged or untracked."""
    root = Path(_git(workspace.root, "rev-parse", "--show-toplevel").strip())
    base = _git(workspace.root, "merge-base", ref, "HEAD").strip()
    listed = _git(workspace.root, "diff", "--name-only", "--no-renames", "--diff-filter=d", "-z", base)
    listed += _git(workspace.root, "ls-files", "--others", "--exclude-standard", "-z", "--full-name", ":/")
    return {(root / name).resolve() for name in listed.split("\0") if name}


def affected(specs: Iterable[EvalSpec], changed: set[Path]) -> list[EvalSpec]:
    """The evals whose spec, data, few-shot examples or data card is among `changed`."""
    return [spec for spec in specs if not changed.isdisjoint(eval_files(spec))]


def eval_files(spec: EvalSpec) -> set[Path]:
    """The files an eval is made of: its spec, its local data and few-shot files, and its data card."""
    files = {spec.source.resolve()} if spec.source else set()
    for relative in (spec.data.path, spec.prompt.few_shot_path, card_location(spec)):
        if relative:
            with contextlib.suppress(ValueError):  # reported by validation
                files.add(spec.home.data_file(relative))
    return files


def _git(cwd: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise InputError(f"evalrun: --changed-since needs git ({exc.strerror})") from None
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise InputError(f"evalrun: --changed-since: git {args[0]}: {reason}")
    return result.stdout
