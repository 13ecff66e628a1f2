"""What a run grades with: every grader kind as one awaited `Scorer`. Local graders score apart from the event loop,
under a time limit; a judge asks its model. The runner and regrade know nothing else of graders."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from harness.grading import Grader, Options, build_grader
from harness.grading.isolation import GradingFailed, grade_apart
from harness.types import Sample, Score

if TYPE_CHECKING:
    from harness.grading.judge import JudgeGrader


class Scorer(Protocol):
    """Scores one answer; GradingFailed (whose message is the sample's error) when it cannot."""

    async def score(self, output: str, sample: Sample) -> Score:
        """The score of `output` for `sample`."""
        ...


@dataclass(frozen=True)
class Isolated:
    """A local grader, run off the event loop under a time limit (see harness.grading.isolation)."""

    grader: Grader

    async def score(self, output: str, sample: Sample) -> Score:
        """The grader's score; GradingFailed if it raised, took too long, or gave a value outside [0, 1]."""
        return in_range(await grade_apart(self.grader, output, sample))


def in_range(score: Score) -> Score:
    """The score, if its value and every metric are finite and within [0, 1] (records hold nothing else); else
    GradingFailed naming the value, so that the sample fails rather than a NaN reaching run.json."""
    for name, value in (("score", score.value), *score.metrics.items()):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and 0.0 <= value <= 1.0):
            raise GradingFailed(f"grading failed: the grader gave {name} {value!r}, not a number from 0 to 1")
    return score


def scorer(config: Options, language: str, judge: JudgeGrader | None = None) -> Scorer:
    """The scorer of a `grader:` block: the judge given for a judge block, else its kind's grader, isolated."""
    if config["kind"] == "judge":
        if judge is None:
            raise ValueError("a judge grader needs its judge: open one with the judging model")
        return judge
    return Isolated(build_grader(config, language))
