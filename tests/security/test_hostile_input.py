"""Hostile or odd input: never a traceback, never code run, never a file read outside the repository, never a leaked key."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.data.prompt import PromptError, PromptRenderer
from harness.errors import ProviderError
from harness.grading.choice import parse_choice
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.registry.specs import PromptSpec, endpoint_url_problem
from harness.types import Request, Sample
from tests.support import SECRET, evalrun, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault

EVAL = "id: t\ndescription: d\nlanguage: en\nversion: 1\ndata: {path: t/t.jsonl}\nprompt: {user: 'Q {{ question }}'}\ngrader: {kind: exact}\n"
ROW = {"id": "a", "question": "q", "answers": ["x"]}


@pytest.fixture
def tiny(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(workspace / "registry/evals/t.yaml", EVAL)
    write_jsonl(workspace / "evals/t/t.jsonl", [ROW])
    monkeypatch.chdir(workspace)
    return workspace


def problems_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        ("", "file is empty"),
        ("- a\n- b\n", "file: must be of type object"),
        ("version: " + "9" * 5000 + "\n", "unreadable value"),
        ("description: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (EVAL.replace("data:", "generation: {temperature: .nan}\ndata:"), "'.nan' is not a finite number"),
        ("\ufeff" + EVAL.replace("version: 1", "version: x"), "version: must be of type integer"),
        ("id: t\n\tdescription: d\n", "malformed YAML"),
        ("1: a\n", "mapping keys must be plain strings"),
    ],
)
def test_odd_yaml_is_reported_not_raised(
    tiny: Path, capsys: pytest.CaptureFixture[str], yaml_text: str, message: str
) -> None:
    write(tiny / "registry/evals/t.yaml", yaml_text)
    status, err = problems_of(capsys, "validate")
    assert status == 2 and "registry/evals/t.yaml:" in err and message in err, err


def test_non_utf8_yaml(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tiny / "registry/evals/t.yaml").write_bytes(b"id: t\ndescription: \xff\n")
    status, err = problems_of(capsys, "validate")
    assert status == 2 and "registry/evals/t.yaml:2: not UTF-8 text" in err  # the line of the bad byte


@pytest.mark.parametrize(
    "data, message",
    [
        (b'{"id": "a", "question": "q", "answers": ["x"]}\n\xff\n', "evals/t/t.jsonl:2: not UTF-8 text"),
        (b'{"id": ' + b"9" * 5000 + b', "question": "q", "answers": ["x"]}\n', "evals/t/t.jsonl:1: invalid JSON"),
        (b"[" * 100000 + b"\n", "evals/t/t.jsonl:1: invalid JSON"),
        (
            b'{"id": "a", "question": NaN, "answers": ["x"]}\n',
            "evals/t/t.jsonl:1: invalid JSON: NaN is not a valid JSON number",
        ),
        (
            b'{"id": "a", "question": "q", "answers": ["x"]}\n{"id": "a", "question": "r", "answers": ["y"]}\n',
            "evals/t/t.jsonl:2: duplicate sample id 'a'",
        ),
        (b"\n\n", "evals/t/t.jsonl:1: no samples"),
    ],
)
def test_bad_data_stops_a_run_before_it_starts(
    tiny: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    (tiny / "evals/t/t.jsonl").write_bytes(data)
    for command in (["validate"], ["run", "t", "--model", "baseline/oracle", "--results", str(tiny / "out")]):
        status, err = problems_of(capsys, *command)
        assert status == 2 and message in err, (command, err)
    assert not list((tiny / "out").glob("runs/*"))


def test_validating_an_eval_file_checks_its_data(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tiny / "evals/t/t.jsonl", '{"id": "a"}\n')
    status, err = problems_of(capsys, "validate", "registry/evals/t.yaml")
    assert status == 2 and err.startswith("evals/t/t.jsonl:1:")


def test_validate_refuses_files_it_cannot_check(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tiny / "notes.txt", "hello")
    status, err = problems_of(capsys, "validate", "notes.txt")
    assert status == 2 and err == "notes.txt:1: not a registry file (.yaml) or data file (.jsonl)\n"


def test_hugging_face_folder_with_a_link_out_of_the_repository(
    tiny: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = write_jsonl(
        tmp_path_factory.mktemp("elsewhere") / "secret.jsonl", [{"id": "s", "question": "secret", "answers": ["s"]}]
    )
    (tiny / "evals/hfd").mkdir()
    (tiny / "evals/hfd/train.jsonl").symlink_to(outside)
    write(
        tiny / "registry/evals/t.yaml",
        EVAL.replace("data: {path: t/t.jsonl}", "data: {hf: {path: evals/hfd, split: train, revision: x}}"),
    )
    status, err = problems_of(capsys, "validate")
    assert status == 2 and "holds train.jsonl, which leaves the repository" in err


def test_model_preset_cannot_send_other_secrets(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tiny / "registry/models/m.yaml",
        "id: m\nprovider: openai\nmodel: x\nbase_url: https://example.invalid/v1\napi_key_env: AWS_SECRET_ACCESS_KEY\n",
    )
    status, err = problems_of(capsys, "validate")
    assert status == 2 and "registry/models/m.yaml:5: api_key_env:" in err


def test_registry_text_cannot_drive_the_terminal(tiny: Path) -> None:
    write(tiny / "registry/suites/s.yaml", 'id: s\ndescription: "\\e[31mRED\\e]0;pwned\\a | x"\nevals: [t]\n')
    result = evalrun("list", cwd=tiny)
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[31mRED" in result.stdout and "\\|" in result.stdout
    write(tiny / "registry/suites/s.yaml", 'id: s\ndescription: d\nevals: [t]\n"\\e[2J": 1\n')
    result = evalrun("validate", cwd=tiny)
    assert result.returncode == 2 and "\x1b" not in result.stderr


@pytest.mark.parametrize("template", ["{{ question * 300000000 }}", "{{ 'x' * 100000 }}", "{{ 10 ** 10 ** 10 }}"])
def test_templates_cannot_exhaust_memory(template: str) -> None:
    with pytest.raises(PromptError):
        PromptRenderer(PromptSpec(user=template)).render(Sample("a", {"question": "q"}, ("x",)))


def test_small_repetition_is_still_allowed() -> None:
    assert (
        PromptRenderer(PromptSpec(user="{{ '-' * 3 }}{{ question }}")).render(Sample("a", {"question": "q"}, ("x",)))[
            -1
        ]["content"]
        == "---q"
    )


def test_multiple_choice_answer_key_is_never_misread(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tiny / "registry/evals/t.yaml", EVAL.replace("kind: exact", "kind: choice"))
    write_jsonl(
        tiny / "evals/t/t.jsonl",
        [
            {"id": "a", "question": "q", "choices": ["B", "A"], "answers": "A"},
            {"id": "b", "question": "q", "choices": ["1", "2", "3"], "answers": "2"},
            {"id": "c", "question": "q", "choices": ["x", "y"], "answers": 1},
            {"id": "d", "question": "q", "choices": ["x", "y"], "answers": 5},
        ],
    )
    status, err = problems_of(capsys, "validate")
    assert status == 2
    assert err.splitlines() == [
        "evals/t/t.jsonl:1: field 'answers': 'A' is ambiguous: label A is option A, but it is also the text of option B",
        "evals/t/t.jsonl:4: field 'answers': option index 5 is out of range (0–1)",
    ]


def test_articles_are_not_option_labels() -> None:
    assert parse_choice("The answer is a cat", ("dog", "cat")) == "B"
    assert parse_choice("I'd pick option a", ("a1", "b1")) is None


def ask(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url.replace("http://", f"http://user:{SECRET}@"))
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    provider = open_provider("openai/m", {}, ModelSettings(max_attempts=1, timeout=5))

    async def go() -> object:
        try:
            return provider.describe(), await provider.complete(
                Request(({"role": "user", "content": "hi"},), {}, Sample("a", {}, ("x",)))
            )
        finally:
            await provider.aclose()

    return asyncio.run(go())


def test_key_is_redacted_even_at_the_end_of_a_long_error(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"error": {"message": "x" * 290 + " Incorrect API key provided: " + SECRET + "\x1b[2J"}}
    openai_server.faults.append(Fault("status", 401, body=body))
    with pytest.raises(ProviderError) as caught:
        ask(openai_server, monkeypatch)
    assert "SENTINEL" not in str(caught.value) and "\x1b" not in str(caught.value)


def test_described_endpoint_has_no_query_or_credentials(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    described, _ = ask(openai_server, monkeypatch)
    assert SECRET not in json.dumps(described) and described["base_url"] == openai_server.base_url


def test_a_body_that_cannot_be_decoded_is_one_sample_error(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    openai_server.fault_for = lambda body: Fault("badgzip")
    with pytest.raises(ProviderError, match="unreadable response"):
        ask(openai_server, monkeypatch)


def test_content_parts_and_negative_usage(openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    openai_server.answer = lambda body: [{"type": "text", "text": "to"}, {"type": "text", "text": "kyo"}]  # type: ignore[assignment,return-value]
    openai_server.usage = {"prompt_tokens": -5, "completion_tokens": 3}
    _, response = ask(openai_server, monkeypatch)
    assert response.output == "tokyo"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (None, 3)


def test_url_problems_hide_credentials() -> None:
    problem = endpoint_url_problem("http://user:sk-secret@127.0.0.1:99999/v1")
    assert problem is not None and "sk-secret" not in problem and "***@127.0.0.1" in problem
