"""Settings from the environment: a `.env` file in the current folder, and the EVALRUN_* defaults of `evalrun run`."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.errors import InputError, printable

DOTENV = ".env"


def load_dotenv_file(folder: Path | None = None) -> Path | None:
    """Read `.env` in `folder` (default: the current one) into the environment, as Inspect AI does: variables already
    set win. Lines that are not `NAME=value` are skipped with a note on stderr. The file read, or None if there is none;
    InputError if it cannot be read."""
    path = (folder or Path.cwd()) / DOTENV
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"evalrun: cannot read {printable(str(path))}: {reason}") from None
    import logging

    from dotenv import load_dotenv
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            print(f"evalrun: {DOTENV}:{binding.original.line}: not NAME=value; line skipped", file=sys.stderr)
    logging.getLogger("dotenv.main").setLevel(logging.ERROR)  # its own warnings would repeat the notes above
    load_dotenv(stream=io.StringIO(text), override=False)
    return path


def from_environment(name: str, convert: Callable[[str], Any]) -> Any:
    """The value of environment variable `name` converted by an argparse type (None when unset or empty);
    InputError naming the variable if it is not valid."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        return convert(text)
    except (argparse.ArgumentTypeError, ValueError) as exc:
        raise InputError(f"evalrun: {name}: {printable(str(exc))}") from None


def model_names(text: str) -> list[str]:
    """EVALRUN_MODEL: one model or several separated by commas."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ValueError("give a model, or several separated by commas")
    return names
