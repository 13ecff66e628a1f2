"""The `json` grader: the output must hold a JSON value that satisfies the eval's JSON Schema (and may have to equal
a reference)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.types import Sample, Score

_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)```", re.DOTALL | re.IGNORECASE)


def find_json(output: str) -> tuple[bool, Any]:
    """The JSON value in an output: all of it, the last ```json fence, or the first object or array in the text."""
    candidates = [output.strip(), *reversed([m.group(1).strip() for m in _FENCE.finditer(output)])]
    for text in candidates:
        try:
            return True, json.loads(text)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for start, char in enumerate(output):
        if char in "{[":
            try:
                return True, decoder.raw_decode(output, start)[0]
            except ValueError:
                continue
    return False, None


def schema_problem(schema: Mapping[str, Any]) -> str | None:
    """Why `schema` cannot be used (not a valid JSON Schema, or a $ref outside the schema itself), or None."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return f"not a valid JSON Schema: {exc.message}"
    for keyword, ref in _refs(schema):
        if not ref.startswith("#"):
            return f"{keyword} {ref!r} points outside the schema; only local references (#/...) are allowed"
    return None


REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


def _refs(node: Any) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        own = [(key, node[key]) for key in REFERENCE_KEYWORDS if isinstance(node.get(key), str)]
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


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

        found, value = find_json(output)
        if not found:
            return Score(0.0, {"accuracy": 0.0}, {"parsed": None, "problem": "no JSON value found"}, unparsed=True)
        try:
            offline = Registry()  # no `retrieve`: a reference outside the schema raises instead of being fetched
            errors = [e.message for e in Draft202012Validator(self.schema, registry=offline).iter_errors(value)][:5]
        except Unresolvable as exc:
            errors = [f"unresolvable reference: {exc}"]
        equal = self.compare != "equal" or any(_as_json(ref) == value for ref in sample.references)
        passed = float(not errors and equal)
        detail = {"parsed": value, "schema_errors": errors, "equals_reference": equal}
        return Score(passed, {"accuracy": passed}, detail)


def _as_json(reference: str) -> Any:
    try:
        return json.loads(reference)
    except ValueError:
        return reference
