"""The grader kinds `evalrun new --grader` offers: each one's question shape, description, options and checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setup:
    """How `evalrun new` sets up one grader kind: its question shape, what it does, its options and checks."""

    shape: str
    about: str
    options: Mapping[str, Any]
    checks: tuple[tuple[str, float], ...]
    """(output from the shape's texts, the score this grader gives it against the first item's answers)."""


SETUPS: Mapping[str, Setup] = {
    "exact": Setup(
        "short", "1 if the output's tokens equal a reference's after normalization", {}, (("right", 1), ("wrapped", 0))
    ),
    "includes": Setup(
        "short", "1 if a reference appears in the output as a run of whole tokens", {}, (("wrapped", 1), ("wrong", 0))
    ),
    "em": Setup(
        "reading", "exact match with the best reference (F1 is reported too)", {}, (("right", 1), ("partial", 0))
    ),
    "f1": Setup(
        "reading", "token-overlap F1 with the best reference (EM is reported too)", {}, (("partial", 0.8), ("wrong", 0))
    ),
    "numeric": Setup(
        "numeric",
        "1 if a number in the output equals the reference's by value (175B = 1750億 = 1,750亿)",
        {},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "date": Setup(
        "date",
        "1 if a date in the output agrees with the reference at the reference's precision",
        {},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "choice": Setup("choice", "1 if the option the output chose is the answer", {}, (("wrapped", 1), ("wrong", 0))),
    "regex": Setup(
        "arxiv",
        "the last match of `pattern` must equal a reference; no match scores 0",
        {"pattern": r"\d{4}\.\d{4,5}"},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "fuzzy": Setup(
        "short",
        "1 if the edit-distance similarity of output and reference reaches `threshold`",
        {"threshold": 0.8},
        (("right", 1), ("wrong", 0)),
    ),
    "json": Setup(
        "json",
        "1 if the output holds JSON valid under `schema` (with `compare: equal`, also equal to a reference)",
        {
            "schema": {
                "type": "object",
                "properties": {"model": {"type": "string"}, "year": {"type": "integer"}},
                "required": ["model", "year"],
            },
            "compare": "equal",
        },
        (("wrapped", 1), ("wrong", 0)),
    ),
    "judge": Setup(
        "short",
        "a judging model (`--judge MODEL` or `model:`) grades with a rubric in registry/judges/; validate skips checks",
        {"rubric": "correctness"},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "any_of": Setup(
        "short",
        "the best part's score: here the answer inside the output, or an output close to it",
        {"graders": [{"kind": "includes"}, {"kind": "fuzzy", "threshold": 0.8}]},
        (("wrapped", 1), ("wrong", 0)),
    ),
    "all_of": Setup(
        "short",
        "the worst part's score: here the answer must be in the output, and the output not much more than it",
        {"graders": [{"kind": "includes"}, {"kind": "fuzzy", "threshold": 0.5}]},
        (("right", 1), ("wrapped", 0)),
    ),
    "weighted": Setup(
        "short",
        "the weighted mean of the parts' scores: here half for the answer inside a sentence, all for the answer alone",
        {"graders": [{"kind": "exact", "weight": 1}, {"kind": "includes", "weight": 1}]},
        (("right", 1), ("wrapped", 0.5)),
    ),
    "switch": Setup(
        "short",
        "the grader a data field names: here lines with `type: date` by `date`, `type: number` by `numeric`, others by"
        " `includes`",
        {
            "field": "type",
            "cases": {"date": {"kind": "date"}, "number": {"kind": "numeric"}},
            "otherwise": {"kind": "includes"},
        },
        (("wrapped", 1), ("wrong", 0)),
    ),
}
"""Every grader kind `evalrun new --grader` offers (every kind of harness.registry.graders.KINDS)."""
