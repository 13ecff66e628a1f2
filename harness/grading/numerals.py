"""The value of one run of Arabic digits and/or Chinese-Japanese numerals, standard (一千二百) or financial (壹仟貳佰).

Financial numerals (大写, daiji) are 壹壱 1, 貳贰弐 2, 參叁参 3, 肆 4, 伍 5, 陸陆 6, 柒 7, 捌 8, 玖 9, 拾 10, 佰陌 100,
仟阡 1000, with 零, 萬/万 and 億/亿 as usual. A run is either standard or financial, never both, so that the 陆 of 大陆
does not join the 十四亿 after it; a lone 参/參/陸/陆/伍/拾 is a word (参数, 大陆, 队伍, 拾う), not a number.
"""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal, InvalidOperation

NUMERALS = "〇零一二三四五六七八九十百千两兩"
SCALES = "万萬亿億兆"
FINANCIAL = "壹壱弌貳贰弐貮參叁参肆伍陸陆柒捌玖拾佰陌仟阡"
_AMBIGUOUS = "参參陸陆伍拾"
"""Financial numerals that are also common characters of words, so never a number alone."""
_PLAIN = str.maketrans("壹壱弌貳贰弐貮參叁参肆伍陸陆柒捌玖拾佰陌仟阡", "一一一二二二二三三三四五六六七八九十百百千千")
ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
RUN = re.compile(
    rf"(?:(?<![0-9.])\.(?=[0-9]))?"
    rf"(?:{ARABIC}|[{NUMERALS}{SCALES}]|(?<=[{NUMERALS}])点(?=[{NUMERALS}])|(?<=[0-9])[ \t]{{1,2}}(?=[{SCALES}]))+"
    rf"|[{FINANCIAL}{SCALES}零〇]*[{FINANCIAL}][{FINANCIAL}{SCALES}零〇]*"
)
"""One number as written: 175, 1,750, 3.5, 1750億, 1,750 億, 一千七百五十亿, or financial 壹仟貳佰."""
_KANJIZE_FORMS = str.maketrans("亿萬两兩", "億万二二")
"""The Japanese forms kanjize knows for Chinese variants, so that it can read 千亿 and 千七百五十萬 too."""


def is_arabic(run: str) -> bool:
    """Whether a run is written in Arabic digits only (with group commas or a decimal point)."""
    return run.replace(",", "").replace(".", "").isdigit()


def is_lone_word(run: str) -> bool:
    """Whether a run is one financial numeral that is more often part of a word (参数, 大陆, 队伍)."""
    return run in _AMBIGUOUS


def run_value(run: str) -> Decimal | None:
    """The value of a run of Arabic digits and/or numerals, by Decimal, cn2an or kanjize; None if none reads it."""
    plain = re.sub(r"[,\s]", "", run).translate(_PLAIN)
    try:
        if re.fullmatch(r"[0-9]*\.?[0-9]+", plain):
            return Decimal(plain)
        scaled = re.fullmatch(rf"([0-9]*\.?[0-9]+)([{SCALES}]+)", plain)
        if scaled:  # 1.5億, 0.29亿, 3.5千万: exact decimal arithmetic (kanjize truncates a float here)
            scale = numeral_value("一" + scaled.group(2))
            return None if scale is None else Decimal(scaled.group(1)) * scale
        return numeral_value(plain)
    except InvalidOperation:
        return None


def numeral_value(text: str) -> Decimal | None:
    """The value of Chinese-Japanese numerals, by cn2an and then kanjize; None if neither reads them."""
    import cn2an
    import kanjize

    with contextlib.suppress(Exception):  # cn2an raises ValueError, and others, on what it cannot read
        return Decimal(str(cn2an.cn2an(text, "smart")))
    with contextlib.suppress(Exception):  # kanjize reads what cn2an refuses: 千七百五十億 (no leading 一), 兆
        return Decimal(kanjize.kanji2number(text.translate(_KANJIZE_FORMS)))
    return None
