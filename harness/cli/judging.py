"""What `run` and `regrade` share on the command line: the cache and judge arguments, and opening the response cache."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.errors import InputError


def cache_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --no-cache and --cache-dir."""
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")
    parser.add_argument(
        "--cache-dir", type=Path, metavar="DIR", help="response cache folder (default ~/.cache/evalrun)"
    )


def judge_argument(parser: argparse.ArgumentParser) -> None:
    """Add --judge."""
    parser.add_argument(
        "--judge", metavar="M", help="the judging model for evals graded by a judge (default: the eval's `model`)"
    )


def open_cache(args: argparse.Namespace) -> Any:
    """The response cache the arguments ask for; None with --no-cache, or (saying so on stderr) when it cannot be
    opened: a cache that does not work costs the run its cached answers, never the run."""
    import sys

    from harness.errors import printable
    from harness.models.cache import ResponseCache, default_cache_dir

    if args.no_cache:
        return None
    try:
        return ResponseCache(args.cache_dir or default_cache_dir())
    except InputError as exc:
        print(printable(f"{exc}; running without it"), file=sys.stderr)
        return None


def close_cache(cache: Any) -> None:
    """Close the cache, saying on stderr if it failed during the run."""
    import sys

    from harness.errors import printable

    if cache is not None:
        cache.close()
        if cache.problem:
            note = f"evalrun: the response cache failed ({cache.problem}); some answers were asked again or not kept"
            print(printable(note), file=sys.stderr)
