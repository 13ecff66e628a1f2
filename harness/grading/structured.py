"""The `json` grader: the output must hold a JSON value that satisfies the eval's JSON Schema (and may have to equal
a reference)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.types import Sample, Score

_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_OPENING = re.compile(r"[{\[]")


MAX_DEPTH = 64
"""The deepest nesting of arrays and objects an answer's JSON may have: deeper scores 0 ("nested too deeply")."""
SEARCH_BUDGET = 4
"""The text read by failed attempts to find a JSON value in an answer, in lengths of the answer: the search stops
there, so an answer built to make every attempt read to its end costs linear time, not quadratic."""


class NestedTooDeeply(Exception):
    """The JSON value an answer holds is nested deeper than MAX_DEPTH."""


def find_json(output: str, max_depth: int = MAX_DEPTH) -> tuple[bool, Any]:
    """The JSON value in an output: all of it, the last ```json fence, or the first object or array in the text;
    NestedTooDeeply (at once, without parsing further) when that value is nested deeper than `max_depth`."""
    candidates = [output.strip(), *reversed([m.group(1).strip() for m in _FENCE.finditer(output)])]
    for text in candidates:
        try:
            return True, _bounded(json.loads(text), text, 0, len(text), max_depth)
        except RecursionError:
            raise NestedTooDeeply(max_depth) from None
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    budget = SEARCH_BUDGET * len(output) + 4096
    for start in _openings(output):
        try:
            value, end = decoder.raw_decode(output, start)
        except RecursionError:
            raise NestedTooDeeply(max_depth) from None
        except json.JSONDecodeError as exc:
            budget -= exc.pos - start
            if budget < 0:
                break
            continue
        except ValueError:  # a number too long to convert, say
            continue
        return True, _bounded(value, output, start, end, max_depth)
    return False, None


def _openings(text: str) -> Iterator[int]:
    """Where each `{` or `[` of `text` is, in order."""
    return (match.start() for match in _OPENING.finditer(text))


def _bounded(value: Any, text: str, start: int, end: int, max_depth: int) -> Any:
    """`value` (parsed from text[start:end]) if it is nested at most `max_depth` deep, else NestedTooDeeply."""
    if text.count("[", start, end) + text.count("{", start, end) <= max_depth:
        return value  # too few brackets to be too deep: no need to walk it
    level: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, (dict, list)) else []
    while level:  # iterative, so a value deep enough to parse cannot recurse past the stack here
        node, depth = level.pop()
        if depth > max_depth:
            raise NestedTooDeeply(max_depth)
        children = node.values() if isinstance(node, dict) else node
        level.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return value


@dataclass(frozen=True)
class JSONGrader:
    """1 when the output holds JSON valid under `schema` (and, with compare="equal", equal to some reference)."""

    schema: Mapping[str, Any] = field(default_factory=dict)
    compare: str = "schema"

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the schema and the sample's references."""
        from jsonschema import Draft202012Validator
        from referencing import Registry
        from referencing.exceptions import Unresolvable

        try:
            found, value = find_json(output)
        except NestedTooDeeply:
            problem = f"JSON nested more than {MAX_DEPTH} levels deep"
            return Score(0.0, {"accuracy": 0.0}, {"parsed": None, "problem": problem}, unparsed=True)
        if not found:
            return Score(0.0, {"accuracy": 0.0}, {"parsed": None, "problem": "no JSON value found"}, unparsed=True)
        try:
            offline = Registry()  # no `retrieve`: a reference outside the schema raises instead of being fetched
            found_errors = Draft202012Validator(self.schema, registry=offline).iter_errors(value)
            errors = [_clipped(error.message) for error in itertools.islice(found_errors, 5)]
        except Unresolvable as exc:
            errors = [f"unresolvable reference: {exc}"]
        except RecursionError:
            errors = ["too deeply nested for the schema to be checked"]
        equal = self.compare != "equal" or any(_as_json(ref) == value for ref in sample.references)
        passed = float(not errors and equal)
        detail = {"parsed": value, "schema_errors": errors, "equals_reference": equal}
        return Score(passed, {"accuracy": passed}, detail)


def _clipped(message: str, limit: int = 300) -> str:
    """A schema error message cut to `limit` characters (it quotes the value, which may be the whole answer)."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _as_json(reference: str) -> Any:
    try:
        return json.loads(reference)
    except ValueError:
        return reference
