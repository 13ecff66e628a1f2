"""Data sources (JSONL under evals/, Hugging Face datasets through `datasets` on local files) and sandboxed prompts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from harness.data.dataset import Dataset
from harness.data.prompt import PromptError, PromptRenderer
from harness.errors import InputError
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.registry.loader import Registry
from harness.registry.specs import PromptSpec
from harness.registry.workspace import Workspace, display_path
from harness.runner.engine import RunOptions, run_all
from harness.types import Sample
from tests.support import write, write_jsonl

SQUAD_ROWS = [
    {
        "id": f"q{i}",
        "title": "t",
        "context": f"文書{i}。答えは東京{i}です。",
        "question": f"問{i}の答えは？",
        "answers": {"text": [f"東京{i}"], "answer_start": [7]},
    }
    for i in range(5)
]

HF_EVAL = """\
id: hf.ja
description: Reading comprehension from a Hugging Face dataset folder.
language: ja
version: 1
data:
  hf: {path: hfdata/squadish, split: validation, revision: 0123abc}
  context_field: context
prompt:
  user: "{{ context }}\\n{{ question }}"
grader:
  kind: f1
"""


def test_hugging_face_dataset_from_local_files(workspace: Path, tmp_path: Path) -> None:
    write_jsonl(workspace / "hfdata/squadish/validation.jsonl", SQUAD_ROWS)
    write(workspace / "registry/evals/hf.ja.yaml", HF_EVAL)
    registry = Registry.load(Workspace(workspace))
    assert registry.problems == []
    spec = registry.evals["hf.ja"]
    samples = list(Dataset(spec).samples())
    assert [s.references for s in samples] == [(f"東京{i}",) for i in range(5)]
    assert samples[0].context == "文書0。答えは東京0です。"
    summaries, _ = asyncio.run(
        run_all([spec], [open_provider("baseline/oracle", {}, ModelSettings())], RunOptions(tmp_path))
    )
    f1 = summaries[0].metrics["f1"]
    assert f1 is not None and f1.mean == 1.0
    assert len(summaries[0].eval.data_hash) == 64


def test_hugging_face_path_may_not_leave_the_repository(workspace: Path) -> None:
    write(workspace / "registry/evals/hf.ja.yaml", HF_EVAL.replace("hfdata/squadish", "../../outside"))
    registry = Registry.load(Workspace(workspace))
    assert [str(p) for p in registry.problems] == [
        f"{display_path(workspace / 'registry/evals/hf.ja.yaml')}:6: path '../../outside' leaves the repository"
    ]


def test_data_symlink_out_of_evals_is_refused(workspace: Path, tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.jsonl", '{"id": "x", "question": "q", "answers": ["a"]}\n')
    (workspace / "evals/leak.jsonl").symlink_to(secret)
    with pytest.raises(ValueError, match="leaves evals/"):
        Workspace(workspace).data_file("leak.jsonl")


def renderer(user: str, system: str | None = None) -> PromptRenderer:
    return PromptRenderer(PromptSpec(user=user, system=system))


SAMPLE = Sample(id="s1", fields={"question": "GPT-3 のパラメータ数は？", "answers": ["1750億"]}, references=("1750億",))


def test_render_system_shots_and_question() -> None:
    shots = [Sample(id=f"k{i}", fields={"question": f"例{i}"}, references=(f"答{i}",)) for i in range(2)]
    messages = renderer("質問：{{ question }}", system="短く答えて").render(SAMPLE, shots)
    assert messages == (
        {"role": "system", "content": "短く答えて"},
        {"role": "user", "content": "質問：例0"},
        {"role": "assistant", "content": "答0"},
        {"role": "user", "content": "質問：例1"},
        {"role": "assistant", "content": "答1"},
        {"role": "user", "content": "質問：GPT-3 のパラメータ数は？"},
    )


@pytest.mark.parametrize(
    "template",
    [
        "{{ question.__class__.__mro__[1].__subclasses__() }}",
        "{{ ''.__class__ }}",
        "{{ answers.append('x') }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum }}",
        "{{ undefined_field }}",
    ],
)
def test_templates_see_sample_fields_and_nothing_else(template: str) -> None:
    with pytest.raises(PromptError):
        renderer(template).render(SAMPLE)
    assert SAMPLE.fields["answers"] == ["1750億"]


def test_templates_cannot_include_files() -> None:
    with pytest.raises(PromptError, match="may not include"):
        renderer("{% include 'registry/evals/gpt-history.en.yaml' %}")


def test_few_shot_examples_never_include_the_sample(workspace: Path, tmp_path: Path) -> None:
    write_jsonl(
        workspace / "evals/demo/d.jsonl", [{"id": f"q{i}", "question": f"Q{i}", "answers": [f"A{i}"]} for i in range(6)]
    )
    write(
        workspace / "registry/evals/demo.yaml",
        "id: demo\ndescription: d\nlanguage: en\nversion: 1\ndata: {path: demo/d.jsonl}\nprompt:\n  user: '{{ question }}'\n  few_shot: {k: 3}\ngrader: {kind: exact}\n",
    )
    registry = Registry.load(Workspace(workspace))
    summaries, _ = asyncio.run(
        run_all(
            [registry.evals["demo"]],
            [open_provider("baseline/oracle", {}, ModelSettings())],
            RunOptions(tmp_path, models=ModelSettings(seed=1)),
        )
    )
    records = [json.loads(line) for line in Path(summaries[0].paths.samples).read_text().splitlines()]
    for record in records:
        messages = record["messages"]
        assert len(messages) == 7
        shown = {m["content"] for m in messages[:-1] if m["role"] == "user"}
        assert len(shown) == 3 and messages[-1]["content"] not in shown


def test_bad_data_line_during_a_run_names_file_and_line(workspace: Path, tmp_path: Path) -> None:
    write(
        workspace / "evals/demo/d.jsonl",
        '{"id": "q1", "question": "Q", "answers": ["A"]}\n{"id": "q2", "question": "Q2"}\n',
    )
    write(
        workspace / "registry/evals/demo.yaml",
        "id: demo\ndescription: d\nlanguage: en\nversion: 1\ndata: {path: demo/d.jsonl}\nprompt: {user: '{{ question }}'}\ngrader: {kind: exact}\n",
    )
    registry = Registry.load(Workspace(workspace))
    with pytest.raises(InputError) as caught:
        asyncio.run(
            run_all(
                [registry.evals["demo"]],
                [open_provider("baseline/oracle", {}, ModelSettings())],
                RunOptions(tmp_path),
            )
        )
    assert str(caught.value).endswith(
        "demo/d.jsonl:2: field 'answers' (the answers) must be a string or a non-empty list of strings"
    )


def test_a_data_card_saved_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    from harness.data.cards import read_card

    card = tmp_path / "README.md"
    canary = "31e2e3da-dda8-49f1-b8bc-afbfef611e18"
    card.write_text(f"\ufeff---\nlicense: MIT\nsource: made up\ncanary: {canary}\n---\n# a card\n", encoding="utf-8")
    found, problems = read_card(card)
    assert not problems and found is not None and found.canary == canary
