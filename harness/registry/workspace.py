"""Where the registry, the eval data and the results live, and keeping file references inside them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputError

ENV_HOME = "EVALRUN_HOME"


PACKAGE = Path(__file__).resolve().parents[1]
"""The `harness` package folder (its `_builtin/` holds the registry and data of an installed copy)."""


@dataclass(frozen=True)
class Workspace:
    """A directory holding `registry/` (YAML) and `evals/` (data): a checkout, or the copy inside the package."""

    root: Path

    @property
    def registry_dir(self) -> Path:
        """The YAML registry: evals/, suites/, models/."""
        return self.root / "registry"

    @property
    def evals_dir(self) -> Path:
        """The data behind the evals, one folder per family."""
        return self.root / "evals"

    @classmethod
    def locate(cls, start: Path | None = None) -> Workspace:
        """`$EVALRUN_HOME`, else the nearest directory at or above `start` with `registry/`, else the built-in one."""
        if os.environ.get(ENV_HOME):
            home = Path(os.environ[ENV_HOME]).resolve()
            if not (home / "registry").is_dir():
                raise InputError(f"evalrun: {ENV_HOME}={os.environ[ENV_HOME]} has no registry/ folder")
            return cls(home)
        here = (start or Path.cwd()).resolve()
        for directory in (here, *here.parents):
            if (directory / "registry").is_dir() and (directory / "evals").is_dir():
                return cls(directory)
        builtin = PACKAGE / "_builtin"
        return cls(builtin if builtin.is_dir() else PACKAGE.parent)

    def data_file(self, relative: str) -> Path:
        """Resolve a data path given relative to `evals/`; raise ValueError if it leaves `evals/`."""
        if Path(relative).is_absolute() or "\\" in relative:
            raise ValueError(f"data path {relative!r} must be relative to evals/")
        return _inside(self.evals_dir / relative, self.evals_dir, f"data path {relative!r} leaves evals/")

    def local_path(self, relative: str) -> Path | None:
        """The file or folder inside the repository that `relative` names, None if none; ValueError if it (or a file in it) leaves."""
        if Path(relative).is_absolute():
            raise ValueError(f"path {relative!r} must be relative to the repository")
        target = _inside(self.root / relative, self.root, f"path {relative!r} leaves the repository")
        if not target.exists():
            return None
        if target.is_dir():
            for path in target.rglob("*"):
                _inside(path, self.root, f"path {relative!r} holds {path.name}, which leaves the repository")
        return target


def _inside(path: Path, root: Path, message: str) -> Path:
    """`path` with links resolved, if that is still under `root`; ValueError(message) if not."""
    try:
        resolved = path.resolve()
    except (RuntimeError, OSError):  # a loop of links (RuntimeError before Python 3.13)
        raise ValueError(f"{message}: {path.name} is a loop of links") from None
    if not resolved.is_relative_to(root.resolve()):
        raise ValueError(message)
    return resolved


def display_path(path: Path) -> str:
    """A short name for `path`: relative to the current directory when below it, else absolute; a link is named as
    itself, not as what it points to."""
    named = path.parent.resolve() / path.name
    try:
        return str(named.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(named)
