"""The few exception types evalrun raises; the CLI turns each into one-line messages."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

HIDDEN_MARKS = "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
"""A regular-expression class body: bidi controls and invisible marks, which can make shown text lie about itself."""
_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{HIDDEN_MARKS}]")
_RAW_IN_JSON = re.compile(f"[\\x7f-\\x9f{HIDDEN_MARKS}]")


def printable(text: str) -> str:
    """`text` with terminal control characters, bidi controls and invisible marks shown as escapes."""
    return _CONTROL.sub(_escape, text)


def json_text(value: object, **options: object) -> str:
    """JSON of `value` with non-ASCII text kept readable but C1 controls, bidi controls and invisible marks escaped
    (`\\u202e`), so that printing it cannot drive a terminal or reorder what is shown."""
    text = json.dumps(value, ensure_ascii=False, **options)  # type: ignore[arg-type]
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
