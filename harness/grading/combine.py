"""Graders made of graders: `any_of` (the best part), `all_of` (the worst part), `weighted` (a weighted mean) and
`switch` (the part a data field names)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from harness.types import Sample, Score


class _Part(Protocol):
    def grade(self, output: str, sample: Sample) -> Score: ...


@dataclass(frozen=True)
class Combination:
    """Scores an output with every part; `how` says how the parts' values become one."""

    how: str  # "any_of", "all_of" or "weighted"
    parts: Sequence[tuple[str, float, _Part]]
    """(kind, weight, grader) of each part."""

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` with every part and combine the values."""
        scores = [(kind, weight, part.grade(output, sample)) for kind, weight, part in self.parts]
        values = [score.value for _, _, score in scores]
        if self.how == "any_of":
            value, metric = max(values), "accuracy"
        elif self.how == "all_of":
            value, metric = min(values), "accuracy"
        else:
            top = max(weight for _, weight, _ in scores)  # weights as shares of the largest: no sum overflows
            shares = [(weight / top, score.value) for _, weight, score in scores]
            total = math.fsum(share for share, _ in shares)
            value, metric = math.fsum(share * part for share, part in shares) / total, "score"
        parts: list[dict[str, Any]] = [
            {"kind": kind, "weight": weight, "value": score.value, "detail": dict(score.detail)}
            for kind, weight, score in scores
        ]
        unparsed = all(score.unparsed for _, _, score in scores)
        return Score(value, {metric: value}, {"parts": parts}, unparsed=unparsed)


@dataclass(frozen=True)
class Switch:
    """Scores an output with the grader named by one of the sample's fields (its answer's type, say)."""

    field: str
    cases: Mapping[str, tuple[str, _Part]]
    """(kind, grader) for each value of the field."""
    otherwise: tuple[str, _Part] | None

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` with the case's grader; ValueError when the sample's field holds no case and there is no
        `otherwise` (the sample then fails, saying why)."""
        value = sample.fields.get(self.field)
        chosen = self.cases.get(value) if isinstance(value, str) else None
        if chosen is None and self.otherwise is None:
            raise ValueError(f"the sample's {self.field!r} is {value!r}, which no case of the switch grades")
        kind, part = chosen or self.otherwise  # type: ignore[misc]
        score = part.grade(output, sample)
        detail = {"case": value if chosen else None, "kind": kind, "detail": dict(score.detail)}
        return Score(score.value, {"accuracy": score.value}, detail, unparsed=score.unparsed)
