"""`evalrun run` options end to end: generation and transport flags reach the request body (or are refused at the
edge), make a different run, and hold across --resume; sample selection; environment defaults and .env; SIGTERM; and
the notes under the results table. All through the real command against the real test server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support import FACTS, REPO, SECRET, against, evalrun, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault


def data_ids(relative: str) -> list[str]:
    """The sample ids of a data file under evals/, in order."""
    lines = (REPO / "evals" / relative).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["id"] for line in lines if line.strip()]


def samples_of(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The sample records of a run."""
    text = Path(summary["paths"]["samples"]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def run_json(server: FakeOpenAI, results: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], list[Any]]:
    """`evalrun run gpt-history.en --model openai/m … --json` against `server`; the process and its run summaries."""
    result = against(
        server, "run", "gpt-history.en", "--model", "openai/m", "--json", "--results", str(results), *extra
    )
    runs = json.loads(result.stdout)["runs"] if result.stdout.strip() else []
    return result, runs


GENERATION_FLAGS = [
    "--temperature",
    "0.5",
    "--top-p",
    "0.9",
    "--max-tokens",
    "7",
    "--stop",
    "END",
    "--stop",
    "\n\n",
    "--system-message",
    'Be brief: {{ not a template }} "quoted" 日本語',
    "-M",
    "reasoning_effort=low",
    "-M",
    'chat_template_kwargs={"enable_thinking": false}',
    "-M",
    "top_k=20",
]


