"""Graders that compare free text with reference answers: exact and includes (MatchGrader), em and f1 (OverlapGrader)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.grading.commitment import negated, offered_with_another
from harness.grading.normalize import Normalization, joined_tokens, surface, tokenize
from harness.registry.graders import LLM_JP_EVAL, OWN_STANDARD, metrics_of
from harness.text.cjk import CJK
from harness.text.scripts import written_in
from harness.types import Sample, Score


@dataclass(frozen=True)
class MatchGrader:
    """1 when some reference matches after normalization: the same tokens, or with `includes` a run of whole tokens
    inside the output (so "1" is not found in "1945", while "東京" is found in "答えは東京です"), not cut from a
    hyphenated compound where that changes what it names (see `_cut_from_compound`)."""

    language: str
    includes: bool = False
    steps: Normalization = field(default_factory=Normalization)

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        got, joints = joined_tokens(output, self.language, self.steps)
        wrong_script = _wrong_script(output, self.language, self.steps)
        if wrong_script:
            return Score(0.0, {"accuracy": 0.0}, {"matched": None, "output_tokens": got, "problem": wrong_script})
        problems = []
        for ref in sample.references:
            want = tokenize(ref, self.language, self.steps)
            if (bool(want) and _contains(got, joints, want)) if self.includes else got == want:
                problem = self._not_given(output, ref) if self.includes else None
                if problem is None:
                    return Score(1.0, {"accuracy": 1.0}, {"matched": ref, "output_tokens": got})
                problems.append(problem)
        detail: dict[str, Any] = {"matched": None, "output_tokens": got}
        if problems:
            detail["problem"] = problems[0]
        return Score(0.0, {"accuracy": 0.0}, detail)

    def _not_given(self, output: str, ref: str) -> str | None:
        """Why a reference found in the output's tokens is still not its answer, or None when it is: every place it
        is written out is negated or offered with another (`not Paris`, `Paris or Lyon`), or, in Japanese and
        Chinese, lies inside another word by the language's morphological analyser (grading/words.py). Where it
        cannot be found as written, the token match stands."""
        text, wanted = surface(output, self.language, self.steps), surface(ref, self.language, self.steps).strip()
        places = [m.span() for m in re.finditer(re.escape(wanted), text)] if wanted else []
        if not places:
            return None
        if all(negated(text, *span) or offered_with_another(text, *span) for span in places):
            return f"found {ref!r} only where the output rejects it or offers it with another"
        if _checks_words(ref, self.language) and not any(_whole_word(text, *span, self.language) for span in places):
            return f"found {ref!r} only inside another word"
        return None


@dataclass(frozen=True)
class OverlapGrader:
    """Exact match and F1, best over references, in evalrun's own `cjk` mode or an official script's `standard`
    (`llm-jp-eval`: its exact_match, char_f1 and set_f1, by those names; see grading/llm_jp_eval.py)."""

    language: str
    primary: str = "f1"
    standard: str = OWN_STANDARD
    steps: Normalization = field(default_factory=Normalization)

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        if self.standard == LLM_JP_EVAL:
            return _llm_jp_eval(output, sample, metrics_of({"kind": self.primary, "standard": self.standard})[0])
        if self.standard != OWN_STANDARD:
            from harness.grading.standards import standard_score

            result = standard_score(self.standard, output, sample.references)
            metrics = {"em": result.em, "f1": result.f1}
            detail: dict[str, Any] = {
                "standard": self.standard,
                "best_reference": result.reference,
                "output_tokens": list(result.prediction_tokens),
                "reference_tokens": list(result.reference_tokens),
            }
            return Score(metrics[self.primary], metrics, detail)
        got = tokenize(output, self.language, self.steps)
        wrong_script = _wrong_script(output, self.language, self.steps)
        if wrong_script:
            detail = {"standard": OWN_STANDARD, "output_tokens": got, "problem": wrong_script}
            return Score(0.0, {"em": 0.0, "f1": 0.0}, detail)
        best_em, best_f1, best_ref, best_tokens = 0.0, 0.0, sample.references[0], None
        for ref in sample.references:
            want = tokenize(ref, self.language, self.steps)
            em = float(got == want)
            f1 = token_f1(got, want)
            if best_tokens is None or (f1, em) > (best_f1, best_em):
                best_em, best_f1, best_ref, best_tokens = em, f1, ref, want
        metrics = {"em": best_em, "f1": best_f1}
        detail = {
            "standard": OWN_STANDARD,
            "best_reference": best_ref,
            "output_tokens": got,
            "reference_tokens": best_tokens,
        }
        return Score(metrics[self.primary], metrics, detail)


def _llm_jp_eval(output: str, sample: Sample, primary: str) -> Score:
    """llm-jp-eval's exact_match, char_f1 and set_f1, with the texts each compared."""
    from harness.grading.llm_jp_eval import line_counts, llm_jp_eval_score

    result = llm_jp_eval_score(output, sample.references)
    metrics = {"exact_match": result.exact_match, "char_f1": result.char_f1, "set_f1": result.set_f1}
    found, answer_lines, gold_lines = line_counts(result.answer, result.gold)
    detail: dict[str, Any] = {
        "standard": LLM_JP_EVAL,
        "best_reference": result.reference,
        "answer": result.answer,
        "gold": result.gold,
        "char_f1": f"token_sort_ratio {result.ratio} ÷ 100: edit-distance ratio of sorted words, not a character F1",
        "sorted_words": [result.answer_words, result.gold_words],
        "set_f1": f"{found} of {answer_lines} distinct answer line(s) found among the reference's {gold_lines} line(s)",
    }
    if result.answer != unicodedata.normalize("NFKC", output).strip():
        detail["cut"] = "the answer ends at the output's first blank line, as llm-jp-eval reads it"
    return Score(metrics[primary], metrics, detail)


