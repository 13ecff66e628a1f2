"""A run's models, opened once: providers sharing connections and the response cache, the judges of judged evals,
and every eval × model pair run with them. The command line and the Python API both run evals through `evaluate`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from harness.errors import InputError
from harness.grading.judge import JudgeGrader
from harness.models.base import ModelSettings, Provider
from harness.registry.loader import Registry
from harness.registry.specs import EvalSpec
from harness.runner.engine import RunOptions, Skipped, run_all
from harness.runner.records import RunRecord

if TYPE_CHECKING:
    from harness.models.cache import ResponseCache


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

    def __init__(self, registry: Registry, settings: ModelSettings, cache: ResponseCache | None):
        from harness.models.endpoints import Endpoints

        self.registry = registry
        self.settings = settings
        self.cache = cache
        self.endpoints = Endpoints(settings)
        self.opened: dict[tuple[str, bool], Provider] = {}

    def open(self, name: str, *, judge: bool = False) -> Provider:
        """The provider for model `name`, opened once per role: a judge gets none of the run's `-M`/generation
        overrides, which are meant for the models being evaluated."""
        from harness.models import open_provider
        from harness.models.cache import CachedProvider

        key = (name, judge)
        if key not in self.opened:
            settings = replace(self.settings, model_args={}) if judge else self.settings
            provider = open_provider(name, self.registry.models, settings, self.endpoints)
            if self.cache is not None and provider.cacheable:
                provider = CachedProvider(provider, self.cache, settings.max_answer_bytes)
            self.opened[key] = provider
        return self.opened[key]

    def judges(self, configs: Mapping[str, Mapping[str, Any]], models: Mapping[str, str]) -> dict[str, JudgeGrader]:
        """A judge grader for each eval in `models` (see judge_models), with the rubric its grader block names."""
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


async def evaluate(
    registry: Registry,
    specs: Sequence[EvalSpec],
    models: Sequence[str],
    options: RunOptions,
    *,
    judge: str | None = None,
    cache: ResponseCache | None = None,
) -> tuple[list[RunRecord], list[Skipped]]:
    """Run every eval of `specs` against every model named (answers through `cache` when given); the run records and
    the pairs skipped. `judge` names the judging model of judged evals (default: each eval's own)."""
    configs = {spec.id: spec.grader_config for spec in specs}
    judged = judge_models(configs, judge, registry.judges)
    async with Models(registry, options.models, cache) as opened:
        providers = [opened.open(name) for name in models]
        judges = opened.judges(configs, judged)
        return await run_all(specs, providers, replace(options, judges=judges))
