"""Load a registry YAML file as plain data, with the line of every value and no code-executing tags."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import Problem

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}

Location = tuple["str | int", ...]


@dataclass
class YamlDocument:
    """A parsed YAML file: its data, and the 1-based line where each value (by path) starts."""

    path: str
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: tuple[str | int, ...] | list[str | int]) -> int:
        """The line of the deepest known value along `location` (1 if none)."""
        loc = tuple(location)
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


MAX_YAML_BYTES = 1 << 20
"""A registry file (or data card) larger than this is refused unread: registry files are small by nature."""


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    """A registry file's text, or None and why it cannot be had (unreadable, not a regular file, too big, not UTF-8)."""
    try:
        if not path.is_file():
            return None, [Problem(display, 1, "not a regular file")]
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            return None, [
                Problem(display, 1, f"file is {size:,} bytes; registry files may be at most {MAX_YAML_BYTES:,}")
            ]
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        return None, [Problem(display, line, f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return None, [Problem(display, 1, f"cannot read file: {exc.strerror}")]


def load_yaml(path: Path, display: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse `path`; return the document, or None and the problems that stopped it."""
    text, problems = read_text(path, display)
    if text is None:
        return None, problems
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str, first_line: int = 1) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML `text` that starts at line `first_line` of `display`; the document, or None and the problems."""
    offset = first_line - 1
    document, problems = _parse(text, display)
    real = _real_lines(text)
    if real is not None:  # YAML counts U+2028, U+2029 and U+0085 as line breaks; editors and grep -n do not
        problems = [Problem(p.path, real[min(p.line, len(real)) - 1], p.message) for p in problems]
        if document is not None:
            document.lines = {loc: real[min(line, len(real)) - 1] for loc, line in document.lines.items()}
    if offset:
        problems = [Problem(p.path, p.line + offset, p.message) for p in problems]
        if document is not None:
            document.lines = {location: line + offset for location, line in document.lines.items()}
    return document, problems


_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _real_lines(text: str) -> list[int] | None:
    """For a text holding a break YAML counts and a text editor does not, the editor's line of each YAML line."""
    if not any(char in text for char in "\x85\u2028\u2029"):
        return None
    lines, line = [1], 1
    for match in _YAML_BREAK.finditer(text):
        line += "\n" in match[0]
        lines.append(line)
    return lines


def _parse(text: str, display: str) -> tuple[YamlDocument | None, list[Problem]]:
    read, node = _compose_fast(text)
    if not read:
        node, problems = _compose(text, display)
        if problems:
            return None, problems
    if node is None:
        return None, [Problem(display, 1, "file is empty")]
    doc = YamlDocument(display, None)
    problems = []
    try:
        doc.data = _convert(node, (), doc, problems, set())
    except RecursionError:
        return None, [Problem(display, 1, "YAML nested too deeply")]
    return (None if problems else doc), problems


def _compose_fast(text: str) -> tuple[bool, yaml.Node | None]:
    """(True, the document's node) as libyaml composes it, when PyYAML has libyaml and the text holds no anchor,
    alias or error; else (False, None), and the pure-Python parser reads it again to say what is wrong."""
    loader_class = getattr(yaml, "CSafeLoader", None)
    if loader_class is None:
        return False, None
    try:
        if any(isinstance(t, (yaml.AliasToken, yaml.AnchorToken)) for t in yaml.scan(text, Loader=loader_class)):
            return False, None
        loader = loader_class(text)
        try:
            return True, loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError, ValueError):  # libyaml limits its nesting itself
        return False, None


def _compose(text: str, display: str) -> tuple[yaml.Node | None, list[Problem]]:
    """The document's node by the pure-Python parser, or the problems that stop it, each at its line."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ESC, …), caught before parsing
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"malformed YAML: character U+{ord(char):04X} ({char!r}) is not allowed in YAML text"
        return None, [Problem(display, line, message)]
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark and mark.index >= len(text.rstrip()):  # at the end: say where it was opened
            mark = exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "malformed YAML"
        return None, [Problem(display, line, f"malformed YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(display, 1, f"malformed YAML: {exc}")]
    except RecursionError:
        return None, [Problem(display, 1, "YAML nested too deeply")]
    finally:
        loader.dispose()
    marks = [t for t in yaml.scan(text) if isinstance(t, (yaml.AliasToken, yaml.AnchorToken))] if node else []
    if marks:  # an alias where one is used, else the anchor: neither is plain data
        first = next((t for t in marks if isinstance(t, yaml.AliasToken)), marks[0])
        message = "YAML anchors and aliases are not allowed in registry files"
        return None, [Problem(display, first.start_mark.line + 1, message)]
    return node, []


def _convert(node: yaml.Node, loc: Location, doc: YamlDocument, problems: list[Problem], seen: set[int]) -> Any:
    """Turn a composed node into plain data, recording lines and refusing tags, aliases and duplicate keys."""
    line = node.start_mark.line + 1
    doc.lines[loc] = line
    if id(node) in seen:
        problems.append(Problem(doc.path, line, "YAML anchors and aliases are not allowed in registry files"))
        return None
    seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        problems.append(
            Problem(doc.path, line, f"YAML tag {node.tag!r} is not allowed: registry files hold plain data only")
        )
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                problems.append(Problem(doc.path, key_line, "mapping keys must be plain strings"))
                continue
            key = key_node.value
            if key in result:
                problems.append(Problem(doc.path, key_line, f"duplicate key {key!r}"))
                continue
            result[key] = _convert(value_node, loc + (key,), doc, problems, seen)
            doc.lines[loc + (key,)] = key_line  # report a keyed value at its key, even when it starts below
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, loc + (i,), doc, problems, seen) for i, item in enumerate(node.value)]
    try:
        value = _SCALARS.yaml_constructors[node.tag](_SCALARS, node)
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        problems.append(Problem(doc.path, line, f"unreadable value: {exc}"))
        return None
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(Problem(doc.path, line, f"{node.value!r} is not a finite number"))
        return None
    return value


_SCALARS = yaml.constructor.SafeConstructor()
