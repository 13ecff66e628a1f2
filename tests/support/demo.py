"""Two small valid evals to break or extend (one with a suite, as `validate` sees it; one as a task pull request adds
it), `evalrun validate`'s problems in-process, and git with a fixed author."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from harness.cli import main

DEMO_EVAL = """\
id: demo.en
description: A demo eval.
language: en
tags: [demo]
version: 1
data:
  path: demo/en.jsonl
prompt:
  system: Answer briefly.
  user: "Q: {{ question }}\\nA:"
generation:
  temperature: 0
  max_tokens: 16
grader:
  kind: exact
"""
DEMO_ROWS = [
    {"id": "q1", "question": "Capital of Japan?", "answers": ["Tokyo"]},
    {"id": "q2", "question": "2+2?", "answers": ["4"]},
]

TASK_EVAL = """\
id: demo.en
description: A demo eval.
language: en
version: 1
data:
  path: demo/en.jsonl
prompt:
  user: "Q: {{ question }}\\nA:"
grader:
  kind: exact
"""
TASK_ROWS = [
    {"id": "q1", "question": "What is the capital of Japan?", "answers": ["Tokyo"]},
    {"id": "q2", "question": "How many parameters does GPT-2 have?", "answers": ["1.5 billion"]},
    {"id": "q3", "question": "How many parameters does GPT-3 have?", "answers": ["175 billion"]},
]


def problems(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[str]]:
    """`evalrun validate PATHS` in this process: its exit status and problem lines, each checked as `path:line: text`."""
    status = main(["validate", *paths])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = [line for line in captured.err.splitlines() if line and not line.startswith("ok:")]
    for line in lines:
        assert re.match(r"^[^:]+:\d+: \S", line), line
    return status, lines


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed author; its stdout."""
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout
