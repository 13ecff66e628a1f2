"""Discover, schema-check and load the YAML registry: evals, suites, model presets and judge rubrics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.errors import InputError, Problem
from harness.registry.entry_checks import entry_problems, schema_problems
from harness.registry.specs import (
    EvalSpec,
    JudgeSpec,
    ModelPreset,
    SuiteSpec,
)
from harness.registry.workspace import ENTRY_FOLDERS, Workspace, display_path
from harness.registry.yamlfile import YamlDocument, load_yaml

_SCHEMA_OF = {"evals": "eval", "suites": "suite", "models": "model", "judges": "judge"}


@dataclass
class Registry:
    """Everything declared under the `registry/` folders of its workspaces, and every problem found reading them."""

    workspace: Workspace
    """The user's own workspace (the last one read): where `evalrun new` writes, and what a bare `validate` checks."""
    layers: tuple[Workspace, ...] = ()
    """Every workspace read, the built-in one first."""
    evals: dict[str, EvalSpec] = field(default_factory=dict)
    suites: dict[str, SuiteSpec] = field(default_factory=dict)
    models: dict[str, ModelPreset] = field(default_factory=dict)
    judges: dict[str, JudgeSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    documents: dict[tuple[str, str], YamlDocument] = field(default_factory=dict)
    """The parsed file behind each valid entry, by (kind, id)."""
    homes: dict[tuple[str, str], Workspace] = field(default_factory=dict)
    """The workspace each valid entry comes from, by (kind, id)."""
    _broken: set[str] = field(default_factory=set, repr=False)
    """Ids (or file stems) of entries that failed to load, so references to them are not reported twice."""

    @classmethod
    def load(cls, workspaces: Workspace | Sequence[Workspace], extra: Iterable[Path] = ()) -> Registry:
        """Read every registry file of `workspaces` (one, or several whose registries add up: an id defined twice is
        a problem naming both files), plus `extra` files from elsewhere, typed by their folder name and read as the
        last workspace's."""
        layers = (workspaces,) if isinstance(workspaces, Workspace) else tuple(workspaces)
        registry = cls(layers[-1], layers)
        files: list[tuple[str, Path, Workspace]] = []
        for workspace in layers:
            root = workspace.root.resolve()
            for kind in ENTRY_FOLDERS:
                for path in _entries(workspace.registry_dir / kind):
                    problem = _entry_problem(path, root)
                    if problem:
                        registry.problems.append(Problem(display_path(path), 1, problem))
                    elif path.suffix in (".yaml", ".yml"):
                        files.append((kind, path, workspace))
                    else:
                        registry.problems.append(
                            Problem(display_path(path), 1, "not a registry file: entries are .yaml files")
                        )
        known = {path.resolve() for _, path, _ in files}
        files += [(kind_of(path), path, layers[-1]) for path in extra if path.resolve() not in known]
        first_line: dict[tuple[str, str], str] = {}
        for kind, path, workspace in files:
            registry._load_file(kind, path, workspace, first_line)
        registry._check_references()
        return registry

    def source(self, kind: str, entry_id: str) -> str:
        """Where an entry comes from: `built-in`, or the folder of the user's workspace that defines it."""
        home = self.homes.get((kind, entry_id))
        if home is None or home.builtin:
            return "built-in"
        return display_path(home.root)

    def own(self, kind: str, entry_id: str) -> bool:
        """Whether an entry comes from a workspace of the user's rather than the built-in registry (True for all
        entries when the built-in registry is the only one read, as in a checkout of evalrun)."""
        home = self.homes.get((kind, entry_id))
        return home is None or not home.builtin or all(layer.builtin for layer in self.layers)

    def raise_problems(self) -> None:
        """Raise InputError if anything in the registry is wrong."""
        if self.problems:
            raise InputError(self.problems)

    def resolve(self, names: Iterable[str]) -> list[EvalSpec]:
        """Eval specs for eval or suite ids, in order, without repeats."""
        chosen: dict[str, EvalSpec] = {}
        unknown = []
        for name in names:
            if name in self.evals:
                chosen.setdefault(name, self.evals[name])
            elif name in self.suites:
                for eval_id in self.suites[name].evals:
                    chosen.setdefault(eval_id, self.evals[eval_id])
            else:
                unknown.append(name)
        if unknown:
            raise InputError(
                [f"evalrun: unknown eval or suite {name!r}; `evalrun list` shows them" for name in unknown]
            )
        return list(chosen.values())

    def _load_file(self, kind: str, path: Path, workspace: Workspace, first_line: dict[tuple[str, str], str]) -> None:
        display = display_path(path)
        doc, problems = load_yaml(path, display)
        if doc is None:
            self.problems += problems
            return
        problems = schema_problems(doc, _SCHEMA_OF[kind])
        if problems:
            self.problems += problems
            self._broken.add(path.stem)
            return
        entry_id = doc.data["id"]
        if (kind, entry_id) in first_line:
            self.problems.append(
                Problem(
                    display,
                    doc.line_of(["id"]),
                    f"duplicate {kind[:-1]} id {entry_id!r} (also defined at {first_line[kind, entry_id]})",
                )
            )
            return
        first_line[kind, entry_id] = f"{display}:{doc.line_of(['id'])}"
        problems = entry_problems(kind, doc, path, workspace)
        if problems:
            self.problems += problems
            self._broken.add(entry_id)
            return
        self.documents[kind, entry_id] = doc
        self.homes[kind, entry_id] = workspace
        if kind == "evals":
            self.evals[entry_id] = EvalSpec.from_dict(doc.data, workspace, source=path, lines=doc.lines)
        elif kind == "suites":
            self.suites[entry_id] = SuiteSpec(entry_id, doc.data["description"], tuple(doc.data["evals"]))
        elif kind == "judges":
            self.judges[entry_id] = JudgeSpec.from_dict(doc.data)
        else:
            preset = ModelPreset(**doc.data)
            if preset.ca_file:  # checked by entry_problems to be a file inside the repository
                preset = replace(preset, ca_file=str(workspace.local_path(preset.ca_file)))
            self.models[entry_id] = preset

    def _check_references(self) -> None:
        for spec in self.evals.values():
            rubric = spec.grader_options.get("rubric")
            if rubric is not None and rubric not in self.judges and rubric not in self._broken:
                doc = self.documents["evals", spec.id]
                line = doc.line_of(["grader", "rubric"])
                self.problems.append(
                    Problem(doc.path, line, f"grader: unknown judge rubric {rubric!r} (registry/judges/)")
                )
        for suite in self.suites.values():
            doc = self.documents["suites", suite.id]
            for index, eval_id in enumerate(suite.evals):
                if eval_id not in self.evals and eval_id not in self._broken:
                    self.problems.append(
                        Problem(
                            doc.path,
                            doc.line_of(["evals", index]),
                            f"suite {suite.id!r} lists unknown eval {eval_id!r}",
                        )
                    )
            if suite.id in self.evals:
                self.problems.append(
                    Problem(doc.path, doc.line_of(["id"]), f"suite id {suite.id!r} is also an eval id")
                )


def kind_of(path: Path) -> str:
    """The registry kind a YAML file is by its folder name (`evals`, `suites`, `models`, `judges`); evals by default."""
    return path.parent.name if path.parent.name in ENTRY_FOLDERS else "evals"


def _entries(directory: Path) -> list[Path]:
    """The files of a registry folder, hidden ones and READMEs aside."""
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.iterdir() if not p.is_dir() and not p.name.startswith(".") and p.name != "README.md"
    )


def _entry_problem(path: Path, root: Path) -> str | None:
    """Why a registry folder entry cannot be read as a registry file (a link out, a loop, not a regular file)."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "a link to nothing: registry entries are .yaml files"
    except (RuntimeError, OSError):
        return "a loop of links: registry entries are .yaml files"
    if not target.is_relative_to(root):
        return "a link that leads out of the repository: registry files are read only inside it"
    if not target.is_file():
        return "not a regular file: registry entries are .yaml files"
    return None
