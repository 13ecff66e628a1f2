"""A response cache that cannot be opened, read or written costs a run its cached answers, never the run: every sample
is asked and recorded, one line says what happened; `evalrun cache` on a broken cache is one line and exit 2."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from harness.models.cache import FILE_NAME, ResponseCache
from harness.types import Response, Usage
from tests.support import REPO, evalrun
from tests.support.openai_server import FakeOpenAI

SAMPLES = 6
NOT_A_DATABASE = b"these bytes are not an SQLite database\n" * 200


def run(server: FakeOpenAI, results: Path) -> tuple[dict[str, Any], list[str]]:
    """`evalrun run` of SAMPLES samples against the test server: its one run summary and its stderr lines."""
    result = evalrun(
        "run",
        "gpt-history.en",
        "--model",
        "openai/m",
        "--limit",
        str(SAMPLES),
        "--json",
        "--results",
        str(results),
        cwd=REPO,
        env={"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test"},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (summary,) = json.loads(result.stdout)["runs"]
    return summary, result.stderr.splitlines()


def assert_all_recorded(summary: dict[str, Any], cached: int) -> None:
    """Every sample was recorded with its answer, none failed, and `cached` came from the cache."""
    records = [json.loads(line) for line in Path(summary["paths"]["samples"]).read_text(encoding="utf-8").splitlines()]
    assert summary["status"] == "complete"
    assert len({r["sample_id"] for r in records}) == len(records) == summary["counts"]["samples"] == SAMPLES
    assert all(r["output"] == "ok" and r["error"] is None for r in records)
    assert summary["counts"]["errors"] == 0 and summary["counts"]["cached"] == cached


def cache_command(action: str, directory: Path) -> tuple[int, str, list[str]]:
    """`evalrun cache ACTION`: exit status, stdout and stderr lines."""
    result = evalrun("cache", action, "--cache-dir", str(directory), cwd=REPO)
    return result.returncode, result.stdout, result.stderr.splitlines()


@pytest.mark.parametrize(
    "damage, reason",
    [("garbage", "file is not a database"), ("full disk", "database or disk is full")],
)
def test_a_cache_that_cannot_be_opened_is_left_alone_and_the_run_goes_on(
    openai_server: FakeOpenAI, tmp_path: Path, isolated_cache: Path, damage: str, reason: str
) -> None:
    path = isolated_cache / FILE_NAME
    if damage == "garbage":
        path.write_bytes(NOT_A_DATABASE)
    else:
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full here")
        path.symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    summary, err = run(openai_server, tmp_path)
    assert_all_recorded(summary, cached=0)
    assert len(openai_server.requests) == SAMPLES
    assert err == [f"evalrun: cannot open the response cache at {path}: {reason}; running without it"]
    for action in ("stats", "clear"):
        status, out, err = cache_command(action, isolated_cache)
        assert (status, out, err) == (2, "", [f"evalrun: cannot open the response cache at {path}: {reason}"])
    if damage == "garbage":
        assert path.read_bytes() == NOT_A_DATABASE  # nobody's file is replaced or "repaired" behind their back


def test_a_database_damaged_behind_its_header_fails_mid_run_and_the_run_goes_on(
    openai_server: FakeOpenAI, tmp_path: Path, isolated_cache: Path
) -> None:
    """The file opens (its first page is whole) but reading and writing the responses fail during the run."""
    assert_all_recorded(run(openai_server, tmp_path / "first")[0], cached=0)
    path = isolated_cache / FILE_NAME
    assert sorted(p.name for p in isolated_cache.iterdir()) == [FILE_NAME]  # closed: no write-ahead log left over
    data = path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > page
    path.write_bytes(data[:page] + b"\xa5" * (len(data) - page))  # every page but the first is garbage

    summary, err = run(openai_server, tmp_path / "second")
    assert_all_recorded(summary, cached=0)
    assert len(openai_server.requests) == 2 * SAMPLES  # each sample asked again
    note = "the response cache failed (database disk image is malformed); some answers were asked again or not kept"
    assert err == [f"evalrun: {note}"]
    status, out, err = cache_command("stats", isolated_cache)
    assert (status, out) == (2, "")
    assert err == [f"evalrun: cannot read the response cache at {path}: database disk image is malformed"]


def test_a_damaged_entry_is_asked_again_and_replaced(
    openai_server: FakeOpenAI, tmp_path: Path, isolated_cache: Path
) -> None:
    run(openai_server, tmp_path / "first")
    with sqlite3.connect(isolated_cache / FILE_NAME) as db:
        db.execute('UPDATE responses SET response = \'{"output": "ok", "usa\'')  # cut short, as by a failing disk
    db.close()

    summary, err = run(openai_server, tmp_path / "second")
    assert_all_recorded(summary, cached=0)
    assert len(openai_server.requests) == 2 * SAMPLES
    (line,) = err
    assert line.startswith("evalrun: the response cache failed (a stored response could not be read: JSONDecodeError")

    summary, err = run(openai_server, tmp_path / "third")  # the answers asked again replaced the damaged entries
    assert_all_recorded(summary, cached=SAMPLES)
    assert len(openai_server.requests) == 2 * SAMPLES and err == []


@pytest.mark.parametrize(
    "stored",
    ["", "[]", '{"output": "ok"}', '{"output": "ok", "usage": {"tokens": 1}, "finish_reason": null, "model": null}'],
)
def test_an_unreadable_entry_is_a_miss(tmp_path: Path, stored: str) -> None:
    cache = ResponseCache(tmp_path)
    cache._db.execute("INSERT INTO responses VALUES ('k', ?)", (stored,))
    assert cache.get("k") is None
    assert cache.problem and cache.problem.startswith("a stored response could not be read: ")
    cache.put("k", Response("fresh", Usage(1, 2), "stop", "m"))
    cache.close()
    again = ResponseCache(tmp_path)
    assert again.get("k") == Response("fresh", Usage(1, 2), "stop", "m", attempts=0, cached=True)
    assert again.problem is None
    again.close()
