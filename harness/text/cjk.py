"""The CJK scripts (Han, kana, hangul) as Unicode ranges, and the case/width folding every comparison starts with."""

from __future__ import annotations

import re
import unicodedata

HAN_CHARS = (
    "\u3005-\u3007"  # 々 〆 〇
    "\u3400-\u4dbf"  # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0003134f"  # CJK Unified Ideographs Extensions B–H
)
KANA_CHARS = (
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana (with the long-vowel mark ー)
    "\u31f0-\u31ff"  # Katakana Phonetic Extensions
)
HANGUL_CHARS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3130-\u318f"  # Hangul Compatibility Jamo
    "\uac00-\ud7af"  # Hangul Syllables
)
CJK_CHARS = HAN_CHARS + KANA_CHARS + HANGUL_CHARS
"""A regular-expression character-class body matching one CJK character."""

CJK = re.compile(f"[{CJK_CHARS}]")


def fold(text: str) -> str:
    """Unicode NFKC (full-width to half-width, half-width kana to full-width), then case folding."""
    return unicodedata.normalize("NFKC", text).casefold()
