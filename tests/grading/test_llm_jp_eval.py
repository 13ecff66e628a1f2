"""`standard: llm-jp-eval`: exact_match, char_f1 (fuzzywuzzy's token_sort_ratio ÷ 100) and set_f1 as llm-jp-eval
computes them, checked on vectors scored with the real fuzzywuzzy and python-Levenshtein, and on hand-derived cases."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from harness.grading import make_grader
from harness.grading.explain import score_pairs
from harness.grading.llm_jp_eval import METRICS, answer_text, llm_jp_eval_score, sorted_words, token_sort_ratio
from harness.grading.standards import standard_score
from harness.registry.graders import STANDARD_METRICS, metric_label, metrics_of, standard_of
from harness.types import Sample
from tests.support import FIXTURES, REPO

VECTORS = FIXTURES / "llm-jp-eval-vectors.jsonl"
"""Pairs in en, ja and zh scored by tests/fixtures/make_llm_jp_eval_vectors.py with fuzzywuzzy 0.18.0 and
python-Levenshtein 0.27.5 (the ratio backend llm-jp-eval installs), llm-jp-eval's formulas for the rest."""


def _vectors() -> list[dict[str, object]]:
    return [json.loads(line) for line in VECTORS.read_text(encoding="utf-8").splitlines() if line.strip()]


def grade(output: str, *references: str, kind: str = "f1", language: str = "ja") -> tuple[float, dict[str, float]]:
    """The value and metrics of `output` under the llm-jp-eval standard."""
    score = make_grader(kind, language, standard="llm-jp-eval").grade(output, Sample("s", {}, references))
    return score.value, dict(score.metrics)


@pytest.mark.parametrize("case", _vectors(), ids=lambda case: str(case["id"]))
def test_the_real_fuzzywuzzy_vectors_to_the_last_bit(case: dict[str, object]) -> None:
    language = {"zh": "zh-Hans"}.get(str(case["lang"]), str(case["lang"]))
    _, metrics = grade(str(case["output"]), str(case["reference"]), language=language)
    assert metrics == case["scores"]  # exact: the same floats llm-jp-eval would average


def test_the_vectors_cover_every_language_and_both_sides_of_each_metric() -> None:
    cases = _vectors()
    assert len(cases) >= 300 and {case["lang"] for case in cases} == {"en", "ja", "zh"}
    for metric in METRICS:
        values = {case["scores"][metric] for case in cases}  # type: ignore[index]
        assert 0.0 in values and 1.0 in values and (metric == "exact_match" or len(values) > 2), metric


# (output, reference, char_f1, a character F1 for contrast): char_f1 is an edit-distance ratio of the sorted words,
# so order inside a word counts, word order does not, and marks and Latin-1 letters vanish.
NOT_A_CHARACTER_F1 = [
    ("東京タワー", "タワー東京", 0.6, 1.0),  # one word: 1 − 4 ÷ 10 by insertions and deletions; the same characters
    ("北京上海", "上海北京", 0.5, 1.0),
    ("中華民國", "民國中華", 0.5, 1.0),
    ("徳川 家康", "家康 徳川", 1.0, 1.0),  # two words, sorted: equal
    ("Denver Broncos", "Broncos Denver", 1.0, 1.0),
    ("C++", "C#", 1.0, 0.4),  # the marks become spaces and are stripped: "c" against "c"
    ("x<5", "x>5", 1.0, 2 / 3),
    ("-5", "5", 1.0, 2 / 3),
    ("Café", "Cafe", 0.86, 0.75),  # é (U+00E9) is deleted: "caf" against "cafe", 1 − 1 ÷ 7 = 0.857 → 86
    ("naïve", "naive", 0.89, 0.8),
    ("snake_case", "snake case", 0.5, 0.9),  # "_" is a word character: "snake_case" against "case snake"
    ("臺灣", "台灣", 0.5, 0.5),  # no script folding: 臺 ≠ 台
    ("头发", "頭髮", 0.0, 0.0),
]


@pytest.mark.parametrize("output, reference, char_f1, character_f1", NOT_A_CHARACTER_F1)
def test_char_f1_is_an_edit_distance_ratio_not_a_character_f1(
    output: str, reference: str, char_f1: float, character_f1: float
) -> None:
    _, metrics = grade(output, reference)
    assert metrics["char_f1"] == char_f1
    assert standard_score("jsquad", output, [reference]).f1 == pytest.approx(character_f1, abs=0.01)


