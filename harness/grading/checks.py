"""An eval's grader self-tests (`checks:`): outputs whose score the eval's own grader must reproduce."""

from __future__ import annotations

from harness.grading import build_grader
from harness.spec import EvalSpec
from harness.types import Sample


def failed_checks(spec: EvalSpec) -> list[tuple[int, str]]:
    """(index, message) of each check whose score differs from the one it expects (a judge is not asked)."""
    if not spec.checks or spec.grader == "judge":
        return []
    grader = build_grader(spec.grader_config, spec.language)
    failed = []
    for index, check in enumerate(spec.checks):
        sample = Sample(f"check-{index + 1}", {}, tuple(check["references"]), tuple(check.get("choices") or ()))
        got = grader.grade(check["output"], sample).value
        if abs(got - check["score"]) > 1e-9:
            message = (
                f"check {index + 1}: the grader gives {got:.4g} for output {check['output']!r}, not {check['score']:g}"
            )
            failed.append((index, message))
    return failed
