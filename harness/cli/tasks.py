"""`evalrun list` and `evalrun validate`: what the registry holds, and what is wrong with it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.cli.common import EXIT_INPUT, EXIT_OK, bounded, load_registry, registry_argument, workspaces
from harness.errors import InputError, Problem, printable


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    listing = commands.add_parser(
        "list",
        help="show evals, suites and models",
        description="Show the evals, suites and model presets in the registry.",
    )
    listing.add_argument("--json", action="store_true", help="print the listing as JSON")
    changed_argument(listing, "list only evals whose spec, data or data card changed since REF")
    listing.add_argument("--ids", action="store_true", help="print only eval ids, one per line (for scripts)")
    registry_argument(listing)
    listing.set_defaults(handler=_list)

    check = commands.add_parser(
        "validate",
        help="check registry files and eval data",
        description="Check registry YAML against the shipped JSON Schemas and every data line against its eval. Prints one `path:line: problem` per problem; exits 2 if there are any. What is allowed but likely wrong is printed as `path:line: warning: …` on standard error and never changes the exit status.",
    )
    check.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders to check (default: the whole registry)"
    )
    check.add_argument("--json", action="store_true", help="print the problems as a JSON list of {path, line, message}")
    changed_argument(check, "check only files changed since REF and the evals they belong to")
    check.add_argument(
        "--preview",
        metavar="ID",
        help="validate, then show the first prompts of eval ID as the model will see them, with their references",
    )
    check.add_argument(
        "--samples",
        type=bounded(int, 1, 1000),
        default=3,
        metavar="N",
        help="how many samples --preview shows (default 3)",
    )
    registry_argument(check)
    check.set_defaults(handler=_validate)


def changed_argument(parser: argparse.ArgumentParser, text: str) -> None:
    """Add --changed-since REF."""
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help=f"{text} (a git revision such as origin/main; its common ancestor with HEAD is the base)",
    )


def _list(args: argparse.Namespace) -> int:
    from harness.authoring.listing import listing, render_listing

    registry = load_registry(args)
    data = listing(registry)
    if args.changed_since is not None:
        from harness.authoring.changes import affected, changed_files

        changed = changed_files(registry.workspace, args.changed_since)
        ids = {spec.id for spec in affected(registry.evals.values(), changed)}
        data = {
            "evals": [entry for entry in data["evals"] if entry["id"] in ids],
            "suites": [],
            "models": [],
            "judges": [],
        }
    if args.ids:
        print("\n".join(entry["id"] for entry in data["evals"]))
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else render_listing(data))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from harness.authoring.validate import validate

    warnings: list[Problem] = []
    problems = validate(workspaces(args), args.paths, args.changed_since, warnings)
    for warning in warnings:  # on stderr, before the verdict; they never change the exit status
        print(printable(f"{warning.path}:{warning.line}: warning: {warning.message}"), file=sys.stderr)
    if args.json:
        print(json.dumps([vars(p) for p in problems], ensure_ascii=False, indent=2))
        return EXIT_INPUT if problems else EXIT_OK
    if problems:
        raise InputError(problems)
    said = f" ({len(warnings)} warning{'s' if len(warnings) > 1 else ''} above)" if warnings else ""
    print(f"ok: no problems found{said}", file=sys.stderr)
    if args.preview:
        from harness.authoring.preview import preview, render_preview

        registry = load_registry(args)
        if args.preview not in registry.evals:
            raise InputError(f"evalrun: unknown eval {args.preview!r}; `evalrun list` shows them")
        spec = registry.evals[args.preview]
        print(render_preview(spec, preview(spec, args.samples)))
    return EXIT_OK
