"""Multiple-choice keys in every label scheme, option texts named whole, and corrections (issue 14, class 2): in
English, Japanese and Chinese (Simplified and Traditional), through the grader, data loading, `checks:` and the oracle."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness
from harness.cli import main
from harness.data.dataset import SampleError, to_sample
from harness.grading import make_grader
from harness.grading.choice import find_choice
from harness.registry.loader import Registry
from harness.registry.workspace import Workspace
from harness.text.labels import KeyProblem, key_option
from harness.types import LABELS, Sample
from tests.support import write, write_jsonl

CAPITALS = ("Paris", "London", "Berlin", "Madrid")
TOSHI = ("東京", "京都", "東京都", "大阪")
CHENGSHI = ("北京", "上海", "广州", "深圳")
HEWEI = ("長江", "黃河", "珠江", "淮河")
NUMBERS = ("3", "2", "1", "0")


@pytest.mark.parametrize(
    "key, choices, option",
    [
        # Latin letters, any case and decoration
        ("B", CAPITALS, "B"),
        ("b", CAPITALS, "B"),
        ("(c)", CAPITALS, "C"),
        ("Ｄ", CAPITALS, "D"),
        ("Ⓑ", CAPITALS, "B"),
        ("Option B", CAPITALS, "B"),
        ("B.", CAPITALS, "B"),
        # Japanese kana, gojūon first (ア イ ウ エ, あ い う え), iroha beyond the options (ロ ハ, ろ は)
        ("イ", TOSHI, "B"),
        ("（ウ）", TOSHI, "C"),
        ("「エ」", TOSHI, "D"),
        ("ロ", TOSHI, "B"),
        ("あ", TOSHI, "A"),
        ("い", TOSHI, "B"),
        ("は", TOSHI, "C"),
        ("選択肢イ", TOSHI, "B"),
        # stems, circled and bracketed numbers, digits counted from 1
        ("乙", CHENGSHI, "B"),
        ("丁", HEWEI, "D"),
        ("③", CHENGSHI, "C"),
        ("(2)", HEWEI, "B"),
        ("（2）", HEWEI, "B"),
        ("⑵", HEWEI, "B"),
        ("2", CAPITALS, "B"),
        ("第4", CHENGSHI, "D"),
        ("选项C", CHENGSHI, "C"),
        # the option's own text, compared after NFKC, case and whitespace
        ("Berlin", CAPITALS, "C"),
        ("berlin ", CAPITALS, "C"),
        ("京都", TOSHI, "B"),
        ("東京都", TOSHI, "C"),
        ("上海", CHENGSHI, "B"),
        ("黃河", HEWEI, "B"),
        # when an option is itself a number, a digit is its text
        ("1", NUMBERS, "C"),
        ("0", NUMBERS, "D"),
        ("2", ("1", "2", "3", "4"), "B"),
    ],
)
def test_a_key_names_its_option_in_any_scheme(key: str, choices: tuple[str, ...], option: str) -> None:
    assert LABELS[key_option(key, choices)] == option


@pytest.mark.parametrize(
    "key, choices, problem",
    [
        ("E", CAPITALS, "'E' names no option: there are 4 (A–D)"),
        ("オ", TOSHI, "'オ' names no option"),
        ("戊", CHENGSHI, "'戊' names no option"),
        ("⑤", HEWEI, "'⑤' names no option"),
        ("0", CAPITALS, "'0' names no option"),
        ("Rome", CAPITALS, "'Rome' is neither an option label"),
        ("東京タワー", TOSHI, "is neither an option label"),
        ("A", ("B", "A"), "'A' is ambiguous: label A is option A, but it is also the text of option B"),
        ("广州", ("广州", "广州", "北京"), "'广州' is the text of options A and B"),
    ],
)
def test_a_key_that_names_no_single_option_says_why(key: str, choices: tuple[str, ...], problem: str) -> None:
    with pytest.raises(KeyProblem, match=problem.replace("(", r"\(").replace(")", r"\)")):
        key_option(key, choices)


def grade(output: str, key: str, choices: tuple[str, ...], language: str) -> float:
    return make_grader("choice", language).grade(output, Sample("s", {}, (key,), choices)).value


@pytest.mark.parametrize(
    "output, key, choices, language, score",
    [
        ("London", "2", CAPITALS, "en", 1),
        ("C", "Berlin", CAPITALS, "en", 1),
        ("The answer is (b).", "London", CAPITALS, "en", 1),
        ("The answer is A.", "London", CAPITALS, "en", 0),
        ("京都", "イ", TOSHI, "ja", 1),
        ("答えはアです。", "イ", TOSHI, "ja", 0),
        ("B", "京都", TOSHI, "ja", 1),
        ("正解は③です。", "③", TOSHI, "ja", 1),
        ("正解は③です。", "ウ", TOSHI, "ja", 1),
        ("答えは「い」", "い", TOSHI, "ja", 1),
        ("あ", "い", TOSHI, "ja", 0),
        ("丙", "丙", CHENGSHI, "zh-Hans", 1),
        ("答案：乙", "丙", CHENGSHI, "zh-Hans", 0),
        ("B", "上海", CHENGSHI, "zh-Hans", 1),
        ("我选②，上海。", "(2)", CHENGSHI, "zh-Hans", 1),
        ("（2）黃河", "(2)", HEWEI, "zh-Hant", 1),
        ("答案是（4）", "乙", HEWEI, "zh-Hant", 0),
        ("黃河", "2", HEWEI, "zh-Hant", 1),
        ("答案是黄河", "黃河", HEWEI, "zh-Hant", 1),
    ],
)
def test_the_grader_compares_the_choice_with_a_key_in_any_scheme(
    output: str, key: str, choices: tuple[str, ...], language: str, score: float
) -> None:
    assert grade(output, key, choices, language) == score


def test_the_oracle_answer_of_every_key_form_is_read_as_that_key() -> None:
    forms = [
        "B",
        "(B)",
        "B.",
        "（B）",
        "Ｂ",
        "Ⓑ",
        "イ",
        "（イ）",
        "「イ」",
        "い",
        "「い」",
        "ろ",
        "乙",
        "②",
        "(2)",
        "（2）",
    ]
    forms += ["⑵", "2", "option 2", "Option B", "第2", "选项B", "選択肢イ", "2番", "第2项", "【B】", "❷", "ⓑ"]
    for language, choices in (("en", CAPITALS), ("ja", TOSHI), ("zh-Hans", CHENGSHI), ("zh-Hant", HEWEI)):
        for key in forms:
            assert find_choice(key, choices, language).label == "B", (language, key)
            assert grade(key, key, choices, language) == 1, (language, key)


def test_the_detail_says_which_option_a_key_names_and_why_a_key_names_none() -> None:
    grader = make_grader("choice", "ja")
    detail = grader.grade("京都", Sample("s", {}, ("イ",), TOSHI)).detail
    assert detail["key"] == {"イ": "B"} and "key_problem" not in detail
    assert "key" not in grader.grade("京都", Sample("s", {}, ("B",), TOSHI)).detail  # a Latin label says itself
    bad = grader.grade("オ", Sample("s", {}, ("オ",), TOSHI))
    assert bad.value == 0 and bad.detail["key"] == {"オ": None}
    assert bad.detail["key_problem"] == "'オ' names no option: there are 4 (A–D)"


@pytest.mark.parametrize(
    "output, choices, language, chosen, how",
    [
        ("東京都", TOSHI, "ja", "C", "option text"),
        ("答えは東京都です。", TOSHI, "ja", "C", "marked"),
        ("東京都", ("東京", "京都", "大阪", "札幌"), "ja", None, "not an option"),
        ("答えは東京都です。", ("東京", "京都", "大阪", "札幌"), "ja", None, "not an option"),
        ("東京都ではなく京都です。", ("東京", "京都", "大阪", "札幌"), "ja", "B", "option text"),
        ("東京と京都", ("東京", "京都", "大阪", "札幌"), "ja", None, "ambiguous"),
        ("东京都", ("东京", "京都", "大阪", "札幌"), "zh-Hans", None, "not an option"),
        ("答案是东京都。", ("东京", "京都", "东京都", "大阪"), "zh-Hans", "C", "marked"),
        ("東京都", ("東京", "京都", "大阪", "札幌"), "zh-Hant", None, "not an option"),
        ("北京大學", ("北京大學", "北京", "南京大學", "南京"), "zh-Hant", "A", "option text"),
        ("New York", ("New York", "York", "New Jersey", "Jersey"), "en", "A", "option text"),
        ("It is New Jersey", ("New York", "York", "New Jersey", "Jersey"), "en", "C", "option text"),
    ],
)
def test_option_texts_are_named_whole(
    output: str, choices: tuple[str, ...], language: str, chosen: str | None, how: str
) -> None:
    found = find_choice(output, choices, language)
    assert (found.label, found.how) == (chosen, how)


@pytest.mark.parametrize(
    "output, choices, language, chosen",
    [
        ("Vitamin C", ("Vitamin A", "Vitamin C", "Vitamin D", "Vitamin K"), "en", "B"),
        ("維生素C", ("維生素D", "維生素C", "維生素A", "維生素K"), "zh-Hant", "B"),
        ("答案是维生素C。", ("维生素D", "维生素C", "维生素A", "维生素K"), "zh-Hans", "B"),
        ("ビタミンC", ("ビタミンD", "ビタミンC", "ビタミンA", "ビタミンK"), "ja", "B"),
        ("Vitamin Cだと思う", ("Vitamin A", "Vitamin C", "Vitamin D", "Vitamin K"), "ja", "B"),
        ("C", ("維生素D", "維生素C", "維生素A", "維生素K"), "zh-Hant", "C"),
        ("C++", ("C", "C++", "C#", "Java"), "en", "B"),
    ],
)
def test_a_letter_inside_an_option_text_is_no_label(
    output: str, choices: tuple[str, ...], language: str, chosen: str
) -> None:
    assert find_choice(output, choices, language).label == chosen


@pytest.mark.parametrize(
    "output, language, chosen, how",
    [
        ("A. Actually, wait, it's C.", "en", "C", "corrected"),
        ("B. No, wait, D.", "en", "D", "corrected"),
        ("I think A. Actually, I mean B.", "en", "B", "corrected"),
        ("The answer is B. No, wait: D is right.", "en", "D", "marked"),
        ("The answer is B. Wait, C?", "en", "B", "marked"),
        ("Answer: B. Actually, option A describes attention.", "en", "B", "marked"),
        ("The answer is A. Actually, B and C are also wrong.", "en", "A", "marked"),
        ("B, actually.", "en", "B", "label"),
        ("Is it A? No. B? No. C? No. D.", "en", "D", "corrected"),
        ("Actually, A uses attention; B has gates. B.", "en", "B", "label"),
        ("答えはA…いや、Cです", "ja", "C", "corrected"),
        ("答えはアです。いや、待って、ウです。", "ja", "C", "corrected"),
        ("アだと思います。いや、やっぱりイ。", "ja", "B", "corrected"),
        ("アだと思いましたが、いや、待ってください。正しくはウです。", "ja", "C", "marked"),
        ("正解はイ。訂正：ウ", "ja", "C", "corrected"),
        ("我选A，等一下，是D。", "zh-Hans", "D", "corrected"),
        ("答案是B。其实，C也不对。", "zh-Hans", "B", "marked"),
        ("選A。不對，等一下，C。", "zh-Hant", "C", "corrected"),
        ("答案是甲。更正：丙。", "zh-Hant", "C", "corrected"),
        ("A：不对。B：对。C：不对。D：不对。", "zh-Hans", "B", "label"),
    ],
)
def test_a_correction_that_ends_with_a_new_label_chooses_it(output: str, language: str, chosen: str, how: str) -> None:
    found = find_choice(output, CAPITALS, language)
    assert (found.label, found.how) == (chosen, how)


@pytest.mark.parametrize(
    "output, language",
    [
        ("A: yes. B: no. C: no. D: no.", "en"),
        ("A. Actually, wait, it's C, because of the gates.", "en"),
        ("ア：はい。イ：いいえ。ウ：いいえ。", "ja"),
        ("甲：對。乙：不對，丙：不對。", "zh-Hant"),
    ],
)
def test_a_label_that_does_not_end_the_text_is_no_correction(output: str, language: str) -> None:
    assert find_choice(output, CAPITALS, language).how != "corrected"


EVAL = """id: keys.ja
description: keys in every scheme
language: ja
version: 1
data: {path: keys/ja.jsonl}
prompt: {user: "{{ question }}"}
grader: {kind: choice}
metrics: [accuracy]
checks:
  - {output: 京都, references: [イ], choices: [東京, 京都, 東京都, 大阪], score: 1}
  - {output: 答えはアです, references: [乙], choices: [東京, 京都, 東京都, 大阪], score: 0}
  - {output: ②, references: [京都], choices: [東京, 京都, 東京都, 大阪], score: 1}
