"""docs/cli.md is what the argument parser gives today, and it covers every command and option."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from harness.cli import _parser
from harness.cli.reference import render
from tests.support import REPO

REGENERATE = ".venv/bin/python -m harness.cli.reference > docs/cli.md"


def _commands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parser and every subcommand's parser, depth first."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in dict.fromkeys(action.choices.values()):
                found += _commands(subparser)
    return found


def test_docs_cli_md_is_what_the_parser_gives() -> None:
    checked_in = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    assert checked_in == render(), f"docs/cli.md is out of date with harness/cli/: regenerate it with `{REGENERATE}`"


def test_every_command_and_option_has_its_place() -> None:
    text = render()
    sections = {section.split("`")[1]: section for section in text.split("\n## ")[1:]}
    commands = _commands(_parser())
    assert list(sections) == [command.prog for command in commands]
    assert {"evalrun run", "evalrun compare", "evalrun cache", "evalrun grade"} <= set(sections)
    for command in commands:
        section = sections[command.prog]
        assert "usage: " + command.prog in section
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for option in action.option_strings:
                assert f"`{option}" in section or f", {option}" in section, f"{command.prog} {option}"
            if action.help and not isinstance(action, argparse._SubParsersAction):
                assert " ".join(action.help.split()[:3]).split("%")[0] in section, f"{command.prog} {action.dest}"


@pytest.mark.parametrize("columns", ["40", "300"])
def test_the_terminal_width_changes_nothing(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    unset = render()
    monkeypatch.setenv("COLUMNS", columns)
    assert render() == unset
    assert os.environ["COLUMNS"] == columns


def test_the_documented_command_prints_the_reference() -> None:
    result = subprocess.run([sys.executable, "-m", "harness.cli.reference"], cwd=REPO, capture_output=True, check=True)
    assert result.stdout.decode("utf-8") == render()
