"""`evalrun regrade`, `evalrun compare` and `evalrun cache`: what is done with stored runs and answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    bounded,
    load_registry,
    option_argument,
    registry_argument,
    workspaces,
)
from harness.cli.judging import cache_arguments, close_cache, judge_argument, open_cache
from harness.errors import InputError
from harness.registry.graders import KINDS


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    again = commands.add_parser(
        "regrade",
        help="re-score a stored run without calling the model",
        description="Grade a run's stored outputs again with its eval's current grader and answers (or --grader), "
        "writing a new run that names the old one in `regraded_from`.",
    )
    again.add_argument("run_id", metavar="RUN_ID", help="a folder name under results/runs/")
    again.add_argument("--grader", choices=list(KINDS), help="grade with this grader instead of the eval's")
    option_argument(again)
    judge_argument(again)
    again.add_argument(
        "--concurrency",
        type=bounded(int, 1, 1024),
        default=8,
        metavar="N",
        help="judge requests in flight (default 8)",
    )
    cache_arguments(again)
    again.add_argument(
        "--results", type=Path, default=Path("results"), metavar="DIR", help="where runs are (default ./results)"
    )
    again.add_argument("--json", action="store_true", help="print the new run's summary as JSON")
    registry_argument(again)
    again.set_defaults(handler=_regrade)

    versus = commands.add_parser(
        "compare",
        help="does model B really beat model A? paired statistics over stored runs",
        usage="%(prog)s --model A --model B [EVAL|SUITE ...] [options]\n"
        "       %(prog)s RUN_A RUN_B [RUN_A2 RUN_B2 ...] [options]",
        description="Compare model B with model A sample by sample. With --model A --model B, the run of each model "
        "on each eval named (default: every eval either has a run of) that `evalrun report` counts (the newest "
        "complete run of the eval as it is now, with no --limit) is paired; otherwise runs are "
        "named in pairs, by run id under --results or by run folder. Only samples scored in both runs count (the "
        "others are listed as dropped). For each eval: B − A in the mean of the metric with a 95% paired-bootstrap "
        "interval, a p-value (exact McNemar test for 0/1 scores, else a paired sign-flip permutation test) and its "
        "Holm-adjusted value across the evals, and the samples where A or B scored higher. Runs of different evals "
        "are refused; runs whose eval version, spec, data or grader differ are compared with a warning.",
    )
    versus.add_argument(
        "names",
        nargs="*",
        metavar="RUN|EVAL",
        help="runs in pairs, or with --model the eval or suite ids to compare on",
    )
    versus.add_argument(
        "--model",
        "-m",
        action="append",
        metavar="M",
        help="model A (the baseline), then model B: differences are B − A",
    )
    versus.add_argument("--metric", metavar="NAME", help="compare on this metric (default: run A's primary metric)")
    versus.add_argument(
        "--seed", type=bounded(int, 0, 2**32 - 1), default=0, metavar="S", help="seed of the resampling (default 0)"
    )
    versus.add_argument(
        "--resamples",
        type=bounded(int, 100, 10**7),
        default=10_000,
        metavar="N",
        help="bootstrap and permutation resamples (default 10000)",
    )
    versus.add_argument(
        "--show",
        type=bounded(int, 0, 10**6),
        default=10,
        metavar="N",
        help="sample ids listed per direction under the table (default 10; --json lists all)",
    )
    versus.add_argument(
        "--results", type=Path, default=Path("results"), metavar="DIR", help="where runs are (default ./results)"
    )
    versus.add_argument("--json", action="store_true", help="print the comparison as one JSON document")
    versus.set_defaults(handler=_compare)

    cache = commands.add_parser(
        "cache",
        help="show or clear the response cache",
        description="Show how many responses the cache holds, or delete them all.",
    )
    cache.add_argument("action", choices=["stats", "clear"], help="stats: where and how big; clear: delete every entry")
    cache.add_argument("--cache-dir", type=Path, metavar="DIR", help="response cache folder (default ~/.cache/evalrun)")
    cache.add_argument("--json", action="store_true", help="print the result as JSON")
    cache.set_defaults(handler=_cache)


def _regrade(args: argparse.Namespace) -> int:
    import asyncio

    from harness.analysis.table import failure_lines, results_table
    from harness.models.base import ModelSettings
    from harness.runner.records import RunRecord, run_data
    from harness.runner.regrade import regrade
    from harness.runner.session import Models, judge_models
    from harness.runner.store import RunStore

    registry = load_registry(args)
    store = RunStore(args.results)
    eval_id = store.summary(args.run_id).eval.id
    if eval_id not in registry.evals:
        raise InputError(f"evalrun: run {args.run_id} is of eval {eval_id!r}, which the registry no longer has")
    spec = registry.evals[eval_id]
    config = spec.grader_config
    if args.grader or args.option:
        from harness.grading.override import grader_config

        config = grader_config(spec.grader_config, args.grader, args.option)
    judged = judge_models({eval_id: config}, args.judge, registry.judges)
    settings = ModelSettings(concurrency=args.concurrency)
    cache = open_cache(args) if judged else None

    async def again() -> RunRecord:
        async with Models(registry, settings, cache) as opened:
            judge = opened.judges({eval_id: config}, judged).get(eval_id)
            return await regrade(store, args.run_id, spec, config, judge)

    try:
        summary = asyncio.run(again())
    finally:
        close_cache(cache)
    if args.json:
        print(json.dumps({"runs": [run_data(summary)], "skipped": []}, ensure_ascii=False, indent=2))
    else:
        print(results_table([summary], [], [summary.model.name]))
        print(f"\nregraded {args.run_id} as {summary.run_id}", file=sys.stderr)
    for line in failure_lines([summary]):
        print(line, file=sys.stderr)
    return EXIT_FAILED if summary.counts.errors else EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from harness.analysis.compare import compare, render, warning_lines
    from harness.analysis.pairing import newest_pairs, runs_in_pairs

    if args.model:
        if len(args.model) != 2:
            raise InputError("evalrun: compare takes two models, --model A --model B (differences are B − A)")
        from harness.analysis.board_runs import choose, gather
        from harness.registry.loader import Registry

        counted = choose(gather([args.results]), Registry.load(workspaces(args)).evals).counted  # as a report counts
        pairs, skipped = newest_pairs(counted, args.results, args.model, args.names)
    elif args.names:
        pairs, skipped = runs_in_pairs(args.names, args.results), []
    else:
        raise InputError("evalrun: name two runs (RUN_A RUN_B) or two models (--model A --model B) to compare")
    document = compare(pairs, args.metric, args.seed, args.resamples, skipped)
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
        for line in warning_lines(document):
            print(line, file=sys.stderr)
    else:
        print(render(document, args.show))
    return EXIT_OK


def _cache(args: argparse.Namespace) -> int:
    from harness.models.cache import FILE_NAME, ResponseCache, default_cache_dir

    directory = args.cache_dir or default_cache_dir()
    result: dict[str, Any]
    if not (directory / FILE_NAME).exists():  # nothing cached yet: say so without creating a cache
        result = {"path": str(directory / FILE_NAME), "entries": 0, "bytes": 0}
        result = result if args.action == "stats" else {"cleared": 0, **result}
    else:
        cache = ResponseCache(directory)
        try:
            result = cache.stats() if args.action == "stats" else {"cleared": cache.clear(), **cache.stats()}
        finally:
            cache.close()
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.action == "stats":
        print(f"{result['path']}: {result['entries']} responses, {result['bytes'] / 1e6:.1f} MB")
    else:
        print(f"{result['path']}: cleared {result['cleared']} responses")
    return EXIT_OK
