"""JSON Schemas shipped with evalrun for registry files (eval, suite, model, judge) and data cards (those of run
records are generated beside them: harness/runner/record_schemas.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_NAMES = ("eval", "suite", "model", "judge", "card")


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema called `name` (one of SCHEMA_NAMES)."""
    loaded: dict[str, Any] = json.loads(resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8"))
    return loaded


@cache
def validator(name: str, definition: str | None = None) -> Any:
    """A jsonschema validator for `name` (or one of its `$defs`), resolving references between the shipped schemas."""
    import jsonschema
    from referencing import Registry, Resource

    registry = Registry().with_resources((schema(n)["$id"], Resource.from_contents(schema(n))) for n in SCHEMA_NAMES)
    cls = jsonschema.validators.validator_for(schema(name))
    target = {"$ref": f"{schema(name)['$id']}#/$defs/{definition}"} if definition else schema(name)
    return cls(target, registry=registry, format_checker=cls.FORMAT_CHECKER)


def iter_errors(name: str, instance: Any) -> Iterator[Any]:
    """Validation errors of `instance` against schema `name`, in document order."""
    return iter(sorted(validator(name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))))


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
