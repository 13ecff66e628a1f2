"""Whether an answer is written in the eval's language and script, for the share of answers a model gives in it.

Read from the letters: kana make Japanese; hangul, Korean; Han characters only one script writes make Chinese in that
script (`头发` Simplified, `頭髮` Traditional, harness.text.scripts); Latin text with English function words and a verb such as `is`, English (so a title in English, `Learning to
summarize from human feedback`, is a name, not a sentence).
A Japanese answer may write its kanji in either form and a Chinese one may not hold kana; a name in Latin letters
(`GPT-4`, `OpenAI`) or an answer with no letters (`42`, `B`) says nothing, so it is not counted either way.
"""

from __future__ import annotations

import re

from harness.text.cjk import HAN_CHARS, HANGUL_CHARS, KANA_CHARS
from harness.text.scripts import opencc_converter, written_in

_KANA = re.compile(f"[{KANA_CHARS}]")
_HANGUL = re.compile(f"[{HANGUL_CHARS}]")
_HAN = re.compile(f"[{HAN_CHARS}]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_VERBS = frozenset({"is", "are", "was", "were", "has", "have", "had"})
_ENGLISH = frozenset(
    "the a an is are was were of to in on and or for with that this it by as at from be has have had which answer".split()  # noqa: SIM905
)


def written_language(text: str) -> str | None:
    """The language (and for Chinese the script) an answer is written in: `ja`, `ko`, `zh-Hans`, `zh-Hant`, `zh`
    (Han characters both scripts share), `en`, or None when its letters do not tell."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        script = written_in(text)
        return f"zh-{script}" if script else "zh"
    words = [word.lower() for word in _LATIN_WORD.findall(text)]
    sentence = any(word in _VERBS for word in words)  # a title or a name rarely holds one
    return "en" if sentence and sum(word in _ENGLISH for word in words) >= 2 else None


def in_language(text: str, language: str) -> bool | None:
    """Whether `text` is written in `language` (a BCP-47 tag) and its script; None when it cannot tell."""
    found = written_language(text)
    primary = language.split("-")[0].lower()
    if found is None or primary not in ("ja", "zh", "en", "ko"):
        return None
    if primary == "ja":
        return found == "ja" or (found.startswith("zh") and _japanese_kanji(text))
    if primary == "zh":
        script = language.rsplit("-", 1)[-1]
        other = {"Hans": "zh-Hant", "Hant": "zh-Hans"}.get(script)
        return found.startswith("zh") and found != other
    return found == primary


def _japanese_kanji(text: str) -> bool:
    """Whether Han characters are the ones Japanese writes: their Traditional forms, read as Japanese (OpenCC t2jp),
    give them back (学 → 學 → 学), as Simplified-only ones (东, 语) and Chinese Traditional ones (頭髮) do not."""
    return opencc_converter("t2jp")(opencc_converter("s2t")(text)) == text
