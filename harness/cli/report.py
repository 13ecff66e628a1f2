"""`evalrun report`: the leaderboard of stored runs, as a terminal table, Markdown, CSV, JSON or an HTML page."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from harness.cli.common import EXIT_OK, bounded, registry_argument, workspaces

FORMATS = ("table", "md", "csv", "json", "html")


def register(commands: Any) -> None:
    """Add the subcommand of this module."""
    from harness.analysis import WEIGHTINGS

    report = commands.add_parser(
        "report",
        help="the leaderboard of stored runs: which model is better, by how much, in which language",
        description="Build a leaderboard from stored runs: one row per model, one column per eval (grouped by "
        "language), each cell the primary metric with its 95% interval and n; an overall score per model with a "
        "bootstrap interval, rank ranges from paired tests (Holm-adjusted), win rates, per-language averages, "
        "cross-lingual consistency, cost and speed. By default each model × eval counts its newest complete run of "
        "the eval as it is now, with no --limit; the runs left out are listed with the reason. Baselines are "
        "reference rows, never ranked.",
    )
    report.add_argument(
        "--runs",
        action="append",
        type=Path,
        metavar="DIR",
        help="a results folder to read (repeat for runs made on several machines; default ./results)",
    )
    report.add_argument("--suite", metavar="S", help="only the evals of suite S")
    report.add_argument("--tag", metavar="T", help="only the evals tagged T (their `tags:`)")
    report.add_argument(
        "--select",
        nargs="+",
        default=["newest"],
        metavar="newest|RUN_ID",
        help="which runs count: `newest` (the default rule) or the run ids to count, and no others",
    )
    report.add_argument(
        "--include-partial",
        action="store_true",
        help="also count smoke runs (--limit, --sample-id) and runs that did not complete",
    )
    report.add_argument(
        "--weighting",
        choices=WEIGHTINGS,
        default="eval",
        help="how the overall score weighs evals: each eval, each language or each suite alike (default eval)",
    )
    report.add_argument("--format", choices=FORMATS, default="table", help="what to print (default table)")
    report.add_argument("--out", type=Path, metavar="PATH", help="write the report to PATH instead of printing it")
    report.add_argument(
        "--seed", type=bounded(int, 0, 2**32 - 1), default=0, metavar="S", help="seed of the resampling (default 0)"
    )
    registry_argument(report)
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from harness.analysis.board_html import board_html_parts
    from harness.analysis.board_render import board_csv, board_json, board_text
    from harness.analysis.board_runs import choose, gather
    from harness.analysis.leaderboard import build_board
    from harness.errors import InputError
    from harness.registry.loader import Registry

    registry = Registry.load(workspaces(args))
    registry.raise_problems()
    folders = args.runs or [Path("results")]
    runs = gather(folders)
    if args.suite is not None:
        if args.suite not in registry.suites:
            raise InputError(f"evalrun: report: unknown suite {args.suite!r}; `evalrun list` shows them")
        members = set(registry.suites[args.suite].evals)
        runs = [run for run in runs if run.eval_id in members]
    tags = {spec.id: spec.tags for spec in registry.evals.values()}
    if args.tag is not None:
        if not any(args.tag in found for found in tags.values()):
            raise InputError(f"evalrun: report: no eval is tagged {args.tag!r}; `evalrun list` shows the evals")
        runs = [run for run in runs if args.tag in tags.get(run.eval_id, ())]
    select = [] if args.select == ["newest"] else args.select
    choice = choose(runs, registry.evals, select=select, include_partial=args.include_partial)
    if not choice.counted:
        where = ", ".join(str(folder) for folder in folders)
        raise InputError(f"evalrun: report: no run to report under {where} ({len(choice.excluded)} left out)")
    suites = {suite.id: list(suite.evals) for suite in registry.suites.values()}
    board = build_board(choice, suites, args.weighting, args.seed, tags)
    render: dict[str, Callable[[], Iterable[str]]] = {
        "table": lambda: [board_text(board, markdown=False, width=None if args.out else _terminal_width())],
        "md": lambda: [board_text(board, markdown=True)],
        "csv": lambda: [board_csv(board)],
        "json": lambda: [board_json(board) + "\n"],
        "html": lambda: board_html_parts(board),  # written eval by eval: a big page is never held whole
    }
    parts = render[args.format]()
    if args.out is None:
        for part in parts:
            sys.stdout.write(part)
        return EXIT_OK
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as out:
            for part in parts:
                out.write(part)
    except OSError as exc:
        raise InputError(f"evalrun: report: cannot write {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out}", file=sys.stderr)
    return EXIT_OK


def _terminal_width() -> int | None:
    """The width a printed table must fit: $COLUMNS, else the terminal's; None when printing to no terminal."""
    import os
    import shutil

    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None
