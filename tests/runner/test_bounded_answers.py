"""Answers that cannot crash or stall a run (too deep, too long, a grader that raises), and record writes that fail
cleanly: one line, exit 1, run.json `interrupted`, and `--resume` finishes with every sample recorded once."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.table import results_table
from harness.data.dataset import Dataset
from harness.data.prompt import PromptRenderer
from harness.errors import RecordWriteError
from harness.grading import make_grader
from harness.grading.isolation import IN_PLACE_CHARS, GradingFailed, grade_apart
from harness.grading.scorer import Isolated
from harness.grading.structured import MAX_DEPTH, NestedTooDeeply, find_json
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.registry.loader import Registry
from harness.registry.workspace import Workspace
from harness.runner.engine import FewShot, _attempt
from harness.runner.records import SampleRecord, run_data, run_from_data
from harness.runner.store import RunWriter
from harness.types import Sample, Score
from tests.support import REPO, against, run_record, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault

DEEP = "[" * 100_000


def eval_yaml(grader: str, language: str = "en") -> str:
    return (
        f"id: t\ndescription: d\nlanguage: {language}\nversion: 1\ndata: {{path: t/t.jsonl}}\n"
        f"prompt: {{user: 'Q {{{{ question }}}}'}}\ngrader: {grader}\n"
    )


def records(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()]


def run_in(workspace: Path, server: FakeOpenAI, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict, Path]:
    result = against(
        server, "run", "t", "--model", "openai/m", "--json", "--results", str(workspace / "out"), *extra, cwd=workspace
    )
    assert "Traceback" not in result.stderr, result.stderr
    summary = json.loads(result.stdout)["runs"][0]
    return result, summary, Path(summary["paths"]["run"]).parent


def test_json_nesting_is_bounded() -> None:
    with pytest.raises(NestedTooDeeply):
        find_json(DEEP)
    with pytest.raises(NestedTooDeeply):
        find_json("Here it is: " + "[" * 500 + "]" * 500)  # parses, but deeper than the limit
    assert find_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)[0]
    assert find_json(json.dumps("[" * 1000)) == (True, "[" * 1000)  # brackets inside a string are not nesting
    grader = make_grader("json", "en", schema={"type": "array"})
    score = grader.grade("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), Sample("a", {}, ("[]",)))
    assert score.value == 0.0 and "nested more than 64 levels deep" in score.detail["problem"]
    assert grader.grade("Sure: [[1], [2]]", Sample("a", {}, ("[]",))).value == 1.0


def test_the_search_for_json_gives_up_before_it_turns_quadratic() -> None:
    """Every `[` of this answer starts a prefix that stays valid JSON to the end, so trying each one would read the
    answer 900 times over: the search stops once its failed attempts have read the answer SEARCH_BUDGET times."""
    assert not find_json("[" * 900 + "1," * 200_000 + 'x {"a": 1}')[0]
    assert find_json("[citation needed] [sic] " * 1000 + '{"a": 1}') == (True, {"a": 1})  # short misses cost little


def test_deeply_nested_answer_scores_zero_and_the_run_completes(workspace: Path, openai_server: FakeOpenAI) -> None:
    write(workspace / "registry/evals/t.yaml", eval_yaml("{kind: json, schema: {type: object}}"))
    write_jsonl(
        workspace / "evals/t/t.jsonl", [{"id": f"s{n}", "question": f"q{n}", "answers": ["{}"]} for n in range(6)]
    )
    openai_server.answer = lambda body: DEEP if body["messages"][-1]["content"] == "Q q3" else '{"a": 1}'
    result, summary, run_dir = run_in(workspace, openai_server)
    assert result.returncode == 0 and summary["status"] == "complete", result.stderr
    assert summary["counts"]["errors"] == 0 and summary["counts"]["scored"] == 6
    by_id = {record["sample_id"]: record for record in records(run_dir)}
    assert by_id["s3"]["score"] == 0.0 and "nested more than 64 levels deep" in by_id["s3"]["grader"]["problem"]
    assert by_id["s3"]["output"] == DEEP and by_id["s3"]["output_cut"] is False
    assert all(by_id[f"s{n}"]["score"] == 1.0 for n in (0, 1, 2, 4, 5))


def test_a_slow_grade_holds_up_no_other_sample(workspace: Path, openai_server: FakeOpenAI) -> None:
    """The choice grader spends seconds on this answer; graded off the event loop, the other samples are asked,
    answered and recorded meanwhile (on the loop, they would wait behind it and be recorded after it)."""
    write(workspace / "registry/evals/t.yaml", eval_yaml("{kind: choice}"))
    rows = [{"id": f"s{n:02d}", "question": f"q{n}", "choices": ["cat", "dog"], "answers": "B"} for n in range(40)]
    write_jsonl(workspace / "evals/t/t.jsonl", rows)
    slow_answer = "A " * 100_000
    openai_server.answer = lambda body: slow_answer if body["messages"][-1]["content"] == "Q q0" else "B"
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.05)
    result, summary, run_dir = run_in(workspace, openai_server, "--concurrency", "4", "--max-attempts", "1")
    assert summary["status"] == "complete" and summary["counts"]["samples"] == 40, result.stderr
    order = [record["sample_id"] for record in records(run_dir)]
    assert order.index("s00") >= 20, order  # most samples were recorded while s00 was being graded
    others = [record for record in records(run_dir) if record["sample_id"] != "s00"]
    assert all(record["error"] is None and record["score"] == 1.0 for record in others)


def test_an_answer_over_the_limit_is_cut_recorded_as_cut_and_graded(workspace: Path, openai_server: FakeOpenAI) -> None:
    write(workspace / "registry/evals/t.yaml", eval_yaml("{kind: choice}"))
    rows = [{"id": f"s{n}", "question": f"q{n}", "choices": ["cat", "dog"], "answers": "B"} for n in range(3)]
    write_jsonl(workspace / "evals/t/t.jsonl", rows)
    long_answer = "The answer is B. " + "x" * 3_000_000
    openai_server.answer = lambda body: long_answer if body["messages"][-1]["content"] == "Q q1" else "B"
    result, summary, run_dir = run_in(workspace, openai_server)
    assert summary["status"] == "complete" and summary["counts"]["cut"] == 1, result.stderr
    by_id = {record["sample_id"]: record for record in records(run_dir)}
    cut = by_id["s1"]
    assert cut["output_cut"] is True and cut["output_bytes"] == len(long_answer)
    assert long_answer.startswith(cut["output"]) and len(cut["output"].encode()) <= 1 << 20
    assert cut["score"] == 1.0 and cut["error"] is None  # graded on what was kept
    assert by_id["s0"]["output_cut"] is False and by_id["s0"]["output_bytes"] is None
    assert (run_dir / "samples.jsonl").stat().st_size < 1.5 * (1 << 20)

    from harness.runner.record_schemas import validator as record_validator

    assert all(not list(record_validator("sample").iter_errors(record)) for record in by_id.values())
    assert not list(record_validator("run").iter_errors(json.loads((run_dir / "run.json").read_text())))
    table = results_table([run_from_data(summary, "run.json")], [], ["openai/m"])
    assert "answers cut: t × openai/m — 1 answer(s) over the answer limit were cut to it" in table


class Raising:
    """A grader that fails the way a buggy one does: by recursing without end."""

    def grade(self, output: str, sample: Sample) -> Score:
        return self.grade(output, sample)


class Counting:
    def grade(self, output: str, sample: Sample) -> Score:
        return Score(float(len(output)), {"accuracy": 1.0})


@pytest.mark.parametrize("length", [10, IN_PLACE_CHARS + 1], ids=["in place", "in a thread"])
def test_a_grader_that_raises_fails_only_its_own_grade(length: int) -> None:
    sample = Sample("a", {}, ("x",))

    async def grade_both() -> list[Any]:
        return await asyncio.gather(
            grade_apart(Raising(), "x" * length, sample),
            grade_apart(Counting(), "y" * length, sample),
            return_exceptions=True,
        )

    failed, scored = asyncio.run(grade_both())
    assert isinstance(failed, GradingFailed)
    assert str(failed).startswith("grading failed: RecursionError: maximum recursion depth exceeded")
    assert scored == Score(float(length), {"accuracy": 1.0})


def test_a_grade_over_its_time_limit_fails_its_sample() -> None:
    class Sleeping:
        def grade(self, output: str, sample: Sample) -> Score:
            import time

            time.sleep(1.0)
            return Score(1.0)

    sample = Sample("a", {}, ("x",))
    with pytest.raises(GradingFailed, match=r"^grading took longer than 0.05 s$"):
        asyncio.run(grade_apart(Sleeping(), "x" * (IN_PLACE_CHARS + 1), sample, seconds=0.05))


def test_a_grader_that_raises_fails_its_sample_with_the_answer_kept(
    workspace: Path, openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each sample is asked of the real test server and graded: the one whose grader raises records the answer and
    why it has no score; the other, asked at the same time, is scored as usual."""
    write(workspace / "registry/evals/t.yaml", eval_yaml("{kind: exact}"))
    write_jsonl(workspace / "evals/t/t.jsonl", [{"id": "a", "question": "q", "answers": ["ok"]}])
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    home = Workspace(workspace)
    (spec,) = Registry.load(home).resolve(["t"])
    dataset = Dataset(spec)
    (sample,) = dataset.samples()
    provider = open_provider("openai/m", {}, ModelSettings(max_attempts=1, timeout=5))

    async def attempt_both() -> list[SampleRecord]:
        try:
            return await asyncio.gather(
                *(
                    _attempt(sample, 1, spec, provider, PromptRenderer(spec.prompt), grader, FewShot(spec, dataset, 0))
                    for grader in (Isolated(Raising()), Isolated(make_grader("exact", "en")))
                )
            )
        finally:
            await provider.aclose()

    failed, scored = asyncio.run(attempt_both())
    assert failed.output == "ok" and failed.score is None and failed.metrics is None
    assert failed.error and failed.error.startswith("grading failed: RecursionError: maximum recursion depth exceeded")
    assert scored.output == "ok" and scored.score == 1.0 and scored.error is None


