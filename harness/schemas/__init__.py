"""JSON Schemas shipped with evalrun: registry files (eval, suite, model, judge), data cards and run records (run, sample)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_NAMES = ("eval", "suite", "model", "judge", "card", "run", "sample")


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema called `name` (one of SCHEMA_NAMES)."""
    return json.loads(resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))


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
