"""The response cache: keyed by endpoint, model, full request and epoch; shared safely; never holds a key."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from harness.models.cache import ResponseCache
from harness.types import Request, Response, Sample, Usage
from tests.support import REPO, SECRET, evalrun
from tests.support.openai_server import FakeOpenAI, Fault


def run(server: FakeOpenAI, results: Path, *models: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    flags = [part for model in models for part in ("--model", model)]
    result = evalrun(
        "run",
        "gpt-history.en",
        *flags,
        "--limit",
        "6",
        "--json",
        "--results",
        str(results),
        *extra,
        cwd=REPO,
        env={"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": SECRET},
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def outputs(summary: dict[str, Any]) -> list[tuple[str, str, bool]]:
    lines = Path(summary["paths"]["samples"]).read_text(encoding="utf-8").splitlines()
    return sorted((r["sample_id"], r["output"], r["cached"]) for r in map(json.loads, lines))


def test_two_models_same_prompt_two_answers_then_all_cached(
    openai_server: FakeOpenAI, tmp_path: Path, isolated_cache: Path
) -> None:
    openai_server.answer = lambda body: f"answer of {body['model']}"
    first = run(openai_server, tmp_path, "openai/model-a", "openai/model-b")["runs"]
    assert len(openai_server.requests) == 12
    a, b = (outputs(s) for s in first)
    assert {o for _, o, _ in a} == {"answer of model-a"} and {o for _, o, _ in b} == {"answer of model-b"}
    assert not any(cached for _, _, cached in a + b)

    second = run(openai_server, tmp_path, "openai/model-a", "openai/model-b")["runs"]
    assert len(openai_server.requests) == 12  # nothing asked again
    assert [[(i, o) for i, o, _ in outputs(s)] for s in second] == [
        [(i, o) for i, o, _ in a],
        [(i, o) for i, o, _ in b],
    ]
    assert all(cached for s in second for _, _, cached in outputs(s))
    assert [s["counts"]["cached"] for s in second] == [6, 6]
    assert [s["metrics"] for s in second] == [s["metrics"] for s in first]

    run(openai_server, tmp_path, "openai/model-a", extra=("--no-cache",))
    assert len(openai_server.requests) == 18
    assert SECRET.encode() not in b"".join(p.read_bytes() for p in isolated_cache.rglob("*") if p.is_file())


def test_failures_are_not_cached(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    openai_server.fault_for = lambda body: Fault("status", 400)
    assert run(openai_server, tmp_path, "openai/m")["runs"][0]["counts"]["errors"] == 6
    openai_server.fault_for = lambda body: None
    again = run(openai_server, tmp_path, "openai/m")["runs"][0]
    assert again["counts"]["errors"] == 0 and again["counts"]["cached"] == 0


def test_a_rerun_asks_only_for_the_samples_that_failed(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    failing: set[str] = set()

    def fault(body: dict[str, Any]) -> Fault | None:
        prompt = body["messages"][-1]["content"]
        if len(failing) < 2:
            failing.add(prompt)
        return Fault("status", 400) if prompt in failing else None

    openai_server.fault_for = fault
    first = run(openai_server, tmp_path, "openai/m")["runs"][0]["counts"]
    asked = len(openai_server.requests)
    openai_server.fault_for = lambda body: None
    again = run(openai_server, tmp_path, "openai/m")["runs"][0]["counts"]
    assert (first["errors"], again["errors"], again["cached"]) == (2, 0, 4)
    assert len(openai_server.requests) - asked == 2


def test_key_covers_endpoint_model_request_and_epoch(tmp_path: Path) -> None:
    sample = Sample("s", {}, ("x",))
    endpoint = {"provider": "openai", "model": "m", "base_url": "http://127.0.0.1:1/v1", "params": {}}
    base = Request(({"role": "user", "content": "hi"},), {"temperature": 0}, sample)
    keys = {
        ResponseCache.key(endpoint, base),
        ResponseCache.key({**endpoint, "model": "n"}, base),
        ResponseCache.key({**endpoint, "base_url": "http://127.0.0.1:2/v1"}, base),
        ResponseCache.key({**endpoint, "params": {"temperature": 1}}, base),
        ResponseCache.key(endpoint, Request(base.messages, {"temperature": 0.5}, sample)),
        ResponseCache.key(endpoint, Request(({"role": "user", "content": "hi!"},), base.params, sample)),
        ResponseCache.key(endpoint, Request(base.messages, base.params, sample, epoch=2)),
    }
    assert len(keys) == 7
    assert ResponseCache.key(endpoint, base) == ResponseCache.key(
        dict(endpoint), Request(base.messages, {"temperature": 0}, Sample("other", {}, ("y",)))
    )

    cache = ResponseCache(tmp_path)
    other = ResponseCache(tmp_path)  # a second connection, as a concurrent run would have
    cache.put("k", Response("out", Usage(3, 4), "stop", "served"))
    assert cache.get("k") is not None and other.get("k") is None  # waiting in memory, no lock held
    other.put("j", Response("other", Usage(1, 1), "stop", "served"))
    other.commit()  # the other run can write meanwhile
    cache.commit()
    assert cache.get("j") is not None
    assert other.get("k") == Response("out", Usage(3, 4), "stop", "served", attempts=0, cached=True)
    assert other.get("missing") is None
    cache.close()
    other.close()


def test_cache_command(openai_server: FakeOpenAI, tmp_path: Path, isolated_cache: Path) -> None:
    run(openai_server, tmp_path, "openai/m")
    stats = json.loads(evalrun("cache", "stats", "--json", cwd=tmp_path).stdout)
    assert stats["entries"] == 6 and stats["path"].startswith(str(isolated_cache))
    cleared = evalrun("cache", "clear", cwd=tmp_path)
    assert cleared.returncode == 0 and "cleared 6 responses" in cleared.stdout
    assert json.loads(evalrun("cache", "stats", "--json", cwd=tmp_path).stdout)["entries"] == 0


def test_cache_command_on_a_folder_with_no_cache_creates_nothing(tmp_path: Path) -> None:
    for action in ("stats", "clear"):
        result = evalrun("cache", action, "--json", "--cache-dir", str(tmp_path / "none"), cwd=tmp_path)
        assert result.returncode == 0 and json.loads(result.stdout)["entries"] == 0
    assert not (tmp_path / "none").exists()


def test_a_stored_response_comes_back_whole(tmp_path: Path) -> None:
    """Every field of a response but how it was obtained survives the cache, so a new field cannot be dropped."""
    values: dict[str, object] = {
        "output": "答え\ud7ff",
        "usage": Usage(prompt_tokens=3, completion_tokens=5),
        "finish_reason": "length",
        "model": "served-name",
        "attempts": 4,
        "cached": False,
        "time_to_first_token": 0.25,
        "latency": 0.5,
        "full_bytes": 123,
    }
    assert set(values) == {f.name for f in fields(Response)}
    cache = ResponseCache(tmp_path)
    cache.put("k", Response(**values))  # type: ignore[arg-type]
    cache.close()
    found = ResponseCache(tmp_path).get("k")
    assert found == Response(**{**values, "attempts": 0, "cached": True})  # type: ignore[arg-type]


def test_cached_answers_are_not_latency(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    for _ in range(2):
        result = evalrun(
            "run",
            "gpt-history.en",
            "-m",
            "openai/m",
            "--limit",
            "3",
            "--json",
            "--results",
            str(tmp_path),
            cwd=REPO,
            env=env,
        )
    assert json.loads(result.stdout)["runs"][0]["latency_s"] == {"mean": None, "p50": None, "p95": None}


def test_a_cached_answer_obeys_each_runs_answer_limit(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    """The cache keeps what a run kept: a later run with a lower limit gets it cut, one with a higher limit than the
    stored answer was cut to asks the model again rather than take the short answer for the whole."""
    openai_server.answer = lambda body: "答" * 100  # 300 bytes

    def answers(limit: int) -> list[tuple[str, bool, bool, int | None]]:
        summary = run(openai_server, tmp_path, "openai/m", extra=("--max-answer-bytes", str(limit)))["runs"][0]
        lines = Path(summary["paths"]["samples"]).read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        return sorted({(r["output"], r["cached"], r["output_cut"], r.get("output_bytes")) for r in records})

    assert answers(30) == [("答" * 10, False, True, 300)]
    assert answers(1000) == [("答" * 100, False, False, None)]  # stored cut at 30 bytes: asked again
    assert len(openai_server.requests) == 12
    assert answers(16) == [("答" * 5, True, True, 300)]  # cut from the whole answer now stored
    assert answers(1000) == [("答" * 100, True, False, None)]
    assert len(openai_server.requests) == 12
