"""The `evalrun` command line: list, validate and run; turns evalrun's errors into one-line messages and exit codes."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness import __version__
from harness.errors import EvalrunError, InputError
from harness.spec import GRADER_METRICS

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `evalrun` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except EvalrunError as exc:
        print(f"evalrun: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("evalrun: interrupted; finished samples are kept in their run folders", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalrun", description="Run declarative LLM evals against model endpoints and compare the results."
    )
    parser.add_argument("--version", action="version", version=f"evalrun {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

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
    run.add_argument("--limit", type=_bounded(int, 1, 10**9), metavar="N", help="only the first N samples of each eval")
    run.add_argument(
        "--concurrency",
        type=_bounded(int, 1, 1024),
        default=8,
        metavar="N",
        help="requests in flight per model (default 8)",
    )
    run.add_argument(
        "--seed",
        type=_bounded(int, 0, 2**32 - 1),
        default=0,
        metavar="S",
        help="seed for baselines, few-shot picks and bootstrap (default 0)",
    )
    run.add_argument(
        "--timeout",
        type=_bounded(float, 0.001, 3600),
        default=60.0,
        metavar="SECONDS",
        help="per-request timeout (default 60)",
    )
    run.add_argument(
        "--max-attempts",
        type=_bounded(int, 1, 20),
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
        "--rpm", type=_bounded(float, 0.001, 1e9), metavar="N", help="pace each model to N requests per minute"
    )
    run.add_argument(
        "--tpm", type=_bounded(float, 1, 1e12), metavar="N", help="pace each model to about N tokens per minute"
    )
    run.add_argument(
        "--epochs", type=_bounded(int, 1, 100), default=1, metavar="K", help="ask each sample K times (default 1)"
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
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")
    run.add_argument("--cache-dir", type=Path, metavar="DIR", help="response cache folder (default ~/.cache/evalrun)")
    run.add_argument(
        "--resume",
        nargs="?",
        const="any",  # harness.runner.RESUME_ANY
        metavar="RUN_ID",
        help="continue the newest unfinished run with the same eval, data, model and parameters (or the run named)",
    )
    run.add_argument("--json", action="store_true", help="print the run summaries as one JSON document")
    run.set_defaults(handler=_run)

    again = commands.add_parser(
        "regrade",
        help="re-score a stored run without calling the model",
        description="Grade a run's stored outputs again with its eval's current grader and answers (or --grader), "
        "writing a new run that names the old one in `regraded_from`.",
    )
    again.add_argument("run_id", metavar="RUN_ID", help="a folder name under results/runs/")
    again.add_argument("--grader", choices=sorted(GRADER_METRICS), help="grade with this grader instead of the eval's")
    again.add_argument(
        "--results", type=Path, default=Path("results"), metavar="DIR", help="where runs are (default ./results)"
    )
    again.add_argument("--json", action="store_true", help="print the new run's summary as JSON")
    again.set_defaults(handler=_regrade)

    cache = commands.add_parser(
        "cache",
        help="show or clear the response cache",
        description="Show how many responses the cache holds, or delete them all.",
    )
    cache.add_argument("action", choices=["stats", "clear"], help="stats: where and how big; clear: delete every entry")
    cache.add_argument("--cache-dir", type=Path, metavar="DIR", help="response cache folder (default ~/.cache/evalrun)")
    cache.add_argument("--json", action="store_true", help="print the result as JSON")
    cache.set_defaults(handler=_cache)
    return parser


def _bounded(convert: Callable[[str], Any], low: float, high: float) -> Callable[[str], Any]:
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


def _registry() -> Any:
    from harness.registry import Registry
    from harness.workspace import Workspace

    registry = Registry.load(Workspace.locate())
    registry.raise_problems()
    return registry


def _list(args: argparse.Namespace) -> int:
    from harness.listing import listing, render_listing

    data = listing(_registry())
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


def _run(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from harness.cache import CachedProvider, ResponseCache, default_cache_dir
    from harness.models import open_provider
    from harness.models.base import ModelSettings
    from harness.runner import RunOptions, run_all
    from harness.table import results_table

    if args.reducer.startswith("pass@") and int(args.reducer[5:]) > args.epochs:
        raise InputError(f"evalrun: --reducer {args.reducer} needs at least {args.reducer[5:]} epochs (--epochs)")
    registry = _registry()
    specs = registry.resolve(args.names)
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

    cache = None if args.no_cache else ResponseCache(args.cache_dir or default_cache_dir())

    async def run() -> Any:
        providers: list[Any] = []
        try:
            for name in models:  # opened one by one, so those opened before a bad name are still closed
                provider = open_provider(name, registry.models, settings)
                providers.append(
                    CachedProvider(provider, cache) if cache is not None and provider.cacheable else provider
                )
            return await run_all(specs, providers, registry.workspace, options)
        finally:
            for provider in providers:
                await provider.aclose()

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        summaries, skipped = asyncio.run(run())
    finally:
        if cache is not None:
            cache.close()
            if cache.problem:
                print(
                    f"evalrun: the response cache failed ({cache.problem}); answers were not all kept", file=sys.stderr
                )
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


def _regrade(args: argparse.Namespace) -> int:
    from harness.regrade import regrade
    from harness.store import RunStore
    from harness.table import results_table

    registry = _registry()
    store = RunStore(args.results)
    eval_id = store.summary(args.run_id)["eval"]["id"]
    if eval_id not in registry.evals:
        raise InputError(f"evalrun: run {args.run_id} is of eval {eval_id!r}, which the registry no longer has")
    summary = regrade(store, args.run_id, registry.evals[eval_id], registry.workspace, args.grader)
    if args.json:
        print(json.dumps({"runs": [summary], "skipped": []}, ensure_ascii=False, indent=2))
    else:
        print(results_table([summary], [], [summary["model"]["name"]]))
        print(f"\nregraded {args.run_id} as {summary['run_id']}", file=sys.stderr)
    return EXIT_OK


def _cache(args: argparse.Namespace) -> int:
    from harness.cache import FILE_NAME, ResponseCache, default_cache_dir

    directory = args.cache_dir or default_cache_dir()
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


def _interrupt(signum: int, frame: Any) -> None:
    """Turn SIGTERM into Ctrl-C, which asyncio.run answers by cancelling the run so it records what it finished."""
    import signal

    signal.raise_signal(signal.SIGINT)
