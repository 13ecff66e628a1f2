"""`evalrun run`: evals against models, with pacing, limits, cache, resume and judges."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from harness.cli.common import EXIT_FAILED, EXIT_OK, bounded, load_registry, option_argument
from harness.cli.judging import Models, cache_arguments, close_cache, judge_argument, judge_models, open_cache
from harness.errors import InputError


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    run = commands.add_parser(
        "run",
        help="run evals or suites against models",
        description="Run evals (or suites) against one or more models, record every sample and print a results table.",
    )
    run.add_argument("names", nargs="+", metavar="EVAL|SUITE", help="eval or suite ids (see `evalrun list`)")
    run.add_argument(
        "--model",
        "-m",
        action="append",
        required=True,
        metavar="M",
        help="provider/model (openai/gpt-4o-mini, baseline/oracle) or a preset id; repeat to compare",
    )
    run.add_argument("--limit", type=bounded(int, 1, 10**9), metavar="N", help="only the first N samples of each eval")
    run.add_argument(
        "--concurrency",
        type=bounded(int, 1, 1024),
        default=8,
        metavar="N",
        help="requests in flight per model (default 8)",
    )
    run.add_argument(
        "--seed",
        type=bounded(int, 0, 2**32 - 1),
        default=0,
        metavar="S",
        help="seed for baselines, few-shot picks and bootstrap (default 0)",
    )
    run.add_argument(
        "--timeout",
        type=bounded(float, 0.001, 3600),
        default=60.0,
        metavar="SECONDS",
        help="per-request timeout (default 60)",
    )
    run.add_argument(
        "--max-attempts",
        type=bounded(int, 1, 20),
        default=4,
        metavar="N",
        help="attempts per request, retries included (default 4)",
    )
    run.add_argument(
        "--results", type=Path, default=Path("results"), metavar="DIR", help="where run records go (default ./results)"
    )
    run.add_argument(
        "--max-errors",
        type=_error_limit,
        default="50%",
        metavar="N|RATE",
        help="stop asking once more than N samples failed, or more than RATE (e.g. 10%% or 0.1) of at least 20 "
        "(default 50%%); what finished is kept, and --resume continues",
    )
    run.add_argument(
        "--rpm", type=bounded(float, 0.001, 1e9), metavar="N", help="pace each model to N requests per minute"
    )
    run.add_argument(
        "--tpm", type=bounded(float, 1, 1e12), metavar="N", help="pace each model to about N tokens per minute"
    )
    run.add_argument(
        "--epochs", type=bounded(int, 1, 100), default=1, metavar="K", help="ask each sample K times (default 1)"
    )
    run.add_argument(
        "--reducer",
        type=_reducer,
        default="mean",
        metavar="R",
        help="how a sample's epochs become one score: mean (default), majority, all, or pass@k (unbiased, k <= K)",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="render every prompt, count requests and estimate tokens and cost; ask no model",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress line on stderr")
    cache_arguments(run)
    run.add_argument(
        "--resume",
        nargs="?",
        const="any",  # harness.runner.RESUME_ANY
        metavar="RUN_ID",
        help="continue the newest unfinished run with the same eval, data, model and parameters (or the run named)",
    )
    judge_argument(run)
    option_argument(run)
    run.add_argument("--json", action="store_true", help="print the run summaries as one JSON document")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import asyncio
    import signal
    from dataclasses import replace

    from harness.models.base import ModelSettings
    from harness.runner import RunOptions, run_all
    from harness.table import results_table

    if args.reducer.startswith("pass@") and int(args.reducer[5:]) > args.epochs:
        raise InputError(f"evalrun: --reducer {args.reducer} needs at least {args.reducer[5:]} epochs (--epochs)")
    registry = load_registry()
    specs = registry.resolve(args.names)
    if args.option:
        from harness.grading.override import with_options

        specs = [with_options(spec, args.option) for spec in specs]
    models = list(dict.fromkeys(args.model))
    if args.dry_run:
        from harness.dryrun import dry_run, plan_table

        plans = dry_run(
            specs, models, registry.models, registry.workspace, limit=args.limit, epochs=args.epochs, seed=args.seed
        )
        print(json.dumps({"plans": plans}, indent=2) if args.json else plan_table(plans))
        return EXIT_OK
    settings = ModelSettings(
        concurrency=args.concurrency,
        timeout=args.timeout,
        max_attempts=args.max_attempts,
        seed=args.seed,
        requests_per_minute=args.rpm,
        tokens_per_minute=args.tpm,
    )
    options = RunOptions(
        results_dir=args.results,
        limit=args.limit,
        concurrency=args.concurrency,
        seed=args.seed,
        resume=args.resume,
        max_errors=args.max_errors,
        epochs=args.epochs,
        reducer=args.reducer,
        say=lambda message: print(f"evalrun: {message}", file=sys.stderr),
        progress=not args.quiet and not args.json,
    )

    configs = {spec.id: spec.grader_config for spec in specs}
    judged = judge_models(configs, args.judge, registry.judges)
    cache = open_cache(args)

    async def run() -> Any:
        async with Models(registry, settings, cache) as opened:
            providers = [opened.open(name) for name in models]
            judges = opened.judges(configs, judged)
            return await run_all(specs, providers, registry.workspace, replace(options, judges=judges))

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        summaries, skipped = asyncio.run(run())
    finally:
        close_cache(cache)
    if args.json:
        document = {"runs": summaries, "skipped": [vars(s) for s in skipped]}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(results_table(summaries, skipped, models))
        if summaries:
            print(f"\nrecords: {Path(summaries[0]['paths']['run']).parent.parent}/", file=sys.stderr)
    failed = sum(s["counts"]["errors"] for s in summaries)
    if failed:
        print(f"evalrun: {failed} sample(s) failed after retries; see `errors` in each run.json", file=sys.stderr)
    return EXIT_FAILED if failed or any(s["status"] != "complete" for s in summaries) else EXIT_OK


def _error_limit(text: str) -> Any:
    """--max-errors: a count of failed samples (`5`), or a share of them (`10%`, `0.1`)."""
    from harness.runner import ErrorLimit

    try:
        if text.endswith("%"):
            rate = float(text[:-1]) / 100
        elif "." in text:
            rate = float(text)
        else:
            count = int(text)
            if count < 0:
                raise ValueError
            return ErrorLimit(count=count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a count (5) nor a rate (10%, 0.1)") from None
    if not 0 <= rate < 1:
        raise argparse.ArgumentTypeError(f"a rate must be from 0% to under 100%, not {text}")
    return ErrorLimit(rate=rate)


def _reducer(text: str) -> str:
    """--reducer: mean, majority, all, or pass@k with k a whole number from 1."""
    if text in ("mean", "majority", "all") or re.fullmatch(r"pass@[1-9][0-9]*", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not mean, majority, all or pass@k (k = 1, 2, …)")


def _interrupt(signum: int, frame: Any) -> None:
    """Turn SIGTERM into Ctrl-C, which asyncio.run answers by cancelling the run so it records what it finished."""
    import signal

    signal.raise_signal(signal.SIGINT)
