"""Calendar forms for the `date` grader: a date known to the year, month or day (AD or BC), the Japanese eras (平成30年,
H30.6.11, 令和元年) and the Minguo calendar, and years marked AD or BC (公元618年, 西暦79年, AD 79, 79 CE, 紀元前221年,
公元前221年, 前221年, 221 BC, 221 BCE).

A BC year is negative (221 BC is -221), so it never equals the AD year of the same number. No installed library
knows the Japanese eras (dateparser does not), so ERAS is a small table of their first years, which is fixed calendar
data; ERA_LETTERS are their usual one-letter abbreviations.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019, "民國": 1912, "民国": 1912}
"""The Gregorian year in which each Japanese era (and the Republic of China's Minguo calendar) had its year 1."""
ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

TAIL = r"(?:\s*の?\s*(?P<month>[0-9]{1,2})\s*月(?:\s*(?P<day>[0-9]{1,2})\s*[日号號])?)?"
"""The month and day that may follow a year and 年: 6月11日, の6月, 6月11号."""
_DOTTED = r"[./-](?P<dmonth>[0-9]{1,2})[./-](?P<dday>[0-9]{1,2})(?![0-9]|[./-][0-9])"
ERA = re.compile(rf"(?P<era>{'|'.join(ERAS)})\s*(?P<year>元|[0-9]{{1,3}})\s*(?:年{TAIL}|{_DOTTED})")
ERA_ABBREVIATED = re.compile(
    rf"(?<![A-Za-z0-9])(?P<letter>[{''.join(ERA_LETTERS)}])\.?\s?(?P<year>元|[0-9]{{1,2}})(?:\s*年{TAIL}|{_DOTTED})"
)
"""H30年, S64年, H30.6.11, R1.5.1, R元年: with 年 or a full date (a bare R1, T5 or M2 is more often a name)."""
ERA_BARE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<letter>[{''.join(ERA_LETTERS)}])\.?(?P<year>元|[0-9]{{1,2}})(?![0-9A-Za-z]|[./-][0-9])"
)
"""S64 alone, read only when a text has no other date."""
_NOT_BC_BEFORE = "以之年日月午事生空目眼面当當提从從此戦战"
"""前 after these is part of a word (以前, 之前, 目前, 戦前), not the short form of 紀元前."""
MARKED_CJK = re.compile(
    r"(?P<marker>公元前|西元前|紀元前|纪元前|公元後|公元后|紀元後|纪元后|公元|西元|西暦|西曆"
    rf"|(?<![{_NOT_BC_BEFORE}])前)\s*(?P<year>[0-9]{{1,4}})\s*年{TAIL}"
)
"""公元618年, 西暦79年, 紀元前221年, 公元前221年, and 前221年 (the short form, with a year of three or four digits)."""
SHORT_CJK = re.compile(
    rf"(?<![0-9])(?P<year>[0-9]{{3}})\s*年(?!代|生|级|級|間|间|目|来|來|余|餘|多|半|以|前(?![后後])){TAIL}"
)
"""645年: a three-digit year with 年 (not 300年間, 100年前, 800年代). One or two digits need a marker (公元18年): 18年
may be 2018, 平成18年 or a duration."""
BC_LATIN = re.compile(r"(?<![0-9A-Za-z.,])(?P<year>[0-9]{1,4})\s?(?:BCE|BC|B\.C\.E\.|B\.C\.)(?![A-Za-z])")
AD_LATIN = re.compile(
    r"(?<![A-Za-z0-9])(?:AD|A\.D\.)\s?(?P<year>[0-9]{1,4})(?![0-9])"
    r"|(?<![0-9A-Za-z.,])(?P<after>[0-9]{1,4})\s?(?:AD|A\.D\.|CE|C\.E\.)(?![A-Za-z])"
)
SHORT_BARE = re.compile(
    r"(?<![0-9A-Za-z.,/:$€£¥#№])(?<![A-Za-z]-)[1-9][0-9]{2}(?![0-9A-Za-z%‰]|[.,:/][0-9]|\s*[\u3400-\u9fff])"
)
"""A bare three-digit number (618), read as a year only when a text has no other date."""


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; a BC year is negative."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        year = f"{-self.year} BC" if self.year < 0 else f"{self.year:04d}"
        return "-".join([year] + [f"{part:02d}" for part in (self.month, self.day) if part is not None])

    def agrees_with(self, reference: PartialDate) -> bool:
        """Whether this date has every part `reference` has, with the same values."""
        return all(
            want is None or got == want
            for got, want in ((self.year, reference.year), (self.month, reference.month), (self.day, reference.day))
        )


def valid(year: int, month: int | None, day: int | None) -> PartialDate | None:
    """The date, if it exists in the calendar (there is no year 0; a BC day is checked against a leap year)."""
    if not (1 <= abs(year) <= 9999) or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None:
        try:
            datetime.date(year if year > 0 else 2000, month or 1, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)


def parts(match: re.Match[str]) -> tuple[int | None, int | None]:
    """The month and day a match holds (as `month`/`day` or, dotted, `dmonth`/`dday`), or None."""
    found = match.groupdict()
    month, day = found.get("month") or found.get("dmonth"), found.get("day") or found.get("dday")
    return (int(month) if month else None), (int(day) if day else None)


def read_era(match: re.Match[str]) -> PartialDate | None:
    """平成30年6月, 令和元年, 民國107年, and abbreviated H30.6.11, S64年."""
    number = match.group("year")
    era = match.groupdict().get("era") or ERA_LETTERS[match.group("letter")]
    year = ERAS[era] + (0 if number == "元" else int(number) - 1)
    return None if number == "0" else valid(year, *parts(match))


def read_marked_cjk(match: re.Match[str]) -> PartialDate | None:
    """公元618年 (AD), 紀元前221年 and 前221年 (BC)."""
    marker, year = match.group("marker"), match.group("year")
    if marker == "前" and len(year) < 3:  # 前3年 is "the first three years" or "three years before"
        return None
    return valid(-int(year) if marker.endswith("前") else int(year), *parts(match))


def read_latin(match: re.Match[str], bc: bool) -> PartialDate | None:
    """221 BC, 221 BCE (bc), AD 79, 79 AD, 79 CE."""
    year = int(match.group("year") or match.group("after"))
    return valid(-year if bc else year, None, None)
