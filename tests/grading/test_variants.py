"""Spelling variants: Japanese old forms, name itaiji, 々, counters and the long vowel; Chinese script policies."""

from __future__ import annotations

from typing import Any

import pytest

from harness.grading import make_grader
from harness.text.scripts import fold_chinese, written_in
from harness.types import Sample


def score(output: str, reference: str, language: str, kind: str = "exact", **options: Any) -> float:
    return make_grader(kind, language, **options).grade(output, Sample("s", {}, (reference,))).value


@pytest.mark.parametrize(
    "output, reference, expected",
    [
        ("髙橋", "高橋", 1.0),
        ("山﨑", "山崎", 1.0),
        ("國語", "国語", 1.0),
        ("廣島", "広島", 1.0),
        ("時時", "時々", 1.0),
        ("3ヶ月", "3か月", 1.0),
        ("三カ月", "三か月", 1.0),
        ("コンピューター", "コンピュータ", 1.0),
        ("ビル", "ビール", 0.0),
        ("人", "人々", 0.0),
        ("3月", "3ヶ月", 0.0),
        ("太田", "大田", 0.0),
    ],
)
def test_japanese_variants_fold_by_default(output: str, reference: str, expected: float) -> None:
    assert score(output, reference, "ja") == expected


def test_japanese_folding_can_be_turned_off() -> None:
    assert score("髙橋", "高橋", "ja", fold_variants=False) == 0.0


@pytest.mark.parametrize(
    "output, reference, language, expected",
    [
        ("头发", "頭髮", "zh-Hant", 1.0),  # the same word in the other script
        ("頭發", "頭髮", "zh-Hant", 0.0),  # 發 is not 髮 in Traditional characters
        ("台風", "颱風", "zh-Hant", 0.0),
        ("台灣", "臺灣", "zh-Hant", 1.0),  # variant forms of one character
        ("汤面", "湯麵", "zh-Hant", 1.0),
        ("頭髮", "头发", "zh-Hans", 1.0),
        ("範仲淹", "范仲淹", "zh-Hans", 0.0),  # the surname 范 is never 範
        ("軟件", "软件", "zh-Hans", 1.0),
        ("軟體", "软件", "zh-Hans", 0.0),  # regional vocabulary only under tw2sp
    ],
)
def test_chinese_default_reads_simplified_in_traditional_characters(
    output: str, reference: str, language: str, expected: float
) -> None:
    assert score(output, reference, language) == expected


@pytest.mark.parametrize(
    "output, reference, policy, expected",
    [
        ("軟體", "软件", "tw2sp", 1.0),
        ("計程車", "出租车", "tw2sp", 1.0),
        ("硬碟", "内存", "tw2sp", 0.0),
        ("頭發", "頭髮", "t2s", 1.0),  # t2s merges them, as it always did
        ("头发", "頭髮", "off", 0.0),
    ],
)
def test_chinese_policies(output: str, reference: str, policy: str, expected: float) -> None:
    assert score(output, reference, "zh-Hant", fold_variants=policy) == expected


def test_an_eval_can_require_its_own_script() -> None:
    grader = make_grader("includes", "zh-Hant", same_script=True)
    simplified = grader.grade("答案是头发", Sample("s", {}, ("頭髮",)))
    assert simplified.value == 0.0 and "Simplified" in simplified.detail["problem"]
    assert grader.grade("答案是頭髮", Sample("s", {}, ("頭髮",))).value == 1.0
    assert make_grader("f1", "zh-Hans", same_script=True).grade("頭髮", Sample("s", {}, ("头发",))).value == 0.0


def test_which_script_a_text_is_written_in() -> None:
    assert written_in("頭髮很長") == "Hant"
    assert written_in("头发很长") == "Hans"
    assert written_in("東京 GPT-4") == "Hant"
    assert written_in("人工 GPT-4") is None
    assert fold_chinese("裏面", "s2t") == fold_chinese("里面", "s2t") == fold_chinese("裡面", "s2t")
