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
from harness.errors import EvalrunError, InputError, printable
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
            print(printable(str(problem)), file=sys.stderr)
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
    run.add_argument(
        "--judge", metavar="M", help="the judging model for evals graded by a judge (default: the eval's `model`)"
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
    _option_argument(again)
    again.add_argument(
        "--results", type=Path, default=Path("results"), metavar="DIR", help="where runs are (default ./results)"
    )
    again.add_argument("--json", action="store_true", help="print the new run's summary as JSON")
    again.set_defaults(handler=_regrade)

    versus = commands.add_parser(
        "compare",
        help="does model B really beat model A? paired statistics over stored runs",
        usage="%(prog)s --model A --model B [EVAL|SUITE ...] [options]\n"
        "       %(prog)s RUN_A RUN_B [RUN_A2 RUN_B2 ...] [options]",
        description="Compare model B with model A sample by sample. With --model A --model B, the newest complete run "
        "of each model on each eval named (default: every eval either has a run of) is paired; otherwise runs are "
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
        "--seed", type=_bounded(int, 0, 2**32 - 1), default=0, metavar="S", help="seed of the resampling (default 0)"
    )
    versus.add_argument(
        "--resamples",
        type=_bounded(int, 100, 10**7),
        default=10_000,
        metavar="N",
        help="bootstrap and permutation resamples (default 10000)",
    )
    versus.add_argument(
        "--show",
        type=_bounded(int, 0, 10**6),
        default=10,
        metavar="N",
        help="sample ids listed per direction under the table (default 10; --json lists all)",
    )
    versus.add_argument(
        "--results", type=Path, default=Path("results"), metavar="DIR", help="where runs are (default ./results)"
    )
    versus.add_argument("--json", action="store_true", help="print the comparison as one JSON document")
    versus.set_defaults(handler=_compare)

    grade = commands.add_parser(
        "grade",
        help="score outputs against references with any grader, explaining each score",
        description="Score one output (--output, --reference …) or one JSON line per output (--input FILE.jsonl with "
        '{"output": …, "references": […], "choices": […]}) with a grader and its options, printing each score with '
        "the grader's explanation (normalized text, tokens, parsed numbers, the choice it read). The same code "
        "grades runs and regrades.",
    )
    grade.add_argument("--grader", choices=sorted(GRADER_METRICS), help="the grader (default: the --eval's)")
    _option_argument(grade)
    grade.add_argument("--eval", metavar="ID", help="take the grader, its options and the language from this eval")
    grade.add_argument(
        "--language",
        choices=["en", "ja", "zh-Hans", "zh-Hant"],
        help="language of the texts (default: the eval's, or en)",
    )
    grade.add_argument("--output", metavar="TEXT", help="a model's output")
    grade.add_argument("--reference", action="append", default=[], metavar="TEXT", help="a reference answer (repeat)")
    grade.add_argument("--choice", action="append", default=[], metavar="TEXT", help="an option, in order (repeat)")
    grade.add_argument("--input", type=Path, metavar="FILE", help="JSONL of outputs and their references")
    grade.add_argument("--json", action="store_true", help="print the scores as JSON")
    grade.set_defaults(handler=_grade)

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
    from dataclasses import replace

    from harness.cache import CachedProvider, ResponseCache, default_cache_dir
    from harness.grading.judge import JudgeGrader
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

    def opened(name: str) -> Any:
        provider = open_provider(name, registry.models, settings)
        return CachedProvider(provider, cache) if cache is not None and provider.cacheable else provider

    judged = {spec.id: args.judge or spec.grader_options.get("model") for spec in specs if spec.grader == "judge"}
    unjudged = [eval_id for eval_id, name in judged.items() if not name]
    if unjudged:
        raise InputError(
            [f"evalrun: eval {eval_id!r} is graded by a judge: give --judge MODEL" for eval_id in unjudged]
        )

    async def run() -> Any:
        providers: list[Any] = []
        judges: dict[str, Any] = {}
        try:
            for name in models:  # opened one by one, so those opened before a bad name are still closed
                providers.append(opened(name))
            for name in dict.fromkeys(judged.values()):
                judges[name] = opened(name)
            rubric = {spec.id: registry.judges[spec.grader_options["rubric"]] for spec in specs if spec.id in judged}
            graders = {eval_id: JudgeGrader(rubric[eval_id], judges[name]) for eval_id, name in judged.items()}
            return await run_all(specs, providers, registry.workspace, replace(options, judges=graders))
        finally:
            for provider in [*providers, *judges.values()]:
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
    spec = registry.evals[eval_id]
    config = None
    if args.grader or args.option:
        from harness.grading.override import grader_config

        config = grader_config(spec.grader_config, args.grader, args.option)
    summary = regrade(store, args.run_id, spec, registry.workspace, config)
    if args.json:
        print(json.dumps({"runs": [summary], "skipped": []}, ensure_ascii=False, indent=2))
    else:
        print(results_table([summary], [], [summary["model"]["name"]]))
        print(f"\nregraded {args.run_id} as {summary['run_id']}", file=sys.stderr)
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from harness.compare import compare, newest_pairs, render, runs_in_pairs, warning_lines

    if args.model:
        if len(args.model) != 2:
            raise InputError("evalrun: compare takes two models, --model A --model B (differences are B − A)")
        pairs, skipped = newest_pairs(args.results, args.model, args.names)
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


def _grade(args: argparse.Namespace) -> int:
    from harness.grading.override import grader_config
    from harness.scoring import explain, read_pairs, score_pairs

    spec = _registry().evals.get(args.eval) if args.eval else None
    if args.eval and spec is None:
        raise InputError(f"evalrun: unknown eval {args.eval!r} (see `evalrun list`)")
    if (args.input is None) == (args.output is None):
        raise InputError("evalrun: give either --output TEXT with --reference TEXT, or --input FILE.jsonl")
    if args.output is not None and not args.reference:
        raise InputError("evalrun: --output needs at least one --reference")
    config = grader_config(spec.grader_config if spec else None, args.grader, args.option)
    language = args.language or (spec.language if spec else "en")
    pairs = (
        list(read_pairs(args.input)) if args.input else [(1, args.output, tuple(args.reference), tuple(args.choice))]
    )
    results = score_pairs(config, language, pairs)
    print(
        json.dumps({"grader": config, "language": language, "results": results}, ensure_ascii=False, indent=2)
        if args.json
        else explain(results)
    )
    return EXIT_OK


def _option_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a grader option, e.g. standard=cmrc2018, tolerance=0.01, fold_kana=true (repeat)",
    )


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
