"""Per-question EM and F1 exactly as the official SQuAD v1.1, CMRC 2018 and JSQuAD scripts compute them."""

# Quirks are kept on purpose: a score that claims a standard must match the published one.
# - squad-v1.1 (`evaluate-v1.1.py`): lowercase, drop ASCII punctuation, turn the words a/an/the into spaces, split on
#   whitespace. F1 is 0 whenever no token is shared, so two empty answers get EM 1 and F1 0.
# - cmrc2018 (`cmrc2018_evaluate.py` v6, also DRCD): U+4E00-U+9FA5 one character per segment, other runs through
#   nltk's word tokenizer; the listed marks are dropped *without* ending a run ("gpt-3" is one token "gpt3"), and the
#   list's "……" entry is two characters, so it never matches. F1 from the longest common contiguous run of
#   segments, 0 when there is none; EM compares the strings with the marks dropped, so two empty answers: EM 1, F1 0.
#   Each run goes through nltk.word_tokenize as the script calls it (grading/nltk_words.py): punkt's English model
#   splits it into sentences first, so a "." before more text ("denver. broncos": denver | . | broncos; "no. 5":
#   no | . | 5), a "?" or "!" before more text, and the "." of each English sentence after the answer are tokens of
#   their own, while an abbreviation punkt knows keeps its "." ("dr. smith": dr. | smith).
# - jsquad (transformers 4.9.2 squad_metrics with JGLUE's patch): lowercase, strip trailing "。" (before whitespace is
#   collapsed, so "東京。 " keeps its "。"), collapse whitespace, no other punctuation removed; F1 over a bag of
#   characters, spaces included, int(equal) when either side is empty; references that normalize to "" are ignored,
#   and "" is the reference when none is left.

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

STANDARDS: tuple[str, ...] = ("squad-v1.1", "cmrc2018", "jsquad")

Tokens = tuple[str, ...]


@dataclass(frozen=True)
class StandardScore:
    """One prediction's EM and F1 under an official standard, with the tokens behind the best F1."""

    em: float
    f1: float
    reference: str
    prediction_tokens: tuple[str, ...]
    reference_tokens: tuple[str, ...]


def standard_score(standard: str, prediction: str, references: Sequence[str]) -> StandardScore:
    """EM and F1 of `prediction` as the official `standard` script computes them, max over references."""
    if standard not in _STANDARDS:
        raise ValueError(f"unknown standard {standard!r}; expected one of {', '.join(STANDARDS)}")
    if isinstance(references, str):
        raise TypeError("references must be a sequence of strings, not one string")
    rules = _STANDARDS[standard]
    golds = rules.golds(list(references))
    if not golds:
        raise ValueError(f"{standard} needs at least one reference")
    return _best(rules, prediction, golds)


@dataclass(frozen=True)
class _Rules:
    """How one standard compares texts: EM key, F1 tokens, F1 formula, and which references count."""

    exact_key: Callable[[str], str]
    tokens: Callable[[str], Tokens]
    f1: Callable[[Tokens, Tokens], float]
    golds: Callable[[list[str]], list[str]]


def _best(rules: _Rules, prediction: str, golds: list[str]) -> StandardScore:
    """EM and F1 maxima taken independently over `golds`; the reference kept is the first with the best F1."""
    pred_key = rules.exact_key(prediction)
    pred_tokens = rules.tokens(prediction)
    em = max(float(rules.exact_key(gold) == pred_key) for gold in golds)
    best_f1, best_gold = -1.0, golds[0]
    best_tokens: tuple[str, ...] = ()
    for gold in golds:
        gold_tokens = rules.tokens(gold)
        f1 = rules.f1(pred_tokens, gold_tokens)
        if f1 > best_f1:
            best_f1, best_gold, best_tokens = f1, gold, gold_tokens
    return StandardScore(em, best_f1, best_gold, pred_tokens, best_tokens)


def _harmonic(same: int, n_pred: int, n_gold: int) -> float:
    """F1 from an overlap size, with the scripts' own order of float operations."""
    precision = 1.0 * same / n_pred
    recall = 1.0 * same / n_gold
    return (2 * precision * recall) / (precision + recall)


def _bag_overlap(pred: Tokens, gold: Tokens) -> int:
    """How many tokens the two multisets share."""
    return sum((Counter(pred) & Counter(gold)).values())


