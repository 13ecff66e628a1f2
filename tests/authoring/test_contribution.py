"""What `evalrun validate` checks for a task pull request beyond the schema: data card, canary, language tag, oracle
self-test, duplicate questions, size limits; and `--changed-since`, `--preview`, `list --changed-since --ids`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.authoring.overlap import Question, duplicate_problems
from harness.cli import main
from tests.support import CARD, REPO, TEST_CANARY, evalrun, write, write_jsonl
from tests.support.demo import TASK_EVAL, TASK_ROWS, git


@pytest.fixture
def demo(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(workspace / "registry/evals/demo.en.yaml", TASK_EVAL)
    write_jsonl(workspace / "evals/demo/en.jsonl", TASK_ROWS)
    monkeypatch.chdir(workspace)
    return workspace


def problems(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    status = main(["validate", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("ok:")]
    assert status == (2 if lines else 0), err
    return lines


def test_a_complete_contribution_passes(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(capsys) == []  # GPT-2 vs GPT-3: similar questions, different answers, not duplicates


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        (None, "registry/evals/demo.en.yaml:6: no data card: evals/demo/README.md is missing"),
        ("# Demo\n", "evals/demo/README.md:1: a data card starts with YAML front matter between --- lines"),
        ("---\nlicense: MIT\n", "evals/demo/README.md:1: a data card starts with YAML front matter"),
        (CARD.replace("license: CC-BY-4.0\n", ""), "evals/demo/README.md:2: file: 'license' is required"),
        (CARD.replace("CC-BY-4.0", "free to use"), "evals/demo/README.md:2: license: 'free to use' does not match"),
        (CARD.replace(TEST_CANARY, "not-a-guid"), "evals/demo/README.md:4: canary: 'not-a-guid' does not match"),
        (
            CARD.replace("source: Written for evalrun's tests", "source: []"),
            "evals/demo/README.md:3: source: [] is not valid",
        ),
        (CARD.replace("license: CC-BY-4.0", "license: !!python/name:os.system"), "evals/demo/README.md:2: YAML tag"),
    ],
)
def test_data_card_problems(demo: Path, capsys: pytest.CaptureFixture[str], card: str | None, expected: str) -> None:
    if card is None:
        (demo / "evals/demo/README.md").unlink()
    else:
        write(demo / "evals/demo/README.md", card)
    found = problems(capsys)
    assert any(line.startswith(expected) for line in found), found


def test_every_data_file_carries_the_canary(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_jsonl(demo / "evals/demo/en.jsonl", TASK_ROWS, card=False)
    expected = (
        f"evals/demo/en.jsonl:1: the canary GUID {TEST_CANARY} (evals/demo/README.md:4) is not in this file: "
        "put it on every line, as the card says"
    )
    assert problems(capsys) == [expected]


def test_a_card_shared_by_two_evals_is_reported_once(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    japanese = (
        TASK_EVAL.replace("demo.en", "demo.ja").replace("language: en", "language: ja").replace("en.jsonl", "ja.jsonl")
    )
    write(demo / "registry/evals/demo.ja.yaml", japanese)
    write_jsonl(demo / "evals/demo/ja.jsonl", [{"id": "j1", "question": "日本の首都は？", "answers": ["東京"]}])
    write(demo / "evals/demo/README.md", "# no front matter\n")
    assert [line.split(": ")[0] for line in problems(capsys)] == ["evals/demo/README.md:1"]


@pytest.mark.parametrize("tag", ["ko", "en-GB", "zh-TW", "sr-Latn-RS", "ja-JP"])
def test_any_valid_bcp47_tag_is_accepted(demo: Path, capsys: pytest.CaptureFixture[str], tag: str) -> None:
    write(demo / "registry/evals/demo.en.yaml", TASK_EVAL.replace("language: en", f"language: {tag}"))
    assert problems(capsys) == []


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("en_US", "language: 'en_US' is not a valid BCP-47 language tag (did you mean 'en-US'?)"),
        ("jp", "language: 'jp' is not a valid BCP-47 language tag; e.g. en, ja, zh-Hans"),
        ("zh-Hanz", "language: 'zh-Hanz' is not a valid BCP-47 language tag"),
        ("english", "language: 'english' is not a valid BCP-47 language tag"),
    ],
)
def test_invalid_language_tags(demo: Path, capsys: pytest.CaptureFixture[str], tag: str, message: str) -> None:
    write(demo / "registry/evals/demo.en.yaml", TASK_EVAL.replace("language: en", f"language: {tag}"))
    found = problems(capsys)
    assert len(found) == 1 and found[0].startswith(f"registry/evals/demo.en.yaml:3: {message}"), found


def test_the_oracle_self_test_finds_answers_the_grader_cannot_give_full_marks(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(demo / "registry/evals/demo.en.yaml", TASK_EVAL.replace("kind: exact", "kind: numeric"))
    write_jsonl(demo / "evals/demo/en.jsonl", [*TASK_ROWS[1:], {"id": "q4", "question": "Who?", "answers": ["Ilya"]}])
    expected = "evals/demo/en.jsonl:3: oracle self-test: reference 'Ilya' given as the answer scores 0, not 1, with grader 'numeric'"
    assert problems(capsys) == [expected]


def test_duplicate_questions_within_and_across_evals(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [*TASK_ROWS, {"id": "q4", "question": "what is the capital of japan", "answers": ["Tokyo"]}]
    write_jsonl(demo / "evals/demo/en.jsonl", rows)
    other = TASK_EVAL.replace("demo.en", "other.en").replace("demo/en.jsonl", "other/en.jsonl")
    write(demo / "registry/evals/other.en.yaml", other)
    write_jsonl(
        demo / "evals/other/en.jsonl",
        [{"id": "o1", "question": "How many parameters does GPT-3 have ?", "answers": ["175B", "175 billion"]}],
    )
    assert problems(capsys) == [
        "evals/demo/en.jsonl:4: duplicate question: the same as demo.en q1 (evals/demo/en.jsonl:1)",
        "evals/other/en.jsonl:1: duplicate question: the same as demo.en q3 (evals/demo/en.jsonl:3)",
    ]


def question(eval_id: str, line: int, text: str, answers: set[str], path: str = "a.jsonl") -> Question:
    return Question(eval_id, f"s{line}", path, line, "", text, frozenset(answers))


def test_near_duplicates_need_a_common_answer() -> None:
    near = [
        question("e", 1, "which company released gpt4 in march 2023", {"openai"}),
        question("e", 2, "which company released gpt4 in march 2024", {"openai"}),
        question("e", 3, "which company released gpt4 in march 2025", {"nobody"}),
    ]
    (found,) = duplicate_problems(near)
    assert (found.line, found.message) == (2, "near-duplicate question (98% similar, same answer) of e s1 (a.jsonl:1)")


def test_a_duplicate_is_reported_in_the_file_under_review() -> None:
    old, new = question("old", 1, "same", {"x"}, "old.jsonl"), question("new", 1, "same", {"x"}, "new.jsonl")
    (found,) = duplicate_problems([old, new], reported=lambda path: path == "old.jsonl")
    assert found.path == "old.jsonl" and "new s1 (new.jsonl:1)" in found.message


def test_questions_about_different_passages_are_not_duplicates() -> None:
    same = [question("e", 1, "who wrote it", {"a"}), question("e", 2, "who wrote it", {"a"})]
    other = Question("e", "s3", "a.jsonl", 3, "another passage", "who wrote it", frozenset({"a"}))
    assert len(duplicate_problems([*same, other])) == 1


def test_size_limits(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(demo / "evals/demo/en.jsonl", "ab") as data:
        data.write(b'{"id": "big", "question": "' + b"x" * (2 << 20) + b'", "answers": ["x"]}\n')
    assert problems(capsys) == ["evals/demo/en.jsonl:4: line is longer than 1,048,576 bytes"]
    with open(demo / "evals/demo/en.jsonl", "r+b") as data:
        data.truncate(51 << 20)  # sparse: costs no disk
    assert problems(capsys)[0].startswith("evals/demo/en.jsonl:1: data file is 51 MB; the limit is 50 MB")
    write(demo / "registry/evals/demo.en.yaml", TASK_EVAL + "# padding\n" * 200_000)
    assert problems(capsys)[0].startswith("registry/evals/demo.en.yaml:1: file is 2,")


def test_changed_since_checks_only_what_a_pull_request_touches(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(demo, "init", "-q", "-b", "main")
    write_jsonl(demo / "evals/old/en.jsonl", [{"id": "x", "question": "Q?", "answers": [""]}])  # broken, already merged
    write(demo / "registry/evals/old.en.yaml", TASK_EVAL.replace("demo.en", "old.en").replace("demo/en", "old/en"))
    git(demo, "add", "-A")
    git(demo, "commit", "-qm", "base")
    assert problems(capsys, "--changed-since", "main") == []
    git(demo, "checkout", "-qb", "pr")
    rows = [*TASK_ROWS, {"id": "q4", "question": "Who founded OpenAI?", "answers": []}]
    write_jsonl(demo / "evals/demo/en.jsonl", rows)  # changed, not committed
    found = problems(capsys, "--changed-since", "main")
    assert [line.split(": ")[0] for line in found] == ["evals/demo/en.jsonl:4"]
    assert len(problems(capsys)) == 2  # the whole registry: the old problem too
    listed = evalrun("list", "--changed-since", "main", "--ids", cwd=demo)
    assert listed.returncode == 0 and listed.stdout.split() == ["demo.en"]
    write(demo / "evals/demo/README.md", CARD + "\nMore words.\n")  # a card change touches its evals
    git(demo, "add", "-A")
    git(demo, "commit", "-qm", "pr")
    assert evalrun("list", "--changed-since", "main", "--ids", cwd=demo).stdout.split() == ["demo.en"]
    bad = evalrun("validate", "--changed-since", "no-such-branch", cwd=demo)
    assert bad.returncode == 2 and bad.stderr.startswith("evalrun: --changed-since: git merge-base: fatal:")


def test_preview_shows_prompts_and_references_escaped(demo: Path) -> None:
    rows = [{"id": "q1", "question": "Capital of\nJapan?\x1b[2J", "answers": ["Tokyo", "東京"]}]
    write_jsonl(demo / "evals/demo/en.jsonl", rows)
    result = evalrun("validate", "--preview", "demo.en", cwd=demo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "demo.en (en, grader exact, metrics accuracy)",
        "",
        "── sample q1 " + "─" * 58,
        "[user]",
        "    Q: Capital of",
        "    Japan?\\x1b[2J",
        "    A:",
        "references: Tokyo | 東京",
    ]
    unknown = evalrun("validate", "--preview", "nope", cwd=demo)
    assert (
        unknown.returncode == 2
        and unknown.stderr.splitlines()[-1] == "evalrun: unknown eval 'nope'; `evalrun list` shows them"
    )


def test_the_shipped_registry_passes_every_contribution_check() -> None:
    result = evalrun("validate", "--json", cwd=REPO)
    assert result.returncode == 0 and json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "prompt.user: templates may not reach '__mro__'"),
        ("{{ cycler.__init__.__globals__ }}", "prompt.user: templates may not reach '__globals__'"),
        ("{{ question['__class__'] }}", "prompt.user: templates may not reach '__class__'"),
        ("{{ question.upper() }}", "prompt.user: templates may not call functions or methods"),
        ("{{ lipsum() }}", "prompt.user: templates may not call functions or methods"),
    ],
)
def test_templates_cannot_reach_beyond_sample_data(
    demo: Path, capsys: pytest.CaptureFixture[str], template: str, message: str
) -> None:
    write(
        demo / "registry/evals/demo.en.yaml", TASK_EVAL.replace("Q: {{ question }}\\nA:", template.replace('"', '\\"'))
    )
    found = problems(capsys)
    assert found and found[0].startswith(f"registry/evals/demo.en.yaml:8: {message}"), found


def test_plain_templates_with_filters_and_loops_are_fine(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = "{{ question | upper }}{% for a in answers %} {{ loop.index }}{% endfor %}"
    write(demo / "registry/evals/demo.en.yaml", TASK_EVAL.replace("Q: {{ question }}\\nA:", template))
    assert problems(capsys) == []


def test_validating_an_eval_file_reports_duplicates_in_its_data(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = TASK_EVAL.replace("demo.en", "other.en").replace("demo/en.jsonl", "other/en.jsonl")
    write(demo / "registry/evals/other.en.yaml", other)
    write_jsonl(
        demo / "evals/other/en.jsonl", [{"id": "o1", "question": TASK_ROWS[0]["question"], "answers": ["Tokyo"]}]
    )
    assert problems(capsys, "registry/evals/other.en.yaml") == [
        "evals/other/en.jsonl:1: duplicate question: the same as demo.en q1 (evals/demo/en.jsonl:1)"
    ]
