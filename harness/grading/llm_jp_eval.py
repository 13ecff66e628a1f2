"""Per-sample `exact_match`, `char_f1` and `set_f1` as llm-jp-eval computes them, so numbers compare with its boards."""

# What llm-jp-eval (v1.x `utils.py`, which the Nejumi and Swallow boards run) does per sample, reproduced:
# - the answer is the model's output up to its first blank line (`output.split("\n\n")[0]`), in Unicode NFKC, with
#   whitespace stripped from both ends; the gold is the reference in NFKC, not stripped.
# - exact_match: 1 if the two strings are equal (sklearn's accuracy_score over samples).
# - char_f1: fuzzywuzzy 0.18's `fuzz.token_sort_ratio(answer, gold) / 100`, which is NOT a character F1 but an
#   edit-distance ratio of the sorted words: each side has U+0080-U+00FF deleted (`force_ascii`: é, ß, ×, ° go;
#   CJK stays), every non-word character (`re` \W, Unicode) made a space, is lowercased and stripped, split on
#   whitespace, its words sorted and joined by single spaces; equal strings give 100, one empty side 0, otherwise
#   Python round (half to even) of 100 × the Indel ratio (1 − insertions-and-deletions ÷ total length), the ratio
#   python-Levenshtein (>= 0.18, built on rapidfuzz, as llm-jp-eval installs it) gives fuzzywuzzy. Without
#   python-Levenshtein fuzzywuzzy falls back to difflib's SequenceMatcher, whose numbers differ; rapidfuzz's own
#   `token_sort_ratio` differs too (no Latin-1 deletion, `_` is a separator, no rounding), so neither is used.
# - set_f1: the answer's lines stripped, as a set, against the gold's lines stripped, as a list (a gold line written
#   twice counts twice in recall's denominator): precision = answer lines found among the gold's ÷ answer lines,
#   recall = the same count ÷ gold lines, F1 their harmonic mean, 0 when both are 0. An empty text is one empty line.
# Several references (llm-jp-eval has one gold per sample): each metric is the best over them.

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

METRICS = ("exact_match", "char_f1", "set_f1")
"""The metrics the `llm-jp-eval` standard reports, by llm-jp-eval's names."""

_LATIN_1 = dict.fromkeys(range(0x80, 0x100))  # fuzzywuzzy's "ascii dammit" table: these code points are deleted
_NON_WORD = re.compile(r"(?ui)\W")


@dataclass(frozen=True)
class LlmJpScore:
    """One output's llm-jp-eval metrics, with the texts they compared (for the best char_f1's reference)."""

    exact_match: float
    char_f1: float
    set_f1: float
    answer: str
    """The output as llm-jp-eval scores it: up to the first blank line, NFKC, stripped."""
    reference: str
    gold: str
    """The reference as llm-jp-eval scores it: NFKC."""
    answer_words: str
    gold_words: str
    """The sorted-word strings token_sort_ratio compares."""
    ratio: int
    """fuzzywuzzy's token_sort_ratio, 0 to 100."""


def answer_text(output: str) -> str:
    """The part of a model's output llm-jp-eval scores: up to the first blank line, in NFKC, stripped."""
    return unicodedata.normalize("NFKC", output.split("\n\n")[0]).strip()


def gold_text(reference: str) -> str:
    """A reference as llm-jp-eval scores it: in NFKC (not stripped)."""
    return unicodedata.normalize("NFKC", reference)


def sorted_words(text: str) -> str:
    """fuzzywuzzy's full_process with force_ascii, then its words sorted and joined by single spaces."""
    kept = _NON_WORD.sub(" ", text.translate(_LATIN_1)).lower().strip()
    return " ".join(sorted(kept.split())).strip()


def token_sort_ratio(first: str, second: str) -> int:
    """fuzzywuzzy's `fuzz.token_sort_ratio` (with python-Levenshtein), 0 to 100."""
    return _ratio(sorted_words(first), sorted_words(second))


def _ratio(first: str, second: str) -> int:
    """fuzzywuzzy's `fuzz.ratio` of processed strings: 100 if equal, 0 if one is empty, else the rounded Indel ratio."""
    if first == second:
        return 100
    if not first or not second:
        return 0
    from rapidfuzz.distance import Indel

    return round(100 * Indel.normalized_similarity(first, second))  # Python rounds half to even, as fuzzywuzzy does


def line_counts(answer: str, gold: str) -> tuple[int, int, int]:
    """(answer lines found among the gold's, distinct answer lines, gold lines), lines stripped, as set_f1 counts."""
    answer_lines = {line.strip() for line in answer.split("\n")}
    gold_lines = [line.strip() for line in gold.split("\n")]
    return sum(1 for line in answer_lines if line in gold_lines), len(answer_lines), len(gold_lines)


def set_f1(answer: str, gold: str) -> float:
    """llm-jp-eval's set_f1 of two scored texts: F1 of the answer's distinct lines among the gold's lines."""
    found, answer_lines, gold_lines = line_counts(answer, gold)
    precision = found / answer_lines
    recall = found / gold_lines
    return 2 * (precision * recall) / (precision + recall) if precision + recall != 0 else 0.0


def llm_jp_eval_score(output: str, references: Sequence[str]) -> LlmJpScore:
    """The three metrics of `output`, each the best over `references`; the texts kept are the first best char_f1's."""
    if isinstance(references, str):
        raise TypeError("references must be a sequence of strings, not one string")
    if not references:
        raise ValueError("llm-jp-eval needs at least one reference")
    answer = answer_text(output)
    answer_words = sorted_words(answer)
    golds = [(reference, gold_text(reference)) for reference in references]
    ratios = [(_ratio(answer_words, sorted_words(gold)), reference, gold) for reference, gold in golds]
    ratio, reference, gold = max(ratios, key=lambda found: found[0])  # the first of the best
    return LlmJpScore(
        exact_match=max(float(answer == gold) for _, gold in golds),
        char_f1=ratio / 100.0,
        set_f1=max(set_f1(answer, gold) for _, gold in golds),
        answer=answer,
        reference=reference,
        gold=gold,
        answer_words=answer_words,
        gold_words=sorted_words(gold),
        ratio=ratio,
    )
