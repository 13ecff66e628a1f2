"""Offline baselines: the oracle scores 1.0 on every eval, random is seeded, the reader really reads."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from harness.grading import build_grader
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.models.baseline import extract_answer, random_span
from harness.registry.loader import Registry
from harness.registry.workspace import Workspace
from harness.runner.engine import RunOptions, run_all
from harness.runner.records import run_data
from harness.types import Request, Sample
from tests.support import REPO

REGISTRY = Registry.load(Workspace(REPO))


def run(models: list[str], eval_ids: list[str], tmp_path: Path, seed: int = 0):
    providers = [open_provider(m, {}, ModelSettings(seed=seed)) for m in models]
    options = RunOptions(results_dir=tmp_path, models=ModelSettings(seed=seed))
    summaries, skipped = asyncio.run(run_all(REGISTRY.resolve(eval_ids), providers, options))
    return [run_data(summary) for summary in summaries], skipped  # as run.json holds them


@pytest.mark.parametrize("eval_id", sorted(REGISTRY.evals))
def test_oracle_scores_one_on_every_eval(eval_id: str, tmp_path: Path) -> None:
    summaries, skipped = run(["baseline/oracle"], [eval_id], tmp_path)
    (summary,) = summaries
    assert not skipped
    assert summary["counts"]["errors"] == 0
    for name, found in summary["metrics"].items():
        assert found["mean"] == 1.0, (eval_id, name)


def test_random_is_seeded_and_reader_beats_it(tmp_path: Path) -> None:
    first, _ = run(["baseline/random", "baseline/reader"], ["comprehension.ja"], tmp_path / "a", seed=7)
    again, _ = run(["baseline/random"], ["comprehension.ja"], tmp_path / "b", seed=7)
    other, _ = run(["baseline/random"], ["comprehension.ja"], tmp_path / "c", seed=8)
    random_f1, reader_f1 = (s["metrics"]["f1"]["mean"] for s in first)
    assert again[0]["metrics"] == first[0]["metrics"]
    assert other[0]["metrics"] != first[0]["metrics"]
    assert reader_f1 > random_f1 + 0.1


def test_random_skips_closed_book_evals_and_the_reader_finds_no_question_that_leaks_its_answer(tmp_path: Path) -> None:
    evals = ["gpt-history.en", "gpt-history.ja", "gpt-history.zh"]
    summaries, skipped = run(["baseline/random", "baseline/reader"], evals, tmp_path)
    assert [(s.model, s.reason) for s in skipped] == [
        ("baseline/random", "closed-book eval: no passage to read and no options to pick from")
    ] * 3
    assert [s["model"]["name"] for s in summaries] == ["baseline/reader"] * 3
    for summary in summaries:
        assert summary["counts"]["errors"] == 0
        assert summary["metrics"]["accuracy"]["mean"] <= 0.1, summary["eval"]["id"]


def test_on_a_closed_book_eval_the_reader_answers_with_the_question() -> None:
    (spec,) = REGISTRY.resolve(["gpt-history.en"])
    provider = open_provider("baseline/reader", {}, ModelSettings())
    leaky = Sample("s", {"question": "Which lab, OpenAI, made GPT-4?", "type": "text"}, ("OpenAI",))
    response = asyncio.run(
        provider.complete(Request(messages=({"role": "user", "content": "…"},), params={}, sample=leaky))
    )
    assert response.output == leaky.fields["question"]
    assert build_grader(spec.grader_config, spec.language).grade(response.output, leaky).value == 1.0


@pytest.mark.parametrize(
    "question, passage, answer",
    [
        (
            "GPT-4 のトレーニングが完了したのはいつですか？",
            "OpenAI は多くの改良を加えた。GPT-4 のトレーニングは 2022年8月に完了した。その後、安全性の調整が続いた。",
            "2022年8月",
        ),
        (
            "Who supervised Ilya Sutskever's PhD in Toronto?",
            "Ilya Sutskever was born in Russia. He did his PhD in Toronto, supervised by Geoffrey Hinton. He later co-founded OpenAI.",
            "Geoffrey Hinton",
        ),
    ],
)
def test_reader_extracts_a_span(question: str, passage: str, answer: str) -> None:
    assert extract_answer(question, passage) == answer


def test_random_span_is_a_span() -> None:
    passage = "大規模言語モデルは次の単語を予測するように訓練される。"
    rng = random.Random(0)
    for _ in range(50):
        assert random_span(passage, rng) in passage


def test_random_multiple_choice_picks_a_label() -> None:
    sample = Sample(id="x", fields={}, references=("B",), choices=("one", "two", "three"))
    provider = open_provider("baseline/random", {}, ModelSettings(seed=3))
    outputs = {
        asyncio.run(
            provider.complete(Request((), {}, Sample(id=str(i), fields={}, references=("B",), choices=sample.choices)))
        ).output
        for i in range(30)
    }
    assert outputs == {"A", "B", "C"}
