"""`evalrun new`: a scaffold of every grader kind and language validates as written, and the oracle scores it 1.0."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.authoring.scaffold import SETUPS
from harness.cli import main
from harness.registry.graders import KINDS
from tests.support import evalrun

LANGUAGES = ("en", "ja", "zh-Hans")
FRONT_MATTER = re.compile(
    r'---\nlicense: CC-BY-4\.0\nsource: "TODO: [^"\n]+"\ncanary: ([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\n---\n'
)


@pytest.fixture
def here(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scratch workspace as the current directory (evalrun's judge rubrics come from the built-in registry)."""
    monkeypatch.chdir(workspace)
    monkeypatch.delenv("EVALRUN_HOME", raising=False)
    return workspace


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`evalrun ARGS` in this process: exit status, stdout, stderr."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def new(capsys: pytest.CaptureFixture[str], eval_id: str, language: str, kind: str, *extra: str) -> dict[str, object]:
    """Scaffold an eval with `--json` and return what it printed."""
    status, out, err = run_cli(capsys, "new", eval_id, "--lang", language, "--grader", kind, "--json", *extra)
    assert status == 0, err
    return json.loads(out)


def test_every_grader_kind_has_a_scaffold() -> None:
    assert sorted(SETUPS) == sorted(KINDS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_scaffold_validates_and_the_oracle_scores_it_1(
    here: Path, capsys: pytest.CaptureFixture[str], kind: str, language: str
) -> None:
    stem = language.lower()
    made = new(capsys, f"demo.{stem}", language, kind)
    card = (here / "evals/demo/README.md").read_text(encoding="utf-8")
    guid = FRONT_MATTER.match(card)
    assert guid and made["canary"] == guid.group(1)
    assert made["created"] == [f"registry/evals/demo.{stem}.yaml", f"evals/demo/{stem}.jsonl", "evals/demo/README.md"]
    rows = [json.loads(line) for line in (here / f"evals/demo/{stem}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [f"demo-{stem}-001", f"demo-{stem}-002"]
    assert {row["canary"] for row in rows} == {f"evalrun canary GUID {made['canary']}"}
    status, _, err = run_cli(capsys, "validate")
    assert status == 0, err
    if kind == "judge":
        return  # the oracle is graded by a judging model, which a test does not have
    status, out, err = run_cli(capsys, "run", f"demo.{stem}", "--model", "baseline/oracle", "--json", "--quiet")
    assert status == 0, err
    (summary,) = json.loads(out)["runs"]
    assert summary["counts"]["scored"] == 2 and summary["counts"]["unparsed"] == 0
    assert summary["metrics"][KINDS[kind].metrics[0]]["mean"] == 1.0


def test_family_members_share_the_card_and_its_canary(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = new(capsys, "demo.ja", "ja", "includes")
    card = (here / "evals/demo/README.md").read_bytes()
    for eval_id, language in (("demo.en", "en"), ("demo.zh-hans", "zh-Hans"), ("demo.zh-hant", "zh-Hant")):
        member = new(capsys, eval_id, language, "includes")
        assert member["canary"] == first["canary"]
        assert len(member["created"]) == 2
    assert (here / "evals/demo/README.md").read_bytes() == card
    assert sorted(p.name for p in (here / "evals/demo").iterdir()) == [
        "README.md",
        "en.jsonl",
        "ja.jsonl",
        "zh-hans.jsonl",
        "zh-hant.jsonl",
    ]
    status, _, err = run_cli(capsys, "validate")
    assert status == 0, err


def test_family_option_and_its_folder(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = new(capsys, "jcommonsense.ja", "ja", "choice", "--family", "commonsense")
    assert made["created"][1] == "evals/commonsense/ja.jsonl"
    spec = (here / "registry/evals/jcommonsense.ja.yaml").read_text(encoding="utf-8")
    assert "  path: commonsense/ja.jsonl\n" in spec


def test_every_question_shape_validates_beside_the_shipped_evals(
    repo_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_copy)
    monkeypatch.setenv("EVALRUN_HOME", str(repo_copy))  # a copy of the built-in registry replaces it
    shapes = {kind.shape: name for name, kind in reversed(SETUPS.items())}
    for shape, kind in shapes.items():
        for language in (*LANGUAGES, "zh-Hant"):
            new(capsys, f"{shape}.{language.lower()}", language, kind)
    status, _, err = run_cli(capsys, "validate")
    assert status == 0, err


def test_a_language_without_built_in_wording_gets_english_examples(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(capsys, "new", "demo.fr", "--lang", "fr", "--grader", "exact")
    assert status == 0, err
    assert "note: evalrun has no fr wording built in, so the prompt and examples are in English" in out
    assert "language: fr  #" in (here / "registry/evals/demo.fr.yaml").read_text(encoding="utf-8")
    status, _, err = run_cli(capsys, "validate")
    assert status == 0, err


def test_the_command_prints_its_files_and_the_next_steps(workspace: Path) -> None:
    result = evalrun("new", "jsquad.ja", "--lang", "ja", "--grader", "em", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "created registry/evals/jsquad.ja.yaml",
        "created evals/jsquad/ja.jsonl",
        "created evals/jsquad/README.md",
    ]
    for step in (
        "evalrun validate registry/evals/jsquad.ja.yaml",
        "evalrun validate --preview jsquad.ja",
        "evalrun run jsquad.ja --model baseline/oracle",
    ):
        assert step in result.stdout


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["demo.ja", "--lang", "ja", "--grader", "includes"],
            (
                "evalrun: registry/evals/demo.ja.yaml already exists: choose another id\n"
                "evalrun: evals/demo/ja.jsonl already exists: give another --family\n"
            ),
        ),
        (
            ["other.ja", "--lang", "ja", "--grader", "exact", "--family", "demo"],
            "evalrun: evals/demo/ja.jsonl already exists: give another --family\n",
        ),
        (
            ["Demo ID", "--lang", "en", "--grader", "exact"],
            "evalrun: eval id 'Demo ID' must be up to 100 of a-z 0-9 - _, in parts joined by '.' (like jcommonsense.ja)\n",
        ),
        (
            ["demo.en", "--lang", "en_US", "--grader", "exact"],
            "evalrun: --lang 'en_US' is not a BCP-47 tag: its subtags are joined with '-', as in 'en-US'\n",
        ),
        (
            ["demo.tlh", "--lang", "klingon", "--grader", "exact"],
            "evalrun: --lang 'klingon' is not a valid BCP-47 language tag (like en, ja or zh-Hans)\n",
        ),
        (
            ["demo.en", "--lang", "en", "--grader", "exact", "--family", "../outside"],
            "evalrun: family '../outside' must be lower-case letters, digits, '-' and '_' (like gpt-history)\n",
        ),
    ],
)
def test_refusals_exit_2_with_one_line_each_and_write_nothing(workspace: Path, args: list[str], message: str) -> None:
    assert evalrun("new", "demo.ja", "--lang", "ja", "--grader", "includes", cwd=workspace).returncode == 0
    before = _tree(workspace)
    result = evalrun("new", *args, cwd=workspace)
    assert (result.returncode, result.stderr, result.stdout) == (2, message, "")
    assert _tree(workspace) == before


def test_unknown_grader_and_missing_rubric_are_refused(workspace: Path) -> None:
    result = evalrun("new", "demo.en", "--lang", "en", "--grader", "magic", cwd=workspace)
    assert result.returncode == 2 and "argument --grader: invalid choice: 'magic'" in result.stderr
    result = evalrun("new", "demo.en", "--lang", "en", "--grader", "judge", cwd=workspace, env={"EVALRUN_HOME": "."})
    assert result.returncode == 2  # a registry used instead of the built-in one, without its rubric
    assert result.stderr == (
        "evalrun: --grader judge needs the judge rubric 'correctness' (registry/judges/correctness.yaml), which no "
        "registry read here has\n"
    )
    assert _tree(workspace) == {}


def test_a_card_without_a_canary_is_not_guessed_at(workspace: Path) -> None:
    (workspace / "evals/demo").mkdir()
    (workspace / "evals/demo/README.md").write_text("# demo\n\nNo front matter.\n", encoding="utf-8")
    result = evalrun("new", "demo.en", "--lang", "en", "--grader", "exact", cwd=workspace)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == (
        "evalrun: evals/demo/README.md has no `canary:` GUID in its front matter to reuse; add the family's there first\n"
    )
    assert sorted(_tree(workspace)) == ["evals/demo/README.md"]
