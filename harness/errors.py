"""The few exception types evalrun raises; the CLI turns each into one-line messages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with terminal control characters shown as escapes, so it can be printed safely."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with user input, located as `path:line`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}: {self.message}")


class EvalrunError(Exception):
    """Base class for errors evalrun reports without a traceback."""


class InputError(EvalrunError):
    """Bad input from the user (registry, data, command line): exit status 2."""

    def __init__(self, problems: Sequence[Problem | str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(printable(str(p)) for p in self.problems))


class ProviderError(EvalrunError):
    """A model endpoint failed to answer; `retryable` says whether trying again may help."""

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.attempts = 1


class RecordWriteError(EvalrunError):
    """A run record could not be written (disk full, read-only, file too large): the run ends, resumable; exit 1."""


class RunFailed(EvalrunError):
    """A fault in evalrun itself (not a sample's) ended a run: it is left failed and resumable; exit 1."""
