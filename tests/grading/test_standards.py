"""The official-standard EM/F1 reproductions: shared vectors from the real scripts, hand-derived cases, properties."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.grading.standards import STANDARDS, StandardScore, standard_score
from tests.support import FIXTURES, REPO

VECTORS = FIXTURES / "official-metric-vectors.jsonl"
"""Cases scored by the official SQuAD v1.1, CMRC 2018 and JSQuAD scripts, kept in the repository."""


def _vector_cases() -> list[tuple[str, str, str, list[str], float, float]]:
    """(id, standard, prediction, references, em, f1) for every standard scored in the shared vectors file."""
    cases = []
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            for standard, want in case["scores"].items():
                cases.append((case["id"], standard, case["prediction"], case["references"], want["em"], want["f1"]))
    return cases


@pytest.mark.parametrize("case_id, standard, prediction, references, em, f1", _vector_cases())
def test_official_vectors(
    case_id: str, standard: str, prediction: str, references: list[str], em: float, f1: float
) -> None:
    got = standard_score(standard, prediction, references)
    assert (got.em, got.f1) == (pytest.approx(em, abs=1e-12), pytest.approx(f1, abs=1e-12)), case_id


# Hand-derived cases: (prediction, references, em, f1), worked through each script's algorithm.

SQUAD_CASES = [
    ("Denver Broncos", ["Denver Broncos"], 1.0, 1.0),
    ("Broncos", ["Denver Broncos"], 0.0, 2 / 3),  # p=1, r=1/2
    ("The Broncos", ["Denver Broncos"], 0.0, 2 / 3),  # "the" dropped before tokenizing
    ("", ["Denver"], 0.0, 0.0),
    ("", [""], 1.0, 0.0),  # both normalize to "": EM compares strings, F1 returns 0 when num_same == 0
    ("the", ["a"], 1.0, 0.0),  # articles only: both "", same quirk
    ("!!!", ["..."], 1.0, 0.0),  # ASCII punctuation only: both "", same quirk
    ("theater", ["the ater"], 0.0, 0.0),  # \b keeps "the" inside "theater"; reference becomes "ater"
    ("the the the", ["the"], 1.0, 0.0),
    ("Paris Paris", ["Paris"], 0.0, 2 / 3),  # Counter overlap is 1: p=1/2, r=1
    ("Paris", ["Paris Paris"], 0.0, 2 / 3),
    ("U.S.", ["US"], 1.0, 1.0),
    ("rock-and-roll", ["rock and roll"], 0.0, 0.0),  # "-" removed, not split: one token "rockandroll"
    ("New York City", ["New York"], 0.0, 0.8),
    ("Denver", ["Denver Broncos", "Denver"], 1.0, 1.0),
    ("Broncos Denver", ["Denver Broncos"], 0.0, 1.0),  # bag of tokens: order ignored by F1 only
    ("An apple a day", ["apple day"], 1.0, 1.0),
    ("東京", ["東京"], 1.0, 1.0),
    ("東京都", ["東京"], 0.0, 0.0),  # one whitespace token each
    ("東京 タワー", ["東京タワー"], 0.0, 0.0),
    ("東京 タワー", ["東京"], 0.0, 2 / 3),
    ("「東京」", ["東京"], 0.0, 0.0),  # CJK brackets are not string.punctuation
    ("(Tokyo)", ["tokyo"], 1.0, 1.0),
    ("ＴＯＫＹＯ", ["tokyo"], 0.0, 0.0),  # full-width letters only lowercase to full-width
    ("ＮＡＳＡ", ["ｎａｓａ"], 1.0, 1.0),
    ("the東京", ["東京"], 0.0, 0.0),  # Unicode \b: no boundary between "e" and "東", so "the" stays
    ("the 東京", ["東京"], 1.0, 1.0),
    ("A", ["a"], 1.0, 0.0),
    ("a b c", ["b c d"], 0.0, 0.8),  # "a" is an article: pred [b, c]
    ("don't", ["dont"], 1.0, 1.0),
    ("3.14", ["314"], 1.0, 1.0),
    ("$1,000", ["1000"], 1.0, 1.0),
    ("Saint-Denis", ["Saint Denis"], 0.0, 0.0),
    ("über", ["UBER"], 0.0, 0.0),
    ("ÜBER", ["über"], 1.0, 1.0),
    ("Denver Broncos team", ["Broncos", "Denver Broncos"], 0.0, 0.8),  # 0.5 and 0.8: best is the second
    ("x", ["a", "x"], 1.0, 1.0),
    ("", ["", "x"], 1.0, 0.0),  # EM from the first reference, F1 0 from both
    ("tab\tseparated\nwords", ["tab separated words"], 1.0, 1.0),
    ("\u3000東京\u3000", ["東京"], 1.0, 1.0),  # str.split() treats U+3000 as whitespace
    ("ＡＮ ａｐｐｌｅ", ["apple"], 0.0, 0.0),  # full-width "ａｎ" is not an article
    ("the Beatles' song", ["Beatles song"], 1.0, 1.0),
    ("1 2 3 4", ["1 2 5 6"], 0.0, 0.5),
    ("a1", ["1"], 0.0, 0.0),  # no \b between "a" and "1"
    ("an", ["and"], 0.0, 0.0),  # "" against ["and"]
    ("y x x", ["x", "x y"], 0.0, 0.8),  # 0.5 and 0.8
    ("bye", ["bye bye bye"], 0.0, 0.5),
    ("hello—world", ["hello world"], 0.0, 0.0),  # an em dash is not ASCII punctuation
    ("hello-world", ["helloworld"], 1.0, 1.0),
    ("北京，上海", ["北京 上海"], 0.0, 0.0),
]

CMRC_CASES = [
    ("北京", ["北京"], 1.0, 1.0),
    ("北京", ["北京市"], 0.0, 0.8),  # lcs 2: p=1, r=2/3
    ("首都北京", ["北京"], 0.0, 2 / 3),
    ("北京上海北京", ["北京"], 0.0, 0.5),  # lcs 2 of 6 segments
    ("京北", ["北京"], 0.0, 0.5),  # contiguous lcs is 1, not a bag overlap of 2
    ("北上京", ["北京"], 0.0, 0.4),  # lcs 1: p=1/3, r=1/2
    ("", [""], 1.0, 0.0),  # EM compares "" == ""; F1 is 0 because lcs_len == 0
    ("。", ["，"], 1.0, 0.0),  # both only listed marks: same quirk
    ("“北京”", ["北京"], 1.0, 1.0),
    ('"北京"', ["北京"], 0.0, 2 / 3),  # ASCII quotes stay; nltk turns each lone '"' run into "``": 4 segments
    ("（北京）", ["北京"], 1.0, 1.0),  # full-width parentheses are listed
    ("北京!", ["北京"], 0.0, 0.8),  # ASCII "!" is not listed: 3 segments
    ("北京！", ["北京"], 1.0, 1.0),
    ("北京.", ["北京"], 0.0, 0.8),
    ("北京…", ["北京"], 0.0, 0.8),  # the list's "……" entry is two characters, so "…" is never removed
    ("北京……", ["北京"], 0.0, 0.8),  # "……" stays one nltk token
    ("Python 3", ["python3"], 0.0, 0.0),
    ("GPT-4", ["gpt4"], 1.0, 1.0),  # "-" dropped without ending the run
    ("C++", ["c"], 1.0, 1.0),
    ("1:30", ["130"], 1.0, 1.0),
    ("北京 上海", ["北京上海"], 0.0, 1.0),  # inner space kept by EM, but yields no segment
    ("  北京  ", ["北京"], 1.0, 1.0),
    ("トランプ", ["ドナルド・トランプ"], 0.0, 0.0),  # kana run is one nltk token; "・" is not listed
    ("東京タワー", ["東京"], 0.0, 0.8),  # 東, 京, タワー
    ("すし", ["寿司"], 0.0, 0.0),
    ("臺灣", ["台灣", "臺灣"], 1.0, 1.0),
    ("一八九五年", ["1895年"], 0.0, 2 / 7),  # lcs 1 (年): p=1/5, r=1/2
    ("〇", ["零"], 0.0, 0.0),
    ("丁七", ["丁"], 0.0, 2 / 3),  # U+4E01/U+4E03: one segment each
    ("㐀㐁", ["㐀"], 0.0, 0.0),  # CJK Ext. A is outside U+4E00–U+9FA5: one nltk token
    ("２０１８年", ["2018年"], 0.0, 0.5),  # full-width digits are a different token
    ("ＧＰＴ－４", ["gpt4"], 0.0, 0.0),  # "－" dropped, but "ｇｐｔ４" != "gpt4"
    ("北京，上海", ["北京、上海"], 1.0, 1.0),
    ("abc，def", ["abcdef"], 1.0, 1.0),  # "，" dropped without a break: one token "abcdef"
    ("abc def", ["abcdef"], 0.0, 0.0),
    ("abc def", ["abc"], 0.0, 2 / 3),
    ("New York City", ["new york"], 0.0, 0.8),
    ("York New", ["new york"], 0.0, 0.5),
    ("don't", ["do"], 0.0, 2 / 3),  # nltk: do, n't
    ("The Beatles.", ["the beatles"], 0.0, 0.8),  # final "." split off by nltk
    ("北京北京", ["北京北京北京"], 0.0, 0.8),
    ("。", ["北京", "。"], 1.0, 0.0),  # EM from the second reference, F1 0 from both
    ("‘北京’", ["北京"], 0.0, 0.8),  # only the closing "’" is listed
    ("«北京»", ["北京"], 0.0, 2 / 3),
    ("北京~上海", ["北京上海"], 1.0, 1.0),
    ("北京—上海", ["北京上海"], 0.0, 4 / 9),  # em dash not listed: lcs 2 of 5 and 4
    ("Ｐｙｔｈｏｎ", ["python"], 0.0, 0.0),
    ("ＰＹＴＨＯＮ", ["ｐｙｔｈｏｎ"], 1.0, 1.0),
    ("3.14", ["314"], 0.0, 0.0),
    ("1,750", ["1750"], 0.0, 0.0),  # ASCII comma kept; nltk keeps "1,750" whole
    ("北 京", ["北京"], 0.0, 1.0),
    ("答え：東京", ["東京"], 0.0, 2 / 3),  # 答 | え | 東 | 京
    ("北京", [""], 0.0, 0.0),
    ("哈哈哈", ["哈"], 0.0, 0.5),
    ("哈", ["哈哈哈"], 0.0, 0.5),
    ("「臺北」", ["臺北"], 1.0, 1.0),
    ("『紅樓夢』", ["紅樓夢"], 1.0, 1.0),
    ("《紅樓夢》", ["红楼梦"], 0.0, 0.0),  # no Traditional/Simplified folding
    ("a/b", ["ab"], 1.0, 1.0),
    ("hello world!", ["hello world"], 0.0, 0.8),
]

JSQUAD_CASES = [
    ("東京", ["東京"], 1.0, 1.0),
    ("東京。", ["東京"], 1.0, 1.0),
    ("東京。。。", ["東京"], 1.0, 1.0),  # rstrip removes every trailing "。"
    ("東京。 ", ["東京"], 0.0, 0.8),  # rstrip("。") runs before whitespace is collapsed, so "。" survives
    ("東京 。", ["東京"], 1.0, 1.0),
    ("。東京", ["東京"], 0.0, 0.8),
    ("東京、", ["東京"], 0.0, 0.8),  # no other punctuation is removed
    ("東京．", ["東京"], 0.0, 0.8),
    ("東京｡", ["東京"], 0.0, 0.8),  # half-width U+FF61 is not "。"
    ("「東京」", ["東京"], 0.0, 2 / 3),
    ("", ["東京"], 0.0, 0.0),
    ("", [""], 1.0, 1.0),  # no usable reference -> [""]; empty vs empty is F1 int(True)
    ("", ["。"], 1.0, 1.0),  # "。" normalizes to "", so it is dropped and [""] used
    ("東京", ["。"], 0.0, 0.0),
    ("東京", ["", "東京"], 1.0, 1.0),
    ("", ["", "東京"], 0.0, 0.0),  # the empty reference is ignored because another one remains
    ("。", ["東京"], 0.0, 0.0),
    ("。", ["。"], 1.0, 1.0),
    ("Tokyo", ["tokyo"], 1.0, 1.0),
    ("The Tokyo", ["tokyo"], 0.0, 5 / 7),  # articles kept; 9 characters share 5 with "tokyo"
    ("Tokyo!", ["tokyo"], 0.0, 10 / 11),
    ("東京都", ["京都"], 0.0, 0.8),
    ("都京", ["京都"], 0.0, 1.0),  # a bag of characters ignores order
    ("ａｂｃ", ["ABC"], 0.0, 0.0),
    ("ＡＢＣ", ["ａｂｃ"], 1.0, 1.0),
    ("コンピューター", ["コンピュータ"], 0.0, 12 / 13),  # "ー" twice in 7 characters
    ("東京  タワー", ["東京 タワー"], 1.0, 1.0),
    ("東京\tタワー\n", ["東京 タワー"], 1.0, 1.0),
    ("東京タワー", ["東京 タワー"], 0.0, 10 / 11),  # the space is a character of the reference
    ("1,750億", ["1750億"], 0.0, 10 / 11),
    ("a a a", ["a"], 0.0, 1 / 3),  # 5 characters, spaces included
    ("ああ", ["あああ"], 0.0, 0.8),
    ("東京大学", ["東京", "東京大学"], 1.0, 1.0),
    ("東京大学", ["京都大学", "東京"], 0.0, 0.75),  # 0.75 and 2/3
    ("大阪", ["東京"], 0.0, 0.0),
    ("北京", ["北京"], 1.0, 1.0),
    ("臺灣", ["台灣"], 0.0, 0.5),
    ("一八九五年", ["1895年"], 0.0, 0.2),
    ("iPhone 15。", ["iphone 15"], 1.0, 1.0),
    ("Ｔｏｋｙｏ。", ["ｔｏｋｙｏ"], 1.0, 1.0),
    ("東京.", ["東京"], 0.0, 0.8),
    ("ドナルド・トランプ", ["トランプ"], 0.0, 8 / 13),
    ("東京", ["東京 "], 1.0, 1.0),
    ("  ", ["東京"], 0.0, 0.0),
    ("  ", ["  "], 1.0, 1.0),  # both normalize to "": the reference is dropped and [""] used
    ("すし。です", ["すし"], 0.0, 4 / 7),  # only a trailing "。" is stripped
    ("İ", ["i"], 0.0, 2 / 3),  # "İ".lower() is "i" + U+0307: two characters
    ("ＳＱｕＡＤ", ["squad"], 0.0, 0.0),
]


@pytest.mark.parametrize(
    "standard, prediction, references, em, f1",
    [("squad-v1.1", *case) for case in SQUAD_CASES]
    + [("cmrc2018", *case) for case in CMRC_CASES]
    + [("jsquad", *case) for case in JSQUAD_CASES],
)
def test_hand_derived(standard: str, prediction: str, references: list[str], em: float, f1: float) -> None:
    got = standard_score(standard, prediction, references)
    assert (got.em, got.f1) == (pytest.approx(em, abs=1e-12), pytest.approx(f1, abs=1e-12))


def test_at_least_forty_hand_derived_cases_per_standard() -> None:
    assert min(len(SQUAD_CASES), len(CMRC_CASES), len(JSQUAD_CASES)) >= 40


@pytest.mark.parametrize(
    "standard, prediction, references, expected",
    [
        ("squad-v1.1", "The Denver Broncos!", ["Broncos", "Denver Broncos"], ("denver", "broncos")),
        ("cmrc2018", "GPT-3有1750亿参数", ["1750亿"], ("gpt3", "有", "1750", "亿", "参", "数")),
        ("cmrc2018", "答案是：北京（首都）", ["北京"], ("答", "案", "是", "北", "京", "首", "都")),
        ("cmrc2018", "“Hello, world.”", ["hello"], ("hello", ",", "world", ".")),
        ("jsquad", "東京　タワー。", ["東京タワー"], ("東", "京", " ", "タ", "ワ", "ー")),
    ],
)
def test_prediction_tokens(standard: str, prediction: str, references: list[str], expected: tuple[str, ...]) -> None:
    assert standard_score(standard, prediction, references).prediction_tokens == expected


def test_reference_is_the_best_f1_first_on_ties() -> None:
    got = standard_score("squad-v1.1", "Denver Broncos team", ["Broncos", "Denver Broncos", "Denver Broncos"])
    assert got == StandardScore(0.0, 0.8, "Denver Broncos", ("denver", "broncos", "team"), ("denver", "broncos"))
    tie = standard_score("cmrc2018", "北京", ["北京市", "南北京"])
    assert (tie.reference, tie.reference_tokens) == ("北京市", ("北", "京", "市"))


def test_em_and_f1_maxima_are_independent() -> None:
    got = standard_score("cmrc2018", "。", ["北京", "。"])
    assert (got.em, got.f1, got.reference) == (1.0, 0.0, "北京")


def test_jsquad_without_usable_references_compares_against_empty() -> None:
    assert standard_score("jsquad", "", []) == StandardScore(1.0, 1.0, "", (), ())
    assert standard_score("jsquad", "東京", ["。", " "]).reference == ""


@pytest.mark.parametrize("standard", ["squad-v1.1", "cmrc2018"])
def test_no_references_is_an_error_where_the_script_fails(standard: str) -> None:
    with pytest.raises(ValueError, match="at least one reference"):
        standard_score(standard, "x", [])


def test_unknown_standard_and_bare_string() -> None:
    with pytest.raises(ValueError, match="unknown standard"):
        standard_score("squad-v2", "x", ["x"])
    with pytest.raises(TypeError):
        standard_score("jsquad", "x", "x")


def test_nltk_is_imported_lazily() -> None:
    code = (
        "import sys; from harness.grading.standards import standard_score as s; "
        "s('squad-v1.1', 'a b', ['b']); s('jsquad', 'x', ['x']); s('cmrc2018', '北京。', ['北京']); "
        "assert 'nltk' not in sys.modules and 'punkt' not in sys.modules; s('cmrc2018', 'abc', ['abc']); "
        "assert 'nltk' in sys.modules and 'punkt' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# Properties -----------------------------------------------------------------------------------------------------

_ALPHABET = "abcAB xyz 12３４ .,!?-'\"　。、，「」（）『』《》“”’·~/東京北京台灣臺すしカナｶﾅｔｏ㐀〇…"
texts = st.text(alphabet=_ALPHABET, max_size=12)
standards = st.sampled_from(STANDARDS)


@settings(max_examples=300, deadline=None)
@given(standards, texts, st.lists(texts, min_size=1, max_size=3))
def test_scores_are_within_unit_interval(standard: str, prediction: str, references: list[str]) -> None:
    got = standard_score(standard, prediction, references)
    assert 0.0 <= got.em <= 1.0
    assert 0.0 <= got.f1 <= 1.0


@settings(max_examples=300, deadline=None)
@given(standards, texts, st.lists(texts, max_size=2))
def test_prediction_equal_to_a_reference_is_perfect(standard: str, reference: str, others: list[str]) -> None:
    got = standard_score(standard, reference, [*others, reference])
    if standard_score(standard, reference, [reference]).reference_tokens:
        assert (got.em, got.f1) == (1.0, 1.0)


@settings(max_examples=300, deadline=None)
@given(standards, texts, st.lists(texts, min_size=1, max_size=3))
def test_f1_is_at_least_em_when_the_prediction_has_tokens(
    standard: str, prediction: str, references: list[str]
) -> None:
    got = standard_score(standard, prediction, references)
    if got.prediction_tokens:
        assert got.f1 >= got.em


@pytest.mark.parametrize("standard", ["squad-v1.1", "cmrc2018"])
def test_f1_below_em_when_both_sides_are_empty(standard: str) -> None:
    assert (standard_score(standard, "", [""]).em, standard_score(standard, "", [""]).f1) == (1.0, 0.0)
