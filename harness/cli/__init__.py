"""The `evalrun` command line: its subcommands, and evalrun's errors turned into one-line messages and exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from harness import __version__
from harness.cli import grade, new, run, stored, tasks
from harness.cli.common import EXIT_FAILED, EXIT_INPUT
from harness.errors import EvalrunError, InputError, printable


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `evalrun` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except InputError as exc:
        for problem in exc.problems:
            print(printable(str(problem)), file=sys.stderr)
        return EXIT_INPUT
    except EvalrunError as exc:
        print(f"evalrun: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("evalrun: interrupted; finished samples are kept in their run folders", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`evalrun list | head`): nothing left to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalrun", description="Run declarative LLM evals against model endpoints and compare the results."
    )
    parser.add_argument("--version", action="version", version=f"evalrun {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    for part in (tasks, new, run, stored, grade):
        part.register(commands)
    return parser
