"""Which of the values an answer mentions it commits to: not the ones it rejects, hedges between or corrects.

Shared by the `numeric` and `date` graders, which find the values (numbers, dates) and their places in a text; this
module reads the words around them, in English, Japanese and Chinese:
* the last answer marker or self-correction with a value after it wins ("Answer: 12 … Final answer: 13",
  "12. Actually, wait: 13", "答えは12…いや、13", "答案是12，不对，是13"): values before it are not committed;
* a negated value is not committed: "not 175 billion", "isn't 12", "rather than 42", "不是42", "并非2017年",
  "42ではなく", "2017年じゃない";
* two different values joined as alternatives ("12 or 13", "1945年か1946年", "42或24") or as a range ("100-200",
  "10〜20人", "between 10 and 20", "10到20", "10から20") are a hedge, not a commitment; a range is found as such,
  so a grader can accept it when the reference is the same range. A fraction is one value as `numeric` finds it
  ("1/2" is 0.5, "二分之一" too), so its slash is no alternative; a slash between two values ("12 / 13") is.
`includes` asks the same of the places where it finds a text answer (`negated`, `offered_with_another`): "not Paris",
"Paris or Lyon" and "东京还是京都" do not answer Paris or 东京.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

_MARKER = re.compile(
    r"(?i:\bfinal\s+answer\b|\b(?:the|correct|my)\s+answer\s+is\b|\banswer\s*[:：]|\bactually\b|\bwait\b|"
    r"\bcorrection\b|\bi\s+mean\b|\bsorry\b)"
    r"|答え(?:は|：|:)|正解(?:は|：|:)|答案(?:是|为|為|：|:)|最[终終]答案|いや|訂正|実際には|不[对對]|更正|其[实實]"
)
_CLAUSE_END = re.compile(r"[,.;:!?。、，；：！？\n]")
_NEGATED_BEFORE = re.compile(
    r"(?i:(?:\bnot|\bnever|\bnor|n't|\brather\s+than|\binstead\s+of|\bno\s+longer)\s+(?:[a-z]+\s+){0,3})\Z"
    r"|(?:不是|并非|並非|而非|而不是|不会是|不會是)[^0-9]{0,3}\Z"
)
_NEGATED_AFTER = re.compile(
    r"[^\s0-9]{0,3}?\s*(?:ではなく|じゃなく|でなく|ではない|じゃない|ではありません|ではなかった)"
)
_OR = "或者?|或是|还是|還是|または|もしくは"
"""Words that offer alternatives in Chinese and Japanese (and `か`, `or`, `/` below, where they stand alone)."""
_ALTERNATIVE = re.compile(rf"(?i:\s*,?\s*or(?:\s+(?:maybe|perhaps|possibly))?\s*|\s*/\s*)|{_OR}|か")
_OR_AFTER = re.compile(rf"(?i:\s*,?\s*or\b|\s*(?:{_OR})|か(?=[^\s、。，,.!?！？]))\s*[^\s、。，,.!?！？]")
_OR_BEFORE = re.compile(rf"[^\s、。，,.!?！？]\s*(?i:\bor|{_OR}|か)\s*\Z")
_RANGE = re.compile(r"(?i:\s*(?:-|–|—|~|〜|～|to|through|and)\s*)|到|至|から|~|〜|～")
_BETWEEN = re.compile(r"(?i:\b(?:between|from)\s+\Z)|介于\s*\Z|在\s*\Z")
_UNIT_BETWEEN = r"[^\s0-9]{0,4}?"
"""A counter or unit may stand between the first value and the connector: 10人から20人, 1945年か1946年."""


@dataclass(frozen=True)
class Located:
    """A value found in a text: where it starts and ends, and what it is worth (equal values are the same answer)."""

    start: int
    end: int
    value: Hashable
    paired: bool = True
    """Whether it can be one side of a hedge or range (a number inside a name, as Llama-2-70B's, cannot)."""


@dataclass
class Commitment:
    """Which values a text commits to (their indexes), why the others are not, and the ranges it states."""

    kept: list[int]
    dropped: dict[int, str] = field(default_factory=dict)
    ranges: list[tuple[int, int]] = field(default_factory=list)


def commitment(text: str, found: Sequence[Located]) -> Commitment:
    """Read the words around each value in `text` (see the module docstring); `found` is in order."""
    result = Commitment(kept=[])
    after = _last_marker_with_values(text, found)
    for i, mention in enumerate(found):
        if mention.start < after:
            result.dropped[i] = "before the final answer or a correction"
        elif negated(text, mention.start, mention.end):
            result.dropped[i] = "negated"
    live = [i for i in range(len(found)) if i not in result.dropped]
    for first, second in itertools.pairwise(live):
        a, b = found[first], found[second]
        if a.value == b.value or not (a.paired and b.paired):
            continue
        gap = text[a.end : b.start]
        if re.fullmatch(f"{_UNIT_BETWEEN}(?:{_RANGE.pattern})", gap) and _is_range(text, a, gap):
            result.ranges.append((first, second))
            result.dropped[first] = result.dropped[second] = "a range, not one value"
        elif re.fullmatch(_UNIT_BETWEEN + f"(?:{_ALTERNATIVE.pattern})", gap):
            result.dropped[first] = result.dropped[second] = "one of alternatives, not a commitment"
    result.kept = [i for i in range(len(found)) if i not in result.dropped]
    return result


def _last_marker_with_values(text: str, found: Sequence[Located]) -> int:
    """Where the last answer marker or correction that has a value after it ends (0 when there is none)."""
    last = 0
    for match in _MARKER.finditer(text):
        if any(mention.start >= match.end() for mention in found):
            last = match.end()
    return last


def negated(text: str, start: int, end: int) -> bool:
    """Whether the clause rejects text[start:end]: a negation before it, or a Japanese one after it."""
    clause = _CLAUSE_END.split(text[max(0, start - 40) : start])[-1]
    return bool(_NEGATED_BEFORE.search(clause)) or bool(_NEGATED_AFTER.match(text, end))


def offered_with_another(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is one of alternatives: `Paris or Lyon`, `大阪か東京`, `北京还是上海`."""
    return bool(_OR_AFTER.match(text, end)) or bool(_OR_BEFORE.search(text[max(0, start - 40) : start]))


def _is_range(text: str, first: Located, gap: str) -> bool:
    """Whether a `-`/`to`/`and` between two values makes a range: `and` only after between/from (`between 10 and 20`)."""
    if re.search(r"(?i:\band\b)", gap):
        return bool(_BETWEEN.search(text[max(0, first.start - 12) : first.start]))
    return True
