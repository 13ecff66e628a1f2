"""The `numeric` grader: numbers compared by value, however they are written, in English, Japanese and Chinese.

"175 billion", "175B", "1.75e11", "1.75×10¹¹", "175,000,000,000", "1750億", "1,750亿", "一千七百五十亿", "千七百五十億",
"１７５０億", "17億5000万" and "one hundred seventy-five billion" are all 175000000000. The parsing is done by libraries
(imported only when a grade needs them): NFKC for full-width digits, `cn2an` and then `kanjize` for Chinese and
Japanese numerals, `text_to_num` for English number words. The only tables here are the scale words that follow Arabic
digits (hundred/thousand/million/billion/trillion, K/M/B/T/bn) and the unit names below.

Rules, in the order they apply:

* Every number mention in a text is found, with the scale word after it and the word (unit) that follows.
  Digit-group commas are dropped only in groups of three ("1,750" is 1750; "1,2,3" is three numbers); a full-width
  comma "，" is punctuation unless it sits between full-width digits in groups of three ("１，７５０"). "-5", "−5",
  "minus 5", "负五" and "マイナス5" are negative; the hyphen of a range ("10-20") or a name ("GPT-3") is not a sign.
* Weak mentions are numbers that are usually not the answer: a number inside a word that has a Latin letter
  before it (GPT-3, GPT-4o, GPT-3.5, A100, Llama-2-70B, COVID-19, v2, Q3), an ordinal (2nd, 3rd, 第3, 第三), a
  dotted run such as a version or address (1.2.3), a lone ideograph numeral (the 一 of 一般, 统一, 一つ), a vague
  数/几 quantity (数百万) and the English words zero/one/two/first/second (so "one of the best" says nothing).
  Weak mentions count only when the text has no other number at all: "GPT-3 has 175B parameters" offers
  175000000000 alone, while "GPT-3" alone offers 3, and so does "GPT-3 was released" (a documented choice: an
  answer whose only number is in a name is read as that number; with any other number present it never is).
  Vague English quantities ("millions of users", "several thousand") are no numbers at all.
* A reference is read the same way and its FIRST number is the answer (its first strong number; its first weak
  one if it has no strong one), e.g. "175B (175,000,000,000)" → 175000000000; "between 10 and 20" is a range. A
  reference with no finite number can never be matched. Several references are alternatives.
* Numbers the output rejects, offers as alternatives or as a range, or states before its final answer or a
  correction are set aside (grading/commitment.py): "不是42，是24" offers 24, "12 or 13" and "100-200" nothing. A
  reference that states a range ("10-20", "10〜20人") is answered only by the same range.
* The output matches a reference when ANY of its committed candidate numbers equals the reference's number within the
  relative `tolerance` (|output − reference| ≤ tolerance × |reference|; 0 means exact, up to 1e-12 relative
  float noise; a reference of 0 needs exactly 0). NaN and infinities are never numbers.
* Units never change a value. "%" keeps the written number: "50%", "50 percent", "50パーセント" and "百分之五十"
  are 50 (not 0.5). With `unit` set, an output number counts when that unit (or one of its aliases in any
  language, see UNITS) follows it, or when no known unit follows it at all ("175 billion in total"); it is
  ignored when a different known unit follows ("96 layers" when the unit is "parameters", the 2020 of "2020年").
  Between number and unit, a hyphen (2048-token) and a counter (个/個, の: 1750亿个参数, 96個の層) are skipped.
  The unit filter applies to the output only; a reference's number is taken whatever follows it.
* An output with no number at all is `unparsed`. `language` does not change the reading: a model may answer
  in any language, so every form above is read for every eval.
* Not handled: fractions ("1/2" is 1 and 2), words for fractions ("half a million"), spoken years ("twenty
  eighteen"), plain spaces as digit-group separators ("175 000"; thin and no-break spaces are read), decimal
  commas ("3,5"), formal/financial numerals (壹, 貳, 拾 …). 兆 is 10^12 (Japanese and Traditional Chinese usage,
  and kanjize's), not the SI "mega".
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from harness.grading.commitment import Located, commitment
from harness.grading.units import UNITS, unit_after, unit_aliases
from harness.types import Sample, Score

_SCALE_WORDS = {"hundred": 2, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_SCALE_LETTERS = {"k": 3, "K": 3, "M": 6, "B": 9, "b": 9, "bn": 9, "T": 12}
"""Scales after Arabic digits (short scale: a billion is 10^9). Lower-case m and t are not scales (metres, tonnes)."""

_NUMERALS = "〇零一二三四五六七八九十百千两兩"
_SCALES = "万萬亿億兆"
_ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
_RUN = re.compile(
    rf"(?:(?<![0-9.])\.(?=[0-9]))?"
    rf"(?:{_ARABIC}|[{_NUMERALS}{_SCALES}]|(?<=[{_NUMERALS}])点(?=[{_NUMERALS}])|(?<=[0-9])[ \t]{{1,2}}(?=[{_SCALES}]))+"
)
"""One number as written with Arabic digits and/or Chinese-Japanese numerals: 175, 1,750, 3.5, 1750億, 1,750 億."""
_EXPONENT = re.compile(r"[eE]([+-]?[0-9]{1,4})(?![A-Za-z0-9])|\s*[x×*·]\s*10\s*(?:\^|\*\*)\s*([+-]?[0-9]{1,4})")
_POWER = re.compile(r"\s*(?:\^|\*\*)\s*([+-]?[0-9]{1,4})")
_SCALE_AFTER = re.compile(
    r"\s*(?i:(hundred|thousand|million|billion|trillion)s?)(?![A-Za-z])|(bn|[kKMBbT])(?![A-Za-z])|\s(bn)(?![A-Za-z])"
)
_ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)(?![A-Za-z])")
_GLUED_BEFORE = re.compile(r"[A-Za-z0-9_\-]*\Z")
_LETTER = re.compile(r"[A-Za-z]")
_NEGATIVE_BEFORE = re.compile(r"(?:(?<![A-Za-z0-9_.\-−])[-−]|(?i:\bminus|\bnegative)\s+|[负負]|マイナス\s*)\Z")
_ORDINAL_BEFORE = re.compile(r"第\s*\Z")
_PERCENT_BEFORE = re.compile(r"百分之\Z")
_MARKED_BEFORE = re.compile(r"(?:百分之|[负負]|マイナス\s*)\Z")
"""What makes a lone numeral (五 of 百分之五, 负五) certainly a number."""
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
_FULLWIDTH_GROUP = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")
_GLUED = "glued to letters (a name, not a quantity)"
_DOTTED = "part of a dotted sequence (version, address)"
_KANJIZE_FORMS = str.maketrans("亿萬两兩", "億万二二")
"""The Japanese forms kanjize knows for Chinese variants, so that it can read 千亿 and 千七百五十萬 too."""
_MAX_RUN = 40
"""A longer run of digits or numerals is not a number anyone means (and would be slow to parse)."""
_MAX_LISTED = 50
_EPSILON = 1e-12


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
        shown = _format(self.value)
        text = self.text if self.text == shown else f"{self.text} = {shown}"
        return f"{text} ({self.unit})" if self.unit else text


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
        ranges = [(found[i].value, found[j].value) for i, j in said.ranges]
        wanted = [_reference(ref) for ref in sample.references]
        matched = None
        for ref, want in zip(sample.references, wanted, strict=True):
            if want is None:
                continue
            if isinstance(want, tuple):  # a range: only the same range answers it
                hit = any(self._same(got, want[0]) and self._same(other, want[1]) for got, other in ranges)
            else:
                hit = any(self._same(got.value, want.value) for got in candidates)
            if hit:
                matched = ref
                break
        value = float(matched is not None)
        detail: dict[str, object] = {
            "output_numbers": [m.value for m in candidates][:_MAX_LISTED],
            "output_mentions": [m.describe() for m in candidates][:_MAX_LISTED],
            "ignored": ignored[:_MAX_LISTED],
            "reference_numbers": [_shown(w) for w in wanted][:_MAX_LISTED],
            "matched": matched,
        }
        if self.tolerance:
            detail["tolerance"] = self.tolerance
        if self.unit is not None:
            detail["unit"] = self.unit
        if not found:
            detail["problem"] = "no number in the output"
        elif not candidates and not ranges:
            detail["problem"] = "no number the output commits to"
        return Score(value, {"accuracy": value}, detail, unparsed=not found)

    def _same(self, got: float, want: float) -> bool:
        return _close(got, want, self.tolerance)


def _reference(text: str) -> Mention | tuple[float, float] | None:
    """The answer a reference gives: its first number, or the range it states (`10-20`, `10〜20人`)."""
    prepared, found = locate_numbers(text)
    said = commitment(prepared, [Located(int(m.position), m.end, m.value, m.weak is None) for m in found])
    if said.ranges and said.ranges[0][0] == 0:
        first, second = said.ranges[0]
        return found[first].value, found[second].value
    return _first(found)


def _shown(want: Mention | tuple[float, float] | None) -> object:
    return want if want is None or isinstance(want, tuple) else want.value


def parse_number(text: str) -> float | None:
    """The number a text (typically a reference answer) states: its first strong number, else its first weak one."""
    first = _first(find_numbers(text))
    return None if first is None else first.value


def find_numbers(text: str) -> list[Mention]:
    """Every finite number mentioned in `text`, in order, weak ones marked (see the module docstring)."""
    return locate_numbers(text)[1]


def locate_numbers(text: str) -> tuple[str, list[Mention]]:
    """The text as prepared for reading, and every number in it (positions count in the prepared text)."""
    text = _prepare(text)
    runs: list[Mention] = []
    gaps: list[tuple[int, int]] = []
    end = 0
    for match in _RUN.finditer(text):
        if match.start() < end:  # inside a scale or exponent already read
            continue
        if match.group() == "百" and text.startswith("分之", match.end()):  # 百分之五十 is 50 per cent
            continue
        gaps.append((end, match.start()))
        mention, end = _read_run(text, match)
        if mention is not None:
            runs.append(mention)
    gaps.append((end, len(text)))
    words = [m for start, stop in gaps for m in _word_numbers(text, start, stop, threshold=3)]
    if all(m.weak for m in runs + words):  # then read one/two/zero/first/second too, as weak numbers
        words = [m for start, stop in gaps for m in _word_numbers(text, start, stop, threshold=0)]
        words = [m if m.weak else _weakened(m, "small number word") for m in words]
    return text, sorted(runs + words, key=lambda m: m.position)


def _prepare(text: str) -> str:
    """NFKC (full-width digits, ％, ．), with 10¹¹ read as 10^11 and "，" kept as punctuation (see module docstring)."""
    text = _SUPERSCRIPT_POWER.sub(lambda m: "10^" + unicodedata.normalize("NFKC", m.group(1)), text)
    text = _FULLWIDTH_GROUP.sub(",", _SPACE_GROUP.sub(",", text)).replace("，", "， ")
    return unicodedata.normalize("NFKC", text).replace("^−", "^-")


def _read_run(text: str, match: re.Match[str]) -> tuple[Mention | None, int]:
    """The mention a run of digits/numerals starts, and where it (with its scale or exponent) ends."""
    run, start, end = match.group(), match.start(), match.end()
    if len(run) > _MAX_RUN:
        return None, end
    value = _run_value(run)
    if value is None:
        return None, end
    weak = None
    before = text[max(0, start - 40) : start]
    arabic = run.replace(",", "").replace(".", "").isdigit()
    if arabic:
        power = _POWER.match(text, end) if run == "10" else None
        exponent = power or _EXPONENT.match(text, end)
        if exponent is not None:
            digits = next(group for group in exponent.groups() if group is not None)
            value = Decimal(1) if power else value
            value, end = value.scaleb(int(digits)), exponent.end()
        else:
            scale = _SCALE_AFTER.match(text, end)
            if scale is not None:
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
    elif len(run) == 1 and run in _NUMERALS and not _MARKED_BEFORE.search(before):
        weak = "lone numeral character"
    if _ORDINAL_BEFORE.search(before):
        weak = "ordinal"
    elif _VAGUE_BEFORE.search(before):
        weak = "vague (数/几: several)"
    sign = _NEGATIVE_BEFORE.search(before) if weak not in (_GLUED, _DOTTED) else None  # GPT-3's "-" is no sign
    if sign is not None:
        value, start = -value, start - len(sign.group())
    number = _finite(value)
    if number is None:
        return None, end
    unit = "%" if _PERCENT_BEFORE.search(before) else unit_after(text, end)
    return Mention(number, text[start:end].strip(), unit, weak, float(start), end), end


def _run_value(run: str) -> Decimal | None:
    """The value of a run of Arabic digits and/or numerals, by Decimal, cn2an or kanjize; None if none reads it."""
    plain = re.sub(r"[,\s]", "", run)
    try:
        if re.fullmatch(r"[0-9]*\.?[0-9]+", plain):
            return Decimal(plain)
        scaled = re.fullmatch(rf"([0-9]*\.?[0-9]+)([{_SCALES}]+)", plain)
        if scaled:  # 1.5億, 0.29亿, 3.5千万: exact decimal arithmetic (kanjize truncates a float here)
            scale = _numeral_value("一" + scaled.group(2))
            return None if scale is None else Decimal(scaled.group(1)) * scale
        return _numeral_value(plain)
    except InvalidOperation:
        return None


def _numeral_value(text: str) -> Decimal | None:
    import cn2an
    import kanjize

    with contextlib.suppress(Exception):  # cn2an raises ValueError, and others, on what it cannot read
        return Decimal(str(cn2an.cn2an(text, "smart")))
    with contextlib.suppress(Exception):  # kanjize reads what cn2an refuses: 千七百五十億 (no leading 一), 兆
        return Decimal(kanjize.kanji2number(text.translate(_KANJIZE_FORMS)))
    return None


def _word_numbers(text: str, start: int, stop: int, threshold: float) -> list[Mention]:
    """English number words in text[start:stop] (a stretch with no digits), via text_to_num's alpha2digit."""
    gap = text[start:stop]
    if not re.search(r"[A-Za-z]{3}", gap):
        return []
    gap = _VAGUE_WORDS.sub("many", gap)
    from text_to_num import alpha2digit

    try:
        converted = alpha2digit(gap, "en", threshold=threshold)
    except Exception:  # noqa: BLE001 - a library failure on odd text means no number words were read
        return []
    mentions = []
    for index, match in enumerate(_WORD_NUMBER.finditer(converted)):
        value = Decimal(match.group(1))
        if match.group(2):  # "one point five billion" comes back as "1.5 1000000000"
            value *= Decimal(match.group(2))
        before = converted[max(0, match.start() - 20) : match.start()]
        if re.search(r"(?i:\bminus|\bnegative)\s+\Z", before):
            value = -value
        number = _finite(value)
        if number is None:
            continue
        weak = "ordinal" if _ORDINAL_AFTER.match(converted, match.end()) else None
        position = start + index / 1000  # word numbers keep their order within the stretch
        unit = unit_after(converted, match.end())
        mentions.append(Mention(number, match.group(), unit, weak, position, stop))
    return mentions


def _weakened(mention: Mention, reason: str) -> Mention:
    return Mention(mention.value, mention.text, mention.unit, reason, mention.position, mention.end)


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
        if mention.unit is None or mention.unit == name or mention.unit.casefold() in aliases:
            kept.append(mention)
        elif mention.unit in UNITS:
            ignored.append(f"{mention.describe()}: followed by unit {mention.unit!r}, not {name!r}")
        else:  # letters glued to the number that are not a known unit ("3D"): no known unit follows
            kept.append(mention)
    return kept, ignored


def _first(found: list[Mention]) -> Mention | None:
    candidates = [m for m in found if not m.weak] or found
    return candidates[0] if candidates else None


def _close(got: float, want: float, tolerance: float) -> bool:
    return got == want or abs(got - want) <= max(tolerance, _EPSILON) * abs(want)


def _finite(value: Decimal) -> float | None:
    try:
        number = float(value)
    except (OverflowError, InvalidOperation):
        return None
    if not math.isfinite(number) or (number == 0 and value != 0):
        return None
    return number + 0.0  # -0.0 is 0


def _format(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
