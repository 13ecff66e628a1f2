"""Text normalization and tokenization that treat Japanese and Chinese correctly (evalrun's own `cjk` mode).

Normalization: Unicode NFKC (full-width → half-width, half-width kana → full-width), case folding, optionally
Traditional → Simplified Chinese (OpenCC `t2s`, on by default for Chinese) and katakana → hiragana (off by default),
deletion of every Unicode punctuation mark and symbol (ASCII and CJK alike: 。、，「」『』！？・… $ %) except a
decimal point between digits (so "1.5 billion" never equals "15 billion", while "1,750" equals "1750"),
English articles dropped (on by default for `en`), whitespace collapsed. Tokens: every Han, kana and hangul
character is its own token; runs of other letters and digits are words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.text.cjk import CJK_CHARS, fold

_TOKEN = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}]+")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_KEPT_POINT = "\ue000"  # a private-use character stands in for a decimal point while punctuation is deleted


@dataclass(frozen=True)
class Normalization:
    """Which optional steps of the pipeline apply; `for_language` gives each language's defaults."""

    drop_articles: bool = False
    fold_variants: bool = False
    """Traditional and Simplified Chinese compare equal (both sides converted with OpenCC t2s)."""
    fold_kana: bool = False
    """Katakana and hiragana compare equal (both sides converted to hiragana)."""

    @classmethod
    def for_language(cls, language: str, options: Mapping[str, Any] | None = None) -> Normalization:
        """The language's defaults (articles for en, variants for zh), overridden by grader options of the same names."""
        primary = language.split("-")[0].lower()
        options = options or {}
        return cls(
            drop_articles=bool(options.get("drop_articles", primary == "en")),
            fold_variants=bool(options.get("fold_variants", primary == "zh")),
            fold_kana=bool(options.get("fold_kana", False)),
        )


class _DropPunctuation(dict[int, int | None]):
    """A str.translate table that maps every punctuation mark and symbol to None, learned lazily."""

    def __missing__(self, codepoint: int) -> int | None:
        category = unicodedata.category(chr(codepoint))
        value = None if category[0] in "PS" else codepoint
        self[codepoint] = value
        return value


_PUNCTUATION = _DropPunctuation()


@functools.lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def normalize(text: str, language: str = "", steps: Normalization | None = None) -> str:
    """Canonical form of an answer for comparison (see the module docstring)."""
    steps = steps or Normalization.for_language(language)
    text = fold(text)
    if steps.fold_variants:
        text = _to_simplified()(text)
    if steps.fold_kana:
        import jaconv

        text = jaconv.kata2hira(text)
    text = _DECIMAL_POINT.sub(_KEPT_POINT, text).translate(_PUNCTUATION).replace(_KEPT_POINT, ".")
    if steps.drop_articles:
        text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def tokenize(text: str, language: str = "", steps: Normalization | None = None) -> list[str]:
    """Tokens of the normalized text: one per CJK character, one per run of other letters and digits."""
    return _TOKEN.findall(normalize(text, language, steps))
