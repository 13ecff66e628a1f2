"""The argument types of `evalrun run`: each turns one option's text into a checked value, or says what is wrong."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from harness.cli.common import bounded
from harness.errors import InputError, printable

REFUSED_MODEL_ARGS = ("model", "messages", "prompt", "stream", "stream_options")
"""Body fields -M may not set: evalrun writes them, and another value would break the wire format."""
BYTE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20}


def model_args(options: list[str], params: dict[str, Any]) -> dict[str, Any]:
    """-M KEY=VALUE options as body fields; InputError listing every one that is malformed, refused or repeated."""
    fields: dict[str, Any] = {}
    problems = []
    for option in options:
        key, sep, text = option.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(f"evalrun: -M {printable(option)!r}: write KEY=VALUE")
        elif key in REFUSED_MODEL_ARGS:
            problems.append(f"evalrun: -M {key}: evalrun sets {key!r} itself; it cannot be given")
        elif key in params:
            flag = "--" + key.replace("_", "-")
            problems.append(f"evalrun: -M {key}: give {flag} or -M {key}, not both")
        elif key in fields:
            problems.append(f"evalrun: -M {key}: given twice")
        else:
            try:
                fields[key] = json_or_text(text)
            except ValueError as exc:
                problems.append(f"evalrun: -M {key}: {exc}")
    if problems:
        raise InputError(problems)
    return fields


def json_or_text(text: str) -> Any:
    """`text` read as JSON when it is JSON (not NaN or Infinity, which a request body cannot carry), else itself."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        return json.loads(text, parse_constant=refuse)
    except RecursionError:
        raise ValueError("the value is nested too deeply") from None
    except ValueError:
        return text


def limit(text: str) -> Any:
    """--limit: a count, a fraction or a range (see harness.data.selection.LIMIT_HELP)."""
    from harness.data.selection import parse_limit

    try:
        return parse_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def top_p(text: str) -> float:
    """--top-p: above 0, at most 1."""
    value = bounded(float, 0, 1)(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be above 0 and at most 1, not 0")
    return float(value)


def stop(text: str) -> str:
    """--stop: any text but the empty one."""
    if not text:
        raise argparse.ArgumentTypeError("a stop sequence cannot be empty")
    return text


def byte_count(text: str) -> int:
    """--max-answer-bytes: N, NK or NM (also KB, MB, KiB, MiB; powers of 1024), from 1 byte to 64M."""
    found = re.fullmatch(r"\s*([0-9]+)\s*([KkMm]?)(?:i?[Bb])?\s*", text)
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: write N, NK or NM (e.g. 4096, 512K, 2M)")
    value = int(found[1]) * BYTE_UNITS[found[2].upper()]
    if not 1 <= value <= 64 << 20:
        raise argparse.ArgumentTypeError(f"must be from 1 byte to 64M, not {text}")
    return value


def error_limit(text: str) -> Any:
    """--max-errors: a count of failed samples (`5`), or a share of them (`10%`, `0.1`)."""
    from harness.runner.engine import ErrorLimit

    try:
        if text.endswith("%"):
            rate = float(text[:-1]) / 100
        elif "." in text:
            rate = float(text)
        else:
            count = int(text)
            if count < 0:
                raise ValueError
            return ErrorLimit(count=count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a count (5) nor a rate (10%, 0.1)") from None
    if not 0 <= rate < 1:
        raise argparse.ArgumentTypeError(f"a rate must be from 0% to under 100%, not {text}")
    return ErrorLimit(rate=rate)


def reducer(text: str) -> str:
    """--reducer: mean, majority, all, or pass@k with k a whole number from 1."""
    if text in ("mean", "majority", "all") or re.fullmatch(r"pass@[1-9][0-9]*", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not mean, majority, all or pass@k (k = 1, 2, …)")
