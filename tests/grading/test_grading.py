"""Graders and the normalizer on English, Japanese and Chinese answers."""

from __future__ import annotations

import pytest

from harness.grading import make_grader
from harness.grading.choice import parse_choice
from harness.grading.normalize import normalize, tokenize
from harness.grading.text import token_f1
from harness.registry.graders import KINDS
from harness.types import Sample


def sample(*references: str, choices: tuple[str, ...] = ()) -> Sample:
    return Sample(id="s", fields={}, references=references, choices=choices)


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("２０１８年", "ja", "2018年"),
        ("ＧＰＴ－４", "en", "gpt-4"),  # a hyphen between words separates them (tokens gpt, 4)
        ("「東京」。", "ja", "東京"),
        ("『ドナルド・トランプ』！", "ja", "ドナルドトランプ"),
        ("ｶﾀｶﾅ", "ja", "カタカナ"),
        ("  The   Transformer  ", "en", "transformer"),
        ("1,750億", "ja", "1750億"),
        ("答案是：北京…", "zh-Hans", "答案是北京"),
        ("Straße", "en", "strasse"),
        ("1.5 billion", "en", "1.5 billion"),
        ("１．５億", "ja", "1.5億"),
        ("GPT-3.5.", "en", "gpt-3.5"),
    ],
)
def test_normalize(text: str, language: str, expected: str) -> None:
    assert normalize(text, language) == expected


def test_tokenize_splits_every_cjk_character_and_keeps_latin_words() -> None:
    assert tokenize("GPT-4は2023年3月に公開", "ja") == ["gpt", "4", "は", "2023", "年", "3", "月", "に", "公", "開"]
    assert tokenize("한국어 모델", "") == ["한", "국", "어", "모", "델"]
    assert tokenize("OpenAI 发布了 GPT 4", "zh-Hans") == ["openai", "發", "佈", "了", "gpt", "4"]


@pytest.mark.parametrize(
    "kind, output, references, language, score",
    [
        ("exact", "２０１８", ("2018",), "ja", 1.0),
        ("exact", "東京。", ("東京",), "ja", 1.0),
        ("exact", "the Denver Broncos", ("Denver Broncos",), "en", 1.0),
        ("exact", "DENVER broncos!", ("Denver Broncos",), "en", 1.0),
        ("exact", "東京都", ("東京",), "ja", 0.0),
        ("exact", "東 京", ("東京",), "ja", 1.0),
        ("exact", "Ilya", ("Sutskever", "Ilya"), "en", 1.0),
        ("includes", "答えは東京です。", ("東京",), "ja", 1.0),
        ("includes", "It was released in 1945.", ("1",), "en", 0.0),
        ("includes", "It has 175 billion parameters.", ("175 billion",), "en", 1.0),
        ("includes", "パラメータ数は１７５０億です", ("1750億",), "ja", 1.0),
        ("includes", "参数量为1,750亿。", ("1750亿",), "zh-Hans", 1.0),
        ("includes", "GPT-3 has 96 layers", ("GPT-4",), "en", 0.0),
        ("includes", "It has 15 billion parameters.", ("1.5 billion",), "en", 0.0),
        ("includes", "It has 1.5 billion parameters.", ("1.5 billion",), "en", 1.0),
        ("includes", "", ("東京",), "ja", 0.0),
    ],
)
def test_exact_and_includes(kind: str, output: str, references: tuple[str, ...], language: str, score: float) -> None:
    assert make_grader(kind, language).grade(output, sample(*references)).value == score


@pytest.mark.parametrize(
    "output, references, em, f1",
    [
        ("東京", ("東京",), 1.0, 1.0),
        ("東京都", ("東京",), 0.0, 0.8),  # p=2/3, r=1
        ("東京", ("京都",), 0.0, 0.5),  # one shared character of two
        ("会社", ("社会",), 0.0, 0.5),  # the same characters in another order: the default F1 counts order
        (
            "二〇一八年六月",
            ("2018年6月",),
            0.0,
            4 / 11,
        ),  # shares 年 and 月 only (p=2/7, r=2/4): numerals compare as text here
        ("１７５０億", ("1750億",), 1.0, 1.0),
        ("大規模なマルチモーダルモデル", ("マルチモーダル",), 0.0, 2 * (7 / 14) * 1 / ((7 / 14) + 1)),
        ("Denver Broncos Denver", ("Denver Broncos",), 0.0, 0.8),
        ("北京", ("上海", "北京市"), 0.0, 0.8),  # best reference wins, partial credit kept
        ("無関係", ("東京",), 0.0, 0.0),
    ],
)
def test_em_f1(output: str, references: tuple[str, ...], em: float, f1: float) -> None:
    score = make_grader("f1", "ja").grade(output, sample(*references))
    assert score.metrics["em"] == em
    assert score.metrics["f1"] == pytest.approx(f1)
    assert score.value == pytest.approx(f1)
    assert make_grader("em", "ja").grade(output, sample(*references)).value == em


def test_token_f1_edges() -> None:
    assert token_f1([], []) == 1.0
    assert token_f1(["a"], []) == 0.0
    assert token_f1(["東", "京"], ["東", "京"]) == 1.0


CHOICES = ("Transformer", "LSTM", "CNN", "GRU")


@pytest.mark.parametrize(
    "output, chosen",
    [
        ("A", "A"),
        ("Ｂ", "B"),
        ("(C)", "C"),
        ("（D）", "D"),
        ("「B」", "B"),
        ("答案是B", "B"),
        ("正解はC", "C"),
        ("The answer is D.", "D"),
        ("Let me think. A seems possible but the answer is B", "B"),
        ("LSTM", "B"),
        ("I think it is the cnn", "C"),
        ("I cannot tell", None),
        ("A or B", None),
    ],
)
def test_choice_parsing(output: str, chosen: str | None) -> None:
    assert parse_choice(output, CHOICES, "en") == chosen


def test_choice_grader_counts_unparsed() -> None:
    grader = make_grader("choice", "en")
    assert grader.grade("B", sample("B", choices=CHOICES)).value == 1.0
    assert grader.grade("C", sample("B", choices=CHOICES)).value == 0.0
    unparsed = grader.grade("no idea", sample("B", choices=CHOICES))
    assert unparsed.unparsed and unparsed.value == 0.0


MINIMAL_OPTIONS = {
    "regex": {"pattern": "[A-Z]"},
    "json": {"schema": {"type": "string"}},
    "any_of": {"graders": [{"kind": "exact"}]},
    "all_of": {"graders": [{"kind": "exact"}, {"kind": "includes"}]},
    "weighted": {"graders": [{"kind": "exact", "weight": 2}, {"kind": "fuzzy"}]},
    "switch": {"field": "type", "cases": {"date": {"kind": "date"}}, "otherwise": {"kind": "exact"}},
}


@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"judge"}))
def test_graders_produce_their_declared_metrics(kind: str) -> None:
    score = make_grader(kind, "en", **MINIMAL_OPTIONS.get(kind, {})).grade("A", sample("A", choices=CHOICES))
    assert set(score.metrics) == set(KINDS[kind].metrics)
    assert score.value == score.metrics[KINDS[kind].metrics[0]]


def test_bootstrap_interval_does_not_depend_on_order() -> None:
    from harness.runner.statistics import estimate

    values = [0.1 * (i % 11) for i in range(60)]
    assert estimate(values, seed=3) == estimate(list(reversed(values)), seed=3)
