"""`evalrun grade`: score outputs given on the command line or in a JSONL file, explaining each verdict."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.errors import InputError, Problem, printable
from harness.grading import build_grader
from harness.types import Sample

Pair = tuple[int, str, tuple[str, ...], tuple[str, ...], Mapping[str, Any]]
"""(line, output, references, choices, the line's other fields) of one output to grade."""


def read_pairs(path: Path) -> list[Pair]:
    """The pair of each `{"output": …, "references": […], "choices": […], …}` line, its other fields kept."""
    problems: list[Problem] = []
    pairs: list[Pair] = []
    try:
        lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines: U+2028 and U+0085 are text in JSON
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"evalrun: cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            problems.append(Problem(str(path), number, f"not JSON: {exc}"))
            continue
        if not isinstance(row, dict) or not isinstance(row.get("output"), str):
            problems.append(Problem(str(path), number, 'each line needs "output" (a string)'))
            continue
        references, choices = row.get("references"), row.get("choices", [])
        if not _strings(references) or not references:
            problems.append(Problem(str(path), number, '"references" must be a non-empty list of strings'))
            continue
        if not _strings(choices):
            problems.append(Problem(str(path), number, '"choices" must be a list of strings'))
            continue
        fields = {key: value for key, value in row.items() if key != "output"}  # e.g. the `type` a switch grader reads
        pairs.append((number, row["output"], tuple(references), tuple(choices), fields))
    if problems:
        raise InputError(problems)
    return pairs


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def score_pairs(config: Mapping[str, Any], language: str, pairs: Sequence[Pair]) -> list[dict[str, Any]]:
    """Each pair scored by the grader `config` describes, through the same code runs and regrades use."""
    if config["kind"] == "judge":
        raise InputError("evalrun: a judge needs a model; `evalrun grade` scores without one (use run or regrade)")
    grader = build_grader(config, language)
    results = []
    for number, output, references, choices, fields in pairs:
        score = grader.grade(output, Sample(f"line-{number}", fields, references, choices))
        results.append(
            {
                "line": number,
                "output": output,
                "references": list(references),
                "score": score.value,
                "metrics": dict(score.metrics),
                "unparsed": score.unparsed,
                "explanation": dict(score.detail),
            }
        )
    return results


def explain(results: Sequence[Mapping[str, Any]]) -> str:
    """One block per scored output: the score, its metrics and the grader's explanation, model text escaped."""
    blocks = []
    for result in results:
        metrics = " ".join(f"{name}={value:.3f}" for name, value in result["metrics"].items())
        head = f"#{result['line']}  score {result['score']:.3f}  {metrics}" + (
            "  (unparsed)" if result["unparsed"] else ""
        )
        lines = [head, f"  output:     {_show(result['output'])}", f"  references: {_show(result['references'])}"]
        lines += [f"  {key}: {_show(value)}" for key, value in result["explanation"].items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _show(value: Any) -> str:
    return printable(json.dumps(value, ensure_ascii=False))
