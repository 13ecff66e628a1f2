"""The `date` grader: dates compared at the precision the reference gives, in English, Japanese and Chinese.

"June 2018", "Jun. 2018", "2018-06", "2018/6", "2018年6月", "２０１８年６月", "二〇一八年六月", "平成30年6月", "H30.6.11"
and "民國107年6月" are all 2018-06; "645年", "公元645年" and "AD 645" are 645; "紀元前221年", "前221年" and "221 BC" are
221 BC. Rules:

* Every date mention in a text is found, with its precision: year, year-month or full date. A date needs a year
  that says it is one: four digits, an era, 年 after three digits, or an AD/BC marker. "June" or "6月" alone is no
  date, so today's date can never fill a gap, and two-digit years ("18年6月", "Jun '18", "6/11/18") are not read
  unless marked (公元18年, AD 18), since 18年 may be 2018, Heisei 18 (2006) or a duration, and '18 may be 1918.
* The forms read: Japanese/Chinese 2018年6月11日 (also 号/號 for the day, の between year and month, spaces,
  full-width digits, and numerals such as 二〇一八年六月十一日, converted by cn2an or kanjize); three-digit years with
  年 (645年; not 300年間, 100年前, 800年代); Japanese eras 令和/平成/昭和/大正/明治 N年 (元年 is year 1), with a dotted
  date (平成30.6.11) and abbreviated with 年 or a full date (H30年, S64年, H30.6.11, R1.5.1, R元年), and the Minguo
  calendar 民國/民国 N年 = 1911 + N; years marked AD (公元618年, 西元, 西暦79年, AD 79, 79 AD, 79 CE) or BC (公元前,
  紀元前, 前221年 with three or four digits, 221 BC, 221 BCE, 221 B.C.), a BC year being negative so that it never
  equals the AD year; year-first numbers 2018-06-11, 2018/6/11, 2018-06, 2018/6, 2018.06.11; English month names with
  a four-digit year (June 2018, Jun. 2018, June 11, 2018, 11 June 2018, the 11th of June, 2018, 11-Jun-2018, and year
  first with a capitalised month: 2018 June, 2018 Jun 11), read by dateparser; day-month-year numbers 06/11/2018, read
  by dateparser as month/day/year when the eval's language is English and as day/month/year otherwise; month/year
  numbers 6/2018; and a bare four-digit year between 1000 and 2999 ("in 2018"). Only when a text has no other date,
  a bare three-digit number not followed by a unit ("618", not "289 years") and a bare era abbreviation ("S64": R1,
  T5 and M2 are more often names) are years too. Month names are English only. Not read: compact 20180611, a month
  or day without a year ("June 11" … "in 2018"), a month or day with a year under 1000 ("August 24, 79 AD" is 79).
  The eras and markers are in calendars.py.
* A reference's FIRST date is the answer; several references are alternatives; a reference with no date can never
  be matched. The reference's precision decides what must agree: an output date matches when it has at least the
  reference's parts and they are equal (2018-06-11 matches the reference "June 2018"; "2018" does not match the
  reference 2018-06; 2018-06 does not match 2018-07). The output matches when ANY of the dates it commits to does (not
  a negated one, alternatives such as "1945 or 1946", a range, or one before its final answer: grading/commitment.py).
* A date that does not exist (February 30, 2018; 2018年2月30日; year 0) is no date, not even its year. An output with
  no date at all is `unparsed`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from harness.grading.calendars import (
    AD_LATIN,
    BC_LATIN,
    ERA,
    ERA_ABBREVIATED,
    ERA_BARE,
    MARKED_CJK,
    SHORT_BARE,
    SHORT_CJK,
    TAIL,
    PartialDate,
    parts,
    read_era,
    read_latin,
    read_marked_cjk,
    valid,
)
from harness.grading.commitment import Located, commitment
from harness.grading.numerals import NUMERALS
from harness.grading.units import UNITS, unit_after
from harness.types import Sample, Score

_MONTH_KEYS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
"""dateparser's names for the months, whose English spellings (Sept, Sep, September …) come from its data."""

