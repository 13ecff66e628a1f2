"""Graders: turn a model's output for a sample into a Score, configured by an eval's `grader:` block."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from harness.grading.normalize import Normalization
from harness.registry.graders import KINDS
from harness.types import Sample, Score


class Grader(Protocol):
    """Scores one output against a sample's references; `Score.metrics` holds the metrics its kind names."""

    def grade(self, output: str, sample: Sample) -> Score:
        """The score of `output` for `sample`."""
        ...


Options = Mapping[str, Any]
"""A `grader:` block with every option its kind defaults filled in."""


def _exact(options: Options, language: str) -> Grader:
    from harness.grading.text import MatchGrader

    return MatchGrader(language, includes=options["kind"] == "includes", steps=_steps(options, language))


def _overlap(options: Options, language: str) -> Grader:
    from harness.grading.text import OverlapGrader

    steps = _steps(options, language)
    return OverlapGrader(language, primary=options["kind"], standard=options["standard"], steps=steps)


def _choice(options: Options, language: str) -> Grader:
    from harness.grading.choice import ChoiceGrader

    return ChoiceGrader(language)


def _numeric(options: Options, language: str) -> Grader:
    from harness.grading.numeric import NumericGrader

    return NumericGrader(language, tolerance=options["tolerance"], unit=options.get("unit"))


def _date(options: Options, language: str) -> Grader:
    from harness.grading.dates import DateGrader

    return DateGrader(language)


def _regex(options: Options, language: str) -> Grader:
    from harness.grading.pattern import RegexGrader

    steps = _steps(options, language)
    return RegexGrader(options["pattern"], language, group=options.get("group"), steps=steps)


def _fuzzy(options: Options, language: str) -> Grader:
    from harness.grading.pattern import FuzzyGrader

    return FuzzyGrader(language, threshold=options["threshold"], steps=_steps(options, language))


def _json(options: Options, language: str) -> Grader:
    from harness.grading.structured import JSONGrader

    return JSONGrader(options["schema"], compare=options["compare"])


def _combination(options: Options, language: str) -> Grader:
    from harness.grading.combine import Combination

    parts = [(part["kind"], float(part.get("weight", 1)), build_grader(part, language)) for part in options["graders"]]
    return Combination(options["kind"], parts)


def _switch(options: Options, language: str) -> Grader:
    from harness.grading.combine import Switch

    cases = {value: (part["kind"], build_grader(part, language)) for value, part in options["cases"].items()}
    otherwise = options.get("otherwise")
    fallback = None if otherwise is None else (otherwise["kind"], build_grader(otherwise, language))
    return Switch(options["field"], cases, fallback)


def _judge(options: Options, language: str) -> Grader:
    raise ValueError("a judge grader needs a judging model: use harness.grading.judge.JudgeGrader")


def _steps(options: Options, language: str) -> Normalization:
    return Normalization.for_language(language, options)


CONSTRUCTORS: Mapping[str, Callable[[Options, str], Grader]] = {
    "exact": _exact,
    "includes": _exact,
    "em": _overlap,
    "f1": _overlap,
    "choice": _choice,
    "numeric": _numeric,
    "date": _date,
    "regex": _regex,
    "fuzzy": _fuzzy,
    "json": _json,
    "judge": _judge,
    "any_of": _combination,
    "all_of": _combination,
    "weighted": _combination,
    "switch": _switch,
}
"""How each kind of harness.registry.graders.KINDS is built (the same kinds, in the same order)."""


def build_grader(config: Mapping[str, Any], language: str) -> Grader:
    """The grader a valid `grader:` block describes (see `config_problems`), for texts in `language`."""
    kind = config["kind"]
    if kind not in CONSTRUCTORS:
        raise ValueError(f"unknown grader {kind!r}")
    return CONSTRUCTORS[kind]({**KINDS[kind].defaults(), **config}, language)


def make_grader(kind: str, language: str, **options: Any) -> Grader:
    """The grader `kind` with `options` (a shorthand for `build_grader`)."""
    return build_grader({"kind": kind, **options}, language)
