"""A multiple-choice sample's options, prepared once, and where an answer names an option by its text."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from harness.grading.choice_labels import JOINT, LABELISH, LINE_END, NEGATED_TEXT, SENTENCE_END, WORDS
from harness.grading.normalize import normalize
from harness.text.labels import numbered
from harness.types import LABELS


@dataclass(frozen=True)
class Choice:
    """What an answer chose: the label (None when unparsed), how it was found, and the text that decided."""

    label: str | None
    how: str
    """"marked", "label" or "option text"; when unparsed "ambiguous", "not an option" or "no answer"."""
    match: str
    """The deciding text, as read after NFKC (full-width folded: "答案：Ｃ" shows as "答案:C")."""


@dataclass(frozen=True)
class Options:
    """A sample's options, prepared once: labels, normalized texts, and where option texts hide label letters."""

    labels: str
    texts: tuple[str, ...]
    norms: tuple[str, ...]
    language: str
    digits: bool
    """Whether a bare digit may be a label: not when some option is itself a number."""
    covers: tuple[re.Pattern[str], ...]
    """Option texts containing a lone letter or number ("Vitamin C"), so that letter is not read as a label."""


@lru_cache(maxsize=256)
def prepare_options(choices: tuple[str, ...], language: str) -> Options:
    """Prepare a sample's options for matching."""
    norms = tuple(normalize(c, language) for c in choices)
    digits = not numbered(choices)
    covers = []
    for choice in choices:
        text = unicodedata.normalize("NFKC", choice).strip()
        words = WORDS.findall(text)
        if words and LABELISH.search(text) and not (len(words) == 1 and LABELISH.fullmatch(words[0])):
            left = r"(?<![A-Za-z0-9])" if words[0][0].isascii() else ""
            right = r"(?![A-Za-z0-9])" if words[-1][-1].isascii() else ""
            covers.append(re.compile(left + r"[\W_]*".join(map(re.escape, words)) + right, re.IGNORECASE))
    return Options(LABELS[: len(choices)], tuple(choices), norms, language, digits, tuple(covers))


def option_at(text: str, at: int, options: Options, exact: bool = False) -> int | None:
    """The option whose text starts the line at `at` (or is the whole sentence, when `exact`; -1 if two are offered)."""
    said = normalize(text[at : sentence_end(text, at, SENTENCE_END if exact else LINE_END)], options.language)
    best = prefix_option(said, options)
    if best is None or (exact and said != options.norms[best]):
        return None
    rest = said[len(options.norms[best]) :].lstrip()
    if rest.startswith(("ではな", "じゃな", "でな", "以外", "不对", "不對", "错", "錯")):
        return None
    joint = JOINT.match(rest)
    if joint:
        second = prefix_option(rest[joint.end() :], options)
        if second is not None and second != best:
            return -1
    return best


def prefix_option(said: str, options: Options) -> int | None:
    """The option with the longest normalized text that `said` starts with, at a word boundary."""
    hits = [(len(norm), i) for i, norm in enumerate(options.norms) if norm and said.startswith(norm)]
    hits = [(length, i) for length, i in hits if boundary(said, length) and not straddled(said, 0, length, i, options)]
    return max(hits)[1] if hits else None


def straddled(said: str, start: int, end: int, index: int, options: Options) -> bool:
    """Whether another option's text overlaps said[start:end] without containing it or lying inside it, so that
    neither is named whole (in `東京都`, neither `東京` nor `京都`)."""
    for other, norm in enumerate(options.norms):
        if other == index or not norm:
            continue
        stop = end + len(norm) - 1
        at = said.find(norm, max(0, start - len(norm) + 1), stop)
        while 0 <= at < end:
            if start < at < end < at + len(norm) or at < start < at + len(norm) < end:
                return True
            at = said.find(norm, at + 1, stop)
    return False


def boundary(said: str, i: int) -> bool:
    """Whether position i of normalized text is not inside a Latin word or number."""
    if i <= 0 or i >= len(said):
        return True
    left, right = said[i - 1], said[i]
    return not (left.isascii() and left.isalnum() and right.isascii() and right.isalnum())


def by_text(text: str, options: Options) -> Choice | None:
    """The one option whose text the answer is or mentions whole: not negated, not inside a longer option's text, not
    overlapping another's (`東京都` names neither `東京` nor `京都`)."""
    said = normalize(text, options.language)
    if not said:
        return None
    if said in options.norms:
        index = options.norms.index(said)
        return Choice(options.labels[index], "option text", options.texts[index])
    spans, cut = [], []
    for i, norm in enumerate(options.norms):
        start = said.find(norm) if norm else -1
        while start >= 0:
            end = start + len(norm)
            if boundary(said, start) and boundary(said, end):
                if straddled(said, start, end, i, options):
                    cut.append((start, end))
                elif not negated_text(said, start, end):
                    spans.append((start, end, i))
            start = said.find(norm, start + 1)
    longer = Spans([(s, e) for s, e, _ in spans])
    kept = {i for s, e, i in spans if not longer.contain(s, e, strictly=True)}
    if len(kept) == 1:
        index = kept.pop()
        return Choice(options.labels[index], "option text", options.texts[index])
    if kept:
        return Choice(None, "ambiguous", ", ".join(options.texts[i] for i in sorted(kept)))
    if cut:  # options' texts overlap, so the answer names something else (`東京都` of `東京`, `京都`)
        return Choice(None, "not an option", said[min(s for s, _ in cut) : max(e for _, e in cut)])
    return None


def negated_text(said: str, start: int, end: int) -> bool:
    """Whether an option's text is negated in the normalized answer ("not lstm", "東京ではなく")."""
    return bool(NEGATED_TEXT.search(said[max(0, start - 12) : start])) or said.startswith(
        ("ではな", "じゃな", "でな", "以外"), end
    )


def sentence_end(text: str, at: int, end: re.Pattern[str] = SENTENCE_END) -> int:
    """Where the sentence (or line) starting at `at` ends, looking at most 300 characters ahead."""
    stop = end.search(text, at, at + 300)
    return stop.start() if stop else min(len(text), at + 300)


class Spans:
    """Spans of text, sorted once, asked whether one of them contains a given span."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.reach = list(accumulate((e for _, e in spans), max))

    def contain(self, start: int, end: int, strictly: bool = False) -> bool:
        """Whether a span contains text[start:end] (when `strictly`, one that is also longer)."""
        before = bisect_left(self.starts, start)
        if before and self.reach[before - 1] >= end:
            return True
        upto = bisect_right(self.starts, start)
        return upto > before and self.reach[upto - 1] >= (end + 1 if strictly else end)
