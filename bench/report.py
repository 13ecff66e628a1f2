"""What one benchmark measured: plain lines for the terminal, and the same figures as docs/speed.md's GitHub table."""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version


@dataclass
class Report:
    """One measurement's figures, as text lines and as a table (header and rows)."""

    title: str
    lines: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def text(self) -> str:
        """The plain report: a title, then one line a figure."""
        return "\n".join([self.title, *("  " + line for line in self.lines)])

    def table(self) -> str:
        """The figures as a GitHub table."""
        lines = [self.header, ["---"] * len(self.header), *self.rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def markdown(reports: list[Report]) -> str:
    """A part of docs/speed.md: the command that measured it, the machine, and one table a measurement."""
    command = shlex.join([".venv/bin/python", "bench/bench.py", *sys.argv[1:]])
    machine = (
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"aiohttp {version('aiohttp')} (medians; the server shares the machine)."
    )
    parts = ["```sh", command, "```", "", machine]
    for report in reports:
        parts += ["", report.table()]
    return "\n".join(parts)


def seconds(value: float) -> str:
    """A duration for a table cell."""
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def ratio(value: float) -> str:
    """A ratio for a table cell."""
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def count(value: int) -> str:
    """A count with thousands separators."""
    return f"{value:,}"
