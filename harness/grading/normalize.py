"""Text normalization and tokenization that treat Japanese and Chinese correctly (evalrun's own `cjk` mode).

Normalization: Unicode NFKC (full-width → half-width, half-width kana → full-width) and case folding, except that a
two-letter initialism written in capitals keeps them where it would fold into a word (`U.S.` and `US` are the
country, `us` the pronoun; `AP` = `ap`); spelling variants folded (`fold_variants`, on by default for Japanese and
Chinese: see harness.text.scripts) and optionally katakana → hiragana (off by default); English
articles dropped (on by default for `en`) only where they stand before a word (`Vitamin A`, `The` alone and `A+`
keep theirs; `type A blood` loses its `a`, as every article before a word does). Marks are read, not just deleted:
- punctuation separates words (`Tokyo-based` holds `tokyo`, `GPT-4` equals `GPT 4`, `「東京」。` equals `東京`);
- a mark that carries meaning stays, as a token of its own (`¥ 100`, `x < 5`, `50 %`) or glued to what it belongs to:
  a sign (`-5`, `+5`, `#5`), a decimal point, time or fraction between digits (`1.5`, `3:00`, `1/2`), a suffix (`C++`, `C#`,
  `A-`); a range between numbers (`10〜20`, `10-20`, `10~20`) is one `~` token;
- a letter next to a digit is joined like a hyphen (`GPT4` = `GPT-4` = `GPT 4`);
- a thousands comma (`1,750` = `1750`), the hyphens of digit groups (`03-1234-5678`) and an apostrophe inside a word (`don't` = `dont`) are deleted;
- table bars and backticks separate, and a `#` that is not part of a word (`C#`, `#1`) separates like punctuation.
Tokens: every Han, kana and hangul character is its own token; runs of other letters and digits are words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.text.cjk import CJK_CHARS
from harness.text.scripts import fold_chinese, fold_japanese

_TOKEN = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}]+")
_SPACE_IN_CJK = re.compile(f"(?<=[{CJK_CHARS}]) (?=[{CJK_CHARS}])")

_ARTICLE = re.compile(f"(?<![^\\s{CJK_CHARS}])(?:a|an|the) (?=[^\\W_])")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_SHORT_WORDS = frozenset("am an as at be by do go he if in is it me my no of oh ok on or so to up us we".split())  # noqa: SIM905
_INITIALISM = re.compile(r"(?<![A-Za-z])(?:[A-Z]\.){2,}|(?<![A-Za-z])[A-Z]{2}(?![A-Za-z])")

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_APOSTROPHE = re.compile(r"(?<=[^\W_])['’](?=[^\W_])")
_RANGE = re.compile(r"(?<=\d)(?:\s*[-‐‑‒–—~〜～]\s+|[-‐‑‒–—~〜～]\s*)(?=\d)")
_SIGN = re.compile(r"(?<![A-Za-z0-9.])[-−‐‒–+#](?=\d)")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[.:/](?=\d)")
_DIGIT_GROUPS = re.compile(r"\d+(?:-\d+){2,}")
_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)")
_SAME_MARKS = str.maketrans({"♯": "#", "⁄": "/"})
_SUFFIX = re.compile(r"(?<=[A-Za-z0-9])[+#]+(?![A-Za-z0-9])|(?<=(?<![A-Za-z])[A-Za-z])-(?![\w])")
_SEPARATORS = frozenset("`|")
_MEANING_MARKS = frozenset("%&@‰‱§")
_HYPHEN = re.compile(r"(?<=[^\W_])[-‐‑](?=[^\W_])")
JOINT = "\ue010"
"""The token a hyphen between two words (or a letter before a digit) leaves in the canonical text: `includes` reads
it, comparisons drop it, and `normalize` writes it as a hyphen."""

# Private-use stand-ins hold glued marks while the other marks are turned into spaces or tokens.
_GLUED = {".": "\ue000", ":": "\ue001", "/": "\ue002", "-": "\ue003", "+": "\ue004", "#": "\ue005"}
_GLUE = str.maketrans(dict(_GLUED))
_UNGLUE = str.maketrans({v: k for k, v in _GLUED.items()})


@dataclass(frozen=True)
class Normalization:
    """Which optional steps of the pipeline apply; `for_language` gives each language's defaults."""

    drop_articles: bool = False
    fold_variants: str = "off"
    """Spelling variants folded (harness.text.scripts): `ja`, a Chinese policy (`s2t`, `t2s`, `tw2sp`), or `off`."""
    fold_kana: bool = False
    """Katakana and hiragana compare equal (both sides converted to hiragana)."""
    same_script: bool = False
    """Chinese: an answer written in the other script (Simplified on a Traditional eval) scores 0."""

    @classmethod
    def for_language(cls, language: str, options: Mapping[str, Any] | None = None) -> Normalization:
        """The language's defaults (articles for en, variants for ja and zh), overridden by grader options of the
        same names; `fold_variants: true` is the language's own folding, `false` none."""
        primary = language.split("-")[0].lower()
        options = options or {}
        variants = options.get("fold_variants", True)
        if variants is True:
            variants = {"ja": "ja", "zh": "s2t"}.get(primary, "off")
        return cls(
            drop_articles=bool(options.get("drop_articles", primary == "en")),
            fold_variants="off" if variants is False else str(variants),
            fold_kana=bool(options.get("fold_kana", False)),
            same_script=bool(options.get("same_script", False)),
        )