@pytest.mark.parametrize(
    "output, reference, exact_match",
    [
        ("１７５０億", "1750億", 1.0),  # NFKC on both sides
        ("ｺﾝﾋﾟｭｰﾀ", "コンピュータ", 1.0),
        ("  東京 ", "東京", 1.0),  # the answer is stripped
        ("東京", "東京 ", 0.0),  # the gold is not
        ("「東京」", "東京", 0.0),  # no punctuation removed for exact_match (char_f1 is 1)
        ("ＡＢＣ", "abc", 0.0),  # no case folding either
        ("北京市", "北京", 0.0),
        ("臺北", "臺北", 1.0),
        ("Tokyo", "tokyo", 0.0),
        ("東京\n\n以上です。", "東京", 1.0),  # the answer ends at the first blank line
        ("\n\n東京", "東京", 0.0),  # so an output that opens with one is read as empty
    ],
)
def test_exact_match_compares_the_nfkc_strings(output: str, reference: str, exact_match: float) -> None:
    value, metrics = grade(output, reference, kind="em")
    assert value == metrics["exact_match"] == exact_match


@pytest.mark.parametrize(
    "output, reference, set_f1",
    [
        ("東京\n大阪", "大阪\n東京", 1.0),  # sets: order does not count
        ("東京\n大阪\n京都", "東京\n大阪", 0.8),  # precision 2/3, recall 1
        ("北京", "北京\n上海", 2 / 3),  # precision 1, recall 1/2
        ("臺北\n高雄", "高雄\n臺中", 0.5),
        (" Tokyo \n Osaka", "Osaka\nTokyo", 1.0),  # each line stripped
        ("Tokyo\nTokyo", "Tokyo", 1.0),  # the answer's lines are a set
        ("Tokyo", "Tokyo\nTokyo", 2 / 3),  # the gold's are a list: recall 1/2
        ("東京\n\n大阪", "東京\n大阪", 2 / 3),  # the blank line ends the answer: "東京" only
        ("北京，上海", "北京\n上海", 0.0),  # one line, not two
        ("", "", 1.0),  # an empty text is one empty line
        ("", "東京", 0.0),
    ],
)
def test_set_f1_compares_the_lines_as_sets(output: str, reference: str, set_f1: float) -> None:
    _, metrics = grade(output, reference)
    assert metrics["set_f1"] == pytest.approx(set_f1, abs=1e-12)


def test_token_sort_ratio_rounds_half_to_even_and_keeps_its_edge_cases() -> None:
    assert token_sort_ratio("aaaaabbb", "aaaaaccc") == 62  # 62.5 → 62
    assert token_sort_ratio("aaabbbbb", "aaaabbbb") == 88  # 87.5 → 88
    assert token_sort_ratio("。", "、") == 100  # both process to "": equal before the empty check
    assert token_sort_ratio("東京", "") == token_sort_ratio("", "Tokyo") == 0
    assert token_sort_ratio("İstanbul", "istanbul") == 94  # İ lowercases to i + a combining dot (9 characters)
    assert sorted_words("Tokyo-based 「東京」 × 2") == "2 based tokyo 東京"  # × (U+00D7) deleted, marks to spaces


def test_the_answer_is_cut_at_the_first_blank_line_then_normalized_and_stripped() -> None:
    assert answer_text("  ＧＰＴ－３ \n\n理由は…") == "GPT-3"
    assert answer_text("東京\n大阪\n") == "東京\n大阪"


def test_em_reports_exact_match_and_f1_reports_char_f1_with_set_f1_beside() -> None:
    assert metrics_of({"kind": "em", "standard": "llm-jp-eval"}) == ("exact_match", "char_f1", "set_f1")
    assert metrics_of({"kind": "f1", "standard": "llm-jp-eval"}) == ("char_f1", "exact_match", "set_f1")
    assert metrics_of({"kind": "f1", "standard": "jsquad"}) == metrics_of({"kind": "f1"}) == ("f1", "em")
    assert set(STANDARD_METRICS["llm-jp-eval"]["em"]) == set(METRICS)
    cases = [
        ("ja", "東京都にある", "東京都"),
        ("zh-Hans", "北京市", "北京"),
        ("zh-Hant", "臺北市", "臺北"),
        ("en", "Tokyo", "tokyo"),
    ]
    for language, output, reference in cases:
        em_value, metrics = grade(output, reference, kind="em", language=language)
        f1_value, same = grade(output, reference, kind="f1", language=language)
        assert list(metrics) == ["exact_match", "char_f1", "set_f1"] and metrics == same
        assert (em_value, f1_value) == (metrics["exact_match"], metrics["char_f1"])


