"""Regular expressions written in registry files: compiled by the `regex` module, which can stop a slow match."""

from __future__ import annotations

import functools
from typing import Any

PATTERN_TIMEOUT = 1.0
"""Seconds a registry pattern may spend on one output: a pattern is data and must not hang a run."""


@functools.lru_cache(maxsize=64)
def compile_pattern(pattern: str) -> Any:
    """The pattern compiled by the `regex` module (which can time out); raises ValueError if it is invalid."""
    import regex

    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
