"""How evalrun ends on a signal: Ctrl-C (exit 130) or SIGTERM (exit 143), with one line on stderr, never a traceback."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
"""128 + the signal's number, as a shell reports a command that a signal ended."""


class Terminated(BaseException):
    """SIGTERM arrived: the command ends as a Ctrl-C ends it, with exit status 143.

    A BaseException, as KeyboardInterrupt is, so no `except Exception` on the way swallows it."""


def _raise_terminated(signum: int, frame: Any) -> None:
    """The SIGTERM handler outside the event loop."""
    raise Terminated


def catch_sigterm() -> Any:
    """Make SIGTERM raise Terminated, unless whoever started evalrun set it to be ignored; the handler it had before
    (None when it was left as it was: ignored, or not the main thread)."""
    before = signal.getsignal(signal.SIGTERM)
    if before is signal.SIG_IGN or before is _raise_terminated:
        return None
    try:
        signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread (evalrun called in-process): signals stay as they are
        return None
    return before


def restore_sigterm(before: Any) -> None:
    """Put back the SIGTERM handler catch_sigterm replaced (`before`, None: nothing to put back)."""
    if before is not None:
        signal.signal(signal.SIGTERM, before)


@contextmanager
def sigterm_cancels(task: Any) -> Iterator[list[bool]]:
    """While inside, SIGTERM cancels asyncio `task` (once), so every run it holds records what it finished and is
    left interrupted; yields a list that holds True once SIGTERM has come. Outside the event loop's main thread, or
    where SIGTERM is ignored, nothing changes."""
    import asyncio

    came: list[bool] = []
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        yield came
        return

    def cancel() -> None:
        if not came:
            came.append(True)
            task.cancel()

    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, cancel)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
        yield came
        return
    try:
        yield came
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        catch_sigterm()