def test_each_metric_is_the_best_over_the_references() -> None:
    result = llm_jp_eval_score("東京\n大阪", ["東京タワー", "大阪\n東京", "東京\n大阪 "])
    assert (result.exact_match, result.set_f1) == (0.0, 1.0)  # "東京\n大阪 " keeps its space: not equal
    assert result.char_f1 == 1.0 and result.reference == "大阪\n東京"  # the first with the best char_f1
    assert llm_jp_eval_score("北京", ["上海", "北京"]).exact_match == 1.0


def test_bad_references_are_refused() -> None:
    with pytest.raises(TypeError):
        llm_jp_eval_score("東京", "東京")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one reference"):
        llm_jp_eval_score("東京", [])


def test_the_explanation_names_the_standard_and_what_char_f1_is() -> None:
    grader = make_grader("f1", "ja", standard="llm-jp-eval")
    detail = grader.grade("タワー東京\n\n以上です", Sample("s", {}, ("東京タワー",))).detail
    assert detail["standard"] == "llm-jp-eval" and detail["best_reference"] == "東京タワー"
    assert detail["answer"] == "タワー東京" and detail["gold"] == "東京タワー"
    assert detail["sorted_words"] == ["タワー東京", "東京タワー"]
    assert "token_sort_ratio 60" in detail["char_f1"] and "not a character F1" in detail["char_f1"]
    assert detail["set_f1"] == "0 of 1 distinct answer line(s) found among the reference's 1 line(s)"
    assert "first blank line" in detail["cut"]
    assert "cut" not in grader.grade("東京タワー", Sample("s", {}, ("東京タワー",))).detail


def test_tables_name_the_standard_beside_the_metric() -> None:
    assert standard_of("f1", {"standard": "llm-jp-eval"}) == "llm-jp-eval"
    assert standard_of("em", {}) is standard_of("f1", {"standard": "cjk"}) is standard_of("includes", {}) is None
    assert metric_label("char_f1", "llm-jp-eval") == "llm-jp-eval char_f1"
    assert metric_label("f1", "jsquad") == "jsquad f1" and metric_label("f1", None) == "f1"


_DOC_ROW = re.compile(r"^\| `(.*?)` \| `(.*?)` \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| .* \|$")


def _doc_rows() -> list[tuple[str, str, float, float, float]]:
    """The rows of docs/graders.md's llm-jp-eval table (`\\n` in a cell is a newline)."""
    text = (REPO / "docs/graders.md").read_text(encoding="utf-8")
    section = text[text.index("**`standard: llm-jp-eval`**") :]
    section = section[section.index("| output | reference | `exact_match`") :]
    section = section[: section.index("\n\n")]
    rows = [_DOC_ROW.match(line) for line in section.splitlines()[2:]]
    assert all(rows), section
    return [(m[1].replace("\\n", "\n"), m[2].replace("\\n", "\n"), *map(float, m.groups()[2:])) for m in rows if m]


def test_the_docs_table_is_what_evalrun_grade_gives() -> None:
    rows = _doc_rows()
    assert len(rows) >= 10
    config = {"kind": "em", "standard": "llm-jp-eval"}
    for output, reference, exact_match, char_f1, set_f1 in rows:
        (result,) = score_pairs(config, "ja", [(1, output, (reference,), (), {})])
        got = result["metrics"]
        assert (got["exact_match"], got["char_f1"]) == (exact_match, char_f1), output
        assert got["set_f1"] == pytest.approx(set_f1, abs=0.005), output


def test_rapidfuzz_is_imported_only_to_score() -> None:
    code = (
        "import sys; from harness.grading.llm_jp_eval import llm_jp_eval_score as s; "
        "assert 'rapidfuzz' not in sys.modules; s('東京', ['東京']); assert 'rapidfuzz' not in sys.modules; "
        "s('東京', ['京都']); assert 'rapidfuzz' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