_KANJI_NUMBER = re.compile(rf"(?<![{NUMERALS}])[{NUMERALS}]{{1,12}}(?=\s{{0,3}}[年月日号號])")
"""A numeral before 年, 月 or 日; matched only from the start of a run, so a long run costs linear time."""
_CJK = re.compile(rf"(?<![0-9])(?P<year>[0-9]{{4}})\s*年{TAIL}")
_YEAR_FIRST = re.compile(
    r"(?<![0-9A-Za-z.\-/])(?P<year>[0-9]{4})(?:(?P<sep>[-/])(?P<month>[0-9]{1,2})(?:(?P=sep)(?P<day>[0-9]{1,2}))?"
    r"|\.(?P<dmonth>[0-9]{1,2})\.(?P<dday>[0-9]{1,2}))(?![0-9]|[-/.][0-9])"
)
_NUMERIC_DMY = re.compile(r"(?<![0-9A-Za-z.\-/])[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{4}(?![0-9]|[-/.][0-9])")
_MONTH_YEAR = re.compile(r"(?<![0-9A-Za-z.\-/])(?P<month>[0-9]{1,2})/(?P<year>[0-9]{4})(?![0-9]|[-/.][0-9])")
_BARE_YEAR = re.compile(r"(?<![0-9A-Za-z.,/:])(?<![A-Za-z]-)[12][0-9]{3}(?![0-9A-Za-z万萬亿億兆千百]|[.,][0-9])")
_MAX_LISTED = 50
_MAX_MENTIONS = 1000
"""Dates read from one text at most (a flood of dates must not take minutes)."""


@dataclass(frozen=True)
class DateMention:
    """One date found in a text, and how it was written."""

    date: PartialDate
    text: str
    position: int
    end: int = 0


@dataclass(frozen=True)
class DateGrader:
    """1 when some date in the output agrees with a reference's date at the reference's precision (see the module
    docstring); an output with no date at all is `unparsed`."""

    language: str

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        read, found = locate_dates(output, self.language)
        said = commitment(read, [Located(m.position, m.end, m.date) for m in found])
        committed = [found[i] for i in said.kept]
        wanted = [next(iter(find_dates(ref, self.language)), None) for ref in sample.references]
        matched = None
        for ref, want in zip(sample.references, wanted, strict=True):
            if want is not None and any(got.date.agrees_with(want.date) for got in committed):
                matched = ref
                break
        value = float(matched is not None)
        detail: dict[str, object] = {
            "output_dates": [str(m.date) for m in committed][:_MAX_LISTED],
            "output_mentions": [m.text for m in committed][:_MAX_LISTED],
            "ignored": [f"{found[i].text}: {reason}" for i, reason in sorted(said.dropped.items())][:_MAX_LISTED],
            "reference_dates": [None if w is None else str(w.date) for w in wanted][:_MAX_LISTED],
            "matched": matched,
        }
        if not found:
            detail["problem"] = "no date (a year of four digits, an era, 645年, AD 79 or 221 BC) in the output"
        elif not committed:
            detail["problem"] = "no date the output commits to"
        return Score(value, {"accuracy": value}, detail, unparsed=not found)


def parse_date(text: str, language: str = "en") -> PartialDate | None:
    """The first date a text (typically a reference answer) states, or None."""
    first = next(iter(find_dates(text, language)), None)
    return None if first is None else first.date


def find_dates(text: str, language: str = "en") -> list[DateMention]:
    """Every date mentioned in `text`, in order (see the module docstring for the forms read)."""
    return locate_dates(text, language)[1]


def locate_dates(text: str, language: str = "en") -> tuple[str, list[DateMention]]:
    """The text as read (numerals in Arabic digits, NFKC) and every date in it, positions counting in that text."""
    text = unicodedata.normalize("NFKC", _KANJI_NUMBER.sub(_arabic, text))
    mentions: list[DateMention] = []
    masked = text

    def take(pattern: re.Pattern[str], read: Any) -> None:
        nonlocal masked
        spans = []
        for match in pattern.finditer(masked):
            if len(mentions) >= _MAX_MENTIONS:
                break
            date = read(match)
            if date is not None:
                mentions.append(DateMention(date, text[match.start() : match.end()].strip(), *match.span()))
            spans.append(match.span())
        for start, end in spans:  # a span read (or refused) is not read again by a looser form
            masked = masked[:start] + " " * (end - start) + masked[end:]

    take(ERA, read_era)
    take(ERA_ABBREVIATED, read_era)
    take(MARKED_CJK, read_marked_cjk)
    take(BC_LATIN, lambda match: read_latin(match, bc=True))  # before month names: June 1046 BC is no AD date
    take(_CJK, _read_cjk)
    take(SHORT_CJK, _read_cjk)
    for pattern, precision in _month_name_patterns():
        take(pattern, lambda match, precision=precision: _read_english(match.group(), precision))
    take(AD_LATIN, lambda match: read_latin(match, bc=False))  # after them: June 11, 2018 AD keeps its day
    take(_YEAR_FIRST, _read_year_first)
    take(_NUMERIC_DMY, lambda match: _read_numeric(match.group(), language))
    take(_MONTH_YEAR, lambda match: valid(int(match.group("year")), int(match.group("month")), None))
    take(_BARE_YEAR, lambda match: PartialDate(int(match.group())))
    if not mentions:  # then a bare 618 or S64 is a year
        take(SHORT_BARE, _read_short_bare)
        take(ERA_BARE, read_era)
    return text, sorted(mentions, key=lambda m: m.position)


