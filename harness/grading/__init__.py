"""Graders: turn a model's output for a sample into a Score, configured by an eval's `grader:` block."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from harness.grading.normalize import Normalization
from harness.spec import GRADER_OPTIONS, REQUIRED_OPTIONS
from harness.types import Sample, Score


class Grader(Protocol):
    """Scores one output against a sample's references; `Score.metrics` holds what GRADER_METRICS names."""

    def grade(self, output: str, sample: Sample) -> Score:
        """The score of `output` for `sample`."""
        ...


def build_grader(config: Mapping[str, Any], language: str) -> Grader:
    """The grader a valid `grader:` block describes (see `config_problems`), for texts in `language`."""
    kind = config["kind"]
    steps = Normalization.for_language(language, config)
    if kind in ("exact", "includes"):
        from harness.grading.text import MatchGrader

        return MatchGrader(language, includes=kind == "includes", steps=steps)
    if kind in ("em", "f1"):
        from harness.grading.text import OWN_STANDARD, OverlapGrader

        return OverlapGrader(language, primary=kind, standard=config.get("standard", OWN_STANDARD), steps=steps)
    if kind == "choice":
        from harness.grading.choice import ChoiceGrader

        return ChoiceGrader(language)
    if kind == "numeric":
        from harness.grading.numeric import NumericGrader

        return NumericGrader(language, tolerance=config.get("tolerance", 0.0), unit=config.get("unit"))
    if kind == "date":
        from harness.grading.dates import DateGrader

        return DateGrader(language)
    if kind == "regex":
        from harness.grading.pattern import RegexGrader

        return RegexGrader(config["pattern"], language, group=config.get("group"), steps=steps)
    if kind == "fuzzy":
        from harness.grading.pattern import FuzzyGrader

        return FuzzyGrader(language, threshold=config.get("threshold", 0.8), steps=steps)
    if kind == "json":
        from harness.grading.structured import JSONGrader

        return JSONGrader(config["schema"], compare=config.get("compare", "schema"))
    if kind in ("any_of", "all_of", "weighted"):
        from harness.grading.combine import Combination

        parts = [
            (part["kind"], float(part.get("weight", 1)), build_grader(part, language)) for part in config["graders"]
        ]
        return Combination(kind, parts)
    if kind == "judge":
        raise ValueError("a judge grader needs a judging model: use harness.grading.judge.JudgeGrader")
    raise ValueError(f"unknown grader {kind!r}")


def make_grader(kind: str, language: str, **options: Any) -> Grader:
    """The grader `kind` with `options` (a shorthand for `build_grader`)."""
    return build_grader({"kind": kind, **options}, language)


def config_problems(config: Mapping[str, Any], nested: bool = False) -> list[tuple[tuple[Any, ...], str]]:
    """What is wrong with a schema-valid `grader:` block beyond its schema, each with the key path it is at."""
    kind = config["kind"]
    allowed = set(GRADER_OPTIONS[kind]) | ({"weight"} if nested else set())
    problems: list[tuple[tuple[Any, ...], str]] = []
    for key in config:
        if key != "kind" and key not in allowed:
            accepted = ", ".join(GRADER_OPTIONS[kind]) or "none"
            problems.append(((key,), f"grader option {key!r} does not apply to grader {kind!r} (it takes: {accepted})"))
    for key in REQUIRED_OPTIONS.get(kind, ()):
        if key not in config:
            problems.append(((), f"grader {kind!r} needs the option {key!r}"))
    if kind in ("em", "f1") and config.get("standard", "cjk") != "cjk":
        for key in ("drop_articles", "fold_variants", "fold_kana"):
            if key in config:
                problems.append(((key,), f"{key!r} applies only to the cjk standard: {config['standard']} is fixed"))
    if "pattern" in config:
        from harness.grading.pattern import compile_pattern

        try:
            compiled = compile_pattern(config["pattern"])
        except ValueError as exc:
            problems.append((("pattern",), f"pattern: {exc}"))
        else:
            if config.get("group") and config["group"] not in compiled.groupindex:
                problems.append((("group",), f"group {config['group']!r} is not a named group of the pattern"))
    if "schema" in config:
        from harness.grading.structured import schema_problem

        problem = schema_problem(config["schema"])
        if problem:
            problems.append((("schema",), f"schema: {problem}"))
    for index, part in enumerate(config.get("graders") or ()):
        if part["kind"] == "judge":
            problems.append((("graders", index), "a judge cannot be part of a combination"))
            continue
        for location, message in config_problems(part, nested=True):
            problems.append((("graders", index, *location), message))
    return problems
