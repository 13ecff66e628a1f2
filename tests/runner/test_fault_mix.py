"""A fault mix on the endpoint changes nothing in the results: every sample ends exactly once, metrics as a clean run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.support import REPO, against
from tests.support.openai_server import FakeOpenAI, Fault

FAULTS = [
    Fault("status", 429, retry_after="0"),
    Fault("status", 500),
    Fault("status", 503, retry_after="0"),
    Fault("slow", seconds=1.5),  # hangs past the 0.5 s timeout
    Fault("garbage"),
    Fault("truncate"),
    Fault("drop"),
    None,
]


def run(server: FakeOpenAI, results: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = against(
        server,
        "run",
        "comprehension.ja",
        "--model",
        "openai/m",
        "--timeout",
        "0.5",
        "--concurrency",
        "8",
        "--no-cache",
        "--json",
        "--results",
        str(results),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["runs"][0]
    lines = Path(summary["paths"]["samples"]).read_text(encoding="utf-8").splitlines()
    return summary, [json.loads(line) for line in lines]


def test_fault_mix_equals_a_clean_run(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    rows = [
        json.loads(line) for line in (REPO / "evals/comprehension/ja.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    seen: Counter[int] = Counter()

    def index_of(body: dict[str, Any]) -> int:
        prompt = body["messages"][-1]["content"]
        return next(i for i, row in enumerate(rows) if row["question"] in prompt and row["context"] in prompt)

    openai_server.answer = lambda body: rows[index_of(body)]["answers"][0] if index_of(body) % 3 else "わかりません"
    clean, _ = run(openai_server, tmp_path / "clean")

    def fault(body: dict[str, Any]) -> Fault | None:
        i = index_of(body)
        seen[i] += 1
        return FAULTS[i % len(FAULTS)] if seen[i] == 1 else None  # each sample's first attempt meets one fault

    openai_server.fault_for = fault
    faulty, records = run(openai_server, tmp_path / "faulty")
    assert sorted(r["sample_id"] for r in records) == sorted(row["id"] for row in rows)  # each exactly once
    assert faulty["counts"]["errors"] == 0
    assert faulty["metrics"] == clean["metrics"]
    assert faulty["counts"]["retries"] >= sum(1 for i in range(len(rows)) if FAULTS[i % len(FAULTS)] is not None)
