"""Grader blocks: options and their defaults by language, regex/fuzzy/json graders, combinations, `checks:`,
`--option`, and `evalrun grade` explaining each score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.grading import make_grader
from harness.grading.normalize import Normalization, normalize
from harness.registry.graders import config_problems
from harness.types import Sample
from tests.support import REPO, evalrun, write, write_jsonl
from tests.support.demo import DEMO_EVAL, DEMO_ROWS, problems


def sample(*references: str) -> Sample:
    return Sample("s", {}, references)


@pytest.mark.parametrize(
    "text, language, options, expected",
    [
        ("台灣", "zh-Hant", {}, "臺灣"),  # Traditional text is kept, but for its variant forms (台 = 臺)
        ("台湾", "zh-Hant", {}, "臺灣"),  # and Simplified text is read in Traditional characters
        ("发展", "zh-Hans", {}, "發展"),  # on Simplified evals too, so that 發 and 髮 stay apart
        ("臺灣", "zh-Hans", {"fold_variants": "t2s"}, "台湾"),
        ("臺灣", "zh-Hant", {"fold_variants": False}, "臺灣"),
        ("臺灣", "ja", {}, "台湾"),  # Japanese: old forms read as today's kanji (OpenCC t2jp)
        ("臺灣", "ja", {"fold_variants": False}, "臺灣"),
        ("コンピュータ", "ja", {}, "コンピュータ"),
        ("コンピュータ", "ja", {"fold_kana": True}, "こんぴゅーた"),
        ("ｺﾝﾋﾟｭｰﾀ", "ja", {"fold_kana": True}, "こんぴゅーた"),
        ("The Beatles", "en", {}, "beatles"),
        ("The Beatles", "en", {"drop_articles": False}, "the beatles"),
    ],
)
def test_normalization_options_and_language_defaults(
    text: str, language: str, options: dict[str, bool], expected: str
) -> None:
    assert normalize(text, language, Normalization.for_language(language, options)) == expected


def test_normalization_is_idempotent_on_mixed_scripts() -> None:
    for text in ("「東京」　タワー！", "臺灣，1,750億。", "ＧＰＴ－４ｏ", "The  “Hamlet”", "1.5 billion"):
        for language in ("en", "ja", "zh-Hans", "zh-Hant"):
            once = normalize(text, language)
            assert normalize(once, language) == once


@pytest.mark.parametrize(
    "output, references, language, score",
    [
        ("臺灣", ("台湾",), "zh-Hant", 1.0),
        ("台湾", ("臺灣",), "zh-Hans", 1.0),
        ("因信稱義", ("因信称义",), "zh-Hant", 1.0),
        ("臺灣", ("台湾",), "ja", 1.0),  # kyūjitai
        ("頭發", ("頭髮",), "zh-Hant", 0.0),  # distinct Traditional characters
        ("範仲淹", ("范仲淹",), "zh-Hans", 0.0),
    ],
)
def test_exact_match_across_chinese_scripts(
    output: str, references: tuple[str, ...], language: str, score: float
) -> None:
    assert make_grader("exact", language).grade(output, sample(*references)).value == score


def test_regex_extracts_the_last_answer_and_compares_it() -> None:
    grader = make_grader("regex", "ja", pattern=r"答え[:：]\s*(?P<answer>[^\s、。…]+)", group="answer")
    score = grader.grade("答え：大阪……いや、答え：東京", sample("東京"))
    assert (score.value, score.detail["extracted"]) == (1.0, "東京")
    missing = grader.grade("わかりません", sample("東京"))
    assert missing.unparsed and missing.value == 0.0 and missing.detail["extracted"] is None
    whole = make_grader("regex", "en", pattern=r"\d{4}").grade("Released in 2018, updated 2019", sample("2019"))
    assert whole.value == 1.0


def test_fuzzy_passes_near_misses_at_its_threshold() -> None:
    loose = make_grader("fuzzy", "en", threshold=0.8)
    assert loose.grade("Ilya Sutskevar", sample("Ilya Sutskever")).value == 1.0
    score = make_grader("fuzzy", "en", threshold=0.95).grade("Ilya Sutskevar", sample("Ilya Sutskever"))
    assert score.value == 0.0 and score.metrics["similarity"] == pytest.approx(1 - 1 / 14)  # one edit in 14 characters


def test_json_grader_finds_validates_and_compares() -> None:
    schema = {"type": "object", "required": ["year"], "properties": {"year": {"type": "integer"}}}
    grader = make_grader("json", "en", schema=schema)
    assert grader.grade('Here you go:\n```json\n{"year": 2018}\n```', sample("x")).value == 1.0
    assert grader.grade('The answer is {"year": 2018}.', sample("x")).value == 1.0
    wrong = grader.grade('{"year": "2018"}', sample("x"))
    assert wrong.value == 0.0 and wrong.detail["schema_errors"]
    assert grader.grade("no json here", sample("x")).unparsed
    equal = make_grader("json", "en", schema=schema, compare="equal")
    assert equal.grade('{"year": 2018}', sample('{"year": 2018}')).value == 1.0
    assert equal.grade('{"year": 2019}', sample('{"year": 2018}')).value == 0.0


def test_combinations() -> None:
    parts = [{"kind": "exact"}, {"kind": "includes"}]
    assert make_grader("any_of", "en", graders=parts).grade("It is Tokyo.", sample("Tokyo")).value == 1.0
    assert make_grader("all_of", "en", graders=parts).grade("It is Tokyo.", sample("Tokyo")).value == 0.0
    weighted = make_grader("weighted", "en", graders=[{"kind": "exact", "weight": 3}, {"kind": "includes"}])
    score = weighted.grade("It is Tokyo.", sample("Tokyo"))
    assert score.value == pytest.approx(0.25) and [p["value"] for p in score.detail["parts"]] == [0.0, 1.0]


@pytest.mark.parametrize(
    "config, message",
    [
        ({"kind": "exact", "tolerance": 0.1}, "'tolerance' does not apply to grader 'exact'"),
        ({"kind": "regex"}, "needs the option 'pattern'"),
        ({"kind": "regex", "pattern": "(unclosed"}, "invalid regular expression"),
        ({"kind": "regex", "pattern": "(?P<a>x)", "group": "b"}, "'b' is not a named group"),
        ({"kind": "f1", "standard": "cmrc2018", "fold_kana": True}, "applies only to the cjk standard"),
        ({"kind": "json", "schema": {"type": "nope"}}, "not a valid JSON Schema"),
        ({"kind": "json", "schema": {"$ref": "https://example.org/s.json"}}, "points outside the schema"),
        ({"kind": "any_of", "graders": [{"kind": "exact", "unit": "GB"}]}, "'unit' does not apply"),
        ({"kind": "exact", "weight": 2}, "'weight' does not apply"),
        ({"kind": "switch", "field": "type"}, "needs the option 'cases'"),
        ({"kind": "switch", "field": "t", "cases": {"date": {"kind": "date", "unit": "GB"}}}, "'unit' does not apply"),
        (
            {"kind": "switch", "field": "t", "cases": {"x": {"kind": "exact"}}, "otherwise": {"kind": "judge"}},
            "a judge",
        ),
    ],
)
def test_config_problems(config: dict[str, object], message: str) -> None:
    found = [text for _, text in config_problems(config)]
    assert any(message in text for text in found), found


CHECKED = DEMO_EVAL.replace(
    "grader:\n  kind: exact\n",
    "grader:\n  kind: includes\nchecks:\n  - output: It is Tokyo.\n    references: [Tokyo]\n    score: 1\n"
    "  - output: Kyoto\n    references: [Tokyo]\n    score: 1\n",
)


def test_validate_runs_the_grader_checks(workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    write(workspace / "registry/evals/demo.en.yaml", CHECKED)
    write_jsonl(workspace / "evals/demo/en.jsonl", DEMO_ROWS)
    monkeypatch.chdir(workspace)
    status, lines = problems(capsys)
    assert status == 2
    assert lines == ["registry/evals/demo.en.yaml:20: check 2: the grader gives 0 for output 'Kyoto', not 1"]


def test_validate_reports_grader_options_at_their_line(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    spec = DEMO_EVAL.replace("grader:\n  kind: exact\n", "grader:\n  kind: f1\n  standard: jsquad\n  fold_kana: true\n")
    write(workspace / "registry/evals/demo.en.yaml", spec)
    write_jsonl(workspace / "evals/demo/en.jsonl", DEMO_ROWS)
    monkeypatch.chdir(workspace)
    status, lines = problems(capsys)
    assert status == 2 and len(lines) == 1 and lines[0].startswith("registry/evals/demo.en.yaml:17: grader:")


def test_grade_command_explains_a_score(tmp_path: Path) -> None:
    result = evalrun(
        "grade", "--grader", "includes", "--output", "1945年です", "--reference", "1", "--language", "ja", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "score 0.000" in result.stdout and '"1", "9", "4", "5"' not in result.stdout
    assert 'output_tokens: ["1945", "年", "で", "す"]' in result.stdout


def test_grade_command_reads_a_file_and_reports_bad_lines(tmp_path: Path) -> None:
    pairs = write(
        tmp_path / "pairs.jsonl",
        json.dumps({"output": "臺灣", "references": ["台湾"]}, ensure_ascii=False)
        + "\n"
        + json.dumps({"output": "x", "references": ["\u53f0\u6e7e", "x"]})
        + "\n",
    )
    result = evalrun(
        "grade", "--grader", "exact", "--language", "zh-Hant", "--input", str(pairs), "--json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [r["score"] for r in document["results"]] == [1.0, 1.0]
    bad = write(tmp_path / "bad.jsonl", '{"output": "x", "references": ["x"]}\nnot json\n{"output": 3}\n')
    result = evalrun("grade", "--grader", "exact", "--input", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert [line.split(":")[1] for line in result.stderr.splitlines()] == ["2", "3"]


def test_grade_command_keeps_line_separators_inside_strings_and_escapes_what_could_fool_a_terminal(
    tmp_path: Path,
) -> None:
    lines = [{"output": "東京\u2028です", "references": ["東京"]}, {"output": "x\u0085y\u202e", "references": ["x"]}]
    pairs = write(tmp_path / "pairs.jsonl", "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    for extra in ([], ["--json"]):
        result = evalrun(
            "grade", "--grader", "includes", "--language", "ja", "--input", str(pairs), *extra, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert not any(ch in result.stdout for ch in "\u2028\u0085\u202e"), extra
    document = json.loads(result.stdout)
    assert [r["line"] for r in document["results"]] == [1, 2]
    assert [r["output"] for r in document["results"]] == [line["output"] for line in lines]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--grader", "exact", "--option", "tolerance=0.1"], "'tolerance' does not apply"),
        (["--grader", "fuzzy", "--option", "threshold=2"], "grader option threshold"),
        (["--grader", "f1", "--option", "standard"], "write KEY=VALUE"),
        (["--grader", "judge", "--option", "rubric=correctness"], "a judge needs a model"),
        (["--grader", "exact"], "give either --output"),
    ],
)
def test_grade_command_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    extra = ["--output", "a", "--reference", "a"] if args != ["--grader", "exact"] else []
    result = evalrun("grade", *args, *extra, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("東京臺灣台湾發展すしスシｽｼ。、，．・「」『』【】〈〉《》（）！？：；〜…　１２３ＡＢ億亿万"),
    ),
    max_size=30,
)
LANGUAGES = st.sampled_from(["en", "ja", "zh-Hans", "zh-Hant"])


@settings(max_examples=300, deadline=None)
@given(TEXT, LANGUAGES, st.booleans())
def test_normalization_is_idempotent(text: str, language: str, fold_kana: bool) -> None:
    steps = Normalization.for_language(language, {"fold_kana": fold_kana})
    once = normalize(text, language, steps)
    assert normalize(once, language, steps) == once


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, LANGUAGES)
def test_own_f1_is_symmetric_and_bounded(a: str, b: str, language: str) -> None:
    f1 = make_grader("f1", language)
    forward, backward = f1.grade(a, sample(b)), f1.grade(b, sample(a))
    assert 0.0 <= forward.value <= 1.0
    assert forward.value == pytest.approx(backward.value)
    assert forward.metrics["em"] <= forward.value
    assert f1.grade(a, sample(a)).value == 1.0


def test_run_takes_grader_options_and_tells_the_run_apart(tmp_path: Path) -> None:
    def run(*extra: str) -> Any:
        command = ("run", "comprehension.ja", "--model", "baseline/reader", "--json", "--results", str(tmp_path))
        return evalrun(*command, *extra, cwd=REPO)

    plain, jsquad, bad = run(), run("--option", "standard=jsquad"), run("--option", "tolerance=0.1")
    assert plain.returncode == jsquad.returncode == 0, plain.stderr + jsquad.stderr
    a, b = (json.loads(r.stdout)["runs"][0] for r in (plain, jsquad))
    assert b["eval"]["grader_options"] == {**a["eval"]["grader_options"], "standard": "jsquad"}
    assert a["eval"]["spec_hash"] != b["eval"]["spec_hash"]  # results tables and compare see a different grader
    assert a["metrics"]["f1"]["mean"] != b["metrics"]["f1"]["mean"]
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "evalrun: eval 'comprehension.ja': grader option 'tolerance' does not apply to grader 'em' "
        "(it takes: standard, drop_articles, fold_variants, same_script, fold_kana)"
    )


def test_run_with_the_llm_jp_eval_standard_reports_its_metrics(tmp_path: Path) -> None:
    command = ("run", "comprehension.ja", "--model", "baseline/oracle", "--limit", "3", "--json")
    result = evalrun(*command, "--option", "standard=llm-jp-eval", "--results", str(tmp_path), cwd=REPO)
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)["runs"][0]  # the eval lists `metrics: [em, f1]`, which this grader does not give
    assert run["eval"]["metrics"] == ["exact_match", "char_f1", "set_f1"] and run["primary_metric"] == "exact_match"
    assert {name: found["mean"] for name, found in run["metrics"].items()} == {
        "exact_match": 1.0,
        "char_f1": 1.0,
        "set_f1": 1.0,
    }


def test_grade_command_takes_any_valid_language_tag(tmp_path: Path) -> None:
    taiwan = ("--grader", "exact", "--output", "臺灣", "--reference", "台湾", "--json")
    for tag, score in (("ko", 0.0), ("en-GB", 0.0), ("zh-TW", 1.0)):  # Chinese folds variants, whatever its region
        result = evalrun("grade", *taiwan, "--language", tag, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        assert document["language"] == tag and [r["score"] for r in document["results"]] == [score]
    for tag, message in (("en_US", "did you mean 'en-US'?"), ("klingon", "is not a valid BCP-47 language tag")):
        result = evalrun("grade", *taiwan, "--language", tag, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"argument --language: {tag!r}" in result.stderr and message in result.stderr, result.stderr


def test_switch_grades_each_sample_by_the_grader_its_field_names() -> None:
    """Dates by value, numbers by value, text by inclusion: `July 2017` is not `June 2017`, though numeric would find
    2017 in both, and `2017年6月` is."""
    grader = make_grader(
        "switch",
        "en",
        field="type",
        cases={"date": {"kind": "date"}, "number": {"kind": "numeric"}},
        otherwise={"kind": "includes"},
    )

    def typed(answer: str, kind: str | None) -> Sample:
        return Sample("q", {"type": kind} if kind else {}, (answer,))

    assert grader.grade("2017年6月", typed("June 2017", "date")).value == 1.0
    assert grader.grade("July 2017", typed("June 2017", "date")).value == 0.0
    assert grader.grade("175B", typed("175 billion", "number")).value == 1.0
    assert grader.grade("It is Attention Is All You Need.", typed("Attention Is All You Need", None)).value == 1.0
    score = grader.grade("1750億", typed("175 billion", "number"))
    assert score.detail["case"] == "number" and score.detail["kind"] == "numeric" and score.metrics == {"accuracy": 1.0}
    strict = make_grader("switch", "en", field="type", cases={"date": {"kind": "date"}})
    with pytest.raises(ValueError, match="'type' is 'number', which no case of the switch grades"):
        strict.grade("175B", typed("175 billion", "number"))


def test_grade_input_lines_and_checks_give_a_switch_grader_its_field(tmp_path: Path) -> None:
    from tests.support import REPO, evalrun

    lines = [
        {"output": "2017-06", "references": ["June 2017"], "type": "date"},
        {"output": "July 2017", "references": ["June 2017"], "type": "date"},
        {"output": "About 175B.", "references": ["175 billion"], "type": "number"},
        {"output": "2017-06", "references": ["June 2017"]},  # no type: graded as text
    ]
    found = tmp_path / "outputs.jsonl"
    found.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = evalrun("grade", "--eval", "gpt-history.en", "--input", str(found), "--json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert [r["score"] for r in json.loads(result.stdout)["results"]] == [1.0, 0.0, 1.0, 0.0]


def test_huge_weights_still_give_a_weighted_mean() -> None:
    grader = make_grader(
        "weighted", "en", graders=[{"kind": "exact", "weight": 1.7e308}, {"kind": "includes", "weight": 0.85e308}]
    )
    assert grader.grade("Paris", sample("Paris")).value == 1.0
    assert grader.grade("It is Paris", sample("Paris")).value == pytest.approx(1 / 3)


def test_a_score_outside_0_to_1_fails_its_sample_instead_of_reaching_the_records() -> None:
    import asyncio

    from harness.grading.isolation import GradingFailed
    from harness.grading.scorer import Isolated
    from harness.types import Score

    class Broken:
        def grade(self, output: str, sample: Sample) -> Score:
            return Score(float("nan"), {"accuracy": float("nan")})

    with pytest.raises(GradingFailed, match="not a number from 0 to 1"):
        asyncio.run(Isolated(Broken()).score("x", sample("x")))