# squad-v1.1 ---------------------------------------------------------------------------------------------------

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def _squad_normalize(text: str) -> str:
    """Lowercase, drop ASCII punctuation, blank out a/an/the, collapse whitespace (in the script's order)."""
    kept = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", kept).split())


def _squad_tokens(text: str) -> Tokens:
    """Whitespace tokens of the normalized answer."""
    return tuple(_squad_normalize(text).split())


def _squad_f1(pred: Tokens, gold: Tokens) -> float:
    """Bag-of-tokens F1; 0 when nothing is shared, even when both sides are empty."""
    same = _bag_overlap(pred, gold)
    return 0.0 if same == 0 else _harmonic(same, len(pred), len(gold))


# cmrc2018 -----------------------------------------------------------------------------------------------------

# The script's list, minus its two-character "……" entry, which a single character never equals.
_CMRC_MARKS = frozenset("-:_*^/\\~`+=，。：？！“”；’《》·、「」（）－～『』")


def _is_cmrc_hanzi(ch: str) -> bool:
    """The script's one-character-per-segment range, U+4E00 to U+9FA5."""
    return "\u4e00" <= ch <= "\u9fa5"


def _cmrc_remove_punctuation(text: str) -> str:
    """Lowercase, strip the ends, drop the listed marks (inner whitespace stays)."""
    return "".join(ch for ch in text.lower().strip() if ch not in _CMRC_MARKS)


def _cmrc_segments(text: str) -> Tokens:
    """Hanzi one per segment; other runs through nltk's word tokenizer; listed marks dropped without a break."""
    segments: list[str] = []
    run: list[str] = []
    for ch in text.lower().strip():
        if ch in _CMRC_MARKS:
            continue
        if _is_cmrc_hanzi(ch):
            segments.extend(_word_tokenize("".join(run)))
            run = []
            segments.append(ch)
        else:
            run.append(ch)
    segments.extend(_word_tokenize("".join(run)))
    return tuple(segments)


def _word_tokenize(run: str) -> list[str]:
    """nltk.word_tokenize on one run of non-hanzi text (nltk and punkt's model are loaded only when there is one)."""
    if not run:
        return []
    from harness.grading.nltk_words import word_tokenize

    return word_tokenize(run)


def _longest_common_run(first: Tokens, second: Tokens) -> int:
    """Length of the longest contiguous run of tokens found in both sequences."""
    best = 0
    previous = [0] * (len(second) + 1)
    for token in first:
        current = [0] * (len(second) + 1)
        for j, other in enumerate(second):
            if token == other:
                current[j + 1] = previous[j] + 1
                best = max(best, current[j + 1])
        previous = current
    return best


def _cmrc_f1(pred: Tokens, gold: Tokens) -> float:
    """F1 from the longest common contiguous run; 0 when there is none (including when either side is empty)."""
    same = _longest_common_run(gold, pred)
    return 0.0 if same == 0 else _harmonic(same, len(pred), len(gold))


# jsquad -------------------------------------------------------------------------------------------------------


def _jsquad_normalize(text: str) -> str:
    """Lowercase, strip trailing "。" (before collapsing whitespace), collapse whitespace."""
    return " ".join(text.lower().rstrip("。").split())


def _jsquad_chars(text: str) -> Tokens:
    """Characters of the normalized answer, single spaces included."""
    return tuple(_jsquad_normalize(text))


def _jsquad_f1(pred: Tokens, gold: Tokens) -> float:
    """Bag-of-characters F1; when either side is empty, 1 if both are and 0 otherwise."""
    if not pred or not gold:
        return float(pred == gold)
    same = _bag_overlap(pred, gold)
    return 0.0 if same == 0 else _harmonic(same, len(pred), len(gold))


def _jsquad_golds(references: list[str]) -> list[str]:
    """References that normalize to something; [""] when none does (transformers' no-answer case)."""
    return [ref for ref in references if _jsquad_normalize(ref)] or [""]


def _all(references: list[str]) -> list[str]:
    """Every reference counts."""
    return references


_STANDARDS: dict[str, _Rules] = {
    "squad-v1.1": _Rules(_squad_normalize, _squad_tokens, _squad_f1, _all),
    "cmrc2018": _Rules(_cmrc_remove_punctuation, _cmrc_segments, _cmrc_f1, _all),
    "jsquad": _Rules(_jsquad_normalize, _jsquad_chars, _jsquad_f1, _jsquad_golds),
}
