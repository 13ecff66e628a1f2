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
    data = rows(EVALS / "comprehension/ja.jsonl") + rows(EVALS / "comprehension/ja-mc.jsonl")
    assert len(data) >= 200 + 120
    seeds = REPO.parent / "shared" / "seeds"
    for row in data:
        spans = row["answers"] if "choices" not in row else []
        assert all(answer in row["context"] for answer in spans), row["id"]
        if seeds.is_dir():  # the passage is where its offset says, in its seed
            text = (seeds / row["source"]).read_text(encoding="utf-8")
            assert text[row["offset"] : row["offset"] + len(row["context"])] == row["context"], row["id"]


def _clean_004() -> str | None:
    """Seed 004 cleaned by evals/comprehension/clean_004.py, when the seeds are beside the repository."""
    import subprocess
    import sys

    seed = REPO.parent / "shared" / "seeds" / "004_4a93ab924b1d29cd.txt"
    if not seed.is_file():
        return None
    script = EVALS / "comprehension" / "clean_004.py"
    made = subprocess.run([sys.executable, str(script), str(seed)], capture_output=True, text=True, check=True)
    return made.stdout


def test_chinese_comprehension_spans_passages_and_offsets() -> None:
    data = rows(EVALS / "comprehension/zh-Hant.jsonl")
    assert len(data) >= 150 and len({row["id"] for row in data}) == len(data)
    cleaned = _clean_004()
    for row in data:
        assert row["answers"] and all(answer in row["context"] for answer in row["answers"]), row["id"]
        assert not any(answer in row["question"] for answer in row["answers"]), row["id"]
        assert 250 <= len(row["context"]) <= 650 and row["source"] == "004_4a93ab924b1d29cd.txt", row["id"]
        assert not re.search(r"[\u3400-\u9fff]\([a-z\u00e0-\u01dc]+\)|[\ue000-\uf8ff]", row["context"]), row["id"]
        if cleaned is not None:  # the passage is where its offset says, in the cleaned seed
            assert cleaned[row["offset"] : row["offset"] + len(row["context"])] == row["context"], row["id"]


def test_simplified_chinese_comprehension_is_the_conversion_of_the_traditional() -> None:
    import subprocess
    import sys

    script = EVALS / "comprehension" / "to_simplified.py"
    checked = subprocess.run([sys.executable, str(script), "--check"], check=False, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    hant, hans = rows(EVALS / "comprehension/zh-Hant.jsonl"), rows(EVALS / "comprehension/zh-Hans.jsonl")
    assert [r["id"] for r in hant] == [r["id"] for r in hans] and hant[0]["context"] != hans[0]["context"]
    for row in hans:
        assert all(answer in row["context"] for answer in row["answers"]), row["id"]


def test_chinese_multiple_choice_passages_are_those_of_the_simplified_items() -> None:
    offsets = {row["context"]: row["offset"] for row in rows(EVALS / "comprehension/zh-Hans.jsonl")}
    data = rows(EVALS / "comprehension/zh-mc.jsonl")
    assert len(data) >= 120
    for row in data:  # so the Traditional items' check against the cleaned seed covers these passages too
        assert offsets.get(row["context"]) == row["offset"], row["id"]
        assert len(row["choices"]) == 4 == len(set(row["choices"])) and row["answers"][0] in "ABCD", row["id"]


def test_the_cleaning_script_removes_pinyin_private_use_characters_and_garbled_paragraphs() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("clean_004", EVALS / "comprehension" / "clean_004.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (
        f"menu\n{module.TITLE}\n\n語(yǔ)言模型\ue35f很重要嗎?是的。\n\n恰當(dāng)?shù)臅r間\n\n<b class='x'>y</b>\n\n"
        f"{module.END}disclaimer"
    )
    cleaned, dropped = module.clean(page)
    assert cleaned == f"{module.PINYIN.sub('', module.TITLE)}\n\n語言模型很重要嗎?是的。\n"
    assert len(dropped) == 2


@pytest.mark.parametrize("name", ["ja-mc", "zh-mc"])
def test_multiple_choice_items_have_four_options_in_the_seeded_order(name: str) -> None:
    import subprocess
    import sys
    from collections import Counter

    path = EVALS / "comprehension" / f"{name}.jsonl"
    data = rows(path)
    assert len(data) >= 120 and len({row["id"] for row in data}) == len(data)
    for row in data:
        assert len(row["choices"]) == 4 == len(set(row["choices"])) and row["answers"] in (["A"], ["B"], ["C"], ["D"])
    labels = Counter(row["answers"][0] for row in data)
    assert max(labels.values()) - min(labels.values()) <= 4  # each label is the answer about equally often
    script = EVALS / "comprehension" / "shuffle_choices.py"
    checked = subprocess.run([sys.executable, str(script), str(path), "--check"], check=False, capture_output=True)
    assert checked.returncode == 0, checked.stderr


def test_chinese_multiple_choice_passages_are_the_extractive_evals_passages() -> None:
    passages = {row["context"] for row in rows(EVALS / "comprehension/zh-Hans.jsonl")}
    assert {row["context"] for row in rows(EVALS / "comprehension/zh-mc.jsonl")} <= passages
