"""Number forms beyond a plain run of digits or numerals, for the `numeric` grader: fractions, proportions, halves and
dozens, in English, Japanese and Chinese.

* Fractions are one number: 1/2, 3/4, ½, 1½ and 1 1/2 (1.5), 二分の一, 3分の1, 二分之一, 四分之三 (a numerator of at
  most three digits, so 2019/2020 stays two numbers; not one of a chain such as 2018/6/11).
* Proportions are percentages: 3割 is 30%, 2割5分 25%, 2分5厘 2.5% (割 10%, 分 1%, 厘 0.1%; a 分 alone is a minute),
  三成 30%, 七成五 75% (一成不变 is an idiom).
* Halves and dozens: two and a half, half a million, three quarters of a million, a third, a dozen, half a dozen, 2 dozen,
  一个半 (1.5), 两个半小时 (2.5 hours), 1年半 (1.5 years); half, 一半 and 半分 alone are 0.5 but weak (see numeric.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from harness.grading.numerals import NUMERALS, RUN, SCALES, is_arabic, run_value
from harness.grading.units import unit_after


@dataclass(frozen=True)
class Form:
    """A number read beyond its first run: its value, where it ends, the unit it gives itself and why it is weak."""

    value: Decimal
    end: int
    unit: str | None = None
    """The unit the form gives ("%" for 3割, "years" for 1年半); None means the unit after it is read as usual."""
    weak: str | None = None


_DIGIT = r"[0-9一二三四五六七八九〇零]"
_WARI = re.compile(rf"\s*割(?:\s*(?P<bu>{_DIGIT})\s*分)?(?:\s*(?P<rin>{_DIGIT})\s*厘)?")
_BU_RIN = re.compile(rf"\s*分\s*(?P<rin>{_DIGIT})\s*厘")
_SEI = re.compile(rf"\s*成(?!不[变變])(?:(?P<bu>[1-9一二三四五六七八九])(?![0-9{NUMERALS}{SCALES}个個]))?")
_CJK_FRACTION = re.compile(r"\s*分\s*[之の]\s*")
_SLASH = re.compile(r"[/⁄](?P<den>[0-9]{1,9})(?![0-9]|[/⁄.,][0-9])")
_MIXED = re.compile(r"\s(?P<num>[0-9]{1,3})[/⁄](?P<den>[0-9]{1,9})(?![0-9]|[/⁄.,][0-9])")
_CHAIN_BEFORE = re.compile(r"[0-9][/⁄.]\Z")
_AND_A = re.compile(r"(?i:\s+and\s+an?\s+(?P<part>half|third|quarter)\b)")
_DOZEN_AFTER = re.compile(r"(?i:\s*dozens?\b)")
_PARTS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "3rd": 3, "3rds": 3, "quarter": 4, "quarters": 4}
_HALF = re.compile(r"(?P<counter>[个個]|年|か月|ヶ月|カ月|个月|個月|時間|小时|小時|天|日)?半(?!ば)")
_HALF_WORD = re.compile(r"(?<![0-9一二三四五六七八九十个個])半分(?![之钟鐘])")
_COUNT = r"(?:a|an|one|two|three|[0-9]+(?:\.[0-9]+)?)"
_FRACTION_WORDS = re.compile(
    rf"(?i:\b(?:(?P<whole>{_COUNT})\s+and\s+)?(?:(?P<count>{_COUNT})[\s-]+)?"
    r"(?P<part>halves|half|thirds|third|3rds|3rd|quarters|quarter|dozen)\b"
    r"(?:\s+(?:of\s+)?(?:an?\s+)?(?P<scale>hundred|thousand|million|billion|trillion|dozen|1000000000000|1000000000"
    r"|1000000|1000|100)\b)?)"
)
"""Fraction words and dozens in text whose number words text_to_num has turned into digits ("half a 1000000")."""
_SCALE_NAMES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "dozen": 12}
_WORD_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}
LONE_HALF = "a word for a half alone"


def read_form(text: str, match: re.Match[str]) -> Form | None:
    """The fraction, proportion, half or dozen that the run `match` starts, if it starts one."""
    run, end = match.group(), match.end()
    value = run_value(run)
    if value is None:
        return None
    for reader in (_cjk_fraction, _proportion, _half):
        form = reader(text, end, value, run)
        if form is not None:
            return form
    if is_arabic(run) and "," not in run and "." not in run:
        return _arabic_fraction(text, match.start(), end, value)
    return None


def _cjk_fraction(text: str, end: int, value: Decimal, run: str) -> Form | None:
    """二分の一, 3分の1, 四分之三: the denominator first."""
    link = _CJK_FRACTION.match(text, end)
    numerator = RUN.match(text, link.end()) if link else None
    if numerator is None or value == 0:
        return None
    top = run_value(numerator.group())
    return None if top is None else Form(top / value, numerator.end())


def _proportion(text: str, end: int, value: Decimal, run: str) -> Form | None:
    """3割, 2割5分, 2割5分5厘, 2分5厘, 三成, 七成五: a percentage."""
    for pattern, tenths in ((_WARI, 10), (_SEI, 10), (_BU_RIN, 1)):
        found = pattern.match(text, end)
        if found is None:
            continue
        parts = found.groupdict()
        percent = value * tenths
        for name, weight in (("bu", Decimal(1)), ("rin", Decimal("0.1"))):
            digit = run_value(parts[name]) if parts.get(name) else None
            if digit is not None:
                percent += digit * weight
        return Form(percent, found.end(), unit="%")
    return None


def _half(text: str, end: int, value: Decimal, run: str) -> Form | None:
    """一个半 (1.5), 两个半小时, 1年半 and 3時間半 (with their unit), and 一半 (a half alone, weak)."""
    found = _HALF.match(text, end)
    if found is None or text.startswith("分", found.end()):  # 一半分? 半分 is read on its own
        return None
    counter = found.group("counter")
    if counter is None:
        return Form(Decimal("0.5"), found.end(), weak=LONE_HALF) if run == "一" else None
    unit = None if counter in "个個" else unit_after(text, end)
    return Form(value + Decimal("0.5"), found.end(), unit=unit)


def _arabic_fraction(text: str, start: int, end: int, value: Decimal) -> Form | None:
    """1/2, 3⁄4, 1 1/2 (and 1½, prepared as 1 1⁄2), 2 and a half, 2 dozen."""
    if len(text) > end and text[end] in "/⁄":
        slash = _SLASH.match(text, end)
        chained = _CHAIN_BEFORE.search(text[max(0, start - 2) : start])
        if slash is None or chained or len(str(value)) > 3 or int(slash.group("den")) == 0:
            return None
        return Form(value / Decimal(slash.group("den")), slash.end())
    mixed = _MIXED.match(text, end)
    if mixed is not None and 0 < int(mixed.group("num")) < int(mixed.group("den")):
        return Form(value + Decimal(mixed.group("num")) / Decimal(mixed.group("den")), mixed.end())
    half = _AND_A.match(text, end)
    if half is not None:
        return Form(value + 1 / Decimal(_PARTS[half.group("part").lower()]), half.end())
    dozen = _DOZEN_AFTER.match(text, end)
    return None if dozen is None else Form(value * 12, dozen.end())


def fraction_words(converted: str) -> list[tuple[int, int, Decimal, str | None]]:
    """(start, end, value, weak) of each fraction word or dozen in a text text_to_num has converted."""
    found = []
    for match in _FRACTION_WORDS.finditer(converted):
        whole, count, part, scale = (match.group(name) for name in ("whole", "count", "part", "scale"))
        part = part.lower()
        if count is None and part not in ("half", "halves", "dozen"):
            continue  # "the third", "the first quarter": an ordinal, a period
        value = _count(count) * (12 if part == "dozen" else 1 / Decimal(_PARTS[part]))
        if whole is not None:
            value += _count(whole)
        if scale is not None:
            value *= _SCALE_NAMES.get(scale.lower()) or Decimal(scale)
        weak = LONE_HALF if part == "half" and not (whole or count or scale) else None
        found.append((match.start(), match.end(), value, weak))
    return found


def half_words(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """(start, end) of each Japanese 半分 (a half) in text[start:stop]."""
    return [match.span() for match in _HALF_WORD.finditer(text, start, stop)]


def _count(word: str | None) -> Decimal:
    if word is None:
        return Decimal(1)
    return Decimal(_WORD_COUNTS.get(word.lower(), 0)) or Decimal(word)
