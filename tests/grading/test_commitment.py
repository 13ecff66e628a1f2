"""numeric, date and includes score the answer an output commits to: not a rejected, hedged or corrected one."""

from __future__ import annotations

import pytest

from harness.grading import make_grader
from harness.grading.commitment import Located, commitment
from harness.types import Sample


def score(kind: str, output: str, reference: str, language: str = "en") -> float:
    return make_grader(kind, language).grade(output, Sample("s", {}, (reference,))).value


@pytest.mark.parametrize(
    "output, reference, language, expected",
    [
        ("Not 175 billion; it is 1.75 trillion", "175 billion", "en", 0.0),
        ("Not 175 billion; it is 1.75 trillion", "1.75 trillion", "en", 1.0),
        ("It isn't 12, it's 13", "12", "en", 0.0),
        ("13, not 12", "13", "en", 1.0),
        ("不是42，是24", "42", "zh-Hans", 0.0),
        ("不是42，是24", "24", "zh-Hans", 1.0),
        ("42ではなく24です", "42", "ja", 0.0),
        ("42ではなく24です", "24", "ja", 1.0),
        ("12 or 13", "12", "en", 0.0),
        ("12か13", "13", "ja", 0.0),
        ("12或13", "12", "zh-Hans", 0.0),
        ("12 or twelve", "12", "en", 1.0),
        ("1/2", "0.5", "en", 1.0),  # a fraction is one value, not two alternatives
        ("二分の一か三分の一", "0.5", "ja", 0.0),  # two fractions are
        ("不是三分之一，是二分之一", "1/2", "zh-Hans", 1.0),
        ("12 / 13", "12", "en", 0.0),  # a slash with spaces joins alternatives
        ("100-200", "100", "en", 0.0),
        ("10〜20人", "20", "ja", 0.0),
        ("10〜20人", "10〜20人", "ja", 1.0),
        ("10人から20人", "10-20", "ja", 1.0),
        ("between 10 and 20", "10-20", "en", 1.0),
        ("10到20", "10-20", "zh-Hans", 1.0),
        ("Answer: 12. Final answer: 13", "12", "en", 0.0),
        ("Answer: 12. Final answer: 13", "13", "en", 1.0),
        ("答案是12，不对，是13", "13", "zh-Hans", 1.0),
        ("答えは12…いや、13です", "12", "ja", 0.0),
        ("GPT-3 has 175B parameters", "175 billion", "en", 1.0),
        ("Llama-2-70B", "70 billion", "en", 1.0),
    ],
)
def test_numeric_scores_the_committed_number(output: str, reference: str, language: str, expected: float) -> None:
    assert score("numeric", output, reference, language) == expected


@pytest.mark.parametrize(
    "output, reference, expected",
    [
        ("1945 or 1946", "1945", 0.0),
        ("1945年か1946年", "1946", 0.0),
        ("Not 2017 but 2018", "2018", 1.0),
        ("Not 2017 but 2018", "2017", 0.0),
        ("2017年ではなく2018年", "2017", 0.0),
        ("不是2017年，而是2018年", "2018年", 1.0),
        ("June 12, 2017 (2017-06-12)", "June 2017", 1.0),
    ],
)
def test_date_scores_the_committed_date(output: str, reference: str, expected: float) -> None:
    assert score("date", output, reference) == expected


@pytest.mark.parametrize(
    "output, reference, language, expected",
    [
        ("It is not Paris, it is Lyon", "Paris", "en", 0.0),
        ("It is not Paris, it is Lyon", "Lyon", "en", 1.0),
        ("Paris or Lyon", "Paris", "en", 0.0),
        ("Was it GPT-3 or GPT-4? It was GPT-4.", "GPT-4", "en", 1.0),
        ("东京还是京都", "东京", "zh-Hans", 0.0),
        ("不是北京，是上海", "上海", "zh-Hans", 1.0),
        ("東京か大阪", "東京", "ja", 0.0),
        ("東京ですか", "東京", "ja", 1.0),
    ],
)
def test_includes_needs_a_place_where_the_answer_is_given(
    output: str, reference: str, language: str, expected: float
) -> None:
    assert score("includes", output, reference, language) == expected


def test_commitment_reports_why_a_value_is_not_committed() -> None:
    text = "not 5; 7 or 8; 9"
    found = [Located(4, 5, 5), Located(7, 8, 7), Located(12, 13, 8), Located(15, 16, 9)]
    said = commitment(text, found)
    assert said.kept == [3]
    assert said.dropped == {
        0: "negated",
        1: "one of alternatives, not a commitment",
        2: "one of alternatives, not a commitment",
    }
    assert said.ranges == []


def test_the_grade_explanation_says_what_was_not_committed() -> None:
    detail = make_grader("numeric", "zh-Hans").grade("不是42，是24", Sample("s", {}, ("42",))).detail
    assert detail["ignored"] == ["42: negated"] and detail["output_numbers"] == [24.0]
