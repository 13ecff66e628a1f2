"""Where the registry, the eval data and the results live, and keeping file references inside them."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputError

ENV_HOME = "EVALRUN_HOME"
"""A registry folder used instead of the built-in registry and the current folder's (a fork of the registry)."""
ENV_PATH = "EVALRUN_PATH"
"""More registry folders, separated like PATH, added to the built-in registry."""
ENTRY_FOLDERS = ("evals", "suites", "models", "judges")
"""The folders of `registry/`, one per kind of entry."""


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

    @property
    def builtin(self) -> bool:
        """Whether this is the built-in registry: an installed copy's, or a checkout of evalrun itself."""
        return self.root.resolve() == builtin_root().resolve() or is_evalrun_checkout(self.root.resolve())

    @classmethod
    def locate(cls, start: Path | None = None) -> Workspace:
        """The user's own workspace: `$EVALRUN_HOME`, else the nearest folder at or above `start` holding a registry,
        else the built-in one. `evalrun new` writes there."""
        return search_path(start)[-1]

    def holds_registry(self) -> bool:
        """Whether `registry/` here has at least one folder of entries."""
        return any((self.registry_dir / kind).is_dir() for kind in ENTRY_FOLDERS)

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


def builtin_root() -> Path:
    """The root of the built-in registry: the copy inside an installed package, else the checkout evalrun runs from."""
    builtin = PACKAGE / "_builtin"
    return builtin if builtin.is_dir() else PACKAGE.parent


def search_path(start: Path | None = None, registries: Sequence[Path] = ()) -> list[Workspace]:
    """The workspaces whose registries together make evalrun's, in order: the built-in one, each folder of
    `$EVALRUN_PATH`, each of `registries` (--registry), then the nearest folder at or above `start` (the current one)
    holding a registry; each once. Standing in a checkout of evalrun itself, that checkout is the built-in registry
    (an installed copy's is the same registry, older or newer, not a second one). `$EVALRUN_HOME` instead names the
    only one. InputError for a folder named that holds no registry."""
    if os.environ.get(ENV_HOME):
        return [_named(Path(os.environ[ENV_HOME]), f"{ENV_HOME}={os.environ[ENV_HOME]}")]
    here = (start or Path.cwd()).resolve()
    nearest = next((Workspace(d) for d in (here, *here.parents) if Workspace(d).holds_registry()), None)
    checkout = nearest is not None and is_evalrun_checkout(nearest.root)
    found = [nearest if checkout and nearest is not None else Workspace(builtin_root())]
    named = [p for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p]
    found += [_named(Path(p), f"{ENV_PATH} folder {p}") for p in named]
    found += [_named(p, f"--registry {p}") for p in registries]
    if nearest is not None:
        found.append(nearest)
    unique: dict[Path, Workspace] = {}
    for workspace in found:
        unique.setdefault(workspace.root.resolve(), workspace)
    return list(unique.values())


@functools.lru_cache(maxsize=16)
def is_evalrun_checkout(root: Path) -> bool:
    """Whether `root` is a checkout of evalrun's own repository (its package and its project file)."""
    project = root / "pyproject.toml"
    if not (root / "harness" / "__init__.py").is_file() or not project.is_file():
        return False
    return 'name = "evalrun-harness"' in project.read_text(encoding="utf-8", errors="replace")


def _named(folder: Path, what: str) -> Workspace:
    """The workspace at a folder the user named; InputError if it holds no registry."""
    workspace = Workspace(folder.resolve())
    if not workspace.holds_registry():
        raise InputError(
            f"evalrun: {what} has no registry: a registry folder holds registry/evals/, registry/suites/, "
            "registry/models/ or registry/judges/"
        )
    return workspace


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
