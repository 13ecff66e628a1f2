"""What a run grades with: every grader kind as one awaited `Scorer`. Local graders score apart from the event loop,
under a time limit; a judge asks its model. The runner and regrade know nothing else of graders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from harness.grading import Grader, Options, build_grader
from harness.grading.isolation import grade_apart
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
        """The grader's score; GradingFailed if it raised or took too long."""
        return await grade_apart(self.grader, output, sample)


def scorer(config: Options, language: str, judge: JudgeGrader | None = None) -> Scorer:
    """The scorer of a `grader:` block: the judge given for a judge block, else its kind's grader, isolated."""
    if config["kind"] == "judge":
        if judge is None:
            raise ValueError("a judge grader needs its judge: open one with the judging model")
        return judge
    return Isolated(build_grader(config, language))
