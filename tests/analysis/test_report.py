"""`evalrun report`: which runs count (and why the others do not), rank ranges from paired tests, per-language and
cross-lingual views, the same numbers in every format, and text from records escaped."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.board_runs import choose, gather
from harness.analysis.compare import run_scores
from harness.analysis.leaderboard import build_board
from harness.data.dataset import Dataset
from harness.registry.loader import Registry
from harness.registry.workspace import Workspace
from harness.runner.records import SampleRecord, run_data, sample_data
from harness.runner.statistics import estimate, holm, mcnemar_exact, wilson
from tests.support import REPO, evalrun, run_record, write, write_jsonl

REGISTRY = Registry.load(Workspace(REPO))
SPEC = REGISTRY.evals["gpt-history.en"]
IDS = [sample.id for sample in Dataset(SPEC).samples()]


def stored(results: Path, model: str, scores: dict[str, float], eval_id: str = "gpt-history.en", **fields: Any) -> str:
    """A stored run of `eval_id` as the registry has it now, by `model`, with these per-sample scores; its id."""
    spec = REGISTRY.evals[eval_id]
    run_id = fields.pop("run_id", f"{eval_id}-{model.replace('/', '_')}-{len(list(results.glob('runs/*')))}")
    found = estimate(list(scores.values()))
    record = run_record(
        run_id=run_id,
        eval={
            "id": eval_id,
            "language": spec.language,
            "spec_hash": spec.spec_hash,
            "data_hash": _data(spec),
            **fields.pop("eval", {}),
        },
        model={"name": model},
        metrics={"accuracy": found},
        counts={"samples": len(scores), "scored": len(scores), **fields.pop("counts", {})},
        created_at=fields.pop("created_at", f"2026-01-01T00:00:{len(list(results.glob('runs/*'))):02d}+00:00"),
        **fields,
    )
    folder = results / "runs" / run_id
    write(folder / "run.json", json.dumps(run_data(record)))
    lines = [SampleRecord(i, 1, references=["x"], score=v, metrics={"accuracy": v}) for i, v in scores.items()]
    write_jsonl(folder / "samples.jsonl", [sample_data(line) for line in lines], card=False)
    return run_id


def _data(spec: Any) -> str:
    return Dataset(spec).fingerprint()


def coin(p: float, seed: int) -> dict[str, float]:
    """Scores of a model right with chance `p` on each fact."""
    rng = random.Random(seed)
    return {i: float(rng.random() < p) for i in IDS}


def board(results: Path, **options: Any) -> Any:
    choice = choose(gather([results]), REGISTRY.evals, **options)
    return build_board(choice, {s.id: list(s.evals) for s in REGISTRY.suites.values()})


def test_rank_ranges_follow_the_paired_tests(tmp_path: Path) -> None:
    stored(tmp_path, "strong", {i: 1.0 for i in IDS})
    stored(tmp_path, "middle-a", coin(0.5, 1))
    stored(tmp_path, "middle-b", coin(0.5, 2))
    stored(tmp_path, "baseline/oracle", {i: 1.0 for i in IDS})
    made = board(tmp_path)
    rows = {row.model: row for row in made.rows}
    assert rows["strong"].rank == (1, 1)
    assert rows["middle-a"].rank == rows["middle-b"].rank == (2, 3)  # the two coins cannot be told apart
    assert rows["baseline/oracle"].rank is None and rows["baseline/oracle"].reference  # never ranked
    assert [row.model for row in made.rows][-1] == "baseline/oracle"  # reference rows come last

    # independently, with another paired test (exact McNemar on the discordant samples), Holm over the three pairs
    scores = {
        m: run_scores(rows[m].cells["gpt-history.en"].run, "accuracy").values
        for m in ("strong", "middle-a", "middle-b")
    }

    def mcnemar(a: str, b: str) -> float:
        wins = sum(scores[a][i] > scores[b][i] for i in IDS)
        return mcnemar_exact(wins, sum(scores[b][i] > scores[a][i] for i in IDS))

    p = holm([mcnemar("strong", "middle-a"), mcnemar("strong", "middle-b"), mcnemar("middle-a", "middle-b")])
    assert p[0] < 0.05 and p[1] < 0.05 and p[2] > 0.05
    assert {pair: round(value, 2) for pair, value in made.p_holm.items()}  # every pair's adjusted p is reported
    assert rows["strong"].win_rate == 1.0 and rows["strong"].overall.mean == 1.0
    low, _ = wilson(len(IDS), len(IDS))  # every sample right: an honest interval, not [1, 1]
    assert rows["strong"].overall.ci_low == pytest.approx(low) and 0.9 < low < 1.0
    assert rows["strong"].overall.ci_high == 1.0 and rows["strong"].languages["en"].ci_low == pytest.approx(low)


def test_which_runs_count_and_why_the_others_do_not(tmp_path: Path) -> None:
    old = stored(tmp_path, "m", coin(0.5, 1))
    smoke = stored(tmp_path, "m", {i: 1.0 for i in IDS[:5]}, limit=5)
    regrade = stored(tmp_path, "m", coin(0.5, 3), regraded_from=old)
    stopped = stored(tmp_path, "m", coin(0.5, 4), status="stopped")
    stale = stored(tmp_path, "m", coin(0.5, 5), eval={"spec_hash": "f" * 64})
    newest = stored(tmp_path, "m", coin(0.6, 6))
    made = board(tmp_path)
    (row,) = made.rows
    assert row.cells["gpt-history.en"].run.run_id == newest
    reasons = {e.run.run_id: e.reason for e in made.choice.excluded}
    assert reasons == {
        old: f"superseded by the newer run {newest}",
        smoke: "a smoke run (--limit or --sample-id)",
        regrade: f"a regrade of {old}",
        stopped: "stopped, not complete",
        stale: "its spec differs from the eval's now (an older version, or --system-message)",
    }
    chosen = board(tmp_path, select=[old])
    assert chosen.rows[0].cells["gpt-history.en"].run.run_id == old
    partial = board(tmp_path, include_partial=True)
    assert partial.rows[0].cells["gpt-history.en"].run.run_id == newest  # the newest among those now counted


def test_runs_asked_differently_never_share_a_column(tmp_path: Path) -> None:
    stored(tmp_path, "m", coin(0.5, 1))
    stored(tmp_path, "m", coin(0.5, 2), generation={"temperature": 0.7}, eval={"spec_hash": _hot_spec()})
    made = board(tmp_path)
    assert [c.label for c in made.columns] == ["gpt-history.en", "gpt-history.en #2"]


def _hot_spec() -> str:
    from harness.runner.overrides import with_generation

    return with_generation(SPEC, {"temperature": 0.7}).spec_hash


def test_every_format_gives_the_same_numbers_and_escapes_record_text(tmp_path: Path) -> None:
    stored(tmp_path, "evil|<script>alert(1)</script>", coin(0.5, 1))
    stored(tmp_path, "good", coin(0.7, 2))
    results = str(tmp_path)
    as_json = json.loads(evalrun("report", "--runs", results, "--format", "json", cwd=tmp_path).stdout)
    as_csv = list(
        csv.DictReader(io.StringIO(evalrun("report", "--runs", results, "--format", "csv", cwd=tmp_path).stdout))
    )
    markdown = evalrun("report", "--runs", results, "--format", "md", cwd=tmp_path).stdout
    by_model = {cell["model"]: cell for cell in as_json["cells"]}
    assert {row["model"]: float(row["mean"]) for row in as_csv} == {m: c["mean"] for m, c in by_model.items()}
    for cell in as_json["cells"]:
        assert f"{cell['mean']:.3f} [{cell['ci_low']:.3f}, {cell['ci_high']:.3f}] n={cell['n']}" in markdown
        assert cell["cost_usd"] is None and cell["run_id"] and len(cell["data_hash"]) == 64
    assert "<script>" not in markdown and "evil\\|&lt;script&gt;" in markdown
    table = evalrun("report", "--runs", results, cwd=tmp_path).stdout
    assert "Leaderboard" in table and "Cost and speed" in table and "—" in table  # no price known: never $0


def test_cross_lingual_consistency_of_the_baselines(tmp_path: Path) -> None:
    ran = evalrun("run", "core", "--model", "baseline/oracle", "--results", str(tmp_path), "--no-cache", cwd=REPO)
    assert ran.returncode == 0, ran.stderr
    data = json.loads(evalrun("report", "--runs", str(tmp_path), "--format", "json", cwd=REPO).stdout)
    (found,) = data["consistency"]
    facts = len(IDS)
    assert found["family"] == "gpt-history" and found["facts"] == facts and found["all_right"] == facts
    assert [gap["language"] for gap in found["gaps"]] == ["ja", "zh-Hans"] and all(
        g["mean"] == 0 for g in found["gaps"]
    )


def test_consistency_and_gaps_agree_with_a_direct_count(tmp_path: Path) -> None:
    languages = {"gpt-history.en": coin(0.8, 1), "gpt-history.ja": coin(0.6, 2), "gpt-history.zh": coin(0.5, 3)}
    del languages["gpt-history.ja"][IDS[0]]  # a fact the Japanese run has no score for
    for eval_id, scores in languages.items():
        stored(tmp_path, "m", scores, eval_id=eval_id)
        stored(tmp_path, "other", coin(0.5, len(eval_id)), eval_id=eval_id)
    (found,) = [c for c in board(tmp_path).consistency if c.model == "m"]
    en, ja, zh = languages.values()
    shared = [i for i in IDS if i in ja]
    rights = [en[i] + ja[i] + zh[i] for i in shared]
    assert (found.facts, found.all_right, found.none_right) == (len(shared), rights.count(3), rights.count(0))
    assert found.some_right == len(shared) - rights.count(3) - rights.count(0)
    for gap, other in zip(found.gaps, (ja, zh), strict=True):
        both = [i for i in IDS if i in other]
        assert gap.n == len(both) and gap.mean == pytest.approx(sum(other[i] - en[i] for i in both) / len(both))
        assert gap.ci_low is not None and gap.ci_high is not None
        assert -1 <= gap.ci_low <= gap.mean <= gap.ci_high <= 1 and gap.ci_high - gap.ci_low > 0.05


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "evalrun: report: no run to report under"),
        (["--suite", "nope"], "evalrun: report: unknown suite 'nope'"),
        (["--tag", "nope"], "evalrun: report: no eval is tagged 'nope'"),
        (["--select", "no-such-run"], "evalrun: report: no stored run 'no-such-run'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, arguments: list[str], message: str) -> None:
    if arguments[:1] == ["--select"]:
        stored(tmp_path, "m", coin(0.5, 1))
    result = evalrun("report", "--runs", str(tmp_path), *arguments, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith(message) and result.stderr.count("\n") == 1


def test_tag_keeps_only_the_evals_with_it_and_every_cell_names_its_tags(tmp_path: Path) -> None:
    stored(tmp_path, "m", coin(0.5, 1))
    stored(tmp_path, "m", coin(0.5, 2), eval_id="comprehension.ja")
    everything = json.loads(evalrun("report", "--runs", str(tmp_path), "--format", "json", cwd=tmp_path).stdout)
    assert {cell["eval"]: cell["tags"] for cell in everything["cells"]} == {
        eval_id: list(REGISTRY.evals[eval_id].tags) for eval_id in ("gpt-history.en", "comprehension.ja")
    }
    result = evalrun("report", "--runs", str(tmp_path), "--tag", "extractive", "--format", "json", cwd=tmp_path)
    assert [cell["eval"] for cell in json.loads(result.stdout)["cells"]] == ["comprehension.ja"]


def test_twenty_models_far_apart_are_ranked_apart_after_holm(tmp_path: Path) -> None:
    """190 pairs: a p-value floored at 1 / (resamples + 1) could never pass Holm's correction, and every model would
    rank 1–20; models that differ on most facts must be told apart, neighbours that differ on one must not."""
    ids = IDS[:50]  # neighbours then differ on 2 or 3 facts
    for k in range(20):
        stored(tmp_path, f"m{k:02d}", {i: float(n < round(len(ids) * k / 19)) for n, i in enumerate(ids)})
    rows = {row.model: row for row in board(tmp_path).rows}
    top, bottom = rows["m19"].rank, rows["m00"].rank  # all right, all wrong
    assert top is not None and bottom is not None and top[0] == 1 and top[1] <= 5 and bottom == (bottom[0], 20)
    assert bottom[0] >= 16
    best, worst = rows["m15"].rank, rows["m05"].rank
    assert best is not None and worst is not None and best[1] < worst[0]
    assert rows["m10"].rank is not None and rows["m11"].rank is not None
    assert rows["m10"].rank[0] <= rows["m11"].rank[1] and rows["m11"].rank[0] <= rows["m10"].rank[1]  # overlap


def test_the_terminal_table_fits_its_width_by_splitting_wide_tables(tmp_path: Path) -> None:
    from wcwidth import wcswidth

    for model in ("a-model-with-a-rather-long-name", "短い名前のモデル", "m"):
        for eval_id in ("gpt-history.en", "gpt-history.ja", "gpt-history.zh", "comprehension.ja"):
            stored(tmp_path, model, coin(0.5, len(model) + len(eval_id)), eval_id=eval_id)
    stored(tmp_path, "m", coin(0.5, 9), limit=5)  # a run left out, with its reason
    wide = evalrun("report", "--runs", str(tmp_path), cwd=tmp_path, env={"COLUMNS": "400"}).stdout
    narrow = evalrun("report", "--runs", str(tmp_path), cwd=tmp_path, env={"COLUMNS": "70"}).stdout
    assert max(wcswidth(line) for line in wide.splitlines()) > 70
    assert max(wcswidth(line) for line in narrow.splitlines()) <= 70
    for text in (wide, narrow):  # the same cells, whatever the width
        for cell in ("短い名前のモデル", "comprehension.ja (", "win rate", "a smoke run"):
            assert cell in text
    assert narrow.count("rank ") > wide.count("rank ")  # the ranking was split, its first columns repeated
    piped = evalrun("report", "--runs", str(tmp_path), cwd=tmp_path, env={"COLUMNS": ""}).stdout
    assert piped == wide  # to no terminal: not split


def test_the_share_of_answers_in_the_eval_s_language_is_shown_beside_the_scores(tmp_path: Path) -> None:
    counts = {"samples": len(IDS), "scored": len(IDS), "in_language": 30, "language_known": 120}
    stored(tmp_path, "openai/drifter", coin(0.5, 1), counts=counts)
    stored(tmp_path, "openai/steady", coin(0.5, 2))
    document = json.loads(evalrun("report", "--runs", str(tmp_path), "--format", "json", cwd=REPO).stdout)
    rates = {cell["model"]: cell["in_language_rate"] for cell in document["cells"]}
    assert rates == {"openai/drifter": 0.25, "openai/steady": None}
    table = evalrun("report", "--runs", str(tmp_path), "--format", "md", cwd=REPO).stdout
    assert "in language" in table and "25.0%" in table
