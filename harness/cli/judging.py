"""What `run` and `regrade` share to reach models: the response cache, opened providers, and judges for graders."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.errors import InputError


def cache_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --no-cache and --cache-dir."""
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")
    parser.add_argument(
        "--cache-dir", type=Path, metavar="DIR", help="response cache folder (default ~/.cache/evalrun)"
    )


def judge_argument(parser: argparse.ArgumentParser) -> None:
    """Add --judge."""
    parser.add_argument(
        "--judge", metavar="M", help="the judging model for evals graded by a judge (default: the eval's `model`)"
    )


def judge_models(
    configs: Mapping[str, Mapping[str, Any]], judge: str | None, rubrics: Mapping[str, Any]
) -> dict[str, str]:
    """The judging model of each eval (by id) whose grader block in `configs` is a judge: `--judge`, else the block's
    `model`; InputError for an eval with neither, or a rubric not in registry/judges/."""
    judged = {eval_id: judge or config.get("model") for eval_id, config in configs.items() if config["kind"] == "judge"}
    problems = [
        f"evalrun: eval {eval_id!r} is graded by a judge: give --judge MODEL" for eval_id, m in judged.items() if not m
    ]
    problems += [
        f"evalrun: eval {eval_id!r}: unknown judge rubric {configs[eval_id]['rubric']!r} (registry/judges/)"
        for eval_id in judged
        if configs[eval_id]["rubric"] not in rubrics
    ]
    if problems:
        raise InputError(problems)
    return {eval_id: str(model) for eval_id, model in judged.items()}


class Models:
    """Opens providers by name, sharing one connection pool and in-flight cap per endpoint (answers kept in the
    response cache unless it is off); `async with` closes them all."""

    def __init__(self, registry: Any, settings: Any, cache: Any):
        from harness.models.endpoints import Endpoints

        self.registry = registry
        self.settings = settings
        self.cache = cache
        self.endpoints = Endpoints(settings)
        self.opened: dict[tuple[str, bool], Any] = {}

    def open(self, name: str, *, judge: bool = False) -> Any:
        """The provider for model `name`, opened once per role: a judge gets none of the run's `-M`/generation
        overrides, which are meant for the models being evaluated."""
        from dataclasses import replace

        from harness.models import open_provider
        from harness.models.cache import CachedProvider

        key = (name, judge)
        if key not in self.opened:
            settings = replace(self.settings, model_args={}) if judge else self.settings
            provider = open_provider(name, self.registry.models, settings, self.endpoints)
            cacheable = self.cache is not None and provider.cacheable
            self.opened[key] = CachedProvider(provider, self.cache) if cacheable else provider
        return self.opened[key]

    def judges(self, configs: Mapping[str, Mapping[str, Any]], models: Mapping[str, str]) -> dict[str, Any]:
        """A judge grader for each eval in `models` (see judge_models), with the rubric its grader block names."""
        from harness.grading.judge import JudgeGrader

        rubrics = self.registry.judges
        return {
            eval_id: JudgeGrader(rubrics[configs[eval_id]["rubric"]], self.open(m, judge=True))
            for eval_id, m in models.items()
        }

    async def __aenter__(self) -> Models:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    async def __aexit__(self, *exc: object) -> None:
        for provider in self.opened.values():
            await provider.aclose()
        await self.endpoints.aclose()


def open_cache(args: argparse.Namespace) -> Any:
    """The response cache the arguments ask for; None with --no-cache, or (saying so on stderr) when it cannot be
    opened: a cache that does not work costs the run its cached answers, never the run."""
    import sys

    from harness.errors import printable
    from harness.models.cache import ResponseCache, default_cache_dir

    if args.no_cache:
        return None
    try:
        return ResponseCache(args.cache_dir or default_cache_dir())
    except InputError as exc:
        print(printable(f"{exc}; running without it"), file=sys.stderr)
        return None


def close_cache(cache: Any) -> None:
    """Close the cache, saying on stderr if it failed during the run."""
    import sys

    from harness.errors import printable

    if cache is not None:
        cache.close()
        if cache.problem:
            note = f"evalrun: the response cache failed ({cache.problem}); some answers were asked again or not kept"
            print(printable(note), file=sys.stderr)
