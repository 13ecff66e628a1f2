"""A grader chosen on the command line: `--grader KIND` and `--option KEY=VALUE`, checked like a registry file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from harness.errors import InputError
from harness.registry.specs import EvalSpec


def grader_config(base: Mapping[str, Any] | None, kind: str | None, options: Sequence[str]) -> dict[str, Any]:
    """`base` (an eval's grader block) or `{kind: KIND}`, with each `KEY=VALUE` option set; InputError if invalid.

    Values are read as YAML scalars or flow collections: `tolerance=0.01`, `fold_kana=true`, `standard=cmrc2018`,
    `schema={"type": "object"}`.
    """
    import yaml

    from harness.registry.graders import config_problems
    from harness.registry.schemas import validator

    if kind is None and base is None:
        raise InputError("evalrun: give --grader KIND")
    config: dict[str, Any] = {"kind": kind} if kind is not None else dict(base or {})
    problems: list[str] = []
    for option in options:
        key, sep, text = option.partition("=")
        if not sep or not key.strip():
            problems.append(f"evalrun: --option {option!r}: write KEY=VALUE")
            continue
        try:
            config[key.strip()] = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            problems.append(f"evalrun: --option {key}: {text!r} is not a valid value")
    if not problems:
        for error in validator("eval", "grader").iter_errors(config):
            where = "/".join(map(str, error.absolute_path)) or "kind"
            problems.append(f"evalrun: grader option {where}: {error.message}")
    if not problems:
        problems = [f"evalrun: {message}" for _, message in config_problems(config)]
    if problems:
        raise InputError(problems)
    return config


def with_options(spec: EvalSpec, options: Sequence[str]) -> EvalSpec:
    """`spec` with its grader's options changed by `KEY=VALUE` options; its spec hash changes with them, so the run is
    told apart from runs of the eval as written. InputError, naming the eval, if an option is invalid."""
    try:
        config = grader_config(spec.grader_config, None, options)
    except InputError as exc:
        raise InputError(
            [f"evalrun: eval {spec.id!r}: {str(p).removeprefix('evalrun: ')}" for p in exc.problems]
        ) from None
    from harness.registry.graders import metrics_when_changed

    grader_options = {key: value for key, value in config.items() if key != "kind"}
    metrics = metrics_when_changed(spec.metrics, spec.grader_config, config)
    raw = {**spec.raw, "grader": config, **({"metrics": list(metrics)} if metrics != spec.metrics else {})}
    return replace(spec, grader_options=grader_options, metrics=metrics, raw=raw)
