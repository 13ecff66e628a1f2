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

from harness.cjk import CJK_CHARS, fold

_TOKEN = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}]+")
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
    text = fold(text)
    text = _DECIMAL_POINT.sub(_KEPT_POINT, text).translate(_PUNCTUATION).replace(_KEPT_POINT, ".")
    if language == "en":
        text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def tokenize(text: str, language: str = "") -> list[str]:
    """Tokens of the normalized text: one per CJK character, one per run of other letters and digits."""
    return _TOKEN.findall(normalize(text, language))
