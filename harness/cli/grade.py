"""`evalrun grade`: score outputs with any grader and explain each score."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.cli.common import EXIT_OK, load_registry, option_argument, registry_argument
from harness.errors import InputError, json_text
from harness.registry.graders import KINDS


def register(commands: Any) -> None:
    """Add the subcommands of this module."""
    grade = commands.add_parser(
        "grade",
        help="score outputs against references with any grader, explaining each score",
        description="Score one output (--output, --reference …) or one JSON line per output (--input FILE.jsonl with "
        '{"output": …, "references": […], "choices": […]}) with a grader and its options, printing each score with '
        "the grader's explanation (normalized text, tokens, parsed numbers, the choice it read). The same code "
        "grades runs and regrades.",
    )
    grade.add_argument("--grader", choices=list(KINDS), help="the grader (default: the --eval's)")
    option_argument(grade)
    grade.add_argument("--eval", metavar="ID", help="take the grader, its options and the language from this eval")
    grade.add_argument(
        "--language",
        type=_language,
        metavar="TAG",
        help="language of the texts, a BCP-47 tag such as en, ja, zh-Hans, ko (default: the eval's, or en)",
    )
    grade.add_argument("--output", metavar="TEXT", help="a model's output")
    grade.add_argument("--reference", action="append", default=[], metavar="TEXT", help="a reference answer (repeat)")
    grade.add_argument("--choice", action="append", default=[], metavar="TEXT", help="an option, in order (repeat)")
    grade.add_argument("--input", type=Path, metavar="FILE", help="JSONL of outputs and their references")
    grade.add_argument("--json", action="store_true", help="print the scores as JSON")
    registry_argument(grade)
    grade.set_defaults(handler=_grade)


def _language(tag: str) -> str:
    """An argparse type: the tag itself if it is a valid BCP-47 language tag, else exit 2 saying why."""
    from harness.registry.entry_checks import language_problem

    problem = language_problem(tag)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return tag


def _grade(args: argparse.Namespace) -> int:
    from harness.grading.explain import explain, read_pairs, score_pairs
    from harness.grading.override import grader_config

    spec = load_registry(args).evals.get(args.eval) if args.eval else None
    if args.eval and spec is None:
        raise InputError(f"evalrun: unknown eval {args.eval!r} (see `evalrun list`)")
    if (args.input is None) == (args.output is None):
        raise InputError("evalrun: give either --output TEXT with --reference TEXT, or --input FILE.jsonl")
    if args.output is not None and not args.reference:
        raise InputError("evalrun: --output needs at least one --reference")
    config = grader_config(spec.grader_config if spec else None, args.grader, args.option)
    language = args.language or (spec.language if spec else "en")
    pairs = read_pairs(args.input) if args.input else [(1, args.output, tuple(args.reference), tuple(args.choice), {})]
    results = score_pairs(config, language, pairs)
    print(
        json_text({"grader": config, "language": language, "results": results}, indent=2)
        if args.json
        else explain(results)
    )
    return EXIT_OK
