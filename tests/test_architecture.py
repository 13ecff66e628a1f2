"""The package's shape: imports flow one way between its folders, and no module grows past 400 lines; the tests share
helpers through tests.support only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {"text", "registry", "data", "models", "grading", "runner", "analysis", "authoring", "cli"}


def test_imports_flow_one_way_between_the_layers() -> None:
    """The layers contract in pyproject.toml (import-linter): no import from a lower folder to a higher one."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_the_package_is_grouped_in_folders_by_concern() -> None:
    package = REPO / "harness"
    folders = {p.name for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    loose = {p.name for p in package.glob("*.py")}
    assert folders == FOLDERS
    assert loose == {"__init__.py", "__main__.py", "errors.py", "types.py", "api.py"}


def test_the_tests_mirror_the_package() -> None:
    """tests/ has a folder per folder of the package (those with tests), plus whole runs and hostile input."""
    folders = {p.name for p in (REPO / "tests").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders - FOLDERS == {"e2e", "security", "support"}
    assert not [
        p.name
        for p in (REPO / "tests").glob("test_*.py")
        if p.name not in ("test_architecture.py", "test_python_api.py")
    ]


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): count
        for path in (REPO / "harness").rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long


# Importing a test module or conftest: tests.test_x, tests.models.test_x, tests.conftest, or relatively .test_x
TEST_MODULE_IMPORT = re.compile(r"^\s*(?:from|import)\s+(?:tests\.(?:\w+\.)*|\.+)(?:conftest|test_\w+)\b", re.MULTILINE)


def test_tests_share_helpers_through_the_support_package_only() -> None:
    """No test file (nor conftest.py) imports from a test file or from conftest.py: shared code is in tests/support/."""
    importing = [
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("*.py")
        if TEST_MODULE_IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert not importing
