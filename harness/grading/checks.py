"""An eval's grader self-tests: its `checks:`, and the oracle test that every reference earns full score."""

from __future__ import annotations

from collections.abc import Iterable

from harness.grading import build_grader
from harness.registry.specs import EvalSpec
from harness.types import Sample


def failed_checks(spec: EvalSpec) -> list[tuple[int, str]]:
    """(index, message) of each check whose score differs from the one it expects, or whose multiple-choice key names
    no option (a judge is not asked)."""
    if not spec.checks or spec.grader == "judge":
        return []
    grader = build_grader(spec.grader_config, spec.language)
    failed = []
    for index, check in enumerate(spec.checks):
        fields = check.get("fields") or {}  # e.g. the `type` a switch grader reads
        sample = Sample(f"check-{index + 1}", fields, tuple(check["references"]), tuple(check.get("choices") or ()))
        score = grader.grade(check["output"], sample)
        got = score.value
        if score.detail.get("key_problem"):  # a choice check's key names no option, whatever score it expects
            failed.append((index, f"check {index + 1}: reference {score.detail['key_problem']}"))
        elif abs(got - check["score"]) > 1e-9:
            message = (
                f"check {index + 1}: the grader gives {got:.4g} for output {check['output']!r}, not {check['score']:g}"
            )
            failed.append((index, message))
    return failed


def oracle_failures(spec: EvalSpec, samples: Iterable[tuple[int, Sample]]) -> list[tuple[int, str]]:
    """(line, message) for each sample with a reference that, given as the answer, does not get full score from the
    eval's own grader: a broken answer key or a grader that cannot read it (a judge is not asked)."""
    if spec.grader == "judge":
        return []
    grader = build_grader(spec.grader_config, spec.language)
    failed = []
    for line, sample in samples:
        for reference in sample.references:
            got = grader.grade(reference, sample).value
            if got < 1 - 1e-9:
                message = (
                    f"oracle self-test: reference {reference!r} given as the answer scores {got:.3g}, not 1, "
                    f"with grader {spec.grader!r}"
                )
                failed.append((line, message))
                break
    return failed
