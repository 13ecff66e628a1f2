"""`evalrun list` and `evalrun validate`: what the registry holds, and what is wrong with it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.cli.common import EXIT_INPUT, EXIT_OK, load_registry
from harness.errors import InputError


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    listing = commands.add_parser(
        "list",
        help="show evals, suites and models",
        description="Show the evals, suites and model presets in the registry.",
    )
    listing.add_argument("--json", action="store_true", help="print the listing as JSON")
    listing.set_defaults(handler=_list)

    check = commands.add_parser(
        "validate",
        help="check registry files and eval data",
        description="Check registry YAML against the shipped JSON Schemas and every data line against its eval. Prints one `path:line: problem` per problem; exits 2 if there are any.",
    )
    check.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders to check (default: the whole registry)"
    )
    check.add_argument("--json", action="store_true", help="print the problems as a JSON list of {path, line, message}")
    check.set_defaults(handler=_validate)


def _list(args: argparse.Namespace) -> int:
    from harness.listing import listing, render_listing

    data = listing(load_registry())
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else render_listing(data))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from harness.validate import validate
    from harness.workspace import Workspace

    problems = validate(Workspace.locate(), args.paths)
    if args.json:
        print(json.dumps([vars(p) for p in problems], ensure_ascii=False, indent=2))
        return EXIT_INPUT if problems else EXIT_OK
    if problems:
        raise InputError(problems)
    print("ok: no problems found", file=sys.stderr)
    return EXIT_OK
