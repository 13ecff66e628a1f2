"""Shared fixtures: an isolated response cache, a real OpenAI-compatible server, a scratch workspace, a repository copy,
and a page in a real headless Chromium (`browser`, from tests/support/browser.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.browser import browser, chromium  # noqa: F401  (fixtures: pytest finds them by name here)
from tests.support.openai_server import FakeOpenAI, ServerThread


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own response cache, so no test answers from another's."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("EVALRUN_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """A fresh OpenAI-compatible server on 127.0.0.1; set `.answer`, `.faults` or `.fault_for` to script it."""
    with ServerThread(FakeOpenAI()) as state:
        yield state


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty evalrun workspace (registry/ and evals/) in a temporary folder."""
    for part in ("registry/evals", "registry/suites", "registry/models", "evals"):
        (tmp_path / part).mkdir(parents=True)
    return tmp_path


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's registry and data, to break on purpose."""
    target = tmp_path / "repo"
    target.mkdir()
    shutil.copytree(REPO / "registry", target / "registry")
    shutil.copytree(REPO / "evals", target / "evals")
    return target