"""
KEYS = ["イ", "乙", "③", "(2)", "2", "京都", "b", "B", "い", 1]
QUESTIONS = [
    "千年以上にわたって天皇が住んだ古い都はどこでしょうか",
    "金閣寺と銀閣寺の両方を訪ねられる町",
    "祇園祭が毎年七月に開かれるのは",
    "平安京が置かれた場所",
    "鴨川沿いに納涼床が並ぶ夏の風物詩で知られる",
    "清水寺の舞台から見下ろせる市街地",
    "嵐山の渡月橋",
    "伏見稲荷大社の千本鳥居を見に行くなら、どの都市へ向かえばよいか答えよ",
    "八ツ橋が名物の土地",
    "二条城で大政奉還が行われた",
]
ROWS = [
    {"id": f"q{i}", "question": question, "choices": list(TOSHI), "answers": [key]}
    for i, (question, key) in enumerate(zip(QUESTIONS, KEYS, strict=True))
]


@pytest.fixture
def keyed(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(workspace / "registry/evals/keys.ja.yaml", EVAL)
    write_jsonl(workspace / "evals/keys/ja.jsonl", ROWS)
    monkeypatch.chdir(workspace)
    return workspace


def test_data_keeps_a_label_as_written_and_an_index_or_text_as_its_latin_label(keyed: Path) -> None:
    spec = Registry.load(Workspace(keyed)).evals["keys.ja"]
    stored = [to_sample(row, spec).references[0] for row in ROWS]
    assert stored == ["イ", "乙", "③", "(2)", "2", "B", "B", "B", "い", "B"]
    with pytest.raises(SampleError, match="field 'answers': 'オ' names no option: there are 4"):
        to_sample({**ROWS[0], "answers": ["オ"]}, spec)


def test_validate_passes_checks_and_the_oracle_on_keys_in_every_scheme(
    keyed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate"]) == 0, capsys.readouterr().err
    write(keyed / "registry/evals/keys.ja.yaml", EVAL.replace("references: [乙]", "references: [オ]"))
    write_jsonl(
        keyed / "evals/keys/ja.jsonl",
        [*ROWS, {**ROWS[0], "id": "again", "question": QUESTIONS[0][:-5] + "ですか", "answers": "B"}],
    )
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert "registry/evals/keys.ja.yaml:11: check 2: reference 'オ' names no option: there are 4 (A–D)" in err
    assert "evals/keys/ja.jsonl:11: near-duplicate question (94% similar, same answer) of keys.ja q0" in err  # イ is B


def test_a_run_scores_the_oracle_1_on_keys_in_every_scheme_and_shows_them_in_few_shot_answers(
    keyed: Path, tmp_path: Path
) -> None:
    write(keyed / "registry/evals/keys.ja.yaml", EVAL.replace('prompt: {user: "{{ question }}"}', SHOTS))
    shot = {
        "id": "s1",
        "question": "大阪城がある市は",
        "choices": ["東京", "京都", "東京都", "大阪"],
        "answers": ["エ"],
    }
    write_jsonl(keyed / "evals/keys/shots.jsonl", [shot])
    (record,) = harness.run("keys.ja", "baseline/oracle", results=tmp_path / "results", registries=[keyed])
    assert record.metrics["accuracy"].mean == 1.0
    (run,) = harness.load_runs(tmp_path / "results")
    shown = {message["content"] for sample in run.samples() for message in sample.messages if message["role"] != "user"}
    assert shown == {"エ"}  # the worked example's answer is its key as written, in the eval's own labels


SHOTS = """prompt:
  user: "{{ question }}"
  few_shot: {k: 1, path: keys/shots.jsonl}"""
