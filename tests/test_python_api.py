"""The Python API: `harness.run` / `harness.arun` run evals from code and return run records, `harness.load_runs`
reads stored runs, with pandas DataFrames of them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import harness
from harness.errors import InputError
from harness.runner.records import RunRecord, read_run


def test_run_returns_the_records_it_wrote(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match=r"gpt-history\.en × baseline/random was not run: "):
        records = harness.run(
            ["gpt-history.en", "comprehension.ja"], ["baseline/oracle", "baseline/random"], results=tmp_path, limit=3
        )
    assert [(r.eval.id, r.model.name) for r in records] == [
        ("gpt-history.en", "baseline/oracle"),
        ("comprehension.ja", "baseline/oracle"),
        ("comprehension.ja", "baseline/random"),
    ]
    assert all(isinstance(r, RunRecord) and r.status == "complete" and r.counts.samples == 3 for r in records)
    oracle = records[0].metrics["accuracy"]
    assert oracle is not None and oracle.mean == 1.0
    assert read_run(Path(records[0].paths.run)) == records[0]  # what was returned is what was written


def test_arun_runs_in_the_callers_event_loop_and_run_says_so_inside_one(tmp_path: Path) -> None:
    async def inside() -> list[RunRecord]:
        with pytest.raises(RuntimeError, match=r"await harness\.arun"):
            harness.run("gpt-history.en", "baseline/oracle", results=tmp_path)
        return await harness.arun(
            "gpt-history.en", "baseline/oracle", results=tmp_path, sample_ids=["transformer-paper-title"]
        )

    (record,) = asyncio.run(inside())
    assert record.counts.samples == 1 and record.sample_ids == ["transformer-paper-title"]


def test_generation_and_seed_make_a_different_run(tmp_path: Path) -> None:
    (plain,) = harness.run("comprehension.ja", "baseline/random", results=tmp_path, limit=2)
    (other,) = harness.run(
        "comprehension.ja", "baseline/random", results=tmp_path, limit=2, seed=3, generation={"temperature": 0.5}
    )
    assert other.generation["temperature"] == 0.5 and other.seed == 3 and other.fingerprint != plain.fingerprint


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"evals": "no-such-eval"}, "unknown eval or suite 'no-such-eval'"),
        ({"models": "nowhere/m"}, "unknown provider 'nowhere'"),
        ({"limit": "0"}, "limit: a count must be from 1"),
        ({"generation": {"temperature": "hot"}}, "generation: 'hot' is not of type 'number'"),
        ({"limit": 2, "sample_ids": ["transformer-paper-title"]}, "give limit or sample_ids, not both"),
        ({"models": []}, "models: give one name or a list of names"),
    ],
)
def test_bad_arguments_are_input_errors_and_nothing_is_written(tmp_path: Path, arguments: dict, message: str) -> None:
    given = {"evals": "gpt-history.en", "models": "baseline/oracle", **arguments}
    with pytest.raises(InputError, match=message):
        harness.run(given.pop("evals"), given.pop("models"), results=tmp_path, **given)
    assert not (tmp_path / "runs").exists()


def test_load_runs_reads_records_and_gives_dataframes(tmp_path: Path) -> None:
    harness.run("comprehension.ja", ["baseline/oracle", "baseline/reader"], results=tmp_path, limit=4)
    (tmp_path / "runs/broken").mkdir()
    (tmp_path / "runs/broken/run.json").write_text("{not json", encoding="utf-8")  # passed over
    runs = harness.load_runs(tmp_path)
    assert len(runs) == 2 and {run.model for run in runs} == {"baseline/oracle", "baseline/reader"}
    assert all(len(list(run.samples())) == 4 for run in runs)

    frame = runs.frame()
    assert set(frame["metric"]) == {"em", "f1"} and len(frame) == 4
    primary = frame[frame["primary"]].set_index("model")
    assert primary.loc["baseline/oracle", "mean"] == 1.0 and primary.loc["baseline/oracle", "n"] == 4
    assert (frame["language"] == "ja").all()

    samples = runs.samples_frame()
    assert len(samples) == 8 and {"sample_id", "output", "score", "error", "run_id"} <= set(samples.columns)
    json.dumps(samples.to_dict(orient="records"), ensure_ascii=False)  # plain JSON values throughout


def test_load_runs_of_an_empty_folder_is_empty(tmp_path: Path) -> None:
    runs = harness.load_runs(tmp_path / "nothing")
    assert len(runs) == 0 and runs.frame().empty
