"""--epochs K asks each sample K times; reducers turn a sample's epochs into one score."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness.runner.summary import pass_at_k, reduce
from tests.support import FACTS, REPO, against, evalrun
from tests.support.openai_server import FakeOpenAI


@pytest.mark.parametrize(
    "scores, reducer, value",
    [
        ([1.0, 0.0, 1.0], "mean", 2 / 3),
        ([1.0, 0.0, 1.0], "majority", 1.0),
        ([1.0, 0.0], "majority", 0.0),
        ([0.5, 0.5, 1.0], "majority", 0.5),
        ([1.0, 1.0, 0.0], "all", 0.0),
        ([1.0, 1.0], "all", 1.0),
        ([1.0, 0.0, 0.0, 0.0, 0.0], "pass@1", 0.2),
        ([1.0, 1.0, 0.0, 0.0, 0.0], "pass@2", 0.7),
        ([0.0, 0.0, 0.0], "pass@2", 0.0),
        ([0.0], "pass@2", 0.0),
        ([1.0], "pass@2", 1.0),
    ],
)
def test_reducers(scores: list[float], reducer: str, value: float) -> None:
    assert reduce(scores, reducer) == pytest.approx(value)


def test_pass_at_k_matches_its_definition() -> None:
    from itertools import combinations

    for n in range(1, 7):
        for c in range(n + 1):
            for k in range(1, n + 1):
                attempts = [1] * c + [0] * (n - c)
                draws = list(combinations(range(n), k))
                exact = sum(any(attempts[i] for i in draw) for draw in draws) / len(draws)
                assert pass_at_k(n, c, k) == pytest.approx(exact)


def run(server: FakeOpenAI, results: Path, *extra: str) -> dict[str, Any]:
    result = against(
        server,
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--limit",
        "4",
        "--concurrency",
        "1",
        "--epochs",
        "3",
        "--json",
        "--results",
        str(results),
        *extra,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["runs"][0]


@pytest.mark.parametrize(
    "reducer, value", [("mean", 2 / 3), ("majority", 1.0), ("all", 0.0), ("pass@1", 2 / 3), ("pass@2", 1.0)]
)
def test_epochs_are_asked_recorded_and_reduced(
    openai_server: FakeOpenAI, tmp_path: Path, reducer: str, value: float
) -> None:
    rows = [json.loads(line) for line in (REPO / "evals/gpt-history/en.jsonl").read_text(encoding="utf-8").splitlines()]
    asked: Counter[str] = Counter()

    def answer(body: dict[str, Any]) -> str:
        row = next(r for r in rows if r["question"] in body["messages"][-1]["content"])
        asked[row["id"]] += 1
        return row["answers"][0] if asked[row["id"]] != 2 else "no idea"  # right, wrong, right

    openai_server.answer = answer
    summary = run(openai_server, tmp_path, "--reducer", reducer)
    assert summary["epochs"] == 3 and summary["reducer"] == reducer
    assert summary["metrics"]["accuracy"]["mean"] == pytest.approx(value)
    assert summary["metrics"]["accuracy"]["n"] == 4 and summary["counts"]["samples"] == 12
    records = [json.loads(line) for line in Path(summary["paths"]["samples"]).read_text(encoding="utf-8").splitlines()]
    assert sorted((r["sample_id"], r["epoch"]) for r in records) == sorted(
        (row["id"], e) for row in rows[:4] for e in (1, 2, 3)
    )
    assert len(openai_server.requests) == 12  # epochs are separate cache entries, so each is really asked


def test_pass_at_k_needs_enough_epochs(tmp_path: Path) -> None:
    result = evalrun(
        "run",
        "gpt-history.en",
        "--model",
        "baseline/oracle",
        "--reducer",
        "pass@3",
        "--results",
        str(tmp_path),
        cwd=REPO,
    )
    assert result.returncode == 2 and "needs at least 3 epochs" in result.stderr
    result = evalrun(
        "run", "gpt-history.en", "--model", "baseline/oracle", "--reducer", "best", "--results", str(tmp_path), cwd=REPO
    )
    assert result.returncode == 2 and "is not mean, majority, all or pass@k" in result.stderr


def test_dry_run_asks_nothing_and_estimates(openai_server: FakeOpenAI, repo_copy: Path) -> None:
    (repo_copy / "registry/models/priced.yaml").write_text(
        f"id: priced\nprovider: openai\nmodel: m\nbase_url: {openai_server.base_url}\napi_key_env: UNSET_FOR_TEST_API_KEY\nprices: {{input: 1, output: 2}}\n"
    )
    result = evalrun(
        "run",
        "gpt-history.ja",
        "--model",
        "priced",
        "--epochs",
        "2",
        "--limit",
        "5",
        "--dry-run",
        "--json",
        cwd=repo_copy,
    )
    assert result.returncode == 0, result.stderr  # no key needed: nothing is sent
    (plan,) = json.loads(result.stdout)["plans"]
    assert openai_server.requests == []
    assert (plan["samples"], plan["requests"], plan["max_completion_tokens"]) == (5, 10, 10 * 64)
    assert plan["prompt_tokens"] > 10 * 20
    assert plan["max_cost_usd"] == pytest.approx((plan["prompt_tokens"] * 1 + 640 * 2) / 1e6)
    assert not (repo_copy / "results").exists()


def test_dry_run_uses_the_preset_parameters_and_checks_names() -> None:
    result = evalrun("run", "gpt-history.en", "--model", "claude-haiku", "--dry-run", "--json", cwd=REPO)
    (plan,) = json.loads(result.stdout)["plans"]
    assert plan["max_completion_tokens"] == FACTS * 256  # the preset's max_tokens, as a run would send
    result = evalrun("run", "gpt-history.en", "--model", "nosuch/x", "--dry-run", cwd=REPO)
    assert result.returncode == 2 and "unknown model 'nosuch/x'" in result.stderr


def test_pass_at_k_must_be_a_plain_number(tmp_path: Path) -> None:
    for reducer in ("pass@01", "pass@²", "pass@0"):
        result = evalrun("run", "gpt-history.en", "-m", "baseline/oracle", "--reducer", reducer, cwd=REPO)
        assert result.returncode == 2 and "is not mean, majority, all or pass@k" in result.stderr
