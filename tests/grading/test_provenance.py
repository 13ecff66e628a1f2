"""What a grader block's scores rest on: nltk's version for cmrc2018, and the warning cmrc2018 gets on Japanese text
(in `evalrun grade` as a note; `evalrun validate`'s warnings are tested with it, in tests/authoring)."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from harness.grading.provenance import JAPANESE_CMRC, grader_libraries, language_warnings, standards_in
from tests.support import evalrun

CMRC = {"kind": "f1", "standard": "cmrc2018"}
NESTED = {
    "kind": "any_of",
    "graders": [{"kind": "exact"}, {"kind": "switch", "field": "type", "cases": {"span": CMRC}, "otherwise": CMRC}],
}


def test_standards_are_found_inside_combinations_and_switches() -> None:
    assert list(standards_in(CMRC)) == [(("standard",), "cmrc2018")]
    assert list(standards_in(NESTED)) == [
        (("graders", 1, "cases", "span", "standard"), "cmrc2018"),
        (("graders", 1, "otherwise", "standard"), "cmrc2018"),
    ]
    assert list(standards_in({"kind": "em"})) == []  # the default, cjk, is no official standard


@pytest.mark.parametrize(
    "config, wanted",
    [(CMRC, True), (NESTED, True), ({"kind": "f1", "standard": "squad-v1.1"}, False), ({"kind": "exact"}, False)],
)
def test_only_cmrc2018_depends_on_nltk(config: dict[str, object], wanted: bool) -> None:
    libraries = grader_libraries(config)
    assert (libraries.get("nltk") == version("nltk")) if wanted else libraries == {}


@pytest.mark.parametrize(
    "language, warned",
    [("ja", True), ("ja-JP", True), ("JA", True), ("zh-Hans", False), ("zh-Hant", False), ("en", False)],
)
def test_cmrc2018_is_a_warning_on_japanese_only(language: str, warned: bool) -> None:
    assert language_warnings(CMRC, language) == ([(("standard",), JAPANESE_CMRC)] if warned else [])
    assert language_warnings({"kind": "f1", "standard": "jsquad"}, language) == []


def test_grade_notes_cmrc2018_on_japanese_once_and_off_stdout(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    lines = [
        {"output": "東京です. It is Tokyo.", "references": ["東京"]},
        {"output": "とうきょう", "references": ["東京"]},
    ]
    pairs.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    base = ("grade", "--grader", "f1", "--option", "standard=cmrc2018", "--input", str(pairs))
    result = evalrun(*base, "--language", "ja", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"note: {JAPANESE_CMRC}\n"
    tokens = [r["explanation"]["output_tokens"] for r in json.loads(result.stdout)["results"]]
    assert tokens == [["東", "京", "です", ".", "it", "is", "tokyo", "."], ["とうきょう"]]
    for language in ("zh-Hans", "zh-Hant", "en"):
        quiet = evalrun(*base, "--language", language, cwd=tmp_path)
        assert quiet.returncode == 0 and quiet.stderr == "", language
