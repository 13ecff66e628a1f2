"""The `judge` grader: another model reads the output and gives a verdict from a rubric in `registry/judges/`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from harness.data.prompt import PromptError, PromptRenderer
from harness.errors import ProviderError
from harness.grading.isolation import GradingFailed
from harness.registry.specs import JudgeSpec
from harness.text.patterns import PATTERN_TIMEOUT, compile_pattern
from harness.types import Request, Response, Sample, Score


class JudgingModel(Protocol):
    """What a judge grader needs of a model: its name, and an answer to a request (a provider is one)."""

    @property
    def name(self) -> str:
        """The model's name, as the run was given it."""
        ...

    def describe(self) -> Mapping[str, Any]:
        """Provider, model, endpoint and parameters, for the run record (never a key)."""
        ...

    async def complete(self, request: Request) -> Response:
        """The model's answer; raises ProviderError when it cannot be had."""
        ...


class JudgeError(GradingFailed):
    """The judge could not be asked (its model failed, or its prompt could not be rendered for a sample)."""


@dataclass(frozen=True)
class JudgeGrader:
    """Asks `judge` with the rubric's prompt; the last verdict in its reply gives the score. The judge's reply is
    kept in the score's detail; a reply with no verdict is `unparsed` and scores 0, never a pass."""

    rubric: JudgeSpec
    judge: JudgingModel

    async def score(self, output: str, sample: Sample) -> Score:
        """Ask the judge about `output` and read its verdict; JudgeError if the judge cannot be asked."""
        fields = {**sample.fields, "output": output, "references": list(sample.references)}
        fields["reference"] = sample.references[0] if sample.references else ""
        try:
            messages = PromptRenderer(self.rubric.prompt).render(Sample(sample.id, fields, sample.references))
            reply = await self.judge.complete(Request(messages, self.rubric.generation, sample))
        except (PromptError, ProviderError) as exc:
            raise JudgeError(f"judge {self.judge.name}: {exc}") from None
        verdict = read_verdict(self.rubric, reply.output)
        detail = {"judge": self.judge.name, "rubric": self.rubric.id, "verdict": verdict, "judge_output": reply.output}
        if verdict is None:
            return Score(0.0, {"score": 0.0}, detail, unparsed=True)
        value = float(self.rubric.verdicts[verdict])
        return Score(value, {"score": value}, detail)


def read_verdict(rubric: JudgeSpec, reply: str) -> str | None:
    """The verdict named last in the judge's reply (by the rubric's pattern, or by the verdict words), or None."""
    names = sorted(rubric.verdicts, key=len, reverse=True)
    pattern = rubric.pattern or r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])"
    try:
        found = [m.group(1) for m in compile_pattern(pattern).finditer(reply, timeout=PATTERN_TIMEOUT)]
    except TimeoutError:
        return None
    by_folded = {name.casefold(): name for name in rubric.verdicts}
    for text in reversed(found):
        if text is not None and text.strip().casefold() in by_folded:
            return by_folded[text.strip().casefold()]
    return None
