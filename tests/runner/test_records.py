"""Run records are defined once (harness.runner.records): typed, written and read only there, their JSON Schemas
generated from the types, and records of the previous schema version still read."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.runner import record_schemas
from harness.runner.records import (
    SCHEMA_VERSION,
    SampleRecord,
    read_run,
    read_samples,
    run_data,
    run_from_data,
    sample_data,
    sample_from_data,
)
from harness.runner.statistics import Estimate, estimate
from tests.support import FIXTURES, REPO, evalrun, run_record

V1 = FIXTURES / "records/v1"
"""Two runs written by evalrun before version 2 (the reader's as the earliest version-1 records were)."""


@pytest.mark.parametrize("name", list(record_schemas.SCHEMAS))
def test_the_shipped_schemas_are_generated_from_the_types(name: str) -> None:
    shipped = (REPO / f"harness/runner/schemas/{name}.schema.json").read_text(encoding="utf-8")
    assert shipped == record_schemas.text(name), "regenerate with: python -m harness.runner.record_schemas"


def test_every_field_is_in_the_schema_and_required() -> None:
    for name, (cls, _) in record_schemas.SCHEMAS.items():
        schema = record_schemas.generated(name)
        assert set(schema["required"]) == set(schema["properties"]) == {f.name for f in fields(cls)}


def test_a_run_record_survives_writing_and_reading() -> None:
    run = run_record(
        metrics={"accuracy": Estimate(0.5, 0.25, 0.75, 8, "wilson"), "f1": None},
        model={"params": {"temperature": 0.0}, "served_by": ["m-2026"]},
        limit="10-20",
        stopped="3 samples failed, more than --max-errors 2",
    )
    data = json.loads(json.dumps(run_data(run)))
    assert list(data)[:3] == ["schema_version", "run_id", "fingerprint"]  # the header first, then the results
    assert not list(record_schemas.validator("run").iter_errors(data))
    assert run_from_data(data, "run.json") == run


def test_a_sample_record_survives_writing_and_reading_lone_surrogates_included(tmp_path: Path) -> None:
    record = SampleRecord(
        "q1",
        2,
        messages=[{"role": "user", "content": "質問"}],
        references=["東京"],
        output="東\ud800京",
        score=1.0,
        metrics={"em": 1.0, "f1": 1.0},
        usage={"prompt_tokens": 3, "completion_tokens": None},
        latency_s=0.5,
        attempts=2,
    )
    from harness.runner.store import RunWriter

    writer = RunWriter(tmp_path / "r", "r")
    writer.append(record)
    writer.close()
    assert list(read_samples(tmp_path / "r/samples.jsonl")) == [record]
    assert not list(record_schemas.validator("sample").iter_errors(sample_data(record)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["counts"].update(errors="3"), "$.counts.errors: expected integer, got the string '3'"),
        (lambda d: d.pop("fingerprint"), "$.fingerprint: missing"),
        (lambda d: d.update(status="done"), "$.status: expected one of 'running', 'complete'"),
        (lambda d: d["metrics"].update(accuracy={"mean": 1}), "$.metrics.accuracy: expected an object or null"),
        (lambda d: d["eval"].update(metrics=[1]), "$.eval.metrics[0]: expected string, got the number 1"),
        (lambda d: d.update(seed=True), "$.seed: expected integer, got true"),
        (lambda d: d.update(schema_version=3), "not a run record of a schema version this evalrun reads (3)"),
    ],
)
def test_a_malformed_run_record_is_named_by_its_json_path(change, message) -> None:  # type: ignore[no-untyped-def]
    data = run_data(run_record(metrics={"accuracy": Estimate(0.5, 0.25, 0.75, 8, "wilson")}))
    data = json.loads(json.dumps(data))
    change(data)
    with pytest.raises(InputError) as raised:
        run_from_data(data, "runs/r/run.json")
    assert str(raised.value).startswith("runs/r/run.json: ") and message in str(raised.value)


