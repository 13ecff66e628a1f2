"""Discover, schema-check and load the YAML registry: evals, suites, model presets and judge rubrics."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from harness.errors import InputError, Problem
from harness.registry.graders import KINDS, config_problems
from harness.registry.specs import (
    CREDENTIAL_HEADERS,
    EvalSpec,
    JudgeSpec,
    ModelPreset,
    PromptSpec,
    SuiteSpec,
    endpoint_url_problem,
)
from harness.registry.workspace import Workspace, display_path
from harness.registry.yamlfile import YamlDocument, load_yaml
from harness.text.patterns import compile_pattern

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

ENTRY_FOLDERS = ("evals", "suites", "models", "judges")
_SCHEMA_OF = {"evals": "eval", "suites": "suite", "models": "model", "judges": "judge"}


@dataclass
class Registry:
    """Everything declared under `registry/`, and every problem found while reading it."""

    workspace: Workspace
    evals: dict[str, EvalSpec] = field(default_factory=dict)
    suites: dict[str, SuiteSpec] = field(default_factory=dict)
    models: dict[str, ModelPreset] = field(default_factory=dict)
    judges: dict[str, JudgeSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    documents: dict[tuple[str, str], YamlDocument] = field(default_factory=dict)
    """The parsed file behind each valid entry, by (kind, id)."""
    _broken: set[str] = field(default_factory=set, repr=False)
    """Ids (or file stems) of entries that failed to load, so references to them are not reported twice."""

    @classmethod
    def load(cls, workspace: Workspace, extra: Iterable[Path] = ()) -> Registry:
        """Read every registry file (plus `extra` files from elsewhere, typed by their folder name)."""
        registry = cls(workspace)
        files = []
        root = workspace.root.resolve()
        for kind in ENTRY_FOLDERS:
            for path in _entries(workspace.registry_dir / kind):
                problem = _entry_problem(path, root)
                if problem:
                    registry.problems.append(Problem(display_path(path), 1, problem))
                elif path.suffix in (".yaml", ".yml"):
                    files.append((kind, path))
                else:
                    registry.problems.append(
                        Problem(display_path(path), 1, "not a registry file: entries are .yaml files")
                    )
        known = {path.resolve() for _, path in files}
        files += [(kind_of(path), path) for path in extra if path.resolve() not in known]
        first_line: dict[tuple[str, str], str] = {}
        for kind, path in files:
            registry._load_file(kind, path, first_line)
        registry._check_references()
        return registry

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

    def _load_file(self, kind: str, path: Path, first_line: dict[tuple[str, str], str]) -> None:
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
        problems = entry_problems(kind, doc, path, self.workspace)
        if problems:
            self.problems += problems
            self._broken.add(entry_id)
            return
        self.documents[kind, entry_id] = doc
        if kind == "evals":
            self.evals[entry_id] = EvalSpec.from_dict(doc.data, source=path, lines=doc.lines)
        elif kind == "suites":
            self.suites[entry_id] = SuiteSpec(entry_id, doc.data["description"], tuple(doc.data["evals"]))
        elif kind == "judges":
            self.judges[entry_id] = JudgeSpec.from_dict(doc.data)
        else:
            preset = ModelPreset(**doc.data)
            if preset.ca_file:  # checked by entry_problems to be a file inside the repository
                preset = replace(preset, ca_file=str(self.workspace.local_path(preset.ca_file)))
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


def schema_problems(doc: YamlDocument, schema_name: str) -> list[Problem]:
    """One problem per schema violation, located at the offending key or value."""
    from harness.registry.schemas import iter_errors

    problems = []
    for error in iter_errors(schema_name, doc.data):
        location = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - allowed):
                line = doc.line_of(location + [key])
                problems.append(
                    Problem(
                        doc.path,
                        line,
                        f"{_dotted(location + [key])}: unknown key (allowed: {', '.join(sorted(allowed))})",
                    )
                )
            continue
        problems.append(
            Problem(doc.path, doc.line_of(location), f"{_dotted(location) or 'file'}: {_schema_message(error)}")
        )
    return problems


def _schema_message(error: ValidationError) -> str:
    if error.validator == "required":
        return error.message.replace(" is a required property", " is required")
    if error.validator == "type":
        return f"must be of type {error.validator_value}, not {type(error.instance).__name__} ({error.instance!r})"
    if error.validator == "enum":
        options = cast("list[Any]", error.validator_value)  # an enum keyword's value is the list of its values
        return f"{error.instance!r} is not one of {', '.join(map(str, options))}"
    return error.message


def _dotted(location: list[Any]) -> str:
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def entry_problems(kind: str, doc: YamlDocument, path: Path, workspace: Workspace) -> list[Problem]:
    """Checks of a schema-valid registry entry that a schema cannot express."""
    data = doc.data
    problems: list[Problem] = []
    if path.parent.name == kind and path.stem != data["id"]:
        message = (
            f"{kind[:-1]} id {data['id']!r} must match the file name ({path.name} should be {data['id']}{path.suffix})"
        )
        problems.append(Problem(doc.path, doc.line_of(["id"]), message))
    if kind == "evals":
        problems += eval_problems(doc, workspace)
    if kind == "judges":
        problems += judge_problems(doc)
    if kind == "models":
        problems += preset_problems(doc, workspace)
    if kind == "models" and "base_url" in data:
        problem = endpoint_url_problem(data["base_url"])
        if problem is None and "@" in data["base_url"].split("//", 1)[-1].split("/", 1)[0]:
            problem = "credentials in a preset's URL would be committed with it: name a variable in api_key_env"
        if problem:
            problems.append(Problem(doc.path, doc.line_of(["base_url"]), f"base_url: {problem}"))
    return problems


def preset_problems(doc: YamlDocument, workspace: Workspace) -> list[Problem]:
    """Checks of a schema-valid model preset: no credential in its headers, its CA file inside the repository."""
    data = doc.data
    problems = [
        Problem(
            doc.path,
            doc.line_of(["headers", name]),
            f"headers: {name!r} would carry a credential in the "
            "registry: name the key's variable in api_key_env instead",
        )
        for name in data.get("headers") or {}
        if CREDENTIAL_HEADERS.fullmatch(name)
    ]
    if "ca_file" in data:
        try:
            target = workspace.local_path(data["ca_file"])
        except ValueError as exc:
            problems.append(Problem(doc.path, doc.line_of(["ca_file"]), f"ca_file: {exc}"))
        else:
            if target is None or not target.is_file():
                problems.append(
                    Problem(
                        doc.path, doc.line_of(["ca_file"]), f"ca_file: no file {data['ca_file']!r} in the repository"
                    )
                )
    return problems


def eval_problems(doc: YamlDocument, workspace: Workspace) -> list[Problem]:
    """Checks of a schema-valid eval spec: data paths, templates, metrics."""
    from harness.registry.templates import template_problems

    data, line = doc.data, doc.line_of
    problems: list[Problem] = []
    add: Callable[[list[Any], str], None] = lambda loc, msg: problems.append(Problem(doc.path, line(loc), msg))
    problem = language_problem(data["language"])
    if problem:
        add(["language"], f"language: {problem}")
    source = data["data"]
    if ("path" in source) == ("hf" in source):
        add(["data"], "data: give exactly one of `path` (a JSONL file under evals/) or `hf` (a Hugging Face dataset)")
    for location in (["data", "path"], ["prompt", "few_shot", "path"]):
        relative = _get(data, location)
        if relative is None:
            continue
        try:
            target = workspace.data_file(relative)
        except ValueError as exc:
            add(location, str(exc))
            continue
        if target.exists() and not target.is_file():
            add(location, f"data file is not a regular file: evals/{relative}")
        elif not target.is_file():
            add(location, f"data file not found: evals/{relative}")
        elif target.suffix != ".jsonl":
            add(location, f"data file must be JSONL (.jsonl): evals/{relative}")
    if "hf" in source:
        try:
            local = workspace.local_path(source["hf"]["path"])
        except ValueError as exc:
            add(["data", "hf", "path"], str(exc))
        else:
            if local is None and not re.fullmatch(r"[0-9a-f]{40}", source["hf"]["revision"]):
                add(["data", "hf", "revision"], "a hub dataset must be pinned to a full 40-character commit hash")
            hub_id = source["hf"]["path"]
            if local is None and (not re.fullmatch(r"[\w.-]+(/[\w.-]+)?", hub_id) or ".." in hub_id):
                add(
                    ["data", "hf", "path"],
                    f"{hub_id!r} is neither a folder in the repository nor a hub id (owner/name)",
                )
    prompt = data["prompt"]
    spec = PromptSpec(user=prompt["user"], system=prompt.get("system"))
    for part, message in template_problems(spec):
        add(["prompt", part], f"prompt.{part}: {message}")
    for where, message in config_problems(data["grader"]):
        add(["grader", *where], f"grader: {message}")
    grader = data["grader"]["kind"]
    for index, metric in enumerate(data.get("metrics") or ()):
        if metric not in KINDS[grader].metrics:
            add(
                ["metrics", index],
                f"metric {metric!r} is not produced by grader {grader!r} (it gives {', '.join(KINDS[grader].metrics)})",
            )
    return problems


COMMON_LANGUAGES = frozenset({"en", "ja", "zh-Hans", "zh-Hant"})


def language_problem(tag: str) -> str | None:
    """Why `tag` is not a valid BCP-47 language tag (None if it is), checked with `langcodes`."""
    if tag in COMMON_LANGUAGES:
        return None
    import langcodes

    if "_" in tag or not langcodes.tag_is_valid(tag):
        hint = f" (did you mean {tag.replace('_', '-')!r}?)" if "_" in tag else ""
        return f"{tag!r} is not a valid BCP-47 language tag{hint}; e.g. en, ja, zh-Hans, zh-Hant, ko, en-GB"
    return None


def judge_problems(doc: YamlDocument) -> list[Problem]:
    """Checks of a schema-valid judge rubric: templates that compile, a verdict pattern with a group."""
    from harness.registry.templates import template_problems

    data = doc.data
    problems = []
    prompt = PromptSpec(user=data["prompt"]["user"], system=data["prompt"].get("system"))
    for part, message in template_problems(prompt):
        problems.append(Problem(doc.path, doc.line_of(["prompt", part]), f"prompt.{part}: {message}"))
    if "pattern" in data:
        try:
            if compile_pattern(data["pattern"]).groups < 1:
                problems.append(
                    Problem(doc.path, doc.line_of(["pattern"]), "pattern: needs a group that holds the verdict")
                )
        except ValueError as exc:
            problems.append(Problem(doc.path, doc.line_of(["pattern"]), f"pattern: {exc}"))
    return problems


def _get(data: Any, location: list[str]) -> Any:
    for key in location:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data
