"""Where evalrun's graders agree with other harnesses' common answer checks, and where they differ on purpose.

`theirs` is what OpenAI Evals' `fuzzy_match` (lower case, ASCII punctuation and English articles removed, then a
substring test in either direction) or the SQuAD v1.1 script (for em/f1) gives; `ours` is evalrun's verdict.
"""

from __future__ import annotations

import pytest

from harness.grading import make_grader
from harness.types import Sample

AGREE = [
    ("includes", "en", "The answer is Paris.", "Paris", 1.0),
    ("includes", "en", "the Denver Broncos", "Denver Broncos", 1.0),
    ("includes", "en", "DENVER BRONCOS!", "denver broncos", 1.0),
    ("includes", "en", "It was “Hamlet”, I think", "Hamlet", 1.0),
    ("includes", "en", "", "Paris", 0.0),
    ("includes", "en", "London", "Paris", 0.0),
    ("includes", "ja", "答えは東京です。", "東京", 1.0),
    ("includes", "zh-Hans", "答案是北京。", "北京", 1.0),
    ("exact", "en", "An apple", "apple", 1.0),
    ("f1", "en", "Denver Broncos Denver", "Denver Broncos", 0.8),
    ("f1", "en", "the Denver Broncos", "Denver Broncos", 1.0),
]

DIFFER = [
    # (kind, language, output, reference, ours, theirs, why)
    ("includes", "en", "It happened in 1945.", "1", 0.0, 1.0, "a number inside another number is not the answer"),
    ("includes", "en", "Tokyo", "Tokyo Tower", 0.0, 1.0, "part of the answer is not the answer (no reverse test)"),
    ("includes", "ja", "パラメータは１７５０億", "1750億", 1.0, 0.0, "full-width digits are folded (NFKC)"),
    ("includes", "zh-Hant", "答案是臺灣", "台湾", 1.0, 0.0, "Traditional and Simplified Chinese compare equal"),
    ("f1", "ja", "東京都", "東京", 0.8, 0.0, "every CJK character is a token; whitespace splitting makes one token"),
    ("f1", "zh-Hans", "北京市", "北京", 0.8, 0.0, "the same for Chinese"),
    ("f1", "en", "“Hamlet”", "Hamlet", 1.0, 0.0, "Unicode quotation marks are punctuation too"),
]


@pytest.mark.parametrize("kind, language, output, reference, score", AGREE)
def test_where_we_agree(kind: str, language: str, output: str, reference: str, score: float) -> None:
    got = make_grader(kind, language).grade(output, Sample("s", {}, (reference,))).value
    assert got == pytest.approx(score)


@pytest.mark.parametrize("kind, language, output, reference, ours, theirs, why", DIFFER)
def test_where_we_differ_on_purpose(
    kind: str, language: str, output: str, reference: str, ours: float, theirs: float, why: str
) -> None:
    got = make_grader(kind, language).grade(output, Sample("s", {}, (reference,))).value
    assert got == pytest.approx(ours), why
