"""`evalrun new`: write an eval's spec, two example data lines and its family's data card, valid as written."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.authoring.scaffold.render import CANARY, card_text, rows, spec_text, subtags, texts, wording
from harness.authoring.scaffold.setups import SETUPS, Setup
from harness.errors import InputError
from harness.registry.workspace import PACKAGE, Workspace, display_path

__all__ = ["CANARY", "SETUPS", "Scaffold", "Setup", "check_language", "data_stem", "scaffold"]

_FAMILY = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True)
class Scaffold:
    """What `evalrun new` wrote: the eval id, the files created (in order), and the family's canary GUID."""

    eval_id: str
    created: tuple[Path, ...]
    canary: str
    card: Path
    """The family's data card (created, or the existing one whose canary was reused)."""
    english_stand_in: bool
    """Whether the prompt and examples are in English because evalrun has no wording for the eval's language."""


def scaffold(
    workspace: Workspace, eval_id: str, tag: str, kind: str, family: str | None = None, rubrics: Collection[str] = ()
) -> Scaffold:
    """Write a new eval, its two example lines and (if the family has none) its data card; InputError, writing nothing,
    if it cannot. `rubrics` are the judge rubrics the registries read know (a judge eval needs its rubric among them)."""
    folder = family if family is not None else eval_id.split(".")[0]
    problems = _id_problems(eval_id)
    if family is not None or not problems:  # a family taken from a bad id would only repeat the id's problem
        problems += _family_problems(folder)
    language, language_problems = check_language(tag)
    problems += language_problems + _workspace_problems(workspace, kind, rubrics)
    if problems:
        raise InputError(problems)
    stem = data_stem(language)
    spec_file = workspace.registry_dir / "evals" / f"{eval_id}.yaml"
    data_file = workspace.evals_dir / folder / f"{stem}.jsonl"
    card = workspace.evals_dir / folder / "README.md"
    canary, card_problems = _family_canary(card)
    problems = _taken_problems(spec_file, data_file) + card_problems
    if canary is None or problems:
        raise InputError(problems)
    found = texts(language, SETUPS[kind].shape)
    lines = rows(found, f"{folder}-{stem}", canary)
    files = {
        spec_file: spec_text(eval_id, language, kind, f"{folder}/{stem}.jsonl", found),
        data_file: "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in lines),
    }
    if not card.exists():
        files[card] = card_text(eval_id, language, kind, folder, stem, canary, lines[0])
    return Scaffold(eval_id, _write(files), canary, card, wording(language) != subtags(language)[0])


def check_language(tag: str) -> tuple[str, list[str]]:
    """The tag in its standard form, and why an eval cannot be written in it (none if it can)."""
    import langcodes

    from harness.registry.schemas import schema

    if "_" in tag:
        dashed = tag.replace("_", "-")
        hint = f", as in {dashed!r}" if langcodes.tag_is_valid(dashed) else ""
        return tag, [f"evalrun: --lang {tag!r} is not a BCP-47 tag: its subtags are joined with '-'{hint}"]
    if not langcodes.tag_is_valid(tag):
        return tag, [f"evalrun: --lang {tag!r} is not a valid BCP-47 language tag (like en, ja or zh-Hans)"]
    standard = langcodes.standardize_tag(tag)
    rule = schema("eval")["properties"]["language"]
    if standard not in rule.get("enum", (standard,)) or not re.search(rule.get("pattern", ""), standard):
        return standard, [f"evalrun: --lang {tag!r} is not a language an eval may declare (eval.schema.json)"]
    return standard, []


def data_stem(language: str) -> str:
    """The data file's name for a language: its language and script subtags, lower case (en-GB → en, zh-TW → zh-hant)."""
    return "-".join(part for part in subtags(language) if part).lower()


def _family_canary(card: Path) -> tuple[str | None, list[str]]:
    """The canary GUID of the family's data card (a new one if it has no card yet), or None and why not."""
    if not card.exists():
        return str(uuid.uuid4()), []
    from harness.data.cards import FRONT_MATTER_HINT, read_card

    found, problems = read_card(card)
    if found is not None:
        return found.canary, []
    if [problem.message for problem in problems] == [FRONT_MATTER_HINT]:
        return None, [
            f"evalrun: {display_path(card)} has no `canary:` GUID in its front matter to reuse; add the family's there first"
        ]
    why = "the family's data card must be valid for `evalrun new` to reuse its canary GUID"
    return None, [f"evalrun: {problem} ({why})" for problem in problems]


def _id_problems(eval_id: str) -> list[str]:
    """Why an eval id breaks the eval schema's rule (none if it does not)."""
    from harness.registry.schemas import schema

    rule = schema("eval")["properties"]["id"]
    if re.fullmatch(rule["pattern"], eval_id) and len(eval_id) <= rule["maxLength"]:
        return []
    limit = rule["maxLength"]
    return [
        f"evalrun: eval id {eval_id!r} must be up to {limit} of a-z 0-9 - _, in parts joined by '.' (like jcommonsense.ja)"
    ]


def _taken_problems(spec_file: Path, data_file: Path) -> list[str]:
    """One problem for each file the scaffold would have to replace."""
    fixes = {spec_file: "choose another id", spec_file.with_suffix(".yml"): "choose another id"}
    fixes[data_file] = "give another --family"
    return [f"evalrun: {display_path(path)} already exists: {fix}" for path, fix in fixes.items() if path.exists()]


def _family_problems(family: str) -> list[str]:
    """Why a family name cannot be a folder under evals/ (none if it can)."""
    if _FAMILY.fullmatch(family):
        return []
    return [f"evalrun: family {family!r} must be lower-case letters, digits, '-' and '_' (like gpt-history)"]


def _workspace_problems(workspace: Workspace, kind: str, rubrics: Collection[str]) -> list[str]:
    """Why scaffolds cannot go into this workspace: evalrun's own installed copy, or a judge rubric no registry has."""
    if workspace.root.resolve().is_relative_to(PACKAGE):  # inside the harness package
        return ["evalrun: the installed registry cannot be written: run `evalrun new` in your own project folder"]
    rubric = SETUPS[kind].options.get("rubric")
    if rubric and rubric not in rubrics:
        where = f"registry/judges/{rubric}.yaml"
        return [f"evalrun: --grader judge needs the judge rubric {rubric!r} ({where}), which no registry read here has"]
    return []


def _write(files: Mapping[Path, str]) -> tuple[Path, ...]:
    """Create each file (never replacing one); if one appears meanwhile, remove those made and refuse."""
    made: list[Path] = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            for done in made:
                done.unlink()
            raise InputError(f"evalrun: {display_path(path)} already exists; nothing was written") from None
        made.append(path)
    return tuple(made)
