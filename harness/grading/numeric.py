"""The `numeric` grader: numbers compared by value, however they are written, in English, Japanese and Chinese.

"175 billion", "175B", "1.75e11", "1.75×10¹¹", "175,000,000,000", "175 000 000 000", "1750億", "1,750亿",
"一千七百五十亿", "千七百五十億", "１７５０億", "17億5000万", "壹仟柒佰伍拾億" and "one hundred seventy-five billion" are all
175000000000. The parsing is done by libraries (imported only when a grade needs them): NFKC for full-width digits,
`cn2an` and then `kanjize` for Chinese and Japanese numerals, `text_to_num` for English number words. The only tables
here are the scale words that follow Arabic digits (hundred/thousand/million/billion/trillion, K/M/B/T/bn), the
financial numerals (numerals.py), the fraction words (number_forms.py) and the unit names (units.py).

Rules, in the order they apply:

* Every number mention in a text is found (numbers.py), with the scale word after it and the word (unit) that follows.
  Digit-group commas are dropped only in groups of three ("1,750" is 1750; "1,2,3" is three numbers); so are plain,
  thin and no-break spaces when every group after the first has three digits ("1 000 000" is a million; "12 34" is two
  numbers); a full-width comma "，" is punctuation unless it sits between full-width digits in groups of three
  ("１，７５０"). "-5", "−5", "minus 5", "负五", "零下五度" and "マイナス5" are negative; the hyphen of a range ("10-20")
  or a name ("GPT-3") is not a sign.
* Forms beyond digits and numerals are one number each (number_forms.py): fractions "1/2", "½", "1½", "二分の一",
  "二分之一" (0.5; a numerator of at most three digits: "2019/2020" is two numbers); proportions "3割" (30%), "2割5分"
  (25%), "2分5厘" (2.5%), "三成" (30%); "two and a half", "half a million", "a dozen", "half a dozen", "2 dozen",
  "一个半" (1.5), "1年半" (1.5 years); financial numerals "壹仟貳佰", "贰拾", "壱萬弐阡" (a lone 参/陆/伍/拾 is a word,
  not a number).
* Weak mentions are numbers that are usually not the answer: a number inside a word that has a Latin letter
  before it (GPT-3, GPT-4o, GPT-3.5, A100, Llama-2-70B, COVID-19, v2, Q3), an ordinal (2nd, 3rd, 第3, 第三), a
  dotted run such as a version or address (1.2.3), a lone ideograph numeral (the 一 of 一般, 统一, 一つ), a vague
  数/几 quantity (数百万), the English words zero/one/two/first/second (so "one of the best" says nothing) and "half",
  "一半" or "半分" alone. Weak mentions count only when the text has no other number at all: "GPT-3 has 175B parameters"
  offers 175000000000 alone, while "GPT-3" alone offers 3, and so does "GPT-3 was released" (a documented choice: an
  answer whose only number is in a name is read as that number; with any other number present it never is).
  Vague English quantities ("millions of users", "several thousand", "dozens") are no numbers at all.
* A reference is read the same way and its FIRST number is the answer (its first strong number; its first weak
  one if it has no strong one), e.g. "175B (175,000,000,000)" → 175000000000; "between 10 and 20" is a range. A
  reference with no finite number can never be matched. Several references are alternatives.
* Numbers the output rejects, offers as alternatives or as a range, or states before its final answer or a
  correction are set aside (grading/commitment.py): "不是42，是24" offers 24, "12 or 13" and "100-200" nothing. A
  reference that states a range ("10-20", "10〜20人") is answered only by the same range. A fraction is one number,
  never two alternatives ("1/2" offers 0.5, not 1 or 2).
* The output matches a reference when ANY of its committed candidate numbers equals the reference's number within the
  relative `tolerance` (|output − reference| ≤ tolerance × |reference|; 0 means exact, up to 1e-12 relative
  float noise; a reference of 0 needs exactly 0). NaN and infinities are never numbers.
* Percentages: "50%", "50 percent", "50パーセント", "百分之五十" and "5割" are the number 50 with the unit "%" ("千分之五"
  and "5‰" are 5 ‰). Two percentages compare as proportions (5% = 50‰). A percentage and a plain number match when
  the plain number is the proportion ("30%" = "0.3") or the number as written, the reference having left its sign out
  ("50%" = "50"), unless a different known unit follows it ("5分", five minutes, is no 5%). So "30%" matches "0.3"
  and "30" but never "3" or "0.003"; "3割" is 30%, so it never matches "3" or "3%".
* Units never change a value otherwise. With `unit` set, an output number counts when that unit (or one of its aliases
  in any language, see UNITS) follows it, or when no known unit follows it at all ("175 billion in total"); it is
  ignored when a different known unit follows ("96 layers" when the unit is "parameters", the 2020 of "2020年").
  Between number and unit, a hyphen (2048-token) and a counter (个/個, の: 1750亿个参数, 96個の層) are skipped.
  The unit filter applies to the output only; a reference's number is taken whatever follows it.
* An output with no number at all is `unparsed`. `language` does not change the reading: a model may answer
  in any language, so every form above is read for every eval.
* Not handled: spoken years ("twenty eighteen"), decimal commas ("3,5"), a fraction with spaces around its slash
  ("1 / 2" is two alternatives), "3 quarters" with a digit, and mixed scripts in one numeral ("二万壹仟"). 兆 is 10^12
  (Japanese and Traditional Chinese usage, and kanjize's), not the SI "mega".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness.grading.commitment import Located, commitment
from harness.grading.numbers import Mention, find_numbers, first_number, format_number, locate_numbers, parse_number
from harness.grading.units import UNITS, unit_aliases
from harness.types import Sample, Score

__all__ = ["Mention", "NumericGrader", "find_numbers", "parse_number"]

_PER = {"%": 100, "‰": 1000}
"""The units that make a number a proportion, and what it is a proportion of."""
_MAX_LISTED = 50
_EPSILON = 1e-12


@dataclass(frozen=True)
class NumericGrader:
    """1 when some number in the output equals a reference's number within `tolerance` (see the module docstring);
    with `unit`, only output numbers followed by that unit or by no known unit count."""

    language: str
    tolerance: float = 0.0
    unit: str | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.tolerance, (int, float)) and math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise ValueError(f"numeric tolerance must be a finite number ≥ 0, not {self.tolerance!r}")

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        prepared, found = locate_numbers(output)
        said = commitment(prepared, [Located(int(m.position), m.end, m.value, m.weak is None) for m in found])
        candidates, ignored = _candidates([found[i] for i in said.kept], self.unit)
        ignored += [f"{found[i].describe()}: {reason}" for i, reason in sorted(said.dropped.items())]
        ranges = [(found[i], found[j]) for i, j in said.ranges]
        wanted = [_reference(ref) for ref in sample.references]
        matched, how = None, None
        for ref, want in zip(sample.references, wanted, strict=True):
            if want is None:
                continue
            if isinstance(want, tuple):  # a range: only the same range answers it
                hit = next(
                    (f"{a.describe()} to {b.describe()}" for a, b in ranges if self._same(a, want[0], b, want[1])), None
                )
            else:
                hit = next((way for got in candidates if (way := self._way(got, want)) is not None), None)
            if hit is not None:
                matched, how = ref, hit
                break
        value = float(matched is not None)
        detail: dict[str, object] = {
            "output_numbers": [m.value for m in candidates][:_MAX_LISTED],
            "output_mentions": [m.describe() for m in candidates][:_MAX_LISTED],
            "ignored": ignored[:_MAX_LISTED],
            "reference_numbers": [_shown(w) for w in wanted][:_MAX_LISTED],
            "matched": matched,
        }
        if how is not None:
            detail["matched_as"] = how
        if self.tolerance:
            detail["tolerance"] = self.tolerance
        if self.unit is not None:
            detail["unit"] = self.unit
        if not found:
            detail["problem"] = "no number in the output"
        elif not candidates and not ranges:
            detail["problem"] = "no number the output commits to"
        return Score(value, {"accuracy": value}, detail, unparsed=not found)

    def _same(self, got: Mention, want: Mention, other: Mention, want_other: Mention) -> bool:
        return self._way(got, want) is not None and self._way(other, want_other) is not None

    def _way(self, got: Mention, want: Mention) -> str | None:
        """How `got` equals `want` (see the percentages in the module docstring), or None when it does not."""
        got_per, want_per = _PER.get(got.unit or ""), _PER.get(want.unit or "")
        if got_per and want_per:
            same = self._close(got.value / got_per, want.value / want_per)
            return None if not same else "equal" if got_per == want_per else "the same proportion"
        per, plain, proportion = (got_per, want, got) if got_per else (want_per, got, want)
        if per and plain.unit in UNITS:  # 5 minutes (5分) is no 5%
            return None
        if self._close(got.value, want.value):
            return "equal" if not per else f"equal (the {proportion.unit} sign left out)"
        if per and self._close(proportion.value / per, plain.value):
            return f"{format_number(proportion.value)}{proportion.unit} = {format_number(plain.value)}, as a proportion"
        return None

    def _close(self, got: float, want: float) -> bool:
        return got == want or abs(got - want) <= max(self.tolerance, _EPSILON) * abs(want)


def _reference(text: str) -> Mention | tuple[Mention, Mention] | None:
    """The answer a reference gives: its first number, or the range it states (`10-20`, `10〜20人`)."""
    prepared, found = locate_numbers(text)
    said = commitment(prepared, [Located(int(m.position), m.end, m.value, m.weak is None) for m in found])
    if said.ranges and said.ranges[0][0] == 0:
        first, second = said.ranges[0]
        return found[first], found[second]
    return first_number(found)


def _shown(want: Mention | tuple[Mention, Mention] | None) -> object:
    if isinstance(want, tuple):
        return want[0].value, want[1].value
    return want if want is None else want.value


def _candidates(found: list[Mention], unit: str | None) -> tuple[list[Mention], list[str]]:
    """The output's numbers that are compared with the references, and why the others are not."""
    strong = [m for m in found if not m.weak]
    pool = strong or found
    ignored = [f"{m.describe()}: {m.weak}; other numbers present" for m in found if m.weak and strong]
    if unit is None:
        return pool, ignored
    name, aliases = unit_aliases(unit)
    kept = []
    for mention in pool:
        if (
            mention.unit is None
            or mention.unit == name
            or mention.unit.casefold() in aliases
            or mention.unit in _PER
            and name in _PER
        ):
            kept.append(mention)
        elif mention.unit in UNITS:
            ignored.append(f"{mention.describe()}: followed by unit {mention.unit!r}, not {name!r}")
        else:  # letters glued to the number that are not a known unit ("3D"): no known unit follows
            kept.append(mention)
    return kept, ignored
