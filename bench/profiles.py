"""A cProfile of one evalrun command in its own process, and its top functions by cumulative and by own time."""

from __future__ import annotations

import marshal
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from children import PYTHON, Measured, measure

WRAPPERS = re.compile(
    r"<frozen (runpy|importlib)|<string>:|<built-in method builtins\.(exec|__import__)>|harness/(__main__|cli/__init__)\.py:"
)
"""Frames that hold the whole run (the entry point, the command dispatch) or every import, left out by cumulative time."""
ROOTS = sorted({str(Path(p).resolve()) + "/" for p in sys.path if p and Path(p).is_dir()}, key=len, reverse=True)


def profiled(arguments: list[str], output: Path, cwd: Path, env: Mapping[str, str]) -> Measured:
    """`python -m cProfile -o output -m harness ARGUMENTS…`, measured like any child."""
    return measure([PYTHON, "-m", "cProfile", "-o", str(output), "-m", "harness", *arguments], cwd, env)


def top(path: Path, key: str, count: int = 15) -> list[tuple[float, float, str, str]]:
    """The `count` functions first by `key` ("cumulative" or "tottime"): cumulative and own seconds, calls, name;
    by cumulative time without the frames every call runs inside (WRAPPERS)."""
    rows = []
    for (filename, line, function), (primitive, calls, own, cumulative, _) in _stats(path).items():
        ncalls = str(calls) if calls == primitive else f"{calls}/{primitive}"
        name = _name(filename, line, function)
        if key == "tottime" or not WRAPPERS.match(name):
            rows.append((cumulative, own, ncalls, name))
    rows.sort(key=lambda row: row[0] if key == "cumulative" else row[1], reverse=True)
    return rows[:count]


def imports(path: Path) -> float:
    """Seconds spent importing modules (importlib's outermost _find_and_load frames)."""
    found = [timing[3] for (_, _, function), timing in _stats(path).items() if function == "_find_and_load"]
    return max(found, default=0.0)


def _stats(path: Path) -> Any:
    """What cProfile wrote (pstats' own format): {(file, line, function): (primitive calls, calls, own, cumulative,
    callers)}."""
    return marshal.loads(path.read_bytes())


def table(rows: list[tuple[float, float, str, str]]) -> list[str]:
    """Rows as plain lines: cumulative, own seconds, calls, function."""
    lines = [f"{'cumulative':>11} {'own':>9} {'calls':>15}  function"]
    lines += [f"{cum:10.2f}s {own:8.2f}s {calls:>15}  {name}" for cum, own, calls, name in rows]
    return lines


def _name(filename: str, line: int, function: str) -> str:
    """A function as `path:line(name)`, the path relative to the checkout or site-packages; built-ins as they are."""
    if filename == "~":
        return function
    for root in ROOTS:
        if filename.startswith(root):
            filename = filename[len(root) :]
            break
    return f"{filename}:{line}({function})"
