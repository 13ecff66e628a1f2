"""The `evalrun` command line: its subcommands, and evalrun's errors turned into one-line messages and exit codes."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing here would widen the start-up window signals must not hit
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `evalrun` console script; returns the exit status.

    Its own imports and the parsing run with signals ending evalrun at once (see harness.cli.signals); a subcommand
    then gets Ctrl-C as KeyboardInterrupt (`run` takes both signals itself), and never shows a traceback for it."""
    import os

    try:
        from harness.cli.signals import leave_quietly

        handlers = leave_quietly()
    except KeyboardInterrupt:  # a Ctrl-C before evalrun could take it
        os.write(2, b"evalrun: interrupted\n")
        return 130
    import signal
    import sys

    from harness.cli.signals import EXIT_INTERRUPTED, EXIT_TERMINATED, MESSAGES, Terminated, restore

    try:
        return _main(argv, handlers)
    except KeyboardInterrupt:
        print(MESSAGES[signal.SIGINT], file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print(MESSAGES[signal.SIGTERM], file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        restore(handlers)


def _main(argv: Sequence[str] | None, handlers: Any) -> int:
    """Parse the arguments and run the subcommand, turning evalrun's errors into messages and exit statuses."""
    import os
    import signal
    import sys

    from harness.cli.common import EXIT_FAILED, EXIT_INPUT
    from harness.cli.signals import restore
    from harness.errors import EvalrunError, InputError, printable

    args = _parser().parse_args(argv)
    restore(handlers, signal.SIGINT)  # Ctrl-C is KeyboardInterrupt again, which subcommands (and asyncio) expect
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
    from harness.cli import grade, new, report, run, stored, tasks

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

    for part in (tasks, new, run, stored, report, grade):
        part.register(commands)
    return parser
