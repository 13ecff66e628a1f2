"""The `date` grader: dates compared at the precision the reference gives, in English, Japanese and Chinese.

"June 2018", "Jun. 2018", "2018-06", "2018/6", "2018年6月", "２０１８年６月", "二〇一八年六月", "平成30年6月" and
"民國107年6月" are all 2018-06. Rules:

* Every date mention in a text is found, with its precision: year, year-month or full date. A date needs a
  four-digit year (or an era year): "June" or "6月" alone is no date, so today's date can never fill a gap, and
  two-digit years ("18年6月", "Jun '18", "6/11/18") are not read at all, since 18年 may be 2018 or Heisei 18
  (2006) and '18 may be 1918.
* The forms read: Japanese/Chinese 2018年6月11日 (also 号/號 for the day, の between year and month, spaces,
  full-width digits, and numerals such as 二〇一八年六月十一日, converted by cn2an or kanjize); Japanese eras
  令和/平成/昭和/大正/明治 N年 (元年 is year 1) and the Minguo calendar 民國/民国 N年 = 1911 + N; year-first numbers
  2018-06-11, 2018/6/11, 2018-06, 2018/6, 2018.06.11; English month names with a year (June 2018, Jun. 2018,
  June 11, 2018, 11 June 2018, the 11th of June, 2018, 11-Jun-2018, and year first with a capitalised month:
  2018 June, 2018 Jun 11), read by dateparser; day-month-year numbers 06/11/2018, read by dateparser as
  month/day/year when the eval's language is English and as day/month/year otherwise; month/year numbers 6/2018;
  and a bare four-digit year between 1000 and 2999 ("in 2018"). Month names are English only. Not read: compact
  20180611, abbreviated eras (H30), a month or day without a year ("June 11" … "in 2018").
  No installed library knows the Japanese eras (dateparser does not), so ERAS is a small table of their first
  years, which is fixed calendar data.
* A reference's FIRST date is the answer; several references are alternatives; a reference with no date can never
  be matched. The reference's precision decides what must agree: an output date matches when it has at least the
  reference's parts and they are equal (2018-06-11 matches the reference "June 2018"; "2018" does not match the
  reference 2018-06; 2018-06 does not match 2018-07). The output matches when ANY of the dates it commits to does (not
  a negated one, alternatives such as "1945 or 1946", a range, or one before its final answer: grading/commitment.py).
* A date that does not exist (February 30, 2018; 2018年2月30日) is no date, not even its year. An output with no
  date at all is `unparsed`.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from harness.grading.commitment import Located, commitment
from harness.types import Sample, Score

ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019, "民國": 1912, "民国": 1912}
"""The Gregorian year in which each Japanese era (and the Republic of China's Minguo calendar) had its year 1."""

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

_NUMERALS = "〇零一二三四五六七八九十百千两兩"
_KANJI_NUMBER = re.compile(rf"(?<![{_NUMERALS}])[{_NUMERALS}]{{1,12}}(?=\s{{0,3}}[年月日号號])")
"""A numeral before 年, 月 or 日; matched only from the start of a run, so a long run costs linear time."""
_TAIL = r"(?:\s*の?\s*(?P<month>[0-9]{1,2})\s*月(?:\s*(?P<day>[0-9]{1,2})\s*[日号號])?)?"
_ERA = re.compile(rf"(?P<era>{'|'.join(ERAS)})\s*(?P<year>元|[0-9]{{1,3}})\s*年{_TAIL}")
_CJK = re.compile(rf"(?<![0-9])(?P<year>[0-9]{{4}})\s*年{_TAIL}")
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
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{part:02d}" for part in (self.month, self.day) if part is not None]
        return "-".join(parts)

    def agrees_with(self, reference: PartialDate) -> bool:
        """Whether this date has every part `reference` has, with the same values."""
        return all(
            want is None or got == want
            for got, want in ((self.year, reference.year), (self.month, reference.month), (self.day, reference.day))
        )


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
            detail["problem"] = "no date (with a four-digit or era year) in the output"
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

    take(_ERA, _read_era)
    take(_CJK, _read_cjk)
    for pattern, precision in _month_name_patterns():
        take(pattern, lambda match, precision=precision: _read_english(match.group(), precision))
    take(_YEAR_FIRST, _read_year_first)
    take(_NUMERIC_DMY, lambda match: _read_numeric(match.group(), language))
    take(_MONTH_YEAR, lambda match: _valid(int(match.group("year")), int(match.group("month")), None))
    take(_BARE_YEAR, lambda match: PartialDate(int(match.group())))
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


def _valid(year: int, month: int | None, day: int | None) -> PartialDate | None:
    """The date, if it exists in the calendar."""
    if not 1 <= year <= 9999 or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None:
        try:
            datetime.date(year, month or 1, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)


def _parts(match: re.Match[str]) -> tuple[int | None, int | None]:
    month, day = match.group("month"), match.group("day")
    return (int(month) if month else None), (int(day) if day else None)


def _read_era(match: re.Match[str]) -> PartialDate | None:
    number = match.group("year")
    year = ERAS[match.group("era")] + (0 if number == "元" else int(number) - 1)
    return None if number == "0" else _valid(year, *_parts(match))


def _read_cjk(match: re.Match[str]) -> PartialDate | None:
    return _valid(int(match.group("year")), *_parts(match))


def _read_year_first(match: re.Match[str]) -> PartialDate | None:
    month = match.group("month") or match.group("dmonth")
    day = match.group("day") or match.group("dday")
    return _valid(int(match.group("year")), int(month), int(day) if day else None)


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
