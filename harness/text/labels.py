"""Multiple-choice labels: the vocabularies (A–Z, ア イ ウ, あ い う, い ろ は, 甲 乙 丙, ① ②, (1)), the option a label
names by its position, and the option a reference key names however it is written (a label of any scheme, a digit
counted from 1, or the option's own text)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from harness.text.cjk import fold
from harness.types import LABELS

GOJUON = "アイウエオカキクケコサシスセソタチツテトナニヌネノハ"
"""Katakana labels in gojūon order: ア is A, イ is B, …."""
IROHA = "イロハニホヘトチリヌ"
"""Katakana labels in iroha order, used only for a kana beyond the gojūon options (so イ stays B)."""
HIRAGANA_GOJUON = "あいうえおかきくけこさしすせそたちつてとなにぬねのは"
"""Hiragana labels in gojūon order: あ is A, い is B, … (as katakana)."""
HIRAGANA_IROHA = "いろはにほへとちりぬ"
"""Hiragana labels in iroha order, used only for a kana beyond the gojūon options (ろ is B, は is C)."""
STEMS = "甲乙丙丁戊己庚辛壬癸"
"""The heavenly stems: 甲 is A, 乙 is B, …."""
CIRCLED = {
    **{0x2460 + i: f"({i + 1})" for i in range(20)},  # ① … ⑳
    **{0x2776 + i: f"({i + 1})" for i in range(10)},  # ❶ … ❿
    **{0x2780 + i: f"({i + 1})" for i in range(10)},  # ➀ … ➉
    **{0x278A + i: f"({i + 1})" for i in range(10)},  # ➊ … ➓
    **{0x24B6 + i: f"({LABELS[i]})" for i in range(26)},  # Ⓐ … Ⓩ
    **{0x24D0 + i: f"({LABELS[i].lower()})" for i in range(26)},  # ⓐ … ⓩ
    **dict.fromkeys(range(0xD800, 0xE000), "\ufffd"),  # lone surrogates (JSON "\ud83d" escapes) cannot be encoded
}
"""Enclosed labels, rewritten as bracketed ones before NFKC (which would make ① a bare 1); lone surrogates replaced."""

_NUMBER = re.compile(r"[0-9., ]+")
_KEY = re.compile(
    r"(?:(?i:option|choice)[ \t]*|(?:選択肢|选项|選項|第)[ \t]*)?[(\[「『【〔〈《]?[ \t]*"
    rf"(?P<core>[A-Za-z]|[0-9]{{1,2}}|[{GOJUON}{IROHA}{HIRAGANA_GOJUON}{HIRAGANA_IROHA}{STEMS}])"
    r"[ \t]*[)\]」』】〕〉》]?[ \t]*(?:番|号|號|项|項)?[ \t]*[.:。、]?"
)
"""A reference key written as a label: `B`, `(b)`, `B.`, `イ`, `「ウ」`, `乙`, `③`, `(2)`, `2`, `option 2`, `第2`."""


class KeyProblem(ValueError):
    """A reference key that names no option, or names two."""


def label_position(core: str, n: int) -> int:
    """The option (0-based, of `n`) a bare label names: a letter, digit (from 1), kana or stem; -1 when none."""
    if core.isdigit():
        index = int(core) - 1
    elif core.isascii():
        index = ord(core.upper()) - ord("A")
    elif core in STEMS:
        index = STEMS.index(core)
    elif core in HIRAGANA_GOJUON or core in HIRAGANA_IROHA:
        index = _kana_position(core, n, HIRAGANA_GOJUON, HIRAGANA_IROHA)
    else:
        index = _kana_position(core, n, GOJUON, IROHA)
    return index if 0 <= index < n else -1


def _kana_position(kana: str, n: int, gojuon: str, iroha: str) -> int:
    """A kana label's position: gojūon (ア イ ウ …) first, iroha (ロ ハ ニ …) beyond the gojūon options."""
    first = gojuon.find(kana)
    if 0 <= first < n:
        return first
    second = iroha.find(kana)
    return second if 0 < second < n else -1


def numbered(choices: Sequence[str]) -> bool:
    """Whether some option is itself a number, so that a bare digit is that option's text, not a label."""
    return any(_NUMBER.fullmatch(unicodedata.normalize("NFKC", c).strip()) for c in choices if c.strip())


def key_label_core(key: str) -> str | None:
    """The bare label a key is written as (`(b)` → `b`, `③` → `3`, `「ウ」` → `ウ`), or None when it is no label."""
    match = _KEY.fullmatch(unicodedata.normalize("NFKC", key.translate(CIRCLED)).strip())
    return match["core"] if match else None


def key_option(key: str, choices: Sequence[str]) -> int:
    """The option (0-based) a reference key names: a label of any scheme or its option's text; KeyProblem if none.

    A digit is counted from 1, as the grader reads `2` in an answer (`(2)`, `②` alike), unless some option is itself a
    number, when it is that option's text. Text is compared after NFKC, case folding and whitespace."""
    labels = LABELS[: len(choices)]
    core = key_label_core(key)
    by_label = None
    if core is not None and not (core.isdigit() and numbered(choices)):
        by_label = label_position(core, len(choices))
    said = _plain(key)
    by_text = [i for i, choice in enumerate(choices) if _plain(choice) == said]
    if by_label is not None and by_label >= 0:
        other = [i for i in by_text if i != by_label]
        if other:
            raise KeyProblem(
                f"{key!r} is ambiguous: label {key.strip()} is option {labels[by_label]}, "
                f"but it is also the text of option {labels[other[0]]}"
            )
        return by_label
    if len(by_text) == 1:
        return by_text[0]
    if by_text:
        raise KeyProblem(f"{key!r} is the text of options {' and '.join(labels[i] for i in by_text)}")
    if by_label is not None:
        raise KeyProblem(f"{key!r} names no option: there are {len(choices)} ({labels[0]}–{labels[-1]})")
    raise KeyProblem(
        f"{key!r} is neither an option label ({labels[0]}–{labels[-1]}, ア…, 甲…, ①…, (1)…) nor an option's text"
    )


def _plain(text: str) -> str:
    """Text as a key is compared with an option's: NFKC, case folded, whitespace collapsed."""
    return " ".join(fold(text).split())
