"""The shipped task data: sizes, parallel facts across languages, verbatim spans, data cards and canaries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import REPO

EVALS = REPO / "evals"


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("folder", sorted(p for p in EVALS.iterdir() if p.is_dir()))
def test_every_data_folder_has_a_card_whose_canary_is_in_every_line(folder: Path) -> None:
    card = (folder / "README.md").read_text(encoding="utf-8")
    for heading in ("Sources", "How items were written", "Where a source was wrong"):
        assert heading.lower() in card.lower(), f"{folder.name}/README.md lacks a '{heading}' section"
    guids = set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", card))
    assert len(guids) == 1, guids
    (guid,) = guids
    for data in folder.glob("*.jsonl"):
        for number, line in enumerate(data.read_text(encoding="utf-8").splitlines(), 1):
            assert guid in line, f"{data.name}:{number} lacks the canary"


def test_gpt_history_has_the_same_facts_in_three_languages() -> None:
    ids = {lang: [r["id"] for r in rows(EVALS / f"gpt-history/{lang}.jsonl")] for lang in ("en", "ja", "zh")}
    assert len(ids["en"]) >= 40 and len(set(ids["en"])) == len(ids["en"])
    assert ids["en"] == ids["ja"] == ids["zh"]


@pytest.mark.parametrize("lang", ["en", "ja", "zh"])
def test_gpt_history_questions_do_not_give_their_answers_away(lang: str) -> None:
    from harness.grading import make_grader
    from harness.types import Sample

    grader = make_grader("includes", {"zh": "zh-Hans"}.get(lang, lang))
    for row in rows(EVALS / f"gpt-history/{lang}.jsonl"):
        sample = Sample(row["id"], row, tuple(row["answers"]))
        assert grader.grade(row["question"], sample).value == 0.0, row["id"]


def test_comprehension_answers_are_verbatim_spans_of_their_passage() -> None:
    data = rows(EVALS / "comprehension/ja.jsonl")
    assert len(data) >= 40
    seeds = REPO.parent / "shared" / "seeds"
    for row in data:
        assert row["answers"] and all(answer in row["context"] for answer in row["answers"]), row["id"]
        if seeds.is_dir():
            assert row["context"] in (seeds / row["source"]).read_text(encoding="utf-8"), row["id"]
