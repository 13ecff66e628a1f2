"""Multiple-choice answer extraction: labels, markers and option texts in English, Japanese and Chinese."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.grading import make_grader
from harness.grading.choice import find_choice, parse_choice
from harness.types import LABELS, Sample

ARCH = ("Transformer", "LSTM", "CNN", "GRU")
CITIES = ("Osaka", "Tokyo", "Kyoto", "Nagoya")
TOSHI = ("東京", "大阪", "京都", "札幌")
CHENGSHI = ("北京", "上海", "广州", "深圳")
NUMBERS = ("3", "2", "1", "0")
AUTHORS = ("F. Scott Fitzgerald", "Ernest Hemingway", "William Faulkner", "John Steinbeck")
VITAMINS = ("Vitamin D", "Vitamin C", "Iron", "Zinc")
TEN = tuple(f"option {i}" for i in range(10))

COT_EN = """Let's analyze each option:

A) Transformer - relies on self-attention and does not use recurrence.
B) LSTM - uses input, forget and output gates.
C) CNN - convolutional; no gates.
D) GRU - also gated, but with only two gates.

The question asks about three gates, so the answer is **B) LSTM**."""
COT_ZH = (
    "我们逐一分析：\nA. Transformer：基于注意力机制，错误。\nB. LSTM：有三个门，正确。\nC. CNN：卷积，错误。\n故选B。"
)
COT_JA = "各選択肢を検討します。\nア：誤り。\nイ：正しい。\nウ：誤り。\nエ：誤り。\n以上より、正解はイです。"

CASES = [
    # bare labels, half- and full-width, with brackets, quotes and emphasis
    ("A", "A"),
    ("B", "B"),
    ("Ｂ", "B"),
    ("ｂ", "B"),
    ("c", "C"),
    ("(C)", "C"),
    ("（D）", "D"),
    ("[C]", "C"),
    ("「C」", "C"),
    ("『D』", "D"),
    ("【A】", "A"),
    ("〔B〕", "B"),
    ("**B**", "B"),
    ("B.", "B"),
    ("B)", "B"),
    ("B:", "B"),
    ('"B"', "B"),
    ("“B”", "B"),
    ("(a)", "A"),
    ("b.", "B"),
    ("Ⓑ", "B"),
    ("B. LSTM", "B"),
    ("b) lstm", "B"),
    ("**B) LSTM**", "B"),
    ("B - LSTM", "B"),
    ("B (LSTM)", "B"),
    ("Option B", "B"),
    ("option (d)", "D"),
    ("It's definitely C.", "C"),
    # Japanese and Chinese label sets, by position
    ("ア", "A"),
    ("イ", "B"),
    ("（ウ）", "C"),
    ("ｴ", "D"),
    ("「エ」", "D"),
    ("ロ", "B"),
    ("「ろ」", "B"),
    ("甲", "A"),
    ("乙", "B"),
    ("丁", "D"),
    ("①", "A"),
    ("③", "C"),
    ("⑵", "B"),
    ("(1)", "A"),
    # a bare digit only alone, marked, or written as a label
    ("2", "B"),
    ("答え：2", "B"),
    ("answer: 2", "B"),
    ("option 2", "B"),
    ("第2项", "B"),
    ("答えは2番です", "B"),
    ("正解は選択肢3", "C"),
    ("1. Transformer", "A"),
    ("There are 3 reasons for this.", None),
    ("It has 2 layers", None),
    ("42", None),
    ("The answer is 42", None),
    ("1990", None),
    # marked answers in English
    ("The answer is B", "B"),
    ("The answer is (B).", "B"),
    ("Answer: (C)", "C"),
    ("ANSWER: C", "C"),
    ("the answer is c.", "C"),
    ("answer is b", "B"),
    ("The correct option is D.", "D"),
    ("I choose B", "B"),
    ("I would choose option C", "C"),
    ("I'll go with D.", "D"),
    ("Let me pick B", "B"),
    ("Ans: B", "B"),
    ("Choice: B", "B"),
    ("Final Answer: B", "B"),
    ("**Answer:** (B) LSTM", "B"),
    ("The correct answer is:\n\nC", "C"),
    ("The correct answer is **C. CNN**", "C"),
    ("My answer is 'D'", "D"),
    ("The answer would be (A)", "A"),
    ("The answer is A because attention is all you need", "A"),
    ("\\boxed{C}", "C"),
    ("The final answer is $\\boxed{D}$.", "D"),
    ('{"reasoning": "A is wrong", "answer": "C"}', "C"),
    ("Answer: B\nConfidence: 80%", "B"),
    ("B is correct", "B"),
    ("Option C is correct.", "C"),
    ("(B) is the answer", "B"),
    ("B is the most likely answer", "B"),
    # marked answers in Chinese (simplified and traditional) and Japanese
    ("答案是B", "B"),
    ("答案：B", "B"),
    ("答案：Ｂ。", "B"),
    ("答案:(B)", "B"),
    ("答：B", "B"),
    ("正确答案为C", "C"),
    ("正確答案是Ｃ", "C"),
    ("正确答案是B选项", "B"),
    ("正确选项：C", "C"),
    ("答案為B", "B"),
    ("正確選項是C", "C"),
    ("选B", "B"),
    ("選C", "C"),
    ("我選擇D", "D"),
    ("故答案选C", "C"),
    ("应选B项", "B"),
    ("所以是C。", "C"),
    ("我觉得是B", "B"),
    ("答案应该是C。", "C"),
    ("正确的是D", "D"),
    ("答案是丁", "D"),
    ("A选项正确", "A"),
    ("我认为B是对的", "B"),
    ("正解はイ", "B"),
    ("答えは「ウ」です", "C"),
    ("正答：エ", "D"),
    ("答えはイです", "B"),
    ("正解は ③", "C"),
    ("答えは、ろ", "B"),
    ("正しい選択肢はエです", "D"),
    ("正しいのは(B)", "B"),
    ("Bが正解です", "B"),
    ("丙が正解", "C"),
    ("選択肢イが正解", "B"),
    ("選んだのはイ", "B"),
    ("ウを選びます", "C"),
    # the final answer wins over reasoning
    ("A seems plausible, but B is wrong... so the answer is C", "C"),
    ("Let me think. A seems possible but the answer is B", "B"),
    ("Let's look at each option. A: uses attention. B: recurrent. C: convolution. Therefore: D", "D"),
    ("The answer is B.\n\nWait, let me reconsider. Actually, the answer is C.", "C"),
    ("Answer: A. Hmm, no: the answer is C.", "C"),
    ("Answer: B\n\nExplanation: A is wrong because it uses attention, and C is wrong too.", "B"),
    ("The answer is B. Option A is not right.", "B"),
    ("Answer: B, because A is wrong", "B"),
    ("I'm between A and B, but I'll go with B.", "B"),
    ("Both B and D are plausible, but D is the best answer.", "D"),
    ("B, C, and D are wrong, so A.", "A"),
    ("A is wrong. B is wrong. C is wrong. D", "D"),
    ("A is plausible. B is plausible. After consideration, C.", "C"),
    ("Is it A? I think so. B.", "B"),
    ("A) Transformer\nB) LSTM\nC) CNN\nD) GRU\n\nB", "B"),
    ("It's B, not A.", "B"),
    ("Not A but B", "B"),
    ("The answer is not A but C", "C"),
    ("不选A，选B", "B"),
    ("正解はAではなく、C", "C"),
    ("不正解はア。正解はウ", "C"),
    ("The incorrect option is B, the answer is C", "C"),
    (COT_EN, "B"),
    (COT_ZH, "B"),
    (COT_JA, "B"),
    ("ア：誤り。\nイ：正しい。\nウ：誤り。\nエ：誤り。", "B"),
    ("ア：×\nイ：○\nウ：×\nエ：×", "B"),
    ("アは誤り、イも誤り。よってウが正解", "C"),
    ("选项A错误，选项B错误，选项C正确。", "C"),
    # a new question the model went on to write does not count
    ("B\n\nQuestion: What is 2+2?\nA) 3\nB) 4\nAnswer: B", "B"),
    ("C\n\nQuestion: next one\nAnswer: A", "C"),
    # option texts
    ("LSTM", "B"),
    ("I think it is the cnn", "C"),
    ("Answer: The Transformer", "A"),
    ("Answer: LSTM (B)", "B"),
    ("The answer is a cat", None),
    # unparsed: ambiguous, not an option, no answer, or ordinary words
    ("", None),
    ("   ", None),
    ("?", None),
    ("I don't know", None),
    ("I cannot tell", None),
    ("Sorry, I can't help with that.", None),
    ("A or B", None),
    ("both A and C", None),
    ("Either A or D", None),
    ("A and B are both correct", None),
    ("A or B is correct", None),
    ("A, B", None),
    ("A B", None),
    ("A/B", None),
    ("A\nB\nC\nD", None),
    ("A, maybe B", None),
    ("B? or C?", None),
    ("The answer could be A, B, or C", None),
    ("I'm not sure between B and C.", None),
    ("The answer is A or B", None),
    ("The answer is B or maybe C", None),
    ("The answer is Transformer or LSTM", None),
    ("Answer: (B) CNN", None),
    ("B. Transformer", None),
    ("答案：A和C", None),
    ("答案是A还是B", None),
    ("A和B都对", None),
    ("答えはアかイ", None),
    ("イとウ", None),
    ("イ、ウ、エ", None),
    ("AとBが正しい", None),
    ("A: Correct. B: Incorrect. C: Incorrect. D: Correct", None),
    ("E", None),
    ("(E)", None),
    ("The answer is E", None),
    ("The answer is I", None),
    ("The answer is not A", None),
    ("The answer isn't A", None),
    ("It is not A.", None),
    ("Neither A nor B", None),
    ("A is incorrect", None),
    ("The wrong answer is A", None),
    ("不选A", None),
    ("不正解はア", None),
    ("a", None),
    ("A good answer is hard to find", None),
    ("A company released the first model", None),
    ("I think", None),
    ("I am not sure", None),
    ("Answer: I'm not sure", None),
    ("Because", None),
    ("I'd pick option a", None),
    ("Answer:", None),
    ("None of the above", None),
    ("N/A", None),
    ("ABCD", None),
    ("U.S.", None),
    ("Q&A", None),
    ("A+", None),
    ("C++", None),
    ("B型", None),
    ("アイウエオ", None),
    ("答えはアメリカです", None),
    ("答えはイギリス", None),
    ("正解はいいえ", None),
    ("答えは2つある", None),
    ("わかりません", None),
    ("不知道", None),
]


@pytest.mark.parametrize("output, chosen", CASES)
def test_parse_choice(output: str, chosen: str | None) -> None:
    assert parse_choice(output, ARCH, "en") == chosen


@pytest.mark.parametrize(
    "choices, output, language, chosen",
    [
        (CITIES, "The answer is Tokyo", "en", "B"),
        (CITIES, "Tokyo.", "en", "B"),
        (CITIES, "A city like Tokyo", "en", "B"),
        (CITIES, "It is Tokyo, not Osaka.", "en", "B"),
        (CITIES, "Tokyo or Kyoto", "en", None),
        (TOSHI, "The answer is 東京", "ja", "A"),
        (TOSHI, "答えは東京です。", "ja", "A"),
        (TOSHI, "「大阪」", "ja", "B"),
        (TOSHI, "正解は東京ではなく大阪", "ja", "B"),
        (TOSHI, "A. 東京\nB. 大阪\nC. 京都\nD. 札幌\n\n答え：C. 京都", "ja", "C"),
        (TOSHI, "東京と大阪", "ja", None),
        (CHENGSHI, "答案是上海。", "zh-Hans", "B"),
        (CHENGSHI, "应该是深圳", "zh-Hans", "D"),
        (CHENGSHI, "北京还是上海？", "zh-Hans", None),
        (CHENGSHI, "答案是廣州", "zh-Hant", "C"),
        (CHENGSHI, "正確答案：上海", "zh-Hant", "B"),
        (NUMBERS, "1", "en", "C"),
        (NUMBERS, "答え：1", "ja", "C"),
        (NUMBERS, "The answer is 0", "en", "D"),
        (("1", "2", "3", "4"), "2", "en", "B"),
        (AUTHORS, "The answer is F. Scott Fitzgerald", "en", "A"),
        (AUTHORS, "F. Scott Fitzgerald", "en", "A"),
        (AUTHORS, "The answer is B", "en", "B"),
        (VITAMINS, "Vitamin C", "en", "B"),
        (VITAMINS, "I'd say Vitamin C is the answer here", "en", "B"),
        (VITAMINS, "C", "en", "C"),
        (("T cells", "B cells", "Platelets", "Plasma"), "The answer is B cells", "en", "B"),
        (("B cells", "T cells", "Platelets", "Plasma"), "The answer is B cells", "en", "A"),
        (("B cells", "T cells", "Platelets", "Plasma"), "B", "en", "B"),
        (("dog", "cat"), "The answer is a cat", "", "B"),
        (("a1", "b1"), "I'd pick option a", "", None),
        (TEN, "The answer is I", "en", "I"),
        (TEN, "I think the answer is J", "en", "J"),
        (TEN, "I.", "en", "I"),
        (TEN, "I think so", "en", None),
        (TEN, "コ", "ja", "J"),
        (TEN, "ホ", "ja", "E"),
        (TEN, "⑩", "ja", "J"),
        (TEN, "answer: 10", "en", "J"),
        (TEN, "答案是癸", "zh-Hans", "J"),
        (("x", "y", "z"), "D", "en", None),
        (("x", "y", "z"), "エ", "ja", None),
        (("x", "y", "z"), "ホ", "ja", None),
    ],
)
def test_parse_choice_with_other_options(
    choices: tuple[str, ...], output: str, language: str, chosen: str | None
) -> None:
    assert parse_choice(output, choices, language) == chosen


def sample(reference: str, choices: tuple[str, ...] = ARCH) -> Sample:
    return Sample(id="s", fields={}, references=(reference,), choices=choices)


def test_grader_scores_the_chosen_option() -> None:
    grader = make_grader("choice", "en")
    right = grader.grade("The answer is B", sample("B"))
    assert (right.value, right.metrics, right.unparsed) == (1.0, {"accuracy": 1.0}, False)
    wrong = grader.grade("(C)", sample("B"))
    assert (wrong.value, wrong.metrics, wrong.unparsed) == (0.0, {"accuracy": 0.0}, False)
    assert wrong.detail["chosen"] == "C"


def test_grader_counts_unparsed_answers_as_zero() -> None:
    grader = make_grader("choice", "en")
    for output in ("no idea", "A or B", "E", ""):
        score = grader.grade(output, sample("B"))
        assert score.unparsed and score.value == 0.0 and score.metrics == {"accuracy": 0.0}
        assert score.detail["chosen"] is None


@pytest.mark.parametrize(
    "output, how, match",
    [
        ("Let me think. A looks right, but the answer is (C).", "marked", "answer is (C)"),
        ("正解はイ", "marked", "正解はイ"),
        ("B is correct", "marked", "B is correct"),
        ("The answer is the LSTM.", "marked", "answer is the LSTM"),
        ("**B**", "label", "**B**"),
        ("I think it is the cnn", "option text", "CNN"),
        ("A or B", "ambiguous", "A, B"),
        ("The answer is A or B", "ambiguous", "A or B"),
        ("E", "not an option", "E"),
        ("The answer is E.", "not an option", "answer is E"),
        ("I don't know", "no answer", ""),
    ],
)
def test_grader_detail_says_how_the_choice_was_found(output: str, how: str, match: str) -> None:
    score = make_grader("choice", "en").grade(output, sample("C"))
    assert score.detail["how"] == how
    assert score.detail["match"] == match
    assert score.detail["chosen"] == find_choice(output, ARCH, "en").label


def test_references_may_hold_several_labels() -> None:
    grader = make_grader("choice", "en")
    both = Sample(id="s", fields={}, references=("B", "D"), choices=ARCH)
    assert grader.grade("D", both).value == 1.0
    assert grader.grade("A", both).value == 0.0


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ABCDEabcde ()「」.:,\n答案是正解はアイウエ选12①Ｂ*Iisornot")), max_size=60),
    st.integers(min_value=2, max_value=6),
)
def test_any_text_gives_an_offered_label_or_none(output: str, n: int) -> None:
    chosen = parse_choice(output, ARCH + CITIES[: n - 4] if n > 4 else ARCH[:n], "en")
    assert chosen is None or chosen in LABELS[:n]


def test_lone_surrogates_do_not_crash() -> None:
    assert parse_choice("B\udcd6", ARCH, "zh-Hans") == "B"
    assert parse_choice("\ud83d 北京", CHENGSHI, "zh-Hans") == "A"


def test_long_answers_are_read() -> None:
    """Long answers are read correctly (how fast is a bench figure, not a test: the grading time limit bounds it)."""
    outputs = ["A is wrong. " * 3000, "選" * 20000, "(B) " * 5000, "x" * 50000 + " so the answer is D"]
    chosen = [parse_choice(output, ARCH, "en") for output in outputs]
    assert chosen == [None, None, "B", "D"]
