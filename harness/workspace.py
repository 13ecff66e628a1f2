"""Where the registry, the eval data and the results live, and keeping file references inside them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_HOME = "EVALRUN_HOME"


@dataclass(frozen=True)
class Workspace:
    """A directory holding `registry/` (YAML) and `evals/` (data) — a checkout, or the copy inside the package."""

    root: Path

    @property
    def registry_dir(self) -> Path:
        return self.root / "registry"

    @property
    def evals_dir(self) -> Path:
        return self.root / "evals"

    @classmethod
    def locate(cls, start: Path | None = None) -> "Workspace":
        """`$EVALRUN_HOME`, else the nearest directory at or above `start` with `registry/`, else the built-in one."""
        if os.environ.get(ENV_HOME):
            return cls(Path(os.environ[ENV_HOME]).resolve())
        here = (start or Path.cwd()).resolve()
        for directory in (here, *here.parents):
            if (directory / "registry").is_dir() and (directory / "evals").is_dir():
                return cls(directory)
        package = Path(__file__).resolve().parent
        builtin = package / "_builtin"
        return cls(builtin if builtin.is_dir() else package.parent)

    def display(self, path: Path) -> str:
        """A short name for `path`: relative to the current directory when below it, else absolute."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)

    def data_file(self, relative: str) -> Path:
        """Resolve a data path given relative to `evals/`; raise ValueError if it leaves `evals/`."""
        if Path(relative).is_absolute() or "\\" in relative:
            raise ValueError(f"data path {relative!r} must be relative to evals/")
        evals = self.evals_dir.resolve()
        target = (evals / relative).resolve()
        if not target.is_relative_to(evals):
            raise ValueError(f"data path {relative!r} leaves evals/")
        return target

    def local_path(self, relative: str) -> Path | None:
        """A path inside the workspace named by `relative`, None if it names nothing here; ValueError if it leaves."""
        if Path(relative).is_absolute():
            raise ValueError(f"path {relative!r} must be relative to the repository")
        root = self.root.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise ValueError(f"path {relative!r} leaves the repository")
        return target if target.exists() else None
