"""Graders that read an answer out of the output by a regular expression, or accept a near miss by edit distance."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.grading.normalize import Normalization, normalize, tokenize
from harness.text.patterns import PATTERN_TIMEOUT, compile_pattern
from harness.types import Sample, Score


@dataclass(frozen=True)
class RegexGrader:
    """The last match of `pattern` (its `group`, or all of it) must equal a reference after normalization.

    An output in which the pattern finds nothing is `unparsed`, like a multiple-choice answer naming no option.
    """

    pattern: str
    language: str
    group: str | None = None
    steps: Normalization = field(default_factory=Normalization)

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        compiled = compile_pattern(self.pattern)
        try:
            matches = list(compiled.finditer(output, timeout=PATTERN_TIMEOUT))
        except TimeoutError:
            return Score(0.0, {"accuracy": 0.0}, {"extracted": None, "problem": "pattern timed out"}, unparsed=True)
        found = [m.group(self.group) if self.group else m.group(0) for m in matches]
        found = [text for text in found if text is not None]
        if not found:
            return Score(0.0, {"accuracy": 0.0}, {"extracted": None}, unparsed=True)
        extracted = found[-1]  # a model that reasons first states its answer last
        got = tokenize(extracted, self.language, self.steps)
        matched = next((ref for ref in sample.references if tokenize(ref, self.language, self.steps) == got), None)
        value = float(matched is not None)
        return Score(value, {"accuracy": value}, {"extracted": extracted, "matched": matched})


@dataclass(frozen=True)
class FuzzyGrader:
    """Edit-distance similarity (1 − Levenshtein distance ÷ longer length) of the normalized texts, best reference;
    passes at `threshold`."""

    language: str
    threshold: float = 0.8
    steps: Normalization = field(default_factory=Normalization)

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        from rapidfuzz.distance import Levenshtein

        got = normalize(output, self.language, self.steps)
        best, best_ref = -1.0, sample.references[0]
        for ref in sample.references:
            similarity = Levenshtein.normalized_similarity(got, normalize(ref, self.language, self.steps))
            if similarity > best:
                best, best_ref = similarity, ref
        passed = float(best >= self.threshold)
        detail = {"output_normalized": got, "best_reference": best_ref, "threshold": self.threshold}
        return Score(passed, {"accuracy": passed, "similarity": best}, detail)
