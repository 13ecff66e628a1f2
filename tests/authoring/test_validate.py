"""`evalrun validate`: every kind of bad registry or data input gets one `path:line: message`, exit 2, no traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.registry.loader import Registry
from harness.registry.workspace import Workspace
from tests.support import REPO, TEST_CANARY, evalrun, write, write_jsonl
from tests.support.demo import DEMO_EVAL, DEMO_ROWS, problems


@pytest.fixture
def demo(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(workspace / "registry/evals/demo.en.yaml", DEMO_EVAL)
    write(workspace / "registry/suites/demo.yaml", "id: demo\ndescription: Demo suite.\nevals: [demo.en]\n")
    write_jsonl(workspace / "evals/demo/en.jsonl", DEMO_ROWS)
    monkeypatch.chdir(workspace)
    return workspace


def test_valid_workspace_passes(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(capsys) == (0, [])


def test_llm_jp_eval_metrics_are_valid_and_any_may_be_primary(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = demo / "registry/evals/demo.en.yaml"
    grader = "kind: f1\n  standard: llm-jp-eval"
    spec.write_text(DEMO_EVAL.replace("kind: exact", grader) + "metrics: [set_f1, char_f1]\n", encoding="utf-8")
    assert problems(capsys) == (0, [])
    (loaded,) = Registry.load(Workspace(demo)).evals.values()
    assert loaded.metrics == ("set_f1", "char_f1") and loaded.primary_metric == "set_f1"
    spec.write_text(DEMO_EVAL.replace("kind: exact", grader), encoding="utf-8")
    (loaded,) = Registry.load(Workspace(demo)).evals.values()
    assert loaded.metrics == ("char_f1", "exact_match", "set_f1")


def test_repository_registry_is_valid(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert problems(capsys) == (0, [])


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            lambda t: t.replace("grader:\n  kind: exact", "grader:\n  kind: [exact"),
            r"registry/evals/demo.en.yaml:\d+: malformed YAML",
        ),
        (lambda t: t + "colour: blue\n", r"registry/evals/demo.en.yaml:16: colour: unknown key"),
        (
            lambda t: t.replace("  max_tokens: 16", "  max_tokens: 16\n  temprature: 0"),
            r"demo.en.yaml:14: generation.temprature: unknown key",
        ),
        (
            lambda t: t.replace("version: 1", "version: one"),
            r"demo.en.yaml:5: version: must be of type integer, not str",
        ),
        (lambda t: t.replace("kind: exact", "kind: exactly"), r"demo.en.yaml:15: grader.kind: 'exactly' is not one of"),
        (lambda t: t.replace("language: en\n", ""), r"demo.en.yaml:1: file: 'language' is required"),
        (
            lambda t: t.replace("path: demo/en.jsonl", "path: demo/missing.jsonl"),
            r"demo.en.yaml:7: data file not found: evals/demo/missing.jsonl",
        ),
        (
            lambda t: t.replace("path: demo/en.jsonl", "path: ../../etc/passwd"),
            r"demo.en.yaml:7: data path '../../etc/passwd' leaves evals/",
        ),
        (
            lambda t: t.replace("path: demo/en.jsonl", "path: /etc/passwd"),
            r"demo.en.yaml:7: data path '/etc/passwd' must be relative to evals/",
        ),
        (
            lambda t: t.replace(
                "description: A demo eval.", "description: !!python/object/apply:os.system ['touch /tmp/pwned']"
            ),
            r"demo.en.yaml:2: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        ),
        (
            lambda t: t.replace("description: A demo eval.", "description: !custom hello"),
            r"demo.en.yaml:2: YAML tag '!custom' is not allowed",
        ),
        (
            lambda t: t.replace("tags: [demo]", "tags: &t [demo]\nalias_of: *t"),
            r"demo.en.yaml:\d+: YAML anchors and aliases are not allowed",
        ),
        (lambda t: t.replace("version: 1", "version: 1\nversion: 2"), r"demo.en.yaml:6: duplicate key 'version'"),
        (
            lambda t: t.replace("{{ question }}", "{{ question }} {{ hint }}"),
            r"evals/demo/en.jsonl:1: missing field 'hint' used by the prompt of demo.en",
        ),
        (
            lambda t: t.replace("{{ question }}", "{% include '/etc/passwd' %}"),
            r"demo.en.yaml:10: prompt.user: templates may not include",
        ),
        (lambda t: t.replace("{{ question }}", "{{ question "), r"demo.en.yaml:10: prompt.user: template syntax error"),
        (
            lambda t: t.replace("id: demo.en", "id: demo.other"),
            r"demo.en.yaml:1: eval id 'demo.other' must match the file name",
        ),
        (lambda t: t + "metrics: [f1]\n", r"demo.en.yaml:16: metric 'f1' is not produced by grader 'exact'"),
        (
            lambda t: t.replace("kind: exact", "kind: f1\n  standard: llm-jp-eval") + "metrics: [char_f1, f1]\n",
            r"demo.en.yaml:17: metric 'f1' is not produced by grader 'f1' \(it gives char_f1, exact_match, set_f1\)",
        ),
        (
            lambda t: t.replace("data:\n  path: demo/en.jsonl", "data:\n  id_field: id"),
            r"demo.en.yaml:6: data: give exactly one of `path`",
        ),
    ],
)
def test_bad_eval_spec(demo: Path, capsys: pytest.CaptureFixture[str], edit, expected: str) -> None:
    spec = demo / "registry/evals/demo.en.yaml"
    spec.write_text(edit(DEMO_EVAL), encoding="utf-8")
    status, lines = problems(capsys)
    assert status == 2
    assert any(re.search(expected, line) for line in lines), lines
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            ['{"id": "q1", "question": "x", "answers": ["a"]}', '{"id": "q2", "question": '],
            r"evals/demo/en.jsonl:2: invalid JSON",
        ),
        (['{"id": "q1", "question": "x", "answers": ["a"]}', "[1, 2]"], r"en.jsonl:2: a sample must be a JSON object"),
        (['{"id": "q1", "question": "x"}'], r"en.jsonl:1: field 'answers' \(the answers\) must be"),
        (['{"id": "q1", "question": "x", "answers": []}'], r"en.jsonl:1: field 'answers' \(the answers\) must be"),
        (['{"question": "x", "answers": ["a"]}'], r"en.jsonl:1: field 'id' \(the sample id\) must be"),
        (['{"id": "q1", "answers": ["a"]}'], r"en.jsonl:1: missing field 'question'"),
        (
            ['{"id": "q1", "question": "x", "answers": ["a"]}', "", '{"id": "q1", "question": "y", "answers": ["b"]}'],
            r"en.jsonl:3: duplicate sample id 'q1' \(first at line 1\)",
        ),
        ([], r"en.jsonl:1: no samples"),
    ],
)
def test_bad_jsonl(demo: Path, capsys: pytest.CaptureFixture[str], rows: list[str], expected: str) -> None:
    write(demo / "evals/demo/en.jsonl", "".join(r + "\n" for r in rows))
    status, lines = problems(capsys)
    assert status == 2
    assert any(re.search(expected, line) for line in lines), lines


def test_every_problem_is_reported_on_its_own_line(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = json.dumps({"id": "q2", "question": "x", "answers": ["a"], "canary": TEST_CANARY})
    write(demo / "evals/demo/en.jsonl", '{"id": 1\n' + good + "\n[]\n")
    write(demo / "registry/models/bad.yaml", "id: bad\nprovider: nowhere\nmodel: x\n")
    status, lines = problems(capsys)
    assert status == 2
    assert [line.split(": ")[0] for line in lines] == [
        "registry/models/bad.yaml:2",
        "evals/demo/en.jsonl:1",
        "evals/demo/en.jsonl:3",
    ]


def test_duplicate_eval_id(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(demo / "registry/evals/copy.yaml", DEMO_EVAL)
    status, lines = problems(capsys)
    assert status == 2
    assert any(
        re.search(
            r"duplicate eval id 'demo.en' \(also defined at registry/evals/copy.yaml:1\)|duplicate eval id 'demo.en' \(also defined at registry/evals/demo.en.yaml:1\)",
            line,
        )
        for line in lines
    ), lines


def test_suite_with_unknown_eval(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(demo / "registry/suites/demo.yaml", "id: demo\ndescription: Demo suite.\nevals:\n  - demo.en\n  - nope\n")
    assert problems(capsys) == (2, ["registry/suites/demo.yaml:5: suite 'demo' lists unknown eval 'nope'"])


def test_validate_named_paths_only(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(demo / "registry/models/bad.yaml", "id: bad\nprovider: openai\n")
    status, lines = problems(capsys, "registry/evals")
    assert status == 0 and lines == []
    status, lines = problems(capsys, "registry/models/bad.yaml")
    assert status == 2 and lines == ["registry/models/bad.yaml:1: file: 'model' is required"]


def test_validate_a_file_outside_the_registry(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = write(
        demo / "incoming/evals/new.yaml",
        DEMO_EVAL.replace("id: demo.en", "id: new").replace("version: 1", "version: 0"),
    )
    status, lines = problems(capsys, str(outside))
    assert status == 2
    assert lines == ["incoming/evals/new.yaml:5: version: 0 is less than the minimum of 1"]


def test_missing_path_argument(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = problems(capsys, "nowhere.yaml")
    assert status == 2 and lines[0].endswith("nowhere.yaml:1: no such file or directory")


def test_validate_subprocess_exit_code_and_no_traceback(demo: Path) -> None:
    write(demo / "registry/evals/demo.en.yaml", DEMO_EVAL.replace("kind: exact", "kind: [exact"))
    result = evalrun("validate", cwd=demo)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("registry/evals/demo.en.yaml:")


def test_validate_json(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    write(demo / "registry/suites/demo.yaml", "id: demo\ndescription: Demo suite.\nevals: [demo.en, nope]\n")
    assert main(["validate", "--json"]) == 2
    assert json.loads(capsys.readouterr().out) == [
        {"path": "registry/suites/demo.yaml", "line": 3, "message": "suite 'demo' lists unknown eval 'nope'"}
    ]


def test_a_file_that_is_not_yaml_in_the_registry(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(demo / "registry/evals/new.json", "{}")
    assert problems(capsys) == (2, ["registry/evals/new.json:1: not a registry file: entries are .yaml files"])


JAPANESE_CMRC_EVAL = (
    DEMO_EVAL.replace("id: demo.en", "id: demo.ja")
    .replace("language: en", "language: ja")
    .replace("grader:\n  kind: exact\n", "grader:\n  kind: f1\n  standard: cmrc2018\n")
)


def test_cmrc2018_on_a_japanese_eval_is_a_warning_that_fails_nothing(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.grading.provenance import JAPANESE_CMRC

    write(demo / "registry/evals/demo.ja.yaml", JAPANESE_CMRC_EVAL)
    write(demo / "registry/evals/demo.zh-Hans.yaml", JAPANESE_CMRC_EVAL.replace("ja", "zh-Hans"))
    nested = "grader:\n  kind: any_of\n  graders:\n    - kind: exact\n    - kind: em\n      standard: cmrc2018\n"
    write(
        demo / "registry/evals/demo.ja-nested.yaml",
        JAPANESE_CMRC_EVAL.replace("id: demo.ja", "id: demo.ja-nested").split("grader:")[0] + nested,
    )
    assert main(["validate"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"registry/evals/demo.ja-nested.yaml:19: warning: {JAPANESE_CMRC}",
        f"registry/evals/demo.ja.yaml:16: warning: {JAPANESE_CMRC}",
        "ok: no problems found (2 warnings above)",
    ]
    assert main(["validate", "--json", "registry/evals/demo.ja.yaml"]) == 0
    captured = capsys.readouterr()
    assert (
        json.loads(captured.out) == [] and captured.err == f"registry/evals/demo.ja.yaml:16: warning: {JAPANESE_CMRC}\n"
    )
    write(demo / "registry/suites/demo.yaml", "id: demo\ndescription: Demo suite.\nevals: [demo.en, nope]\n")
    assert main(["validate"]) == 2  # a problem still fails, with the warnings beside it
    assert "warning:" in capsys.readouterr().err