def test_generation_flags_and_model_args_reach_every_request_body(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    result, runs = run_json(openai_server, tmp_path, "--limit", "3", *GENERATION_FLAGS)
    assert result.returncode == 0, result.stderr
    assert len(openai_server.requests) == 3
    for request in openai_server.requests:
        body = request["body"]
        assert body["temperature"] == 0.5 and body["top_p"] == 0.9 and body["max_tokens"] == 7
        assert body["stop"] == ["END", "\n\n"]
        assert body["messages"][0] == {"role": "system", "content": 'Be brief: {{ not a template }} "quoted" 日本語'}
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        assert body["reasoning_effort"] == "low"
        assert body["chat_template_kwargs"] == {"enable_thinking": False}
        assert body["top_k"] == 20
    summary = runs[0]
    assert summary["generation"] == {"temperature": 0.5, "top_p": 0.9, "max_tokens": 7, "stop": ["END", "\n\n"]}
    assert summary["identity"]["generation"] == summary["generation"]
    assert summary["identity"]["model"]["params"]["reasoning_effort"] == "low"


def test_generation_flags_win_over_a_preset_s_params(
    openai_server: FakeOpenAI, repo_copy: Path, tmp_path: Path
) -> None:
    write(
        repo_copy / "registry/models/local.yaml",
        f"id: local\ndescription: A local server.\nprovider: openai\nmodel: m\nbase_url: {openai_server.base_url}\n"
        "params:\n  temperature: 0\n  max_tokens: 32\n",
    )
    args = ("run", "gpt-history.en", "-m", "local", "--limit", "1", "--results", str(tmp_path / "out"))
    result = evalrun(*args, "--temperature", "0.7", cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    body = openai_server.requests[-1]["body"]
    assert body["temperature"] == 0.7 and body["max_tokens"] == 32
    result = evalrun(*args, cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    assert openai_server.requests[-1]["body"]["temperature"] == 0


def test_an_empty_system_message_drops_the_eval_s_own(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    result, _ = run_json(openai_server, tmp_path, "--limit", "1", "--system-message", "")
    assert result.returncode == 0, result.stderr
    assert [m["role"] for m in openai_server.requests[0]["body"]["messages"]] == ["user"]


def test_an_eval_without_a_system_prompt_gets_the_system_message(
    openai_server: FakeOpenAI, repo_copy: Path, tmp_path: Path
) -> None:
    write(
        repo_copy / "registry/evals/plain.en.yaml",
        "id: plain.en\ndescription: Questions without a system prompt.\nlanguage: en\nversion: 1\n"
        'data:\n  path: plain/en.jsonl\nprompt:\n  user: "{{ question }}"\ngrader:\n  kind: exact\n',
    )
    write_jsonl(repo_copy / "evals/plain/en.jsonl", [{"id": "q1", "question": "Say ok.", "answers": ["ok"]}])
    plain = against(openai_server, "run", "plain.en", "-m", "openai/m", "--results", str(tmp_path), cwd=repo_copy)
    assert plain.returncode == 0, plain.stderr
    given = against(
        openai_server,
        "run",
        "plain.en",
        "-m",
        "openai/m",
        "--system-message",
        "Answer in one word.",
        "--results",
        str(tmp_path),
        cwd=repo_copy,
    )
    assert given.returncode == 0, given.stderr
    first, second = (r["body"]["messages"] for r in openai_server.requests)
    assert [m["role"] for m in first] == ["user"]
    assert second == [{"role": "system", "content": "Answer in one word."}, first[0]]


VARIANTS = [
    (),
    ("--temperature", "1"),
    ("--top-p", "0.5"),
    ("--max-tokens", "9"),
    ("--stop", "X"),
    ("--system-message", "Other."),
    ("-M", "top_k=5"),
    ("--max-answer-bytes", "512K"),
    ("--limit", "0.003"),
    ("--limit", "1-1"),
    ("--sample-id", "transformer-paper-title"),
]
"""Runs that differ in one option each (every one of them takes only the first sample)."""


def test_each_option_makes_a_different_run_with_its_own_cache_entries(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    fingerprints = {}
    for variant in VARIANTS:
        selects = {"--limit", "--sample-id"} & set(variant)
        asked = len(openai_server.requests)
        result, runs = run_json(openai_server, tmp_path, *(() if selects else ("--limit", "1")), *variant)
        assert result.returncode == 0, (variant, result.stderr)
        assert [s["sample_id"] for s in samples_of(runs[0])] == ["transformer-paper-title"], variant
        fingerprints[variant] = runs[0]["fingerprint"]
        if selects:  # the same sample asked the same way: answered from the cache
            assert len(openai_server.requests) == asked and runs[0]["counts"]["cached"] == 1, variant
        elif "--max-answer-bytes" not in variant:  # asked differently: a request of its own
            assert len(openai_server.requests) == asked + 1 and runs[0]["counts"]["cached"] == 0, variant
    assert len(set(fingerprints.values())) == len(VARIANTS), fingerprints
    asked = len(openai_server.requests)
    result, runs = run_json(openai_server, tmp_path, "--limit", "1", "--temperature", "1")
    assert result.returncode == 0 and runs[0]["counts"]["cached"] == 1 and len(openai_server.requests) == asked


def stopped_run(server: FakeOpenAI, results: Path, *flags: str) -> str:
    """A run of gpt-history.en with `flags` that --max-errors stopped after its first sample; its id."""
    server.faults.append(Fault("status", 400))
    result, runs = run_json(server, results, "--concurrency", "1", "--max-errors", "0", *flags)
    assert result.returncode == 1 and runs[0]["status"] == "stopped", result.stderr
    return str(runs[0]["run_id"])


@pytest.mark.parametrize(
    "changed, what",
    [
        (("--temperature", "0.7"), "spec, model, generation"),
        (("--system-message", "Be terse."), "spec"),
        (("-M", "top_k=3"), "model"),
        (("--max-answer-bytes", "2M"), "max_answer_bytes"),
        (("--limit", "0.5"), "limit"),
    ],
)
def test_resume_refuses_a_changed_option_and_continues_with_the_same(
    openai_server: FakeOpenAI, tmp_path: Path, changed: tuple[str, str], what: str
) -> None:
    same = ("--temperature", "0.2", "-M", "top_k=4", "--limit", "0.2")
    run_id = stopped_run(openai_server, tmp_path, *same)
    flags = dict(zip(same[::2], same[1::2], strict=True)) | {changed[0]: changed[1]}
    result, _ = run_json(openai_server, tmp_path, "--resume", run_id, *(x for kv in flags.items() for x in kv))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"evalrun: cannot resume {run_id}: its {what} no longer match; start a new run"
    result, runs = run_json(openai_server, tmp_path, "--resume", run_id, *same)
    assert result.returncode == 1, result.stderr  # the first sample's 400 stays counted
    assert (
        runs[0]["run_id"] == run_id
        and runs[0]["status"] == "complete"
        and runs[0]["counts"]["samples"] == int(FACTS * 0.2)
    )


@pytest.mark.parametrize(
    "flags, message",
    [
        (("--temperature", "2.5"), "argument --temperature: must be from 0 to 2, not 2.5"),
        (("--temperature", "nan"), "argument --temperature: must be from 0 to 2, not nan"),
        (("--top-p", "0"), "argument --top-p: must be above 0 and at most 1, not 0"),
        (("--top-p", "1.01"), "argument --top-p: must be from 0 to 1, not 1.01"),
        (("--max-tokens", "0"), "argument --max-tokens: must be from 1 to"),
        (("--stop", ""), "argument --stop: a stop sequence cannot be empty"),
        (("-M", "model=gpt-5"), "evalrun: -M model: evalrun sets 'model' itself; it cannot be given"),
        (("-M", "stream_options={}"), "evalrun: -M stream_options: evalrun sets 'stream_options' itself"),
        (("-M", "messages=[]"), "evalrun: -M messages: evalrun sets 'messages' itself"),
        (("-M", "top_k"), "evalrun: -M 'top_k': write KEY=VALUE"),
        (("-M", "=5"), "evalrun: -M '=5': write KEY=VALUE"),
        (("-M", "top_k=1", "-M", "top_k=2"), "evalrun: -M top_k: given twice"),
        (("-M", "temperature=1", "--temperature", "0"), "give --temperature or -M temperature, not both"),
        (("-M", "x=" + "[" * 100_000), "evalrun: -M x: the value is nested too deeply"),
        (("--max-answer-bytes", "0"), "argument --max-answer-bytes: must be from 1 byte to 64M, not 0"),
        (("--max-answer-bytes", "65M"), "must be from 1 byte to 64M, not 65M"),
        (("--max-answer-bytes", "12X"), "'12X' is not a size"),
        (("--max-wait", "-1"), "argument --max-wait: must be from 0"),
        (("--max-connections", "0"), "argument --max-connections: must be from 1"),
        (("--adaptive", "maybe"), "argument --adaptive: invalid choice: 'maybe'"),
        (("--limit", "0"), "argument --limit: a count must be from 1"),
        (("--limit", "0.0"), "argument --limit: a fraction must be above 0 and at most 1, not 0.0"),
        (("--limit", "1.5"), "a fraction must be above 0 and at most 1, not 1.5"),
        (("--limit", "20-10"), "a range must run from 1 up, its end not below its start, not 20-10"),
        (("--limit", "0-5"), "a range must run from 1 up"),
        (("--limit", "ten"), "'ten' is not a count (50), a fraction (0.1) or a range (10-20)"),
        (("--limit", "5", "--sample-id", "gpt-acronym"), "evalrun: give --limit or --sample-id, not both"),
        (("--sample-id", "no-such-sample"), "evalrun: --sample-id 'no-such-sample' is not a sample of gpt-history.en"),
    ],
)
def test_a_bad_option_is_exit_2_with_one_line(tmp_path: Path, flags: tuple[str, ...], message: str) -> None:
    result = evalrun("run", "gpt-history.en", "--model", "openai/m", *flags, "--results", str(tmp_path), cwd=REPO)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert not (tmp_path / "runs").exists()


def test_transport_flags_reach_the_requests(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    result, _ = run_json(openai_server, tmp_path, "--limit", "1", "--stream")
    assert result.returncode == 0, result.stderr
    assert openai_server.requests[-1]["body"]["stream"] is True
    result, _ = run_json(openai_server, tmp_path / "b", "--limit", "1", "--no-stream", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert openai_server.requests[-1]["body"].get("stream") in (None, False)

    openai_server.answer = lambda body: "é" * 5000
    result, runs = run_json(openai_server, tmp_path / "c", "--limit", "2", "--max-answer-bytes", "1K")
    assert result.returncode == 0, result.stderr
    assert all(len(s["output"].encode()) <= 1024 for s in samples_of(runs[0]))
    assert runs[0]["identity"]["max_answer_bytes"] == 1024

    openai_server.answer = lambda body: "ok"
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.05)
    result = against(
        openai_server,
        "run",
        "gpt-history.en",
        "gpt-history.ja",
        "-m",
        "openai/a",
        "-m",
        "openai/b",
        "--limit",
        "6",
        "--concurrency",
        "4",
        "--max-connections",
        "1",
        "--results",
        str(tmp_path / "d"),
    )
    assert result.returncode == 0, result.stderr
    assert openai_server.max_in_flight == 1


def test_max_wait_fails_a_sample_whose_server_asks_a_longer_wait(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.fault_for = lambda body: Fault("status", 429, retry_after="30")
    result, runs = run_json(openai_server, tmp_path, "--limit", "1", "--max-wait", "1", "--max-attempts", "5")
    assert result.returncode == 1
    assert len(openai_server.requests) == 1
    assert "30" in samples_of(runs[0])[0]["error"]


def test_limit_forms_select_the_right_samples(tmp_path: Path) -> None:
    english, reading = data_ids("gpt-history/en.jsonl"), data_ids("comprehension/ja.jsonl")
    expected = {
        "3": (english[:3], reading[:3], 3),
        "0.1": (english[: len(english) // 10], reading[: len(reading) // 10], 0.1),  # 10% of each, rounded down
        ".001": (english[:1], reading[:1], 0.001),  # at least one
        "10-12": (english[9:12], reading[9:12], "10-12"),  # counted from 1, both ends included
        # past the end of the shorter eval: none of its samples, the longer one's
        f"{len(reading) + 2}-{len(reading) + 9}": (
            english[len(reading) + 1 : len(reading) + 9],
            [],
            f"{len(reading) + 2}-{len(reading) + 9}",
        ),
    }
    for limit, (want_english, want_reading, recorded) in expected.items():
        result = evalrun(
            "run",
            "gpt-history.en",
            "comprehension.ja",
            "-m",
            "baseline/oracle",
            "--limit",
            limit,
            "--json",
            "--results",
            str(tmp_path),
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr
        runs = {s["eval"]["id"]: s for s in json.loads(result.stdout)["runs"]}
        assert [s["sample_id"] for s in samples_of(runs["gpt-history.en"])] == want_english, limit
        assert [s["sample_id"] for s in samples_of(runs["comprehension.ja"])] == want_reading, limit
        assert runs["gpt-history.en"]["limit"] == recorded == runs["comprehension.ja"]["identity"]["limit"]


def test_sample_ids_pick_samples_across_the_evals_run(tmp_path: Path) -> None:
    english, reading = data_ids("gpt-history/en.jsonl"), data_ids("comprehension/ja.jsonl")
    assert not set(english) & set(reading)
    result = evalrun(
        "run",
        "core",
        "-m",
        "baseline/oracle",
        "--json",
        "--results",
        str(tmp_path),
        "--sample-id",
        english[7],
        f"{english[2]},{reading[4]}",
        "--sample-id",
        english[7],
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    runs = {s["eval"]["id"]: s for s in document["runs"]}
    assert set(runs) >= {"gpt-history.en", "comprehension.ja"}
    assert [s["sample_id"] for s in samples_of(runs["gpt-history.en"])] == [english[2], english[7]]
    assert [s["sample_id"] for s in samples_of(runs["comprehension.ja"])] == [reading[4]]
    assert runs["gpt-history.en"]["sample_ids"] == sorted([english[2], english[7]])
    assert runs["gpt-history.en"]["identity"]["sample_ids"] == sorted([english[2], english[7]])
    assert document["run_folders"] == [str(Path(s["paths"]["run"]).parent) for s in document["runs"]]


def test_environment_defaults(tmp_path: Path) -> None:
    env = {"EVALRUN_MODEL": "baseline/oracle, baseline/reader", "EVALRUN_RESULTS": str(tmp_path / "env")}
    args = ("run", "comprehension.ja", "--limit", "2", "--json")
    result = evalrun(*args, cwd=REPO, env=env | {"EVALRUN_CONCURRENCY": "3"})
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [s["model"]["name"] for s in runs] == ["baseline/oracle", "baseline/reader"]
    assert all(Path(s["paths"]["run"]).is_relative_to(tmp_path / "env") and s["concurrency"] == 3 for s in runs)
    flags = ("--model", "baseline/reader", "--concurrency", "5", "--results", str(tmp_path / "flag"))
    result = evalrun(*args, *flags, cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr
    (summary,) = json.loads(result.stdout)["runs"]
    assert summary["model"]["name"] == "baseline/reader" and summary["concurrency"] == 5
    assert Path(summary["paths"]["run"]).is_relative_to(tmp_path / "flag")

    result = evalrun("run", "gpt-history.en", cwd=REPO, env=env | {"EVALRUN_CONCURRENCY": "0"})
    assert result.returncode == 2 and result.stderr == "evalrun: EVALRUN_CONCURRENCY: must be from 1 to 1024, not 0\n"
    result = evalrun("run", "gpt-history.en", cwd=tmp_path, env={"EVALRUN_MODEL": ""})
    assert result.returncode == 2
    assert result.stderr == "evalrun: give --model M (or set EVALRUN_MODEL, in the environment or in .env)\n"


def test_a_dotenv_file_in_the_current_folder_is_read_and_the_environment_wins(
    openai_server: FakeOpenAI, repo_copy: Path, tmp_path: Path
) -> None:
    write(
        repo_copy / ".env",
        f"# settings for this folder\nEVALRUN_MODEL=openai/from-dotenv\nOPENAI_BASE_URL={openai_server.base_url}\n"
        f"export OPENAI_API_KEY='{SECRET}'\nEVALRUN_RESULTS=from-dotenv\nEVALRUN_CONCURRENCY=2\nthis line is not a setting\n",
    )
    results = tmp_path / "out"
    result = evalrun(
        "run", "gpt-history.en", "--limit", "2", "--json", cwd=repo_copy, env={"EVALRUN_RESULTS": str(results)}
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == "evalrun: .env:7: not NAME=value; line skipped"
    (summary,) = json.loads(result.stdout)["runs"]
    assert summary["model"]["name"] == "openai/from-dotenv" and summary["concurrency"] == 2
    assert Path(summary["paths"]["run"]).is_relative_to(results) and not (repo_copy / "from-dotenv").exists()
    assert {r["headers"]["Authorization"] for r in openai_server.requests} == {f"Bearer {SECRET}"}
    for path in results.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8")


def start(server: FakeOpenAI, results: Path, *extra: str) -> subprocess.Popen[str]:
    """`evalrun run gpt-history.en` as a shell starts a background job (`evalrun run … &`): SIGINT ignored."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {"OPENAI_BASE_URL": server.base_url}
    return subprocess.Popen(
        [sys.executable, "-m", "harness", "run", "gpt-history.en", "-m", "openai/m", "--results", str(results), *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # noqa: PLW1509 - as a shell does
    )


def test_sigterm_ends_a_background_run_interrupted_and_resumable(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.fault_for = lambda body: Fault("slow", seconds=0.1)
    process = start(openai_server, tmp_path, "--concurrency", "2")
    deadline = time.monotonic() + 60
    while len(openai_server.requests) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # ignored, as a background job ignores it
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("evalrun: terminated (SIGTERM)")
    run_dir = next((tmp_path / "runs").iterdir())
    summary = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert summary["status"] == "interrupted" and 0 < summary["counts"]["samples"] < 50

    openai_server.fault_for = lambda body: None
    result, runs = run_json(openai_server, tmp_path, "--resume")
    assert result.returncode == 0, result.stderr
    assert runs[0]["run_id"] == summary["run_id"] and runs[0]["status"] == "complete"
    ids = [s["sample_id"] for s in samples_of(runs[0])]
    assert sorted(ids) == sorted(data_ids("gpt-history/en.jsonl"))


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_evalrun_starts_never_prints_a_traceback(tmp_path: Path, signal_name: str) -> None:
    # from 50 ms on: before that the interpreter itself may still be starting (its `site` import), where a Ctrl-C
    # is Python's own fatal error, before any code of evalrun runs
    for delay in (0.05, 0.07, 0.09, 0.12, 0.16, 0.25):
        process = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", "core", "-m", "baseline/oracle", "-q", "--results", str(tmp_path)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(getattr(signal, signal_name))
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr, (delay, stderr)
        assert len(stderr.strip().splitlines()) <= 1 or process.returncode == 0, (delay, stderr)
        number = getattr(signal, signal_name)
        assert process.returncode in (0, 128 + number, -number), (delay, process.returncode, stderr)


def test_the_table_says_samples_and_epochs_apart_and_where_the_runs_are(tmp_path: Path) -> None:
    result = evalrun(
        "run",
        "gpt-history.en",
        "-m",
        "baseline/oracle",
        "--limit",
        "5",
        "--epochs",
        "2",
        "--results",
        str(tmp_path),
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert "n=5 epochs=2 err=0" in result.stdout and "n=10" not in result.stdout
    (folder,) = (tmp_path / "runs").iterdir()
    lines = result.stderr.splitlines()
    assert "run folders:" in lines
    assert any(line.split()[:1] == [str(folder)] and "gpt-history.en × baseline/oracle" in line for line in lines)


def test_a_failed_run_names_its_most_common_error(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    hard = {"transformer-paper-month", "gpt-acronym", "transformer-paper-title"}
    questions = {
        json.loads(line)["question"]
        for line in (REPO / "evals/gpt-history/en.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["id"] in hard
    }

    def fault(body: dict[str, Any]) -> Fault | None:
        if any(q in body["messages"][-1]["content"] for q in questions):
            return Fault("status", 400, body={"detail": "bad\x1b[31m request\n" + "x" * 500})
        return None

    openai_server.fault_for = fault
    result = against(
        openai_server, "run", "gpt-history.en", "-m", "openai/m", "--limit", "8", "--results", str(tmp_path)
    )
    assert result.returncode == 1
    (line,) = (line for line in result.stderr.splitlines() if "failed after retries" in line)
    assert line.startswith("evalrun: gpt-history.en × openai/m: ") and "sample(s) failed after retries" in line
    assert "most often (3×): HTTP 400" in line and "\x1b" not in line and "\\x1b" in line
    assert len(line) < 320 and line.endswith("…")


class LengthServer:
    """An OpenAI-compatible server on 127.0.0.1 whose answers all stop at the token limit (`finish_reason: length`)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                choice = {"index": 0, "message": {"role": "assistant", "content": "The answer is"}}
                data = json.dumps({"choices": [{**choice, "finish_reason": "length"}], "model": "m"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def length_server() -> Iterator[LengthServer]:
    server = LengthServer()
    yield server
    server.close()


def test_a_note_says_when_most_answers_stopped_at_max_tokens(
    length_server: LengthServer, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    args = ("run", "gpt-history.en", "-m", "openai/m", "--limit", "4", "--max-tokens", "3", "--results", str(tmp_path))
    result = evalrun(*args, cwd=REPO, env={"OPENAI_BASE_URL": length_server.base_url})
    assert result.returncode == 0, result.stderr
    assert (
        "cut short: gpt-history.en × openai/m — 4 of 4 answers stopped at the token limit (max_tokens 3); "
        "raise --max-tokens to let them finish" in result.stdout
    )
    result = against(openai_server, *args)
    assert result.returncode == 0 and "cut short" not in result.stdout


def test_a_note_says_when_many_answers_are_not_in_the_eval_s_language(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    openai_server.answer = lambda body: "The answer is not known to me."
    args = ("run", "gpt-history.ja", "-m", "openai/m", "--limit", "5", "--no-cache", "--results", str(tmp_path / "en"))
    result = against(openai_server, *args)
    assert result.returncode == 0, result.stderr
    assert "out of language: gpt-history.ja × openai/m — 5 of 5 answers were not written in ja" in result.stdout
    openai_server.answer = lambda body: "わかりません"
    result = against(openai_server, *args[:-1], str(tmp_path / "ja"))
    assert result.returncode == 0 and "out of language" not in result.stdout


def test_records_escape_what_could_drive_a_terminal(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    answer = "Tokyo\u009b2J\u202eevil\u2066"
    openai_server.answer = lambda body: answer
    args = ("run", "gpt-history.en", "-m", "openai/m", "--limit", "2", "--no-cache", "--results", str(tmp_path))
    assert against(openai_server, *args).returncode == 0
    (samples,) = tmp_path.glob("runs/*/samples.jsonl")
    raw = samples.read_text(encoding="utf-8")
    assert not any(char in raw for char in "\u009b\u202e\u2066") and "\\u202e" in raw
    assert all(json.loads(line)["output"] == answer for line in raw.splitlines())
