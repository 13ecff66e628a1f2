"""What the subcommands share: exit statuses, argument types, the registry and the --option argument."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def bounded(convert: Callable[[str], Any], low: float, high: float) -> Callable[[str], Any]:
    """An argparse type: `convert` the text, and require a value from `low` to `high`."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'a whole number' if convert is int else 'a number'}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}, not {text}")
        return value

    return parse


def registry_argument(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable --registry DIR: more registry folders, beside the built-in one and the current folder's."""
    parser.add_argument(
        "--registry",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also read the registry in DIR (a folder holding registry/ and evals/; repeat; EVALRUN_PATH adds more)",
    )


def workspaces(args: argparse.Namespace) -> Any:
    """The workspaces whose registries make this command's: built-in, EVALRUN_PATH, --registry, the current folder's."""
    from harness.registry.workspace import search_path

    return search_path(registries=getattr(args, "registry", ()))


def load_registry(args: argparse.Namespace) -> Any:
    """The registry of every workspace this command reads; InputError if anything in it is wrong."""
    from harness.registry.loader import Registry

    registry = Registry.load(workspaces(args))
    registry.raise_problems()
    return registry


def option_argument(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable --option KEY=VALUE of the grader options."""
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a grader option, e.g. standard=cmrc2018, tolerance=0.01, fold_kana=true (repeat)",
    )
