"""`evalrun run`: evals against models, with pacing, limits, cache, resume and judges."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.cli import run_arguments as arguments
from harness.cli.common import EXIT_FAILED, EXIT_OK, bounded, load_registry, option_argument, registry_argument
from harness.cli.judging import cache_arguments, close_cache, judge_argument, open_cache
from harness.data.selection import LIMIT_HELP
from harness.errors import InputError

ENVIRONMENT_HELP = """\
environment:
  EVALRUN_MODEL        the models when no --model is given (several: a,b,c)
  EVALRUN_RESULTS      where run records go when no --results is given
  EVALRUN_CONCURRENCY  --concurrency when it is not given
  A .env file in the current folder is read first (NAME=value lines, as
  Inspect AI reads one); variables already set in the environment win over
{keys}
"""
"""The epilog of `run --help`; {keys} becomes the sentence naming the providers' key variables (`_keys_sentence`)."""


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    run = commands.add_parser(
        "run",
        help="run evals or suites against models",
        description="Run evals (or suites) against one or more models, record every sample and print a results\ntable.",
        epilog=ENVIRONMENT_HELP.format(keys=_keys_sentence()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("names", nargs="+", metavar="EVAL|SUITE", help="eval or suite ids (see `evalrun list`)")
    run.add_argument(
        "--model",
        "-m",
        action="append",
        metavar="M",
        help="provider/model (openai/gpt-4o-mini, baseline/oracle) or a preset id; repeat to compare "
        "(default: $EVALRUN_MODEL)",
    )
    run.add_argument("--limit", type=arguments.limit, metavar="N|FRACTION|FIRST-LAST", help=LIMIT_HELP)
    run.add_argument(
        "--sample-id",
        action="extend",
        nargs="+",
        metavar="ID",
        help="only the samples with these ids (several, or separated by commas; repeat to add); each must be in one "
        "of the evals run, and an eval holding none of them is left out; give it after the eval names",
    )
    run.add_argument(
        "--concurrency",
        type=bounded(int, 1, 1024),
        metavar="N",
        help="requests in flight per model, across all of its evals (default: $EVALRUN_CONCURRENCY, else 8)",
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
        help="per-request timeout; for a streamed answer, the longest wait between events (default 60)",
    )
    run.add_argument(
        "--max-attempts",
        type=bounded(int, 1, 20),
        default=4,
        metavar="N",
        help="attempts per request, retries included (default 4)",
    )
    run.add_argument(
        "--results",
        type=Path,
        metavar="DIR",
        help="where run records go (default: $EVALRUN_RESULTS, else ./results)",
    )
    run.add_argument(
        "--max-errors",
        type=arguments.error_limit,
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
        type=arguments.reducer,
        default="mean",
        metavar="R",
        help="how a sample's epochs become one score: mean (default), majority, all, or pass@k (unbiased, k <= K)",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="render every prompt, count requests and estimate tokens and cost; ask no model",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress display on stderr")
    cache_arguments(run)
    run.add_argument(
        "--resume",
        nargs="?",
        const="any",  # harness.runner.opening.RESUME_ANY
        metavar="RUN_ID",
        help="continue the newest unfinished run with the same eval, data, model and parameters (or the run named)",
    )
    judge_argument(run)
    option_argument(run)
    run.add_argument("--json", action="store_true", help="print the run summaries as one JSON document")
    _generation_arguments(run)
    _transport_arguments(run)
    registry_argument(run)
    run.set_defaults(handler=_run)


def _keys_sentence() -> str:
    """The end of the epilog: the key variables of the providers in harness/models/providers.py, wrapped."""
    from textwrap import fill

    from harness.models.providers import key_variables

    sentence = f"it. Keys come only from variables ({', '.join(key_variables())}, ...)."
    return fill(sentence, 78, initial_indent="  ", subsequent_indent="  ")


def _generation_arguments(run: argparse.ArgumentParser) -> None:
    """Add the flags that change what each model is asked; each is part of the run's identity (and the cache key)."""
    group = run.add_argument_group(
        "what each model is asked",
        "These replace the eval's own `generation:` values and system prompt (not a\n"
        "judge's) and make a different run: --resume continues only a run asked the\n"
        "same way, and cached answers are kept apart.",
    )
    group.add_argument("--temperature", type=bounded(float, 0, 2), metavar="T", help="sampling temperature, 0 to 2")
    group.add_argument("--top-p", type=arguments.top_p, metavar="P", help="nucleus sampling: above 0, at most 1")
    group.add_argument(
        "--max-tokens", type=bounded(int, 1, 10**7), metavar="N", help="the most tokens an answer may have"
    )
    group.add_argument(
        "--stop", action="append", type=arguments.stop, metavar="TEXT", help="a stop sequence (repeat for several)"
    )
    group.add_argument(
        "--system-message",
        metavar="TEXT",
        help="the system prompt, as written (never a template), instead of the eval's; an eval without one gets it; "
        "'' asks without a system prompt",
    )
    group.add_argument(
        "-M",
        "--model-arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other request-body field for every model (repeat): VALUE is read as JSON when it is JSON, else as "
        "text, e.g. -M reasoning_effort=low -M top_k=20 -M chat_template_kwargs='{\"enable_thinking\": false}'; "
        f"not {', '.join(arguments.REFUSED_MODEL_ARGS)}",
    )


def _transport_arguments(run: argparse.ArgumentParser) -> None:
    """Add the flags that change how requests travel (not what is asked)."""
    group = run.add_argument_group("how requests travel")
    group.add_argument(
        "--stream",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read answers as Server-Sent Events (OpenAI-compatible and Anthropic endpoints), recording the time to "
        "the first token (default: streamed only where the provider needs it for long answers)",
    )
    group.add_argument(
        "--max-wait",
        type=bounded(float, 0, 86400),
        metavar="SECONDS",
        help="the longest a request waits for a server's Retry-After in all; a longer wait fails the sample at once "
        "(default: --timeout × --max-attempts)",
    )
    group.add_argument(
        "--adaptive",
        choices=("on", "off"),
        default="on",
        help="on (default): an endpoint's requests in flight shrink when 429s rise with load and grow back; "
        "off: --concurrency stays fixed",
    )
    group.add_argument(
        "--max-answer-bytes",
        type=arguments.byte_count,
        metavar="N",
        help="longer answers are cut to N bytes (UTF-8), recorded as cut with their full length and graded on what "
        "was kept; N, NK or NM (default 1M); part of the run's identity",
    )
    group.add_argument(
        "--max-connections",
        type=bounded(int, 1, 65536),
        metavar="N",
        help="requests in flight across the whole run, every model together (default: no cap beyond each model's)",
    )


def _run(args: argparse.Namespace) -> int:
    import signal

    from harness.cli.signals import leave_quietly

    leave_quietly(signal.SIGINT)  # until the run starts nothing is written: a Ctrl-C may end evalrun at once
    import asyncio

    from harness.analysis.table import failure_lines, results_table, run_folder_lines, run_folders
    from harness.cli.environment import load_dotenv_file
    from harness.cli.signals import SignalsCancel, Terminated
    from harness.data.selection import evals_with_ids
    from harness.models.base import MAX_ANSWER_BYTES, ModelSettings
    from harness.runner.engine import RunOptions
    from harness.runner.overrides import with_generation
    from harness.runner.records import run_data
    from harness.runner.session import evaluate, judge_models

    load_dotenv_file()
    models, concurrency, results = _defaults(args)
    if args.reducer.startswith("pass@") and int(args.reducer[5:]) > args.epochs:
        raise InputError(f"evalrun: --reducer {args.reducer} needs at least {args.reducer[5:]} epochs (--epochs)")
    params = _generation(args)
    model_args = arguments.model_args(args.model_arg, params)
    selection = _selection(args)
    registry = load_registry(args)
    specs = registry.resolve(args.names)
    if args.option:
        from harness.grading.override import with_options

        specs = [with_options(spec, args.option) for spec in specs]
    specs = [with_generation(spec, params, args.system_message) for spec in specs]
    specs = evals_with_ids(specs, selection)
    if args.dry_run:
        from harness.runner.dry_run import dry_run, plan_table

        plans = dry_run(
            specs,
            models,
            registry.models,
            selection=selection,
            epochs=args.epochs,
            seed=args.seed,
            overrides={**params, **model_args},
        )
        print(json.dumps({"plans": plans}, indent=2) if args.json else plan_table(plans))
        return EXIT_OK
    max_answer_bytes = args.max_answer_bytes or MAX_ANSWER_BYTES
    settings = ModelSettings(
        concurrency=concurrency,
        timeout=args.timeout,
        max_attempts=args.max_attempts,
        seed=args.seed,
        requests_per_minute=args.rpm,
        tokens_per_minute=args.tpm,
        stream=args.stream,
        max_wait=args.max_wait,
        adaptive=args.adaptive == "on",
        max_answer_bytes=max_answer_bytes,
        max_connections=args.max_connections,
        model_args={**params, **model_args},  # the flags win over a preset's `params:` too, as -M fields do
    )
    options = RunOptions(
        results_dir=results,
        selection=selection,
        models=settings,
        resume=args.resume,
        max_errors=args.max_errors,
        epochs=args.epochs,
        reducer=args.reducer,
        say=lambda message: print(f"evalrun: {message}", file=sys.stderr),
        progress=not args.quiet and not args.json,
    )

    judge_models({spec.id: spec.grader_config for spec in specs}, args.judge, registry.judges)  # before any cache
    cache = open_cache(args)

    came: list[int] = []

    async def run() -> Any:
        with SignalsCancel(asyncio.current_task(), came):
            try:
                return await evaluate(registry, specs, models, options, judge=args.judge, cache=cache)
            except asyncio.CancelledError:
                if came:  # every run has recorded what it finished and is left interrupted
                    return None
                raise

    try:
        ran = asyncio.run(run())
    finally:
        close_cache(cache)
    if ran is None:
        raise Terminated if came[0] == signal.SIGTERM else KeyboardInterrupt
    summaries, skipped = ran
    if args.json:
        runs = [run_data(summary) for summary in summaries]
        document = {"runs": runs, "skipped": [vars(s) for s in skipped], "run_folders": run_folders(summaries)}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(results_table(summaries, skipped, models))
        for line in run_folder_lines(summaries):
            print(line, file=sys.stderr)
    for line in failure_lines(summaries):
        print(line, file=sys.stderr)
    failed = any(s.counts.errors for s in summaries)
    return EXIT_FAILED if failed or any(s.status != "complete" for s in summaries) else EXIT_OK


def _defaults(args: argparse.Namespace) -> tuple[list[str], int, Path]:
    """The models, concurrency and results folder: the flags, else EVALRUN_MODEL, EVALRUN_CONCURRENCY and
    EVALRUN_RESULTS, else 8 and ./results; InputError when no model is given either way."""
    from harness.cli.environment import from_environment, model_names

    models = args.model or from_environment("EVALRUN_MODEL", model_names)
    if not models:
        raise InputError("evalrun: give --model M (or set EVALRUN_MODEL, in the environment or in .env)")
    concurrency = args.concurrency or from_environment("EVALRUN_CONCURRENCY", bounded(int, 1, 1024)) or 8
    results = args.results or from_environment("EVALRUN_RESULTS", Path) or Path("results")
    return list(dict.fromkeys(models)), concurrency, results


def _generation(args: argparse.Namespace) -> dict[str, Any]:
    """The generation parameters the flags set, under the names of the eval's `generation:` block."""
    given = {
        "temperature": args.temperature,
        "top_p": args.top_p,
        "max_tokens": args.max_tokens,
        "stop": args.stop,
    }
    return {key: value for key, value in given.items() if value is not None}


def _selection(args: argparse.Namespace) -> Any:
    """Which samples: --limit, --sample-id, or all of them."""
    from harness.data.selection import Selection, by_ids

    if args.limit is not None and args.sample_id:
        raise InputError("evalrun: give --limit or --sample-id, not both")
    if args.sample_id:
        return by_ids(args.sample_id)
    return args.limit or Selection()
