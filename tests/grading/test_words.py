"""includes finds Japanese and Chinese answers as whole words (MeCab/UniDic and jieba), not across word boundaries."""

from __future__ import annotations

import pytest

from harness.grading import make_grader
from harness.grading.words import one_word, whole_word
from harness.types import Sample


@pytest.mark.parametrize(
    "output, reference, language, expected",
    [
        ("答えは東京都庁です。", "京都", "ja", 0.0),  # 東京|都庁
        ("東京都です。", "東京", "ja", 1.0),  # 東京|都
        ("インドネシアです。", "インド", "ja", 0.0),
        ("株式会社会長です。", "社会", "ja", 0.0),  # 株式|会社|会長
        ("答えは東京です", "東京", "ja", 1.0),
        ("カーネマンです", "カーネマン", "ja", 1.0),  # a name the dictionary cuts in two is read by characters
        ("北京大学", "北京", "zh-Hans", 0.0),  # one word in Chinese
        ("北京市", "北京", "zh-Hans", 1.0),  # the name and an administrative suffix
        ("东京都厅", "京都", "zh-Hans", 0.0),
        ("山東大學", "山東", "zh-Hant", 0.0),  # Traditional text is cut in its Simplified conversion
        ("山東省", "山東", "zh-Hant", 1.0),
        ("蘇州河", "蘇州", "zh-Hant", 0.0),
        ("答案是北京。", "北京", "zh-Hans", 1.0),
        ("Transformer模型", "Transformer", "zh-Hans", 1.0),
    ],
)
def test_includes_matches_whole_words(output: str, reference: str, language: str, expected: float) -> None:
    score = make_grader("includes", language).grade(output, Sample("s", {}, (reference,)))
    assert score.value == expected
    if not expected:
        assert "inside another word" in score.detail["problem"], score.detail


def test_word_boundaries_and_words() -> None:
    assert whole_word("東京都庁", 0, 2, "ja") and not whole_word("東京都庁", 1, 3, "ja")
    assert one_word("京都", "ja") and not one_word("大規模言語モデル", "ja")
    assert one_word("北京", "zh-Hans") and whole_word("我住在北京市", 3, 5, "zh-Hans")
