"""Graders that compare free text with reference answers: exact and includes (MatchGrader), em and f1 (OverlapGrader)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from harness.grading.normalize import tokenize
from harness.types import Sample, Score


@dataclass(frozen=True)
class MatchGrader:
    """1 when some reference matches after normalization: the same tokens, or with `includes` a run of whole tokens
    inside the output (so "1" is not found in "1945", while "東京" is found in "答えは東京です")."""

    language: str
    includes: bool = False

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        got = tokenize(output, self.language)
        for ref in sample.references:
            want = tokenize(ref, self.language)
            if (bool(want) and _contains(got, want)) if self.includes else got == want:
                return Score(1.0, {"accuracy": 1.0}, {"matched": ref})
        return Score(0.0, {"accuracy": 0.0}, {"matched": None})


@dataclass(frozen=True)
class OverlapGrader:
    """SQuAD-style exact match and token-bag F1, best over references; `primary` picks the score's value."""

    language: str
    primary: str = "f1"

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        got = tokenize(output, self.language)
        best_em, best_f1, best_ref = 0.0, 0.0, sample.references[0]
        for ref in sample.references:
            want = tokenize(ref, self.language)
            em = float(got == want)
            f1 = token_f1(got, want)
            if (f1, em) > (best_f1, best_em):
                best_em, best_f1, best_ref = em, f1, ref
        metrics = {"em": best_em, "f1": best_f1}
        return Score(metrics[self.primary], metrics, {"best_reference": best_ref})


def token_f1(prediction: Sequence[str], reference: Sequence[str]) -> float:
    """Harmonic mean of token-bag precision and recall; two empty sequences agree."""
    if not prediction or not reference:
        return float(list(prediction) == list(reference))
    common = sum((Counter(prediction) & Counter(reference)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(reference)
    return 2 * precision * recall / (precision + recall)


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    first = needle[0]
    return any(haystack[i] == first and list(haystack[i : i + n]) == list(needle) for i in range(len(haystack) - n + 1))
