"""Whether an answer is written in the eval's language and script: the share a model answers in, beside its scores."""

from __future__ import annotations

import pytest

from harness.text.language import in_language, written_language


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("答えは東京です", "ja", True),
        ("東京", "ja", True),  # kanji alone are Japanese as well
        ("学校", "ja", True),  # a form Japanese and Simplified Chinese share
        ("东京", "ja", False),  # Simplified Chinese
        ("頭髮", "ja", False),  # Chinese Traditional (Japanese writes 頭髪)
        ("The answer is Tokyo.", "ja", False),
        ("Learning to summarize from human feedback", "ja", None),  # an English title is a name
        ("GPT-4", "ja", None),  # a name in Latin letters tells nothing
        ("42", "ja", None),
        ("頭髮很長", "zh-Hant", True),
        ("头发很长", "zh-Hant", False),  # the other script
        ("头发很长", "zh-Hans", True),
        ("頭髮很長", "zh-Hans", False),
        ("北京", "zh-Hant", True),  # characters both scripts share
        ("東京です", "zh-Hans", False),  # Japanese
        ("The answer is B.", "en", True),
        ("东京", "en", False),
        ("Paris", "en", None),
        ("서울입니다", "ko", True),
        ("Paris", "fr", None),  # a language it cannot tell
    ],
)
def test_in_language(text: str, language: str, expected: bool | None) -> None:
    assert in_language(text, language) is expected


def test_written_language() -> None:
    assert [written_language(t) for t in ("です", "서울", "头发", "頭髮", "北京", "it is the one", "B")] == [
        "ja",
        "ko",
        "zh-Hans",
        "zh-Hant",
        "zh",
        "en",
        None,
    ]