def test_a_lone_surrogate_in_a_record_is_written_as_an_escape(tmp_path: Path) -> None:
    writer = RunWriter(tmp_path / "r", "r")
    writer.append(SampleRecord("a", 1, output="东\ud800京"))
    writer.append(SampleRecord("b", 1, output="京"))
    writer.close()
    lines = (tmp_path / "r/samples.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["output"] for line in lines] == ["东\ud800京", "京"]


def test_a_record_that_cannot_be_written_raises_one_clear_error(tmp_path: Path) -> None:
    run_dir = tmp_path / "runs/r"
    run_dir.mkdir(parents=True)
    (run_dir / "samples.jsonl").symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    writer = RunWriter(run_dir, "r", existing=True)
    for _ in range(2):  # and every record after the first that failed
        with pytest.raises(RecordWriteError, match=r"^cannot write .*runs/r/samples\.jsonl: No space left on device$"):
            writer.append(SampleRecord("a", 1))
    writer.close()

    (run_dir / "run.json.tmp").symlink_to("/dev/full")  # no new file can be written: run.json is rewritten in place
    writer.run_path.write_text(json.dumps({"status": "running", "padding": "x" * 4000}))
    interrupted = run_record(status="interrupted", counts={"samples": 3})
    writer.write_summary(interrupted)
    assert json.loads(writer.run_path.read_text()) == run_data(interrupted)
    (run_dir / "run.json.tmp").symlink_to("/dev/full")  # the failed temporary file was removed: fail it again
    writer.run_path.unlink()
    writer.run_path.symlink_to("/dev/full")
    with pytest.raises(RecordWriteError, match=r"^cannot write .*runs/r/run\.json: No space left on device$"):
        writer.write_summary(interrupted)


def file_size_limit(limit: int) -> Any:
    """A preexec_fn that caps the files the child writes at `limit` bytes (EFBIG past it; Python ignores SIGXFSZ)."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def evalrun_with(
    server: FakeOpenAI, results: Path, *extra: str, limit: int | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_") and k != "EVALRUN_HOME"}
    env["OPENAI_BASE_URL"] = server.base_url
    command = [sys.executable, "-m", "harness", "run", "gpt-history.en", "--model", "openai/m", "-q", "--no-cache"]
    return subprocess.run(
        [*command, "--results", str(results), *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=file_size_limit(limit) if limit else None,
    )


def test_a_run_whose_records_cannot_be_written_ends_in_one_line_and_resumes(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    clean = evalrun_with(openai_server, tmp_path / "clean", "--json")
    assert clean.returncode == 0, clean.stderr
    expected = json.loads(clean.stdout)["runs"][0]["metrics"]

    results = tmp_path / "full"
    failed = evalrun_with(openai_server, results, limit=8_000)
    (run_dir,) = (results / "runs").iterdir()
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [f"evalrun: cannot write {run_dir}/samples.jsonl: File too large"]
    assert json.loads((run_dir / "run.json").read_text())["status"] == "interrupted"
    first = records(run_dir)  # whole lines only: the line that did not fit was taken back
    assert 0 < len(first) < 50 and (run_dir / "samples.jsonl").read_bytes().endswith(b"\n")

    (run_dir / "run.json.tmp").mkdir()  # now no new run.json can be written: it is rewritten in place each time
    again = evalrun_with(openai_server, results, "--resume", limit=(run_dir / "samples.jsonl").stat().st_size + 3_000)
    assert again.returncode == 1 and again.stderr.splitlines()[-1].endswith("samples.jsonl: File too large")
    assert json.loads((run_dir / "run.json").read_text())["status"] == "interrupted"
    assert len(first) < len(records(run_dir)) < 50

    (run_dir / "run.json.tmp").rmdir()
    finished = evalrun_with(openai_server, results, "--resume", "--json")
    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout)["runs"][0]
    assert summary["run_id"] == run_dir.name and summary["status"] == "complete" and summary["resumed"] == 2
    assert sorted(record["sample_id"] for record in records(run_dir)) == sorted(
        record["sample_id"] for record in records(next((tmp_path / "clean/runs").iterdir()))
    )
    assert summary["metrics"] == expected


def test_time_to_first_token_is_recorded_for_streamed_answers(workspace: Path, openai_server: FakeOpenAI) -> None:
    write(workspace / "registry/evals/t.yaml", eval_yaml("{kind: exact}"))
    write_jsonl(
        workspace / "evals/t/t.jsonl", [{"id": f"s{n}", "question": f"q{n}", "answers": ["ok"]} for n in range(3)]
    )
    _, streamed, streamed_dir = run_in(workspace, openai_server, "--stream")
    _, plain, plain_dir = run_in(workspace, openai_server, "--no-cache")
    assert streamed["status"] == plain["status"] == "complete"
    assert all(r["ttft_s"] is not None and 0 <= r["ttft_s"] <= r["latency_s"] for r in records(streamed_dir))
    assert all(r["ttft_s"] is None for r in records(plain_dir))
