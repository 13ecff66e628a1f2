"""What tests share besides fixtures: paths, file writers, the `evalrun` command, run records (servers: submodules)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.openai_server import FakeOpenAI

REPO = Path(__file__).resolve().parents[2]  # tests/support/__init__.py -> the repository
FACTS = sum(1 for line in (REPO / "evals/gpt-history/en.jsonl").open(encoding="utf-8") if line.strip())
"""How many facts gpt-history.en asks (a whole run of it has this many samples)."""
FIXTURES = REPO / "tests" / "fixtures"
SECRET = "sk-test-SENTINEL-7f3a9c2e1b"  # an API key given to providers, that no output, record or error may show


def write(path: Path, text: str) -> Path:
    """Write `text` to `path`, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


TEST_CANARY = "0b9f1c2e-3d4a-4b5c-8d6e-7f8091a2b3c4"
CARD = f"""---
license: CC-BY-4.0
source: Written for evalrun's tests
canary: {TEST_CANARY}
---
# Test data
"""


def write_jsonl(path: Path, rows: list[Any], *, card: bool = True) -> Path:
    """Write rows as JSONL; with `card`, as a contribution would: the canary on every object row, a data card beside."""
    if card:
        rows = [
            {**row, "canary": f"evalrun canary GUID {TEST_CANARY}"} if isinstance(row, dict) else row for row in rows
        ]
        if not (path.parent / "README.md").exists():
            write(path.parent / "README.md", CARD)
    return write(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def child_env(cwd: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of an `evalrun` run by a test in `cwd`: this one's, without OpenAI settings, proxies and evalrun's
    registry settings, plus `env`. A copy of the built-in registry (repo_copy) is a fork: it replaces the built-in one,
    as EVALRUN_HOME says."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENAI_")
        and k not in ("EVALRUN_HOME", "EVALRUN_PATH")
        and not k.lower().endswith("_proxy")
    }
    if (cwd / "registry/suites/core.yaml").is_file() and cwd.resolve() != REPO.resolve():
        full_env["EVALRUN_HOME"] = str(cwd)
    full_env.update(env or {})
    return full_env


def evalrun(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real `evalrun` command in a subprocess."""
    full_env = child_env(cwd, env)
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        check=False,
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def against(server: FakeOpenAI, *args: str, cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `evalrun` with OPENAI_BASE_URL pointing at the test server."""
    return evalrun(*args, cwd=cwd, env={"OPENAI_BASE_URL": server.base_url}, timeout=timeout)


def run_record(**fields: Any) -> Any:
    """A complete RunRecord of eval `toy` × model `m` with every required field; `fields` replace any of them, and
    `eval`, `model` or `counts` given as dicts update those blocks."""
    from harness.runner.records import Counts, EvalInfo, ModelInfo, Paths, RunRecord

    eval_info = EvalInfo(
        id="toy", version=1, language="en", grader="exact", metrics=["accuracy"], spec_hash="0" * 64, data_hash="1" * 64
    )
    blocks = {
        "eval": (eval_info, fields.pop("eval", {})),
        "model": (ModelInfo(name="m", provider="baseline", model="oracle"), fields.pop("model", {})),
        "counts": (Counts(), fields.pop("counts", {})),
    }
    base: dict[str, Any] = {
        "run_id": "r",
        "fingerprint": "2" * 64,
        "identity": {},
        "status": "complete",
        "created_at": "2026-01-01T00:00:00+00:00",
        "finished_at": None,
        "harness_version": "0",
        "generation": {},
        "seed": 0,
        "limit": None,
        "concurrency": 1,
        "primary_metric": "accuracy",
        "paths": Paths("run.json", "samples.jsonl"),
    }
    from dataclasses import replace

    made = {name: replace(block, **changes) for name, (block, changes) in blocks.items()}
    return RunRecord(**{**base, **made, **fields})