class _Marks(dict[int, str | None]):
    """A str.translate table for the marks left after the glued ones: meaning-bearing symbols become tokens of
    their own, every other punctuation mark (and backticks and table bars) separates words; learned lazily."""

    def __missing__(self, codepoint: int) -> str | None:
        char = chr(codepoint)
        category = unicodedata.category(char)
        if char in _SEPARATORS:
            value: str | None = " "
        elif category[0] == "S" or char in _MEANING_MARKS:
            value = f" {char} "
        elif category[0] == "P":
            value = " "
        else:
            value = char
        self[codepoint] = value
        return value


_MARK_TABLE = _Marks()


def normalize(text: str, language: str = "", steps: Normalization | None = None) -> str:
    """Canonical form of an answer for comparison (see the module docstring)."""
    return _SPACE_IN_CJK.sub("", _canonical(text, language, steps).replace(f" {JOINT} ", "-"))


def tokenize(text: str, language: str = "", steps: Normalization | None = None) -> list[str]:
    """Tokens of the normalized text: one per CJK character, one per run of other letters, digits and glued marks."""
    return [token for token in _TOKEN.findall(_canonical(text, language, steps)) if token != JOINT]


def joined_tokens(text: str, language: str = "", steps: Normalization | None = None) -> tuple[list[str], set[int]]:
    """The tokens, and the places where a hyphen joined two of them (i: between token i - 1 and token i)."""
    tokens: list[str] = []
    joints: set[int] = set()
    for token in _TOKEN.findall(_canonical(text, language, steps)):
        if token == JOINT:
            joints.add(len(tokens))
        else:
            tokens.append(token)
    return tokens, joints


def surface(text: str, language: str = "", steps: Normalization | None = None) -> str:
    """The text folded as compared (width, case, spelling variants, kana), its marks and spaces still in place."""
    return _folded(unicodedata.normalize("NFKC", text), steps or Normalization.for_language(language))


def _folded(text: str, steps: Normalization) -> str:
    """Case, spelling variants and kana folded in text already in NFKC."""
    text = _fold_case(text)
    if steps.fold_variants == "ja":
        text = fold_japanese(text)
    elif steps.fold_variants != "off":
        text = fold_chinese(text, steps.fold_variants)
    if steps.fold_kana:
        import jaconv

        text = jaconv.kata2hira(text)
    return text


def _canonical(text: str, language: str, steps: Normalization | None) -> str:
    """The normalized text with a JOINT token where a hyphen joined two words."""
    steps = steps or Normalization.for_language(language)
    text = _folded(_APOSTROPHE.sub("", unicodedata.normalize("NFKC", text)), steps)
    text = " ".join(_read_marks(text).split())
    if steps.drop_articles:  # after the marks, so that `A+` is one word and the result normalizes to itself
        text = _ARTICLE.sub("", text)
    return text


def _fold_case(text: str) -> str:
    """Case-fold everything but a two-letter initialism in capitals that would fold into an English word (`US`,
    `U.S.`, `IT` stay apart from `us`, `it`), unless it stands among words in capitals (`TREE OF THOUGHT`); the
    dots of any other initialism go (`U.S.A.` = `USA` = `usa`, `A.P.` = `ap`)."""
    out, last = [], 0
    for match in _INITIALISM.finditer(text):
        letters = match[0].replace(".", "")
        kept = letters.casefold() in _SHORT_WORDS and (match[0] != letters or not _among_capitals(text, match))
        out += [text[last : match.start()].casefold(), letters if kept else letters.casefold()]
        last = match.end()
    out.append(text[last:].casefold())
    return "".join(out)


def _among_capitals(text: str, match: re.Match[str]) -> bool:
    """Whether the word before or after the match is written in capitals too (a title or a shout)."""
    before = _LATIN_WORD.findall(text[max(0, match.start() - 40) : match.start()])
    after = _LATIN_WORD.findall(text[match.end() : match.end() + 40])
    return any(len(word) > 1 and word.isupper() for word in before[-1:] + after[:1])


def _read_marks(text: str) -> str:
    """Turn marks into what they mean for comparison (see the module docstring)."""
    text = _THOUSANDS.sub("", text).translate(_SAME_MARKS)
    text = _DIGIT_GROUPS.sub(lambda m: m[0].replace("-", ""), text)
    text = _RANGE.sub(" ~ ", text)
    text = _SIGN.sub(lambda m: _GLUED.get(m[0], _GLUED["-"]), text)
    text = _BETWEEN_DIGITS.sub(lambda m: _GLUED[m[0]], text)
    text = _SUFFIX.sub(lambda m: m[0].translate(_GLUE), text)
    text = _LETTER_DIGIT.sub(f" {JOINT} ", _HYPHEN.sub(f" {JOINT} ", text))
    return text.translate(_MARK_TABLE).translate(_UNGLUE)
