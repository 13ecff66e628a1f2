"""Word boundaries of Japanese and Chinese text from morphological analysers, so that `includes` finds whole words.

Japanese is cut by MeCab with UniDic (fugashi and unidic-lite), Chinese by jieba (Traditional text is cut in its
Simplified conversion, which keeps every character in place); both are loaded on the first CJK answer that needs
them. A reference that is one word must be found from a word boundary to a word boundary: `京都` is not in `東京都庁`
(東京|都庁) or `东京都厅`, `インド` is not in `インドネシア`, `北京` is not in `北京大学` in Chinese (one word), while
`東京` is in `東京都` (東京|都) and `北京` in `北京市` (a word of the name and an administrative suffix). A reference of
several words (a phrase, or a name the analyser does not know as one word) is found character by character.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from harness.text.scripts import opencc_converter

_ADMINISTRATIVE = frozenset("市省县縣区區都府镇鎮乡鄉村")
"""Suffixes that make a place name a word of its own in jieba's dictionary (北京市, 山东省) but name the same place."""
_LOCAL = threading.local()


def whole_word(text: str, start: int, end: int, language: str) -> bool:
    """Whether text[start:end] runs from a word boundary to a word boundary (see the module docstring)."""
    spans = _spans(_segment(text, language))
    cuts = {position for _, position in spans} | {len(text)}
    if start in cuts and end in cuts:
        return True
    return any(position == start and _is_place(word, end - start) for word, position in spans)


def one_word(reference: str, language: str) -> bool:
    """Whether the analyser reads the reference as a single word."""
    return len([word for word in _segment(reference, language) if word.strip()]) == 1


def _is_place(word: str, length: int) -> bool:
    """Whether `word` is a name of `length` characters followed by one administrative suffix (北京市)."""
    return len(word) == length + 1 and word[-1] in _ADMINISTRATIVE


def _spans(words: list[str]) -> list[tuple[str, int]]:
    spans, position = [], 0
    for word in words:
        spans.append((word, position))
        position += len(word)
    return spans


def _segment(text: str, language: str) -> list[str]:
    """The words of `text`, in order, their lengths adding up to the text's."""
    if language.split("-")[0].lower() == "ja":
        return _japanese(text)
    simplified = opencc_converter("t2s")(text)
    return _chinese(simplified if len(simplified) == len(text) else text)


def _japanese(text: str) -> list[str]:
    """MeCab's words with the spaces between them kept, so that positions still add up."""
    tagger = getattr(_LOCAL, "tagger", None)
    if tagger is None:  # a Tagger is not safe to share between the threads that grade
        import fugashi

        tagger = _LOCAL.tagger = fugashi.Tagger()
    words: list[str] = []
    position = 0
    for node in tagger(text):
        surface = node.surface
        found = text.find(surface, position)
        if found < 0:
            continue
        if found > position:
            words.append(text[position:found])
        words.append(surface)
        position = found + len(surface)
    if position < len(text):
        words.append(text[position:])
    return words


def _chinese(text: str) -> list[str]:
    return list(_jieba()(text))


@functools.lru_cache(maxsize=1)
def _jieba() -> Callable[[str], list[str]]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    return lambda text: tokenizer.lcut(text, HMM=True)
