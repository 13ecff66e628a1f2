"""Spelling variants of Chinese and Japanese folded for comparison, and which Chinese script a text is written in.

Chinese (`fold_variants`, one of `CHINESE_POLICIES`):
* `s2t`, the default: a text written in Simplified characters (none that only Traditional has) is read in Traditional
  ones (OpenCC `s2tw`, so `头发` is `頭髮` and `汤面` is `湯麵`); a Traditional text is left as written but for its
  variant forms (OpenCC `t2tw`: `裏` = `裡`, `爲` = `為`, and `台` = `臺`). Distinct Traditional characters stay
  distinct (`頭發` is not `頭髮`, `台風` is not `颱風`, `範仲淹` is not `范仲淹`), on Traditional and Simplified evals.
* `t2s`: both sides in Simplified characters (OpenCC `t2s`), which merges 發/髮, 後/后, 乾/幹/干.
* `tw2sp`: Taiwan's words read as the mainland's, in Simplified characters (OpenCC `tw2sp`: `軟體` = `软件`,
  `計程車` = `出租车`); merges characters as `t2s` does.
* `off`.
Japanese (`fold_variants`, on by default): old character forms (kyūjitai) read as today's (OpenCC `t2jp`: `國語` =
`国語`, `廣島` = `広島`), the name variants of VARIANT_KANJI (`髙橋` = `高橋`, `山﨑` = `山崎`), `々` as the character it
repeats (`時々` = `時時`), the counter spellings ヶ/ケ/ヵ/カ/箇 as か (`3ヶ月` = `3か月`, never `3月`), and a word-final
long-vowel mark after three kana (`コンピューター` = `コンピュータ`, while `ビール` is not `ビル`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

CHINESE_POLICIES = ("s2t", "t2s", "tw2sp", "off")

VARIANT_KANJI = str.maketrans(
    {
        "髙": "高",
        "﨑": "崎",
        "𠮷": "吉",
        "濵": "浜",
        "邉": "辺",
        "栁": "柳",
        "桒": "桑",
        "冨": "富",
        "嶋": "島",
        "舘": "館",
        "槇": "槙",
        "曻": "昇",
        "﨔": "欅",
    }
)
"""Variant kanji met in Japanese names (異体字) that OpenCC's t2jp leaves alone, each to its usual form."""

_REPEAT = re.compile(r"(.)々")
_COUNTER = re.compile(r"(?<=[0-9〇一二三四五六七八九十百千何数])\s*[ヶケヵカか箇](?=[月所国年条回処])")
_FINAL_LONG_VOWEL = re.compile(r"(?<=[ァ-ヴ][ァ-ヴー][ァ-ヴー])ー(?![ァ-ヴー])")


@functools.lru_cache(maxsize=8)
def opencc_converter(config: str) -> Callable[[str], str]:
    """OpenCC's converter for `config` (t2s, s2tw, t2jp, …), built once."""
    import opencc

    return opencc.OpenCC(config).convert


def written_in(text: str) -> str | None:
    """`Hant` if the text has a character only Traditional Chinese writes, `Hans` if it has one only Simplified
    writes (and none of the former), None if neither (no Han characters, or only ones both scripts share)."""
    if opencc_converter("t2s")(text) != text:
        return "Hant"
    return "Hans" if opencc_converter("s2tw")(text) != text else None


def fold_chinese(text: str, policy: str) -> str:
    """The text under a Chinese `fold_variants` policy (see the module docstring)."""
    if policy == "off":
        return text
    if policy in ("t2s", "tw2sp"):
        return opencc_converter(policy)(text)
    if written_in(text) == "Hans":
        return opencc_converter("s2tw")(text).replace("台", "臺")
    return opencc_converter("t2tw")(text).replace("台", "臺")


def fold_japanese(text: str) -> str:
    """Japanese spelling variants folded (see the module docstring)."""
    text = opencc_converter("t2jp")(text).translate(VARIANT_KANJI)
    text = _REPEAT.sub(lambda m: m[1] * 2, text)
    text = _COUNTER.sub("か", text)
    return _FINAL_LONG_VOWEL.sub("", text)
