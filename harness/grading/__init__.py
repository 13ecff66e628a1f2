"""Graders: turn a model's output for a sample into a Score."""

from __future__ import annotations

from typing import Protocol

from harness.grading.choice import ChoiceGrader
from harness.grading.text import MatchGrader, OverlapGrader
from harness.types import Sample, Score


class Grader(Protocol):
    """Scores one output against a sample's references; `Score.metrics` holds what GRADER_METRICS names."""

    def grade(self, output: str, sample: Sample) -> Score:
        """The score of `output` for `sample`."""
        ...


def make_grader(kind: str, language: str) -> Grader:
    """The built-in grader called `kind` (see harness.spec.GRADER_METRICS), for texts in `language`."""
    if kind in ("exact", "includes"):
        return MatchGrader(language, includes=kind == "includes")
    if kind in ("em", "f1"):
        return OverlapGrader(language, primary=kind)
    if kind == "choice":
        return ChoiceGrader(language)
    raise ValueError(f"unknown grader {kind!r}")
