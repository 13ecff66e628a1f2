"""The texts `evalrun new` writes: example items in the eval's language, the spec and the data card, from package data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from string import Template
from typing import Any

from harness.authoring.scaffold.setups import SETUPS
from harness.registry.graders import KINDS
from harness.text.scripts import opencc_converter

CANARY = "evalrun canary GUID {}"
"""The string on every data line of a family; `{}` is the GUID in the family's data card."""

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


@cache
def examples() -> Mapping[str, Any]:
    """The example texts of examples.yaml (wordings, items, outputs for checks), read once."""
    import yaml

    loaded: Mapping[str, Any] = yaml.safe_load(_package_text("examples.yaml"))
    return loaded


@cache
def _template(name: str) -> Template:
    """A `string.Template` shipped beside this module (eval.yaml.in, card.md.in), read once."""
    return Template(_package_text(name))


def _package_text(name: str) -> str:
    """The UTF-8 text of a data file of this package."""
    return resources.files("harness.authoring.scaffold").joinpath(name).read_text(encoding="utf-8")


def subtags(language: str) -> tuple[str, str | None]:
    """The language subtag and script subtag of a tag; Chinese always has a script (zh implies Hans, zh-TW Hant)."""
    import langcodes

    parsed = langcodes.Language.get(language)
    implied = parsed.maximize().script if parsed.language == "zh" else None
    return str(parsed.language), parsed.script or implied


def wording(language: str) -> str:
    """The built-in wording the eval's examples are in: its language subtag if evalrun has one, else en."""
    primary = subtags(language)[0]
    return primary if primary in examples()["user"] else "en"


def texts(language: str, shape: str) -> Mapping[str, Any]:
    """The shape's texts and user template in the eval's wording; Traditional Chinese converted from Simplified."""
    data = examples()
    words = wording(language)
    found = {**data["texts"][shape][words], **(data["json_outputs"] if shape == "json" else {})}
    passage, question, answer = data["user"][words]
    options = data["choice_options"] if shape == "choice" else ""
    found["user"] = (passage if shape == "reading" else "") + question + options + answer
    if subtags(language)[1] == "Hant":
        found = _convert(found, opencc_converter("s2tw"))
        found["items"] = [
            {**item, "question": q} for item, q in zip(found["items"], data["hant_questions"][shape], strict=True)
        ]
    return found


def _convert(value: Any, convert: Callable[[str], str]) -> Any:
    """`value` with every string passed through `convert`."""
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, Mapping):
        return {key: _convert(item, convert) for key, item in value.items()}
    if isinstance(value, list):
        return [_convert(item, convert) for item in value]
    return value


def rows(found: Mapping[str, Any], prefix: str, canary: str) -> list[dict[str, Any]]:
    """The example data lines: numbered ids, the items, and the family's canary string."""
    return [
        {"id": f"{prefix}-{n:03d}", **item, "canary": CANARY.format(canary)} for n, item in enumerate(found["items"], 1)
    ]


def spec_text(eval_id: str, language: str, kind: str, data_path: str, found: Mapping[str, Any]) -> str:
    """The eval's YAML: every block with a comment for a first-time contributor."""
    spec = SETUPS[kind]
    first = found["items"][0]
    extra = "  context_field: context  # the passage each question is about\n" if spec.shape == "reading" else ""
    checks = [
        {
            "output": found[output],
            "references": first["answers"],
            **({"choices": first["choices"]} if "choices" in first else {}),
            "score": score,
        }
        for output, score in spec.checks
    ]
    return _template("eval.yaml.in").substitute(
        eval_id=eval_id,
        description=_flow("TODO: one sentence on what this eval measures, in its own language"),
        language=_flow(language),
        data_path=_flow(data_path),
        data_extra=extra,
        system=_flow(found["system"]),
        user=_flow(found["user"]),
        kind=kind,
        about=spec.about,
        options=", ".join(KINDS[kind].option_names()) or "none",
        grader="\n".join(_grader_lines(kind, spec.options)),
        metrics=_flow(list(KINDS[kind].metrics)),
        checks="\n".join(f"  - {_flow(check)}" for check in checks),
    )


def _grader_lines(kind: str, options: Mapping[str, Any]) -> list[str]:
    """The `grader:` block's lines: the kind, then each option (a list option as a block sequence)."""
    lines = [f"  kind: {kind}"]
    for key, value in options.items():
        if isinstance(value, list):
            lines += [f"  {key}:"] + [f"    - {_flow(item)}" for item in value]
        else:
            lines.append(f"  {key}: {_flow(value)}")
    return lines


def card_text(
    eval_id: str, language: str, kind: str, family: str, stem: str, canary: str, example: Mapping[str, Any]
) -> str:
    """The family's data card: front matter (license, source, canary), then a section per thing a card must say."""
    return _template("card.md.in").substitute(
        family=family,
        canary=canary,
        canary_string=CANARY.format(canary),
        eval_id=eval_id,
        language=language,
        kind=kind,
        data_file=f"{stem}.jsonl",
        stem=stem,
        example=json.dumps(example, ensure_ascii=False),
        fields=examples()["card_fields"].get(SETUPS[kind].shape, ""),
    )


def _flow(value: Any) -> str:
    """`value` as one line of YAML: flow mappings and lists, plain or quoted strings, JSON numbers."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_flow(key)}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if not isinstance(value, str):
        return json.dumps(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    if ("\\" in value or '"' in value) and "'" not in value and value.isprintable():
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)
