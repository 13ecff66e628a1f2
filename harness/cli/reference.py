"""docs/cli.md, rendered from the argument parser: `python -m harness.cli.reference > docs/cli.md` rewrites it."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from harness.cli import _parser

WIDTH = 100
"""The terminal width usage lines are wrapped at, whatever the terminal regenerating the file is."""

HEADER = """\
# Command-line reference

Generated from evalrun's argument parser by `python -m harness.cli.reference > docs/cli.md`: do not edit it by
hand. Change the help in `harness/cli/` and regenerate; `tests/cli/test_cli_reference.py` fails until this file is
what the parser gives. Every command also takes `-h`/`--help`, which prints its help in the terminal."""


def render() -> str:
    """The whole reference: a section for the program, then one for each command and subcommand, depth first."""
    with _columns(WIDTH + 2):  # argparse wraps at the terminal's width less 2
        sections = list(_sections(_parser()))
    return "\n\n".join([HEADER, *sections]) + "\n"


def _sections(parser: argparse.ArgumentParser) -> Iterator[str]:
    """The Markdown section of `parser`, then those of each of its subcommands."""
    yield _section(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for subparser in action.choices.values():
                if id(subparser) not in seen:  # an alias names the same parser again
                    seen.add(id(subparser))
                    yield from _sections(subparser)


def _section(parser: argparse.ArgumentParser) -> str:
    """One command's section: heading, usage, description, a table for each group of arguments, epilog."""
    formatter = parser.formatter_class
    raw = isinstance(formatter, type) and issubclass(formatter, argparse.RawDescriptionHelpFormatter)
    parts = [f"## `{parser.prog}`", "```\n" + _plain(parser.format_usage()).strip() + "\n```"]
    if parser.description:
        parts.append(_paragraph(_with_prog(parser.description, parser.prog)))
    for group in parser._action_groups:
        actions = [action for action in group._group_actions if _shown(action)]
        if not actions:
            continue
        lines = [f"**{group.title}**", ""] if group.title else []
        if group.description:
            lines += [_paragraph(_with_prog(group.description, parser.prog)), ""]
        commands = all(isinstance(action, argparse._SubParsersAction) for action in actions)
        lines += ["| command | what it does |" if commands else "| argument | meaning |", "| --- | --- |"]
        lines += [row for action in actions for row in _rows(action, parser.prog)]
        parts.append("\n".join(lines))
    if parser.epilog:
        epilog = _with_prog(parser.epilog, parser.prog)
        parts.append("```\n" + epilog.strip("\n") + "\n```" if raw else _paragraph(epilog))
    return "\n\n".join(parts)


def _with_prog(text: str, prog: str) -> str:
    """A description or epilog with `%(prog)s` filled in, as argparse fills it (only when the text uses it)."""
    return text % {"prog": prog} if "%(prog)" in text else text


def _rows(action: argparse.Action, prog: str) -> list[str]:
    """The table rows of one argument: itself, or one row for each subcommand it chooses between."""
    if isinstance(action, argparse._SubParsersAction):
        return [
            f"| [`{prog} {choice.dest}`](#{_anchor(f'{prog} {choice.dest}')}) | {_cell(choice.help or '')} |"
            for choice in action._choices_actions
        ]
    meaning = _expanded_help(action, prog)
    if action.option_strings and action.required:
        meaning = f"{meaning} (required)" if meaning else "required"
    return [f"| `{_cell(_invocation(action))}` | {_cell(meaning)} |"]


def _shown(action: argparse.Action) -> bool:
    """Whether the reference lists the argument: not -h/--help (every command has it) nor a suppressed one."""
    return not isinstance(action, argparse._HelpAction) and action.help is not argparse.SUPPRESS


def _invocation(action: argparse.Action) -> str:
    """How the argument is written: `--name, -n VALUE` for an option, its metavar for a positional argument."""
    if not action.option_strings:
        return _arguments(action, action.dest)
    names = ", ".join(action.option_strings)
    values = _arguments(action, action.dest.upper()) if action.nargs != 0 else ""
    return f"{names} {values}".strip()


def _arguments(action: argparse.Action, default: str) -> str:
    """The values an argument takes, spelled as argparse's usage spells them."""
    if action.metavar is not None:
        metavar = action.metavar
    elif action.choices is not None:
        metavar = "{" + ",".join(str(choice) for choice in action.choices) + "}"
    else:
        metavar = default
    names = list(metavar) if isinstance(metavar, tuple) else [metavar]
    first = names[0]
    if action.nargs is None:
        return first
    if action.nargs == argparse.OPTIONAL:
        return f"[{first}]"
    if action.nargs == argparse.ZERO_OR_MORE:
        return f"[{first} ...]"
    if action.nargs == argparse.ONE_OR_MORE:
        return f"{first} [{names[-1]} ...]"
    if action.nargs == argparse.REMAINDER:
        return "..."
    if isinstance(action.nargs, int):
        return " ".join(names if len(names) == action.nargs else [first] * action.nargs)
    return first


def _expanded_help(action: argparse.Action, prog: str) -> str:
    """The argument's help with its `%(...)s` fields filled in, as `--help` shows it."""
    if not action.help:
        return ""
    params = {name: value for name, value in vars(action).items() if value is not argparse.SUPPRESS}
    params = {name: getattr(value, "__name__", value) for name, value in params.items()}
    if params.get("choices") is not None:
        params["choices"] = ", ".join(str(choice) for choice in action.choices or ())
    return _paragraph(action.help % {**params, "prog": prog})


def _paragraph(text: str) -> str:
    """Text as one Markdown paragraph: its line breaks (wrapped for the terminal) become spaces."""
    return " ".join(text.split())


def _cell(text: str) -> str:
    """Text that can stand in a Markdown table cell."""
    return text.replace("|", "\\|")


def _anchor(heading: str) -> str:
    """The fragment GitHub gives a heading that is this command in backticks."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def _plain(text: str) -> str:
    """Text without the colour codes newer Pythons' argparse may add."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@contextmanager
def _columns(columns: int) -> Iterator[None]:
    """A fixed terminal width for argparse (which reads $COLUMNS), restored afterwards."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


if __name__ == "__main__":
    sys.stdout.buffer.write(render().encode("utf-8"))
