"""The `evalrun` command line: its subcommands, and evalrun's errors turned into one-line messages and exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `evalrun` console script; returns the exit status.

    Everything, its own imports included, runs inside the handlers below, so a Ctrl-C or SIGTERM at any moment ends
    evalrun with one line (exit 130 or 143) and never a traceback."""
    import sys

    from harness.cli.signals import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, catch_sigterm, restore_sigterm

    before = None
    try:
        before = catch_sigterm()
        return _main(argv)
    except KeyboardInterrupt:
        print("evalrun: interrupted; finished samples are kept in their run folders", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print(
            "evalrun: terminated (SIGTERM); finished samples are kept in their run folders, and --resume continues",
            file=sys.stderr,
        )
        return EXIT_TERMINATED
    finally:
        restore_sigterm(before)


def _main(argv: Sequence[str] | None) -> int:
    """Parse the arguments and run the subcommand, turning evalrun's errors into messages and exit statuses."""
    import os
    import sys

    from harness.cli.common import EXIT_FAILED, EXIT_INPUT
    from harness.errors import EvalrunError, InputError, printable

    args = _parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except InputError as exc:
        for problem in exc.problems:
            print(printable(str(problem)), file=sys.stderr)
        return EXIT_INPUT
    except EvalrunError as exc:
        print(f"evalrun: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the reader went away (`evalrun list | head`): nothing left to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED


def _parser() -> Any:
    """The argument parser with every subcommand."""
    import argparse

    from harness import __version__
    from harness.cli import grade, new, run, stored, tasks

    class Parser(argparse.ArgumentParser):
        """An argument parser whose usage errors are one line (exit 2), as every other input error is."""

        def error(self, message: str) -> NoReturn:
            from harness.errors import printable

            self.exit(2, f"{self.prog}: {printable(message)} (see `{self.prog} --help`)\n")

    parser = Parser(
        prog="evalrun", description="Run declarative LLM evals against model endpoints and compare the results."
    )
    parser.add_argument("--version", action="version", version=f"evalrun {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    for part in (tasks, new, run, stored, grade):
        part.register(commands)
    return parser
