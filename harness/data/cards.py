"""An eval family's data card (`evals/<family>/README.md`): front matter giving license, source and canary GUID."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from harness.errors import Problem
from harness.registry.specs import EvalSpec
from harness.registry.workspace import display_path
from harness.registry.yamlfile import parse_yaml, read_text

FENCE = "---"
FRONT_MATTER_HINT = "a data card starts with YAML front matter between --- lines giving license, source and canary"


@dataclass(frozen=True)
class DataCard:
    """What a data card declares about the data of the evals that use it."""

    display: str
    license: str
    source: tuple[str, ...]
    canary: str
    canary_line: int


def card_location(spec: EvalSpec) -> str | None:
    """The eval's data card relative to evals/: its `card:`, else README.md beside its data file (None for hub data)."""
    if spec.data.card:
        return spec.data.card
    if spec.data.path:
        return str(PurePosixPath(spec.data.path).parent / "README.md")
    return None


def read_card(path: Path) -> tuple[DataCard | None, list[Problem]]:
    """The card at `path`, or None and the problems with it."""
    display = display_path(path)
    text, problems = read_text(path, display)
    if text is None:
        return None, problems
    lines = text.removeprefix("\ufeff").split("\n")  # a byte-order mark is no text; U+2028 is no line break
    if not lines or lines[0].strip() != FENCE:
        return None, [Problem(display, 1, FRONT_MATTER_HINT)]
    end = next((n for n, line in enumerate(lines[1:], 1) if line.strip() == FENCE), None)
    if end is None:
        return None, [Problem(display, 1, f"{FRONT_MATTER_HINT}; the closing --- is missing")]
    document, problems = parse_yaml("\n".join(lines[1:end]) + "\n", display, first_line=2)
    if document is None:
        return None, problems or [Problem(display, 2, f"{FRONT_MATTER_HINT}; the front matter is empty")]
    from harness.registry.entry_checks import schema_problems

    problems = schema_problems(document, "card")
    if problems:
        return None, problems
    data = document.data
    unknown = license_problem(data["license"])
    if unknown:
        return None, [Problem(display, document.line_of(["license"]), f"license: {unknown}")]
    source = (data["source"],) if isinstance(data["source"], str) else tuple(data["source"])
    return DataCard(display, data["license"], source, data["canary"], document.line_of(["canary"])), []


def card_problems(spec: EvalSpec, cards: dict[str, tuple[DataCard | None, list[Problem]]]) -> list[Problem]:
    """Problems with the eval's data card, and data files of the eval that lack its canary GUID.

    `cards` caches cards by location, so a card shared by several evals is read (and reported) once."""
    where = display_path(spec.source) if spec.source else spec.id
    location = card_location(spec)
    if location is None:
        return [
            Problem(where, spec.line_of("data"), "data: a Hugging Face eval needs `card:`, its data card under evals/")
        ]
    try:
        path = spec.home.data_file(location)
    except ValueError as exc:
        return [Problem(where, spec.line_of("data", "card"), f"data card: {exc}")]
    if not path.is_file():
        line = spec.line_of("data", "card") if spec.data.card else spec.line_of("data", "path")
        what = "is not a regular file" if path.exists() else "is missing"
        return [Problem(where, line, f"no data card: evals/{location} {what} (license, source and canary go there)")]
    first = location not in cards
    if first:
        cards[location] = read_card(path)
    card, problems = cards[location]
    problems = list(problems) if first else []
    if card is None:
        return problems
    for relative in dict.fromkeys(p for p in (spec.data.path, spec.prompt.few_shot_path) if p):
        data_file = spec.home.data_file(relative)
        if not data_file.is_file():
            continue
        missing = lines_without(data_file, card.canary.encode())
        where = f"the canary GUID {card.canary} ({card.display}:{card.canary_line})"
        if missing and missing[0] == 0:
            message = f"{where} is not in this file: put it on every line, as the card says"
            problems.append(Problem(display_path(data_file), 1, message))
            continue
        problems += [
            Problem(display_path(data_file), line, f"{where} is not on this line: the card says every line carries it")
            for line in missing[:MAX_LISTED]
        ]
        if len(missing) > MAX_LISTED:
            problems.append(
                Problem(display_path(data_file), missing[MAX_LISTED], f"… and {len(missing) - MAX_LISTED} more lines")
            )
    return problems


_OWN_LICENSE = re.compile(r"(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+")


@functools.lru_cache(maxsize=1)
def _spdx() -> Any:
    """license-expression's SPDX licensing, whose list of licenses is loaded once."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def license_problem(expression: str) -> str | None:
    """What is wrong with a card's license (None if nothing): every id must be on the SPDX License List (read by
    license-expression, which ships it) or a `LicenseRef-…` of the card's own."""
    info = _spdx().validate(expression)
    unknown = [symbol for symbol in info.invalid_symbols if not _OWN_LICENSE.fullmatch(str(symbol))]
    if unknown:
        names = ", ".join(repr(str(symbol)) for symbol in unknown)
        return (
            f"{names} {'is' if len(unknown) == 1 else 'are'} not on the SPDX License List (https://spdx.org/licenses/);"
            " a license of your own is written LicenseRef-NAME"
        )
    syntax = [error for error in info.errors if not error.startswith("Unknown license key")]
    return f"{expression!r} is not an SPDX license expression ({syntax[0]})" if syntax else None


MAX_LISTED = 20
"""Lines without the canary listed one by one at most; the rest are counted."""


def lines_without(path: Path, needle: bytes) -> list[int]:
    """The lines of a data file that are JSON objects but lack `needle` (an over-long or unreadable line is reported by
    the data check already), read a line at a time; [0] when no line has it."""
    from harness.data.dataset import MAX_LINE_BYTES, parse_line

    missing, found = [], False
    with open(path, "rb") as handle:
        number = 0
        while line := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                while line and not line.endswith(b"\n"):
                    line = handle.readline(MAX_LINE_BYTES)
                continue
            if needle in line:
                found = True
            elif line.strip():
                row = parse_line(number, line.decode("utf-8", "replace"))
                if row.problem is None and isinstance(row.value, dict):  # other lines are reported as they are
                    missing.append(number)
    return missing if found else [0]