def token_f1(prediction: Sequence[str], reference: Sequence[str]) -> float:
    """F1 of the tokens both share in the same order (their longest common subsequence, as ROUGE-L counts it), so
    `会社` against `社会` earns 0.5, not the 1.0 a bag of characters gives; two empty sequences agree."""
    if not prediction or not reference:
        return float(list(prediction) == list(reference))
    from rapidfuzz.distance import LCSseq

    common = LCSseq.similarity(list(prediction), list(reference))
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(reference)
    return 2 * precision * recall / (precision + recall)


SCRIPT_NAMES = {"Hans": "Simplified", "Hant": "Traditional"}


def _wrong_script(output: str, language: str, steps: Normalization) -> str | None:
    """With `same_script`, why an answer written in the other Chinese script than the eval's scores 0."""
    wanted = language.rsplit("-", 1)[-1] if language.startswith("zh-") else None
    if not steps.same_script or wanted not in SCRIPT_NAMES:
        return None
    written = written_in(output)
    if written is None or written == wanted:
        return None
    return f"written in {SCRIPT_NAMES[written]} characters; this eval asks for {SCRIPT_NAMES[wanted]} (same_script)"


def _checks_words(reference: str, language: str) -> bool:
    """Whether word boundaries decide: a Japanese or Chinese reference the analyser reads as one word (a phrase, or a
    name it splits, is found character by character)."""
    if language.split("-")[0].lower() not in ("ja", "zh") or not CJK.search(reference):
        return False
    from harness.grading.words import one_word

    return one_word(reference, language)


def _whole_word(text: str, start: int, end: int, language: str) -> bool:
    from harness.grading.words import whole_word

    return whole_word(text, start, end, language)


NEGATING_PREFIXES = frozenset({"non", "un", "anti", "not"})


def _contains(haystack: Sequence[str], joints: set[int], needle: Sequence[str]) -> bool:
    """Whether `needle` is a run of whole tokens of `haystack` that is not cut from a compound."""
    n = len(needle)
    first = needle[0]
    return any(
        haystack[i] == first
        and list(haystack[i : i + n]) == list(needle)
        and not _cut_from_compound(haystack, joints, i, i + n)
        for i in range(len(haystack) - n + 1)
    )


def _cut_from_compound(tokens: Sequence[str], joints: set[int], start: int, end: int) -> bool:
    """Whether tokens[start:end] end at a hyphen where the compound names something else: a one-letter or one-digit
    part (`Objective-C`, `GPT-4`: neither holds `C`, `4` or `GPT`) or a negating prefix (`non-toxic` holds no `toxic`);
    `Tokyo-based` still holds `Tokyo`."""
    if start in joints and (
        _short(tokens[start - 1]) or _short(tokens[start]) or tokens[start - 1] in NEGATING_PREFIXES
    ):
        return True
    return end in joints and (_short(tokens[end - 1]) or _short(tokens[end]))


def _short(token: str) -> bool:
    """A one-character part of a compound that is not a CJK character (which are one token each anyway)."""
    return len(token) == 1 and not CJK.match(token)
