"""Checks of registry entries: against the shipped JSON Schemas, then what a schema cannot express (ids matching
file names, data paths inside evals/, templates, languages, judge patterns, preset headers and CA files)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from harness.errors import Problem
from harness.registry.graders import config_problems, metrics_of
from harness.registry.specs import CREDENTIAL_HEADERS, PromptSpec, endpoint_url_problem
from harness.registry.workspace import Workspace
from harness.registry.yamlfile import YamlDocument
from harness.text.patterns import compile_pattern

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


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
    grader, produced = data["grader"]["kind"], metrics_of(data["grader"])
    for index, metric in enumerate(data.get("metrics") or ()):
        if metric not in produced:
            add(
                ["metrics", index],
                f"metric {metric!r} is not produced by grader {grader!r} (it gives {', '.join(produced)})",
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
