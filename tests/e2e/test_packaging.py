"""Packaging and start-up: the wheel carries the registry and data, and `--help` loads no heavy module."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import REPO


def test_help_imports_no_heavy_module() -> None:
    code = "import sys; from harness.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\nprint(sorted(m for m in ('datasets', 'jsonschema', 'numpy', 'httpx', 'jinja2', 'yaml', 'pyarrow', 'tabulate') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """evalrun's wheel, built once for the tests of this file."""
    folder = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(folder)]
    subprocess.run([*command, str(REPO)], check=True, capture_output=True)
    (built,) = folder.glob("evalrun_harness-*.whl")  # the distribution is evalrun-harness; the command is evalrun
    return built


def test_wheel_ships_registry_and_data_and_finds_them_when_installed(wheel: Path, tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "harness/_builtin/registry/suites/core.yaml",
        "harness/_builtin/registry/evals/comprehension.ja.yaml",
        "harness/_builtin/evals/gpt-history/en.jsonl",
        "harness/registry/schemas/eval.schema.json",
        "harness/runner/schemas/run.schema.json",
        "harness/runner/schemas/sample.schema.json",
        "harness/authoring/scaffold/examples.yaml",
        "harness/authoring/scaffold/eval.yaml.in",
        "harness/authoring/scaffold/card.md.in",
    ):
        assert required in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "from harness.registry.workspace import Workspace; from harness.registry.loader import Registry; r = Registry.load(Workspace.locate()); print(r.problems, sorted(r.suites['core'].evals))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    from harness.registry.loader import Registry
    from harness.registry.workspace import Workspace

    core = sorted(Registry.load(Workspace(REPO)).suites["core"].evals)
    assert result.stdout.strip() == f"[] {core}"


def test_an_installed_copy_run_inside_a_checkout_reads_the_checkout_once(wheel: Path, tmp_path: Path) -> None:
    """The quick start installs evalrun (not editable) and runs it from the clone: the clone's registry is the built-in
    one then, not a second registry whose every id would be defined twice."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = site / "evalrun_list.py"  # run as a file, so that the checkout's own harness/ is not on sys.path
    script.write_text("import sys\nfrom harness.cli import main\nsys.exit(main(['list', '--json']))\n")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=REPO / "evals",
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    evals = {entry["id"]: entry for entry in json.loads(result.stdout)["evals"]}
    assert "gpt-history.en" in evals and {entry["source"] for entry in evals.values()} == {"built-in"}
