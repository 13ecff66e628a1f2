"""How evalrun ends on a signal: Ctrl-C (exit 130) or SIGTERM (exit 143), with one line on stderr, never a traceback.

While nothing is being written (evalrun starting, reading the registry, printing the table) a signal ends the process
at once: a KeyboardInterrupt raised in the middle of an import can surface as Python's own traceback, or be swallowed.
While `evalrun run` asks models, a signal cancels the run instead, so every run records what it finished and is left
interrupted and resumable; a second signal ends the process at once.
"""

from __future__ import annotations

import os
import signal

TYPE_CHECKING = False  # this module loads first, while a signal may come: only os and signal (see harness.cli)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
"""128 + the signal's number, as a shell reports a command that a signal ended."""

MESSAGES = {
    signal.SIGINT: "evalrun: interrupted; finished samples are kept in their run folders",
    signal.SIGTERM: "evalrun: terminated (SIGTERM); finished samples are kept in their run folders, and --resume "
    "continues",
}
"""The line each signal ends evalrun with."""


class Terminated(BaseException):
    """SIGTERM ended the run: the command ends with exit status 143 (a BaseException, as KeyboardInterrupt is)."""


def _leave(signum: int, frame: Any) -> None:
    """End the process now, with the signal's line on stderr."""
    os.write(2, (MESSAGES.get(signal.Signals(signum), "evalrun: stopped by a signal") + "\n").encode())
    os._exit(128 + signum)


def leave_quietly(*signals: signal.Signals) -> dict[signal.Signals, Any]:
    """Make each of `signals` (default: SIGINT and SIGTERM) end evalrun at once with its line, except those whoever
    started evalrun set to be ignored (a shell does so for SIGINT to a background job); the handlers replaced."""
    replaced: dict[signal.Signals, Any] = {}
    for signum in signals or tuple(MESSAGES):
        before = signal.getsignal(signum)
        if before is signal.SIG_IGN:
            continue
        try:
            signal.signal(signum, _leave)
        except ValueError:  # not the main thread (evalrun called in-process): signals stay as they are
            return replaced
        replaced[signum] = before
    return replaced


def restore(handlers: Mapping[signal.Signals, Any], *only: signal.Signals) -> None:
    """Put back `handlers` (as leave_quietly returned them), or only those of the signals `only` names."""
    for signum, handler in handlers.items():
        if (not only or signum in only) and handler is not None:
            signal.signal(signum, handler)


class SignalsCancel:
    """While inside (`with`), the first SIGINT or SIGTERM cancels asyncio `task` and is added to `came`; another ends
    the process at once. Signals that are ignored stay ignored; where the loop cannot take signals, nothing changes."""

    def __init__(self, task: Any, came: list[int]):
        self.task = task
        self.came = came
        self.taken: list[signal.Signals] = []

    def _cancel(self, signum: int) -> None:
        if self.came:
            _leave(signum, None)
        self.came.append(signum)
        self.task.cancel()

    def __enter__(self) -> None:
        import asyncio

        self.loop = asyncio.get_running_loop()
        try:
            for signum in MESSAGES:
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    self.loop.add_signal_handler(signum, self._cancel, signum)
                    self.taken.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            pass

    def __exit__(self, *exc: object) -> None:
        for signum in self.taken:
            self.loop.remove_signal_handler(signum)
        leave_quietly(*self.taken)
