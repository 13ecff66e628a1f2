"""--max-errors stops a failing run cleanly (and --resume finishes it); progress is shown on stderr."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from harness.runner.progress import Board
from harness.runner.records import SampleRecord
from harness.runner.summary import Tally
from tests.support import FACTS, against
from tests.support.openai_server import FakeOpenAI, Fault


def run(server: FakeOpenAI, results: Path, *extra: str) -> tuple[int, dict, str]:
    result = against(
        server,
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--concurrency",
        "1",
        "--json",
        "--results",
        str(results),
        *extra,
    )
    return result.returncode, json.loads(result.stdout)["runs"][0], result.stderr


@pytest.mark.parametrize(
    "limit, stops_after, reason",
    [
        ("2", 3, "3 samples failed, more than --max-errors 2"),
        ("10%", 20, "100% of 20 samples failed, more than --max-errors 10%"),
    ],
)
def test_max_errors_stops_cleanly_and_resume_finishes(
    openai_server: FakeOpenAI, tmp_path: Path, limit: str, stops_after: int, reason: str
) -> None:
    openai_server.fault_for = lambda body: Fault("status", 401)
    status, summary, _ = run(openai_server, tmp_path, "--max-errors", limit)
    assert status == 1
    assert summary["status"] == "stopped" and summary["stopped"] == reason
    assert summary["counts"]["samples"] == stops_after == summary["counts"]["errors"]
    # the stop is decided when a failure is recorded; a request already sent (at most --concurrency) is not recorded
    assert stops_after <= len(openai_server.requests) <= stops_after + 1

    openai_server.fault_for = lambda body: None
    status, resumed, _ = run(openai_server, tmp_path, "--resume", "--max-errors", limit)
    assert resumed["run_id"] == summary["run_id"] and resumed["status"] == "complete"
    assert resumed["counts"]["samples"] == FACTS and resumed["counts"]["errors"] == stops_after


def test_default_limit_tolerates_scattered_errors(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.fault_for = lambda body: Fault("status", 400) if "GPT-2" in body["messages"][-1]["content"] else None
    status, summary, _ = run(openai_server, tmp_path)
    assert summary["status"] == "complete" and 0 < summary["counts"]["errors"] < FACTS // 2 and status == 1


def test_plain_progress_lines_when_not_a_terminal(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    result = against(openai_server, "run", "gpt-history.en", "--model", "openai/m", "--results", str(tmp_path))
    last = [line for line in result.stderr.splitlines() if line.startswith("gpt-history.en × openai/m")][-1]
    assert f"{FACTS}/{FACTS}" in last and "errors 0" in last and "\r" not in result.stderr
    quiet = against(openai_server, "run", "gpt-history.en", "--model", "openai/m", "-q", "--results", str(tmp_path))
    assert "gpt-history.en × openai/m  " not in quiet.stderr  # no progress line (run folders are still listed)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_redraws_a_line_per_pair_in_place() -> None:
    stream = Terminal()

    async def show() -> None:
        tallies = [Tally(("accuracy",)), Tally(("accuracy",))]
        async with Board(stream=stream, interval=0.01) as board:
            pairs = [
                board.add(f"demo × m{n}", 4, tally, lambda n=n: 3 if n else None) for n, tally in enumerate(tallies)
            ]
            for i in range(4):
                for tally in tallies:
                    error = None if i else "boom"
                    metrics = {"accuracy": 1.0}
                    tally.add(
                        SampleRecord(f"s{i}", 1, latency_s=0.1, attempts=1 + (i == 2), error=error, metrics=metrics)
                    )
            board.draw()
            assert "cap 3" in stream.getvalue() and "ETA" in stream.getvalue()
            for pair in pairs:
                board.finish(pair, "complete")

    asyncio.run(show())
    text = stream.getvalue()
    assert "\x1b[2K" in text and "\x1b[1A" in text  # lines erased and the cursor moved up: redrawn in place
    final = [line for line in text.rsplit("\x1b[2K", 1)[-1].splitlines() if "demo" in line]  # the last frame
    assert len(final) == 2  # one line per pair
    for n, line in enumerate(final):
        assert f"demo × m{n}" in line and "4/4" in line and "complete in" in line and "retries 1  errors 1" in line
    assert text.removesuffix("\x1b[?25h").endswith("\n") and "cap" not in "".join(final)
