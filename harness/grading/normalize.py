"""Text normalization and tokenization that treat Japanese and Chinese correctly.

Normalization: Unicode NFKC (full-width → half-width, half-width kana → full-width), case folding,
deletion of every Unicode punctuation mark and symbol (ASCII and CJK alike: 。、，「」『』！？・… $ %) except a
decimal point between digits (so "1.5 billion" never equals "15 billion", while "1,750" equals "1750"),
English articles dropped for `en`, whitespace collapsed. Tokens: every Han, kana and hangul character
is its own token; runs of other letters and digits are words.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana (with the long-vowel mark ー)
    "\u3130-\u318f"  # Hangul Compatibility Jamo
    "\u31f0-\u31ff"  # Katakana Phonetic Extensions
    "\u3400-\u4dbf"  # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uac00-\ud7af"  # Hangul Syllables
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0003134f"  # CJK Unified Ideographs Extensions B–H
    "\u3005\u3006\u3007"  # 々 〆 〇
)
_TOKEN = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_KEPT_POINT = "\ue000"  # a private-use character stands in for a decimal point while punctuation is deleted


class _DropPunctuation(dict):  # type: ignore[type-arg]
    """A str.translate table that maps every punctuation mark and symbol to None, learned lazily."""

    def __missing__(self, codepoint: int) -> int | None:
        category = unicodedata.category(chr(codepoint))
        value = None if category[0] in "PS" else codepoint
        self[codepoint] = value
        return value


_PUNCTUATION = _DropPunctuation()


def normalize(text: str, language: str = "") -> str:
    """Canonical form of an answer for comparison (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _DECIMAL_POINT.sub(_KEPT_POINT, text).translate(_PUNCTUATION).replace(_KEPT_POINT, ".")
    if language == "en":
        text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def tokenize(text: str, language: str = "") -> list[str]:
    """Tokens of the normalized text: one per CJK character, one per run of other letters and digits."""
    return _TOKEN.findall(normalize(text, language))