def _arabic(match: re.Match[str]) -> str:
    """A Chinese/Japanese numeral before 年, 月 or 日 in Arabic digits (二〇一八 → 2018, 十一 → 11)."""
    import cn2an
    import kanjize

    text = match.group()
    try:
        return str(int(cn2an.cn2an(text, "smart")))
    except Exception:  # noqa: BLE001 - cn2an raises ValueError, and others, on what it cannot read
        try:
            return str(kanjize.kanji2number(text))
        except Exception:  # noqa: BLE001
            return text


def _read_cjk(match: re.Match[str]) -> PartialDate | None:
    return valid(int(match.group("year")), *parts(match))


def _read_short_bare(match: re.Match[str]) -> PartialDate | None:
    """618 alone: a year, unless a known unit follows (289 years, 300 GB)."""
    return None if unit_after(match.string, match.end()) in UNITS else PartialDate(int(match.group()))


def _read_year_first(match: re.Match[str]) -> PartialDate | None:
    month = match.group("month") or match.group("dmonth")
    day = match.group("day") or match.group("dday")
    return valid(int(match.group("year")), int(month), int(day) if day else None)


@functools.lru_cache(maxsize=1)
def _month_name_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """English month-name dates with a four-digit year, most precise first, as (pattern, precision)."""
    from dateparser.data.date_translation_data import en

    names = sorted({name for key in _MONTH_KEYS for name in en.info[key]}, key=len, reverse=True)
    month = rf"(?i:{'|'.join(names)})\.?"
    capitalised = rf"(?:{'|'.join(name.capitalize() for name in names)}|{'|'.join(name.upper() for name in names)})\.?"
    day = r"[0-9]{1,2}(?i:st|nd|rd|th)?"
    year = r"[0-9]{4}(?![0-9])"
    return (
        (re.compile(rf"\b{month}[\s\-]*{day}\b,?[\s\-]*{year}"), "day"),  # June 11, 2018
        (
            re.compile(rf"(?<![0-9])(?:(?i:the)\s+)?{day}[\s\-]*(?:(?i:of)\s+)?{month},?[\s\-]*{year}"),
            "day",
        ),  # 11 June 2018
        (re.compile(rf"(?<![0-9])[0-9]{{4}}[\s\-,]+{capitalised}[\s\-]*{day}\b(?![:.][0-9])"), "day"),  # 2018 June 11
        (re.compile(rf"\b{month},?[\s\-]*(?:(?i:of)\s+)?{year}"), "month"),  # June 2018
        (re.compile(rf"(?<![0-9])[0-9]{{4}}[\s\-,]+{capitalised}(?![A-Za-z])"), "month"),  # 2018 June (not "2018 may")
    )


def _read_english(text: str, precision: str) -> PartialDate | None:
    return _dateparser(text, precision, "MDY")


def _read_numeric(text: str, language: str) -> PartialDate | None:
    return _dateparser(text, "day", "MDY" if language.split("-")[0] == "en" else "DMY")


@functools.lru_cache(maxsize=4096)
def _dateparser(text: str, precision: str, order: str) -> PartialDate | None:
    """dateparser's reading of one date mention, which must give every part down to `precision`."""
    parser = _parser(precision, order)
    found = parser.get_date_data(text)
    if found is None or found.date_obj is None:
        return None
    value = found.date_obj
    if precision == "day":
        return PartialDate(value.year, value.month, value.day)
    return PartialDate(value.year, value.month)


@functools.lru_cache(maxsize=8)
def _parser(precision: str, order: str) -> Any:
    from dateparser.date import DateDataParser

    required = {"day": ["day", "month", "year"], "month": ["month", "year"]}[precision]
    settings = {
        "REQUIRE_PARTS": required,
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": order,
    }
    return DateDataParser(languages=["en"], settings=settings)
