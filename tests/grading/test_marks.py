"""Marks that carry meaning are read, not deleted: signs, operators, currencies, ranges, suffixes, initialisms."""

from __future__ import annotations

import pytest

from harness.grading import make_grader
from harness.grading.normalize import joined_tokens, tokenize
from harness.types import Sample


def score(kind: str, output: str, reference: str, language: str = "en") -> float:
    return make_grader(kind, language).grade(output, Sample("s", {}, (reference,))).value


@pytest.mark.parametrize(
    "output, reference",
    [
        ("5", "-5"),
        ("C++", "C#"),
        ("C", "C++"),
        ("x<5", "x>5"),
        ("1/2", "12"),
        ("10〜20", "1020"),
        ("¥100", "$100"),
        ("3:00", "300"),
        ("", "A"),
        ("The", "A"),
        ("Vitamin", "Vitamin A"),
        ("A+", "A-"),
        ("us", "U.S."),
        ("50‰", "50%"),
        ("2.5%", "25%"),
    ],
)
def test_different_answers_stay_different(output: str, reference: str) -> None:
    language = "ja" if any(ord(ch) > 0x2FFF for ch in output + reference) else "en"
    assert score("exact", output, reference, language) == 0.0
    assert score("em", output, reference, language) == 0.0
    assert score("f1", output, reference, language) < 1.0


@pytest.mark.parametrize(
    "output, reference",
    [
        ("GPT-4", "GPT 4"),
        ("GPT-4", "GPT4"),
        ("US", "U.S."),
        ("U.S.A.", "USA"),
        ("「東京」。", "東京"),
        ("Paris.", "Paris"),
        ("1,750", "1750"),
        ("½", "1/2"),
        ("C♯", "C#"),
        ("−3", "-3"),
        ("10-20", "10〜20"),
        ("03-1234-5678", "0312345678"),
        ("TREE OF THOUGHT", "Tree of thought"),
        ("the Denver Broncos", "Denver Broncos"),
    ],
)
def test_the_same_answer_in_other_marks_is_equal(output: str, reference: str) -> None:
    assert score("exact", output, reference) == 1.0
    assert score("f1", output, reference) == 1.0


@pytest.mark.parametrize(
    "output, reference, found",
    [
        ("A Tokyo-based firm", "Tokyo", 1.0),
        ("It was -5 degrees", "5", 0.0),
        ("We use C++ here", "C", 0.0),
        ("Objective-C", "C", 0.0),
        ("GPT-4", "4", 0.0),
        ("GPT-4o", "GPT-4", 0.0),
        ("a non-toxic paint", "toxic", 0.0),
        ("The answer is A.", "A", 1.0),
        ("It is a dog", "A", 0.0),
        ("正解は−3です。", "-3", 1.0),
        ("約100%の確率", "100%", 1.0),
    ],
)
def test_includes_finds_whole_words_only(output: str, reference: str, found: float) -> None:
    language = "ja" if any(ord(ch) > 0x2FFF for ch in output) else "en"
    assert score("includes", output, reference, language) == found


def test_hyphens_leave_joints_that_only_includes_reads() -> None:
    assert tokenize("Tokyo-based", "en") == ["tokyo", "based"]
    assert joined_tokens("Tokyo-based GPT4", "en") == (["tokyo", "based", "gpt", "4"], {1, 3})


def test_the_default_f1_counts_order() -> None:
    assert score("f1", "会社", "社会", "ja") == pytest.approx(0.5)
    assert score("f1", "京北", "北京", "zh-Hans") == pytest.approx(0.5)
    assert score("f1", "大規模言語モデル", "言語モデル", "ja") == pytest.approx(2 * (5 / 8) / (5 / 8 + 1))
