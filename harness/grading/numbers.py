"""Finding the numbers a text mentions, for the `numeric` grader: each one's value, place, the unit after it, and why
it is weak if it is (the rules are in numeric.py's docstring; the forms beyond plain runs in number_forms.py)."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from harness.grading.number_forms import LONE_HALF, fraction_words, half_words, read_form
from harness.grading.numerals import FINANCIAL, NUMERALS, RUN, is_arabic, is_lone_word, run_value
from harness.grading.units import unit_after

_SCALE_WORDS = {"hundred": 2, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_SCALE_LETTERS = {"k": 3, "K": 3, "M": 6, "B": 9, "b": 9, "bn": 9, "T": 12}
"""Scales after Arabic digits (short scale: a billion is 10^9). Lower-case m and t are not scales (metres, tonnes)."""

_EXPONENT = re.compile(r"[eE]([+-]?[0-9]{1,4})(?![A-Za-z0-9])|\s*[x×*·]\s*10\s*(?:\^|\*\*)\s*([+-]?[0-9]{1,4})")
_POWER = re.compile(r"\s*(?:\^|\*\*)\s*([+-]?[0-9]{1,4})")
_SCALE_AFTER = re.compile(
    r"\s*(?i:(hundred|thousand|million|billion|trillion)s?)(?![A-Za-z])|(bn|[kKMBbT])(?![A-Za-z])|\s(bn)(?![A-Za-z])"
)
_ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)(?![A-Za-z])")
_GLUED_BEFORE = re.compile(r"[A-Za-z0-9_\-]*\Z")
_LETTER = re.compile(r"[A-Za-z]")
_NEGATIVE_BEFORE = re.compile(
    r"(?:(?<![A-Za-z0-9_.\-−])[-−]|(?i:\bminus|\bnegative)\s+|[负負]|マイナス\s*|零下\s*|氷点下\s*)\Z"
)
_ORDINAL_BEFORE = re.compile(r"第\s*\Z")
_PER_BEFORE = {"%": re.compile(r"百分之\Z"), "‰": re.compile(r"千分之\Z")}
_MARKED_BEFORE = re.compile(r"(?:[百千]分之|[负負]|マイナス\s*|零下\s*|氷点下\s*)\Z")
"""What makes a lone numeral (五 of 百分之五, 负五, 零下五) certainly a number."""
_NOT_A_RUN = {"百": "分之", "千": "分之", "零": "下"}
"""Runs that belong to the words after them: the 百 of 百分之五十 (50 per cent), the 零 of 零下五度 (minus five)."""
_WORD_NUMBER = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)(?:\s(1000|1000000|1000000000|1000000000000)(?![0-9]))?")
_VAGUE_WORDS = re.compile(
    r"\b(?i:(?:several|a\s+few|few|many|some|a\s+couple\s+of)\s+(?:hundred|thousand|million|billion|trillion)s?"
    r"|(?:tens|dozens|hundreds|thousands|millions|billions|trillions)(?:\s+of)?)\b"
)
"""Vague quantities, which text_to_num would read as numbers: "millions of users", "several thousand"."""
_VAGUE_BEFORE = re.compile(r"[数數几幾]\Z")
"""数百万, 几十亿: several millions, a few billions."""
_SUPERSCRIPT_POWER = re.compile(r"10([⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_SPACE_GROUP = re.compile(r"(?<=[0-9０-９])[\u00a0\u2009\u202f](?=[0-9０-９]{3}(?![0-9０-９]))")
_PLAIN_SPACE_GROUPS = re.compile(r"(?<![0-9.,])(?<![0-9] )[0-9]{1,3}(?: [0-9]{3})+(?![0-9]|,[0-9]| [0-9])")
"""1 000 000: plain spaces group digits when every group after the first has exactly three digits, and no other
number stands a space away (so that "98 99 100 101" stays a list)."""
_FULLWIDTH_GROUP = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")
_VULGAR_AFTER_DIGIT = re.compile(r"(?<=[0-9])(?=[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒])")
"""1½ is 1 1⁄2 (NFKC alone would make it 11⁄2)."""
_GLUED = "glued to letters (a name, not a quantity)"
_DOTTED = "part of a dotted sequence (version, address)"
_MAX_RUN = 40
"""A longer run of digits or numerals is not a number anyone means (and would be slow to parse)."""


@dataclass(frozen=True)
class Mention:
    """One number found in a text: its value, how it was written, what follows it, and why it is weak (if it is)."""

    value: float
    text: str
    unit: str | None
    """The canonical name of the known unit that follows (see UNITS), or the letters glued to the number, or None."""
    weak: str | None = None
    position: float = 0.0
    end: int = 0
    """Where the mention ends in the prepared text (for number words, the end of the stretch they were read from)."""

    def describe(self) -> str:
        """`text` and, when they differ, the value it was read as."""
        shown = format_number(self.value)
        text = self.text if self.text == shown else f"{self.text} = {shown}"
        return f"{text} ({self.unit})" if self.unit else text


def parse_number(text: str) -> float | None:
    """The number a text (typically a reference answer) states: its first strong number, else its first weak one."""
    first = first_number(find_numbers(text))
    return None if first is None else first.value


def first_number(found: list[Mention]) -> Mention | None:
    """The first strong number of `found`, else its first weak one."""
    candidates = [m for m in found if not m.weak] or found
    return candidates[0] if candidates else None


def find_numbers(text: str) -> list[Mention]:
    """Every finite number mentioned in `text`, in order, weak ones marked (see numeric.py's docstring)."""
    return locate_numbers(text)[1]


def locate_numbers(text: str) -> tuple[str, list[Mention]]:
    """The text as prepared for reading, and every number in it (positions count in the prepared text)."""
    text = _prepare(text)
    runs: list[Mention] = []
    gaps: list[tuple[int, int]] = []
    end = 0
    for match in RUN.finditer(text):
        if match.start() < end:  # inside a scale, exponent or form already read
            continue
        follows = _NOT_A_RUN.get(match.group())
        if follows is not None and text.startswith(follows, match.end()):
            continue
        gaps.append((end, match.start()))
        mention, end = _read_run(text, match)
        if mention is not None:
            runs.append(mention)
    gaps.append((end, len(text)))
    halves = [Mention(0.5, text[a:b], None, LONE_HALF, a, b) for span in gaps for a, b in half_words(text, *span)]
    words = [m for start, stop in gaps for m in _word_numbers(text, start, stop, threshold=3)]
    if all(m.weak for m in runs + words + halves):  # then read one/two/zero/first/second too, as weak numbers
        words = [m for start, stop in gaps for m in _word_numbers(text, start, stop, threshold=0)]
        words = [m if m.weak else _weakened(m, "small number word") for m in words]
    return text, sorted(runs + words + halves, key=lambda m: m.position)


def _prepare(text: str) -> str:
    """NFKC (full-width digits, ％, ．), with 10¹¹ read as 10^11 and "，" kept as punctuation (see module docstring)."""
    text = _SUPERSCRIPT_POWER.sub(lambda m: "10^" + unicodedata.normalize("NFKC", m.group(1)), text)
    text = _PLAIN_SPACE_GROUPS.sub(lambda m: m.group().replace(" ", ","), _VULGAR_AFTER_DIGIT.sub(" ", text))
    text = _FULLWIDTH_GROUP.sub(",", _SPACE_GROUP.sub(",", text)).replace("，", "， ")
    return unicodedata.normalize("NFKC", text).replace("^−", "^-")


def _read_run(text: str, match: re.Match[str]) -> tuple[Mention | None, int]:
    """The mention a run of digits/numerals starts, and where it (with its scale, exponent or form) ends."""
    run, start, end = match.group(), match.start(), match.end()
    if len(run) > _MAX_RUN or is_lone_word(run):
        return None, end
    form = read_form(text, match)
    value = run_value(run) if form is None else form.value
    if value is None:
        return None, end
    weak, unit = (None, None) if form is None else (form.weak, form.unit)
    end = end if form is None else form.end
    before = text[max(0, start - 40) : start]
    if is_arabic(run):
        power = _POWER.match(text, end) if run == "10" and form is None else None
        exponent = power or (_EXPONENT.match(text, end) if form is None else None)
        scale = _SCALE_AFTER.match(text, end) if unit is None else None
        if exponent is not None:
            digits = next(group for group in exponent.groups() if group is not None)
            value = Decimal(1) if power else value
            value, end = value.scaleb(int(digits)), exponent.end()
        elif scale is not None:
            word = next(group for group in scale.groups() if group is not None)
            value = value.scaleb(_SCALE_WORDS.get(word.lower()) or _SCALE_LETTERS[word])
            end = scale.end()
        elif _ORDINAL_AFTER.match(text, end):
            weak = "ordinal"
        glued = _GLUED_BEFORE.search(before)
        assert glued is not None  # the pattern matches the empty string at the end
        if _LETTER.search(glued.group()):
            weak = _GLUED
        elif (
            text[end : end + 2].startswith(".") and text[end + 1 : end + 2].isdigit() or re.search(r"[0-9]\.\Z", before)
        ):
            weak = _DOTTED
    elif form is None and len(run) == 1 and run in NUMERALS + FINANCIAL and not _MARKED_BEFORE.search(before):
        weak = "lone numeral character"
    if _ORDINAL_BEFORE.search(before):
        weak = "ordinal"
    elif _VAGUE_BEFORE.search(before):
        weak = "vague (数/几: several)"
    sign = _NEGATIVE_BEFORE.search(before) if weak not in (_GLUED, _DOTTED) else None  # GPT-3's "-" is no sign
    if sign is not None:
        value, start = -value, start - len(sign.group())
    number = finite(value)
    if number is None:
        return None, end
    per = next((name for name, pattern in _PER_BEFORE.items() if pattern.search(before)), None)
    unit = unit or per or unit_after(text, end)
    return Mention(number, text[start:end].strip(), unit, weak, float(start), end), end


def _word_numbers(text: str, start: int, stop: int, threshold: float) -> list[Mention]:
    """English number words in text[start:stop] (a stretch with no digits), via text_to_num's alpha2digit, and the
    fraction words and dozens among them (number_forms.fraction_words)."""
    gap = text[start:stop]
    if not re.search(r"[A-Za-z]{3}", gap):
        return []
    gap = _VAGUE_WORDS.sub("many", gap)
    from text_to_num import alpha2digit

    try:
        converted = alpha2digit(gap, "en", threshold=threshold)
    except Exception:  # noqa: BLE001 - a library failure on odd text means no number words were read
        return []
    read: list[tuple[int, Decimal, str, str | None, int]] = []  # (start, value, text, weak, end) in `converted`
    fractions = fraction_words(converted)
    for begin, finish, value, weak in fractions:
        read.append((begin, value, converted[begin:finish], weak, finish))
    for match in _WORD_NUMBER.finditer(converted):
        if any(begin <= match.start() < finish for begin, finish, _, _ in fractions):
            continue
        value = Decimal(match.group(1))
        if match.group(2):  # "one point five billion" comes back as "1.5 1000000000"
            value *= Decimal(match.group(2))
        weak = "ordinal" if _ORDINAL_AFTER.match(converted, match.end()) else None
        read.append((match.start(), value, match.group(), weak, match.end()))
    mentions = []
    for index, (begin, value, written, weak, finish) in enumerate(sorted(read, key=lambda item: item[0])):
        if re.search(r"(?i:\bminus|\bnegative)\s+\Z", converted[max(0, begin - 20) : begin]):
            value = -value
        number = finite(value)
        if number is None:
            continue
        position = start + index / 1000  # word numbers keep their order within the stretch
        mentions.append(Mention(number, written, unit_after(converted, finish), weak, position, stop))
    return mentions


def _weakened(mention: Mention, reason: str) -> Mention:
    return Mention(mention.value, mention.text, mention.unit, reason, mention.position, mention.end)


def finite(value: Decimal) -> float | None:
    """The value as a float, or None when it is not a finite number (or underflows to 0)."""
    try:
        number = float(value)
    except (OverflowError, InvalidOperation):
        return None
    if not math.isfinite(number) or (number == 0 and value != 0):
        return None
    return number + 0.0  # -0.0 is 0


def format_number(value: float) -> str:
    """An integer without its `.0`; any other value as Python writes it."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
