"""Dataclasses as JSON data: written field by field, read back checked against their type hints, and the JSON Schema
those hints describe, so a record's shape is defined once, by its type.

Hand-written rather than msgspec or pydantic: both refuse the lone surrogates (`"\\ud800"`) that a model's answer can
hold and a record must keep, and pydantic would add its import to every run's start-up."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

Reader = Callable[[Any], Any]
"""Checks JSON data against one type and returns the value; ShapeError (with the path below it) if it is not."""

NONE = type(None)
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", NONE: "null"}


class ShapeError(ValueError):
    """JSON data that is not of the type a record says; `where` is its JSON path (`$.counts.errors`)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message

    def under(self, part: str) -> ShapeError:
        """The same error one level down: `part` (`.name` or `[3]`) put before its path."""
        return ShapeError(f"{part}{self.where}", self.message)


def to_data(value: Any) -> Any:
    """`value` as JSON data: a dataclass becomes an object of its fields in order; dicts, lists and tuples are walked."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_data(getattr(value, name)) for name in field_names(type(value))}
    if isinstance(value, dict):
        return {key: to_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_data(item) for item in value]
    return value


def from_data(cls: Any, data: Any, *, lenient: bool = False) -> Any:
    """An instance of dataclass `cls` from JSON data, every field checked against its type; ShapeError if it does not fit.

    Strict: every field must be present. `lenient`: a field that is absent takes its default (records of an older
    schema version, written before the field existed); one without a default is still required."""
    try:
        return _reader(cls, lenient)(data)
    except ShapeError as exc:
        raise exc.under("$") from None


@cache
def field_names(cls: Any) -> tuple[str, ...]:
    """The names of a dataclass's fields, in order."""
    return tuple(f.name for f in dataclasses.fields(cls))


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return get_type_hints(cls)


@cache
def _reader(hint: Any, lenient: bool) -> Reader:  # hints are hashable: types, or typing's aliases of them
    """The reader of one type hint, built once. Paths are put together only when something is wrong."""
    if hint is Any:
        return lambda data: data
    if dataclasses.is_dataclass(hint):
        return _object_reader(hint, lenient)
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if all(arg in JSON_TYPES for arg in args):
            return _scalars_reader(args, hint)
        return _union_reader([_reader(arg, lenient) for arg in args if arg is not NONE], NONE in args, hint)
    if origin is Literal:
        return _literal_reader(args)
    if origin is list:
        return _list_reader(_reader(args[0], lenient))
    if origin is dict:
        return _dict_reader(_reader(args[1], lenient))
    if hint in JSON_TYPES:
        return _scalars_reader((hint,), hint)
    raise TypeError(f"no JSON reader for {hint!r}")


def _object_reader(cls: Any, lenient: bool) -> Reader:
    hints = _hints(cls)
    fields = [(f.name, _reader(hints[f.name], lenient), _has_default(f)) for f in dataclasses.fields(cls)]

    def read(data: Any) -> Any:
        values = _of(dict, data)
        found = {}
        for name, reader, optional in fields:
            if name in values:
                try:
                    found[name] = reader(values[name])
                except ShapeError as exc:
                    raise exc.under(f".{name}") from None
            elif not (lenient and optional):
                raise ShapeError(f".{name}", "missing")
        return cls(**found)

    return read


def _list_reader(item: Reader) -> Reader:
    def read(data: Any) -> Any:
        values = _of(list, data)
        found = []
        for i, value in enumerate(values):
            try:
                found.append(item(value))
            except ShapeError as exc:
                raise exc.under(f"[{i}]") from None
        return found

    return read


def _dict_reader(item: Reader) -> Reader:
    def read(data: Any) -> Any:
        found = {}
        for key, value in _of(dict, data).items():
            if not isinstance(key, str):
                raise ShapeError("", f"expected text keys, got {_kind(key)}")
            try:
                found[key] = item(value)
            except ShapeError as exc:
                raise exc.under(f".{key}") from None
        return found

    return read


def _union_reader(readers: list[Reader], nullable: bool, hint: Any) -> Reader:
    def read(data: Any) -> Any:
        if data is None and nullable:
            return None
        for reader in readers:
            try:
                return reader(data)
            except ShapeError:
                continue
        raise ShapeError("", f"expected {_name(hint)}, got {_kind(data)}")

    return read


def _literal_reader(allowed: tuple[Any, ...]) -> Reader:
    def read(data: Any) -> Any:
        if any(data == value and type(data) is type(value) for value in allowed):
            return data
        raise ShapeError("", f"expected one of {', '.join(map(repr, allowed))}, got {_kind(data)}")

    return read


def _scalars_reader(kinds: tuple[Any, ...], hint: Any) -> Reader:
    """A reader of scalar JSON types (and null): one look at the value's exact type; an integer is a float too."""
    accepted = frozenset(kinds) | ({int} if float in kinds else set())
    to_float = float in kinds and int not in kinds

    def read(data: Any) -> Any:
        kind = type(data)
        if kind in accepted:
            return float(data) if to_float and kind is int else data
        raise ShapeError("", f"expected {_name(hint)}, got {_kind(data)}")

    return read


def _of(kind: type[Any], data: Any) -> Any:
    if not isinstance(data, kind):
        raise ShapeError("", f"expected {'an object' if kind is dict else 'an array'}, got {_kind(data)}")
    return data


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def _kind(data: Any) -> str:
    """How a JSON value is named in an error."""
    if isinstance(data, bool):
        return "true" if data else "false"
    if data is None:
        return "null"
    if isinstance(data, (int, float)):
        return f"the number {data!r}"
    if isinstance(data, str):
        return f"the string {data[:40]!r}"
    containers: dict[type[Any], str] = {dict: "an object", list: "an array"}
    return containers.get(type(data), type(data).__name__)


def _name(hint: Any) -> str:
    """A type hint as said in an error: `integer or null`."""
    if hint in JSON_TYPES:
        return JSON_TYPES[hint]
    if dataclasses.is_dataclass(hint):
        return "an object"
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_name(arg) for arg in get_args(hint))
    return {list: "an array", dict: "an object"}.get(origin, str(hint))


def schema_of(hint: Any) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a type hint; a dataclass field's `metadata["schema"]` adds keywords (a pattern, a
    minimum, a description) to its property."""
    if hint is Any:
        return {}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        properties = {
            f.name: {**schema_of(hints[f.name]), **f.metadata.get("schema", {})} for f in dataclasses.fields(hint)
        }
        return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        options = [schema_of(arg) for arg in args]
        if all(set(option) == {"type"} and isinstance(option["type"], str) for option in options):
            return {"type": [option["type"] for option in options]}
        return {"anyOf": options}
    if origin is Literal:
        return {"enum": list(args)}
    if origin is list:
        return {"type": "array", "items": schema_of(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": schema_of(args[1])}
    if hint in JSON_TYPES:
        return {"type": JSON_TYPES[hint]}
    raise TypeError(f"no JSON Schema for {hint!r}")
