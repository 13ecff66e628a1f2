"""The package's shape: imports flow one way between its folders, and no module grows past 400 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {"text", "registry", "data", "models", "grading", "run", "analysis", "authoring", "cli"}


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
    assert loose == {"__init__.py", "__main__.py", "errors.py", "types.py"}


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): count
        for path in (REPO / "harness").rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long
