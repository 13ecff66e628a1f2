"""The grader kinds: each one's metrics, options (type, default, meaning) and what it does, in one table.

The eval schema's `grader` block, `evalrun validate`, `evalrun grade`, `evalrun new` and docs/graders.md's grader table
are all read from KINDS; `harness.grading` holds one constructor per kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.registry.schemas import schema_problem
from harness.text.patterns import compile_pattern
from harness.text.scripts import CHINESE_POLICIES


@dataclass(frozen=True)
class Option:
    """One grader option: its JSON-Schema type, its default (None: none, or the language's), and what it does."""

    name: str
    schema: Mapping[str, Any]
    about: str
    default: Any = None
    required: bool = False


@dataclass(frozen=True)
class GraderKind:
    """A grader kind: the metrics it reports (the first is its primary), its options, and how it scores."""

    name: str
    metrics: tuple[str, ...]
    options: tuple[Option, ...]
    about: str

    def defaults(self) -> dict[str, Any]:
        """The options that have a fixed default, with it."""
        return {option.name: option.default for option in self.options if option.default is not None}

    def option_names(self) -> tuple[str, ...]:
        """The options this kind accepts besides `kind`."""
        return tuple(option.name for option in self.options)


OWN_STANDARD = "cjk"
"""evalrun's own `em`/`f1` mode: the normalization pipeline and bag-of-tokens F1."""
LLM_JP_EVAL = "llm-jp-eval"
"""The standard of llm-jp-eval (and the Nejumi and Swallow boards), which names its metrics its own way."""
STANDARDS = (OWN_STANDARD, "squad-v1.1", "cmrc2018", "jsquad", LLM_JP_EVAL)
"""`em`/`f1` standards: evalrun's own and the official scripts reproduced exactly."""
STANDARD_METRICS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    LLM_JP_EVAL: {"em": ("exact_match", "char_f1", "set_f1"), "f1": ("char_f1", "exact_match", "set_f1")},
}
"""The metrics an `em` or `f1` grader reports under a standard with names of its own (primary first): llm-jp-eval's
`exact_match` for `em`, its `char_f1` (an edit-distance ratio, not a token F1) for `f1`, and `set_f1` beside them."""

_NORMALIZATION = (
    Option("drop_articles", {"type": "boolean"}, "drop English a/an/the (default: on for en)"),
    Option(
        "fold_variants",
        {"enum": [True, False, *CHINESE_POLICIES]},
        "spelling variants compare equal: ja kyūjitai, name itaiji, 々, ヶ/か, a final ー; zh `s2t` (Simplified read in"
        " Traditional, distinct Traditional characters kept), `t2s`, `tw2sp` (regional words) or `off`"
        " (default: on for ja and zh, `s2t` for zh)",
    ),
    Option(
        "same_script", {"type": "boolean"}, "zh: an answer written in the eval's other script scores 0 (default: off)"
    ),
    Option("fold_kana", {"type": "boolean"}, "katakana and hiragana compare equal (default: off)"),
)
_STANDARD = Option(
    "standard",
    {"enum": list(STANDARDS)},
    "em/f1: evalrun's own mode or an official script, exactly (`llm-jp-eval` reports `exact_match`, `char_f1`,"
    " `set_f1`)",
    OWN_STANDARD,
)
_GRADERS = Option(
    "graders",
    {"type": "array", "minItems": 1, "maxItems": 16, "items": {"$ref": "#/$defs/grader"}},
    "the graders combined (each may carry a `weight`)",
    required=True,
)
_FIELD = Option(
    "field",
    {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
    "switch: the data field whose value picks the grader (an answer's type: `date`, `number`, …)",
    required=True,
)
_CASES = Option(
    "cases",
    {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 16,
        "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,40}$"},
        "additionalProperties": {"$ref": "#/$defs/grader"},
    },
    "switch: the grader for each value of the field",
    required=True,
)
_OTHERWISE = Option(
    "otherwise", {"$ref": "#/$defs/grader"}, "switch: the grader of a sample whose field holds no case's value"
)
WEIGHT = Option(
    "weight", {"type": "number", "exclusiveMinimum": 0}, "inside a combination: this grader's weight (default 1)"
)
"""The option every grader takes inside a combination."""


def _kinds(*kinds: GraderKind) -> dict[str, GraderKind]:
    return {kind.name: kind for kind in kinds}


KINDS: Mapping[str, GraderKind] = _kinds(
    GraderKind(
        "exact", ("accuracy",), _NORMALIZATION, "1 if the output's tokens equal a reference's after normalization"
    ),
    GraderKind(
        "includes",
        ("accuracy",),
        _NORMALIZATION,
        "1 if a reference's tokens appear as a run of whole tokens in the output (`1` is not in `1945`; `東京` is in"
        " `答えは東京です`)",
    ),
    GraderKind(
        "em",
        ("em", "f1"),
        (_STANDARD, *_NORMALIZATION),
        "exact match with the best reference (F1 is reported too); normalization options apply to `cjk` only",
    ),
    GraderKind(
        "f1",
        ("f1", "em"),
        (_STANDARD, *_NORMALIZATION),
        "token-overlap F1 with the best reference (EM is reported too); normalization options apply to `cjk` only",
    ),
    GraderKind(
        "choice",
        ("accuracy",),
        (),
        "1 if the option the output chose is the key's (`B`, `イ`, `乙`, `③`, `(2)`, `2` or its text); an answer naming no single option is `unparsed`",
    ),
    GraderKind(
        "numeric",
        ("accuracy",),
        (
            Option("tolerance", {"type": "number", "minimum": 0, "maximum": 1}, "numeric: relative tolerance", 0.0),
            Option(
                "unit", {"type": "string", "minLength": 1, "maxLength": 40}, "numeric: the unit a number must carry"
            ),
        ),
        "1 if a number in the output equals the reference's by value: `175 billion` = `175B` = `1750億` = `1,750亿` ="
        " `一千七百五十亿` = `１７５０億` = `1.75e11`; `1/2` = `二分之一` = `0.5`; `3割` = `30%` = `0.3`",
    ),
    GraderKind(
        "date",
        ("accuracy",),
        (),
        "1 if a date in the output agrees with the reference at the reference's precision: `June 2018` = `2018年6月`"
        " = `2018-06` = `2018年6月11日`; `平成30年6月` and `H30年6月` too; `645年` = `AD 645`; `公元前221年` = `221 BC`"
        " ≠ `221`",
    ),
    GraderKind(
        "regex",
        ("accuracy",),
        (
            Option(
                "pattern",
                {"type": "string", "minLength": 1, "maxLength": 1000},
                "regex: what to find in the output",
                required=True,
            ),
            Option(
                "group",
                {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "regex: the named group holding the answer",
            ),
            *_NORMALIZATION,
        ),
        "the last match of `pattern` (its named `group`, or all of it) must equal a reference after normalization;"
        " no match is `unparsed`",
    ),
    GraderKind(
        "fuzzy",
        ("accuracy", "similarity"),
        (
            Option(
                "threshold", {"type": "number", "minimum": 0, "maximum": 1}, "fuzzy: the similarity that passes", 0.8
            ),
            *_NORMALIZATION,
        ),
        "1 if the edit-distance similarity (1 − Levenshtein ÷ longer length) of the normalized texts reaches"
        " `threshold`; also reports `similarity`",
    ),
    GraderKind(
        "json",
        ("accuracy",),
        (
            Option("schema", {"type": "object"}, "json: the JSON Schema the output must satisfy", required=True),
            Option(
                "compare",
                {"enum": ["schema", "equal"]},
                "json: the schema only, or also equal to a reference",
                "schema",
            ),
        ),
        "1 if the output holds JSON (whole, in a ```` ```json ```` fence, or inline) valid under `schema`, and with"
        " `compare: equal` equal to a reference",
    ),
    GraderKind(
        "judge",
        ("score",),
        (
            Option(
                "rubric",
                {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]*$"},
                "judge: a rubric in registry/judges/",
                required=True,
            ),
            Option("model", {"type": "string", "minLength": 1}, "judge: the judging model (--judge overrides it)"),
        ),
        "another model reads the answer with a rubric from `registry/judges/` and gives a verdict worth a score",
    ),
    GraderKind("any_of", ("accuracy",), (_GRADERS,), "the best part's score"),
    GraderKind("all_of", ("accuracy",), (_GRADERS,), "the worst part's score"),
    GraderKind("weighted", ("score",), (_GRADERS,), "the weighted mean of the parts' scores (`weight`, default 1)"),
    GraderKind(
        "switch",
        ("accuracy",),
        (_FIELD, _CASES, _OTHERWISE),
        "the score of the grader its `cases` give for the sample's `field` (`type: date` graded by `date`, `type:"
        " number` by `numeric`), else of `otherwise`; a sample matching neither fails",
    ),
)
"""Every grader kind, in the order they are listed."""

COMBINATIONS = frozenset({"any_of", "all_of", "weighted", "switch"})
"""The kinds that combine other graders."""


def metrics_of(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The metrics the grader of a `grader:` block reports, its primary first: its kind's, or its standard's own."""
    kind = config["kind"]
    return STANDARD_METRICS.get(standard_of(kind, config) or OWN_STANDARD, {}).get(kind, KINDS[kind].metrics)


def metrics_when_changed(
    metrics: Sequence[str], config: Mapping[str, Any], changed: Mapping[str, Any]
) -> tuple[str, ...]:
    """The metrics of an eval whose grader block `config` (with `metrics`) is replaced by `changed`: the eval's own
    list while the grader reports the same ones, else the new grader's (`standard: llm-jp-eval` renames them)."""
    return tuple(metrics) if metrics_of(changed) == metrics_of(config) else metrics_of(changed)


def all_metrics() -> list[str]:
    """Every metric a grader can report, once each, in the order first listed."""
    names = [metric for kind in KINDS.values() for metric in kind.metrics]
    names += [metric for by_kind in STANDARD_METRICS.values() for metrics in by_kind.values() for metric in metrics]
    return list(dict.fromkeys(names))


def standard_of(grader: str, options: Mapping[str, Any]) -> str | None:
    """The official standard an `em` or `f1` grader scores by (None for evalrun's own mode and other kinds)."""
    standard = options.get("standard", OWN_STANDARD) if grader in ("em", "f1") else OWN_STANDARD
    return None if standard == OWN_STANDARD else str(standard)


def metric_label(metric: str, standard: str | None) -> str:
    """A metric's name as tables show it, with the standard that produced it: `llm-jp-eval char_f1`, `jsquad f1`."""
    return metric if standard is None else f"{standard} {metric}"


def grader_schema() -> dict[str, Any]:
    """The JSON-Schema `grader` block of an eval: a kind and any option of any kind (which apply is checked after)."""
    properties: dict[str, Any] = {"kind": {"enum": list(KINDS)}}
    for option in (*(option for kind in KINDS.values() for option in kind.options), WEIGHT):
        properties.setdefault(option.name, {**option.schema, "description": option.about})
    return {"type": "object", "additionalProperties": False, "required": ["kind"], "properties": properties}


def config_problems(config: Mapping[str, Any], nested: bool = False) -> list[tuple[tuple[Any, ...], str]]:
    """What is wrong with a schema-valid `grader:` block beyond its schema, each with the key path it is at."""
    kind = KINDS[config["kind"]]
    accepted = kind.option_names()
    allowed = set(accepted) | ({"weight"} if nested else set())
    problems: list[tuple[tuple[Any, ...], str]] = []
    for key in config:
        if key != "kind" and key not in allowed:
            listed = ", ".join(accepted) or "none"
            problems.append(
                ((key,), f"grader option {key!r} does not apply to grader {kind.name!r} (it takes: {listed})")
            )
    for option in kind.options:
        if option.required and option.name not in config:
            problems.append(((), f"grader {kind.name!r} needs the option {option.name!r}"))
    if kind.name in ("em", "f1") and config.get("standard", OWN_STANDARD) != OWN_STANDARD:
        for option in _NORMALIZATION:
            if option.name in config:
                problems.append(
                    ((option.name,), f"{option.name!r} applies only to the cjk standard: {config['standard']} is fixed")
                )
    if "pattern" in config:
        try:
            compiled = compile_pattern(config["pattern"])
        except ValueError as exc:
            problems.append((("pattern",), f"pattern: {exc}"))
        else:
            if config.get("group") and config["group"] not in compiled.groupindex:
                problems.append((("group",), f"group {config['group']!r} is not a named group of the pattern"))
    if "schema" in config:
        problem = schema_problem(config["schema"])
        if problem:
            problems.append((("schema",), f"schema: {problem}"))
    for where, part in grader_parts(config):
        if part["kind"] == "judge":
            problems.append((where, "a judge cannot be part of a combination"))
            continue
        for location, message in config_problems(part, nested=True):
            problems.append(((*where, *location), message))
    return problems


def grader_parts(config: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    """The grader blocks directly inside a block, each with its key path: a combination's `graders`, a switch's
    `cases` and `otherwise`."""
    parts: list[tuple[tuple[Any, ...], Mapping[str, Any]]] = [
        (("graders", index), part) for index, part in enumerate(config.get("graders") or ())
    ]
    parts += [(("cases", value), part) for value, part in (config.get("cases") or {}).items()]
    parts += [(("otherwise",), config["otherwise"])] if "otherwise" in config else []
    return parts


def markdown_table() -> str:
    """The grader table of docs/graders.md: kind, what it scores, its options."""
    lines = ["| kind | score | options |", "| --- | --- | --- |"]
    for kind in KINDS.values():
        names = [f"`{o.name}`" for o in kind.options if o not in _NORMALIZATION]
        if any(option in _NORMALIZATION for option in kind.options):
            names.append("normalization")
        lines.append(f"| `{kind.name}` | {kind.about} | {', '.join(names) or '—'} |")
    return "\n".join(lines) + "\n"