def test_a_malformed_sample_line_is_named_by_file_line_and_field(tmp_path: Path) -> None:
    good = json.dumps(sample_data(SampleRecord("a", 1, references=["x"])))
    bad = json.dumps({**json.loads(good), "epoch": "one"})
    (tmp_path / "samples.jsonl").write_text(f"{good}\n{bad}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"samples\.jsonl:2: not a sample record: \$\.epoch: expected integer"):
        list(read_samples(tmp_path / "samples.jsonl"))


def test_nothing_after_a_torn_line_is_read(tmp_path: Path) -> None:
    line = json.dumps(sample_data(SampleRecord("a", 1, references=["x"])))
    (tmp_path / "samples.jsonl").write_text(f"{line}\n{line[:20]}\n{line}\n", encoding="utf-8")
    assert [r.sample_id for r in read_samples(tmp_path / "samples.jsonl")] == ["a"]


def test_version_1_records_are_read_with_the_fields_they_lack_at_their_defaults() -> None:
    for folder in sorted((V1 / "runs").iterdir()):
        run = read_run(folder / "run.json")
        assert run.schema_version == 1 and run.eval.id == "comprehension.ja" and run.counts.samples == 4
        records = list(read_samples(folder / "samples.jsonl", run.schema_version))
        assert len(records) == 4 and all(r.output is not None and r.error is None for r in records)
    reader = read_run(next((V1 / "runs").glob("*reader*")) / "run.json")
    assert reader.counts.cut == 0 and reader.finish_reasons == {} and reader.sample_ids is None
    (first, *_) = read_samples(next((V1 / "runs").glob("*reader*")) / "samples.jsonl", 1)
    assert first.output_cut is False and first.output_bytes is None and first.finish_reason is None
    with pytest.raises(InputError, match=r"\$\.output_cut: missing"):  # version 2 must have every field
        data = json.loads((next((V1 / "runs").glob("*reader*")) / "samples.jsonl").read_text().splitlines()[0])
        sample_from_data(data, SCHEMA_VERSION, "samples.jsonl:1")


def test_compare_and_regrade_read_version_1_runs(tmp_path: Path) -> None:
    results = tmp_path / "results"
    shutil.copytree(V1, results)
    oracle, reader = (folder.name for folder in sorted((results / "runs").iterdir()))
    compared = evalrun("compare", oracle, reader, "--results", str(results), "--json", cwd=REPO)
    assert compared.returncode == 0, compared.stderr
    (comparison,) = json.loads(compared.stdout)["comparisons"]
    assert comparison["n"] == 4 and comparison["a"]["mean"] == 1.0

    regraded = evalrun("regrade", reader, "--results", str(results), "--json", cwd=REPO)
    assert regraded.returncode == 0, regraded.stderr
    (summary,) = json.loads(regraded.stdout)["runs"]
    assert summary["schema_version"] == SCHEMA_VERSION and summary["regraded_from"] == reader
    assert not list(record_schemas.validator("run").iter_errors(summary))
    new = results / "runs" / summary["run_id"]
    for line in (new / "samples.jsonl").read_text(encoding="utf-8").splitlines():
        assert not list(record_schemas.validator("sample").iter_errors(json.loads(line)))
    assert summary["counts"]["samples"] == 4 and summary["metrics"] == run_data(read_run(new / "run.json"))["metrics"]


def test_an_interval_never_leaves_the_range_of_a_score() -> None:
    for n in range(1, 300):
        for values in ([1.0] * n, [0.0] * n, [1.0] * (n - 1) + [0.0]):
            found = estimate(values)
            assert found is not None and 0.0 <= found.ci_low <= found.mean <= found.ci_high <= 1.0
    assert estimate([1.0] * 57) == Estimate(1.0, pytest.approx(0.9369, abs=1e-4), 1.0, 57, "wilson")  # type: ignore[arg-type]


def test_the_report_s_projections_check_what_they_read(tmp_path: Path) -> None:
    from harness.runner.record_views import read_answers, read_scores

    good = sample_data(SampleRecord("a", 1, references=["x"], output="ok", score=1.0, metrics={"em": 1.0}))
    bad = {**good, "output": 5}
    (tmp_path / "samples.jsonl").write_text(f"{json.dumps(good)}\n{json.dumps(bad)}\n", encoding="utf-8")
    assert list(read_scores(tmp_path / "samples.jsonl", "em")) == [("a", 1, 1.0), ("a", 1, 1.0)]
    with pytest.raises(InputError, match=r"samples\.jsonl:2: not a sample record$"):
        list(read_answers(tmp_path / "samples.jsonl"))
    with pytest.raises(InputError, match=r"samples\.jsonl:1: not a sample record with metric 'f1'"):
        list(read_scores(tmp_path / "samples.jsonl", "f1"))


def test_the_projections_read_what_the_writer_writes_and_stop_at_a_torn_line(tmp_path: Path) -> None:
    from harness.runner.record_views import read_answers, read_scores
    from harness.runner.store import _encoded

    surrogate = SampleRecord("s", 1, output="a \ud800 b", score=0.0, metrics={"em": 0.0}, grader={"saw": "\u202e"})
    failed = SampleRecord("f", 1, error="HTTP 500: boom")
    lines = [_encoded(sample_data(surrogate)), _encoded(sample_data(failed)), b'{"sample_id": "torn", "ep']
    (tmp_path / "samples.jsonl").write_bytes(b"".join(lines))
    assert list(read_scores(tmp_path / "samples.jsonl", "em")) == [("s", 1, 0.0), ("f", 1, None)]
    first, second = read_answers(tmp_path / "samples.jsonl")
    assert first.output == "a \ufffd b" and json.loads(first.grader_text or "") == {"saw": "\u202e"}
    assert second.error == "HTTP 500: boom" and second.grader_text is None and not second.references


def test_a_line_nested_too_deep_is_not_a_sample_record(tmp_path: Path) -> None:
    from harness.runner.record_views import read_answers

    deep = '{"sample_id": "x", "output": "y", "grader": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    (tmp_path / "samples.jsonl").write_text(deep + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"samples\.jsonl:1: not a sample record$"):
        list(read_answers(tmp_path / "samples.jsonl"))
