"""`evalrun compare`: does model B really beat model A? Paired statistics over stored runs of the same eval.

Runs are aligned by sample id (only samples scored in both count), each sample's epochs reduced with the run's reducer.
The difference B − A of the mean per-sample score gets a paired-bootstrap 95% interval, and a p-value: the exact McNemar
test when every score is 0 or 1, else a paired sign-flip permutation test (which on 0/1 scores is McNemar again).
Across several evals the p-values are also given Holm-adjusted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.analysis.pairing import Run
from harness.errors import InputError, printable
from harness.registry.graders import metric_label, standard_of
from harness.runner.record_views import read_scores
from harness.runner.records import RunRecord
from harness.runner.summary import reduce

COMPARABLE = (
    ("eval.version", "eval version"),
    ("eval.spec_hash", "spec hash"),
    ("eval.data_hash", "data hash"),
    ("eval.grader", "grader"),
    ("eval.grader_options", "grader options"),
    ("generation", "generation parameters"),
    ("epochs", "epochs"),
)
"""The run record fields (dotted paths) that must agree for two runs to measure the same thing, with their names.
Model parameters (`model.params`) are not among them: two models' are expected to differ."""
DROP_REASONS = {
    "missing_in_a": "missing in A",
    "missing_in_b": "missing in B",
    "errored_in_a": "errored in A",
    "errored_in_b": "errored in B",
}
"""Why a sample is left out of a comparison: not in one run's records, or every epoch of it failed there."""


@dataclass(frozen=True)
class Scores:
    """One run's per-sample scores (epochs reduced) and the samples whose every epoch failed."""

    values: dict[str, float]
    errored: set[str]


def run_scores(run: Run, metric: str) -> Scores:
    """Each sample's `metric` over its scored epochs, reduced with the run's reducer; later records of the same
    sample and epoch replace earlier ones. A torn last line (a run killed mid-write) is ignored."""
    path = run.folder / "samples.jsonl"
    if run.summary.epochs == 1:  # one score a sample: no epochs to keep apart (and a tenth of the memory)
        latest = {sample_id: score for sample_id, _, score in read_scores(path, metric)}
        values = {sample_id: score for sample_id, score in latest.items() if score is not None}
        return Scores(values, {sample_id for sample_id, score in latest.items() if score is None})
    epochs: dict[str, dict[int, float | None]] = {}
    for sample_id, epoch, score in read_scores(path, metric):
        epochs.setdefault(sample_id, {})[epoch] = score
    reducer = run.summary.reducer
    values, errored = {}, set()
    for sample_id, by_epoch in epochs.items():
        scored = [score for _, score in sorted(by_epoch.items()) if score is not None]
        if scored:
            values[sample_id] = reduce(scored, reducer)
        else:
            errored.add(sample_id)
    return Scores(values, errored)


def dropped_samples(a: Scores, b: Scores) -> list[dict[str, str]]:
    """The samples not scored in both runs, each with why (missing before errored, A before B), sorted by id."""
    dropped = []
    for sample_id in sorted(set(a.values) ^ set(b.values) | a.errored | b.errored):
        if sample_id not in a.values and sample_id not in a.errored:
            reason = "missing_in_a"
        elif sample_id not in b.values and sample_id not in b.errored:
            reason = "missing_in_b"
        else:
            reason = "errored_in_a" if sample_id in a.errored else "errored_in_b"
        dropped.append({"sample_id": sample_id, "reason": reason})
    return dropped


def differences(records: Sequence[tuple[str, RunRecord]], fields: Iterable[tuple[str, str]]) -> list[str]:
    """What differs between labelled run records: `eval version 1 (A) vs 2 (B)`, one entry per field (a dotted path)."""
    found = []
    for path, name in fields:
        groups: list[tuple[Any, list[str]]] = []  # equal values together (0 and 0.0 too), in order of first label
        for label, record in records:
            value = _field(record, path)
            group = next((labels for seen, labels in groups if seen == value), None)
            if group is None:
                groups.append((value, [label]))
            else:
                group.append(label)
        if len(groups) > 1:
            found.append(f"{name} " + " vs ".join(f"{_short(v)} ({', '.join(labels)})" for v, labels in groups))
    return found


def _field(record: RunRecord, path: str) -> Any:
    """The value at a dotted path of a run record (`eval.version`)."""
    value: Any = record
    for name in path.split("."):
        value = getattr(value, name)
    return value


def _short(value: Any) -> str:
    """A run.json value as shown in a warning: hashes cut to 12 characters, a mapping as `key=value, …` by key."""
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={_plain(value[key])}" for key in sorted(value)) or "none"
    text = "none" if value is None else str(value)
    return text[:12] if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else text


BARE = re.compile(r"[^\W\d][\w.:/@+-]*")
"""A text shown without quotes in a mapping's value: a word-like name that cannot be read as a number or a list."""


def _plain(value: Any) -> str:
    """One value of a mapping in a warning: a name as it is, anything else as compact JSON with sorted keys."""
    if isinstance(value, str) and BARE.fullmatch(value) and value not in ("true", "false", "null", "none"):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def run_warnings(a: Run, b: Run) -> list[str]:
    """Why the numbers of `a` and `b` may not be comparable: the COMPARABLE fields (eval, grader options, generation
    parameters, epochs), the reducer, unfinished runs."""
    found = differences([("A", a.summary), ("B", b.summary)], COMPARABLE)
    reducers = [r.summary.reducer for r in (a, b)]
    if reducers[0] != reducers[1] and max(r.summary.epochs for r in (a, b)) > 1:
        found.append(f"reducer {reducers[0]} (A) vs {reducers[1]} (B)")
    for label, run in (("A", a), ("B", b)):
        if run.summary.status != "complete":
            found.append(f"run {label} is {run.summary.status}, not complete")
    return found


def compare_pair(a: Run, b: Run, metric: str | None, seed: int, resamples: int) -> dict[str, Any]:
    """The paired comparison of two runs of one eval on `metric` (default: A's primary metric)."""
    from harness.runner.statistics import mcnemar_exact, paired_bootstrap, sign_flip

    metric = metric or a.summary.primary_metric
    for run in (a, b):
        recorded = run.summary.eval.metrics or list(run.summary.metrics)
        if metric not in recorded:
            raise InputError(
                printable(f"evalrun: run {run.run_id} has no metric {metric!r} (it has: {', '.join(recorded)})")
            )
    a_scores, b_scores = run_scores(a, metric), run_scores(b, metric)
    ids = sorted(set(a_scores.values) & set(b_scores.values))  # sorted: nothing depends on the order of records
    xs = [a_scores.values[i] for i in ids]
    ys = [b_scores.values[i] for i in ids]
    binary = all(v in (0.0, 1.0) for v in xs + ys)
    aligned = list(zip(ids, xs, ys, strict=True))  # largest gap first; a stable sort keeps ties in id order
    a_better = [_flip(*p) for p in sorted((p for p in aligned if p[1] > p[2]), key=lambda p: p[2] - p[1])]
    b_better = [_flip(*p) for p in sorted((p for p in aligned if p[2] > p[1]), key=lambda p: p[1] - p[2])]
    changed = len(a_better) + len(b_better)
    if not ids:
        test, p = None, None
    elif binary:
        test, p = "mcnemar-exact", mcnemar_exact(len(a_better), len(b_better))
    else:
        test, p = "sign-flip", sign_flip([y - x for x, y in zip(xs, ys, strict=True)], seed, resamples)
    interval = paired_bootstrap(xs, ys, seed, resamples)
    dropped = dropped_samples(a_scores, b_scores)
    return {
        "eval": a.eval_id,
        "metric": metric,
        "standard": standard_of(a.summary.eval.grader, a.summary.eval.grader_options),
        "binary": binary,
        "a": _side(a, xs),
        "b": _side(b, ys),
        "n": len(ids),
        "difference": {
            "mean": math.fsum(ys) / len(ids) - math.fsum(xs) / len(ids) if ids else None,
            "ci_low": interval[0] if interval else None,
            "ci_high": interval[1] if interval else None,
            "method": "paired-bootstrap",
            "resamples": resamples,
            "seed": seed,
        },
        "test": test,
        "p": p,
        "p_exact": binary or 2**changed <= resamples,  # else a Monte Carlo estimate, at least 1 / (resamples + 1)
        "p_holm": None,
        "dropped": {reason: sum(d["reason"] == reason for d in dropped) for reason in DROP_REASONS},
        "dropped_samples": dropped,
        "a_better": a_better,
        "b_better": b_better,
        "warnings": run_warnings(a, b),
    }


def _flip(sample_id: str, a: float, b: float) -> dict[str, Any]:
    """One sample where A and B scored differently."""
    return {"sample_id": sample_id, "a": a, "b": b}


def _side(run: Run, values: Sequence[float]) -> dict[str, Any]:
    """One side of a comparison: which run, and its mean over the aligned samples."""
    return {
        "run_id": run.run_id,
        "model": run.model,
        "path": str(run.folder.resolve()),
        "mean": math.fsum(values) / len(values) if values else None,
    }


def compare(
    pairs: Sequence[tuple[Run, Run]],
    metric: str | None = None,
    seed: int = 0,
    resamples: int = 10_000,
    skipped: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """The comparison document: one entry per pair, with Holm-adjusted p-values across them."""
    from harness.runner.statistics import holm

    comparisons = [compare_pair(a, b, metric, seed, resamples) for a, b in pairs]
    tested = [c for c in comparisons if c["p"] is not None]
    for comparison, adjusted in zip(tested, holm([c["p"] for c in tested]), strict=True):
        comparison["p_holm"] = adjusted
    return {
        "comparisons": comparisons,
        "skipped": list(skipped),
        "seed": seed,
        "resamples": resamples,
        "adjustment": {"method": "holm", "family": len(tested)},
    }


def render(document: Mapping[str, Any], show: int = 10) -> str:
    """The comparison as a Markdown table, with dropped samples, flipped samples and warnings under it."""
    from tabulate import tabulate

    comparisons = document["comparisons"]
    a_names = {c["a"]["model"] for c in comparisons}
    b_names = {c["b"]["model"] for c in comparisons}
    a_head = f"A: {_safe(next(iter(a_names)))}" if len(a_names) == 1 else "A"
    b_head = f"B: {_safe(next(iter(b_names)))}" if len(b_names) == 1 else "B"
    rows = [
        [
            _safe(c["eval"]),
            _safe(metric_label(c["metric"], c.get("standard"))),
            c["n"],
            _number(c["a"]["mean"]) + ("" if len(a_names) == 1 else f" {_safe(c['a']['model'])}"),
            _number(c["b"]["mean"]) + ("" if len(b_names) == 1 else f" {_safe(c['b']['model'])}"),
            _difference(c["difference"]),
            len(c["a_better"]),
            len(c["b_better"]),
            {"mcnemar-exact": "McNemar", "sign-flip": "sign-flip"}.get(c["test"], "—"),
            _p(c["p"], _floor(c, document["resamples"])),
            _p(c["p_holm"], _floor(c, document["resamples"])),
        ]
        for c in comparisons
    ]
    headers = ["eval", "metric", "n", a_head, b_head, "B − A [95% CI]", "A>B", "B>A", "test", "p", "p (Holm)"]
    align = ("left", "left", "right", "right", "right", "right", "right", "right", "left", "right", "right")
    lines = [tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True, colalign=align), ""]
    lines.append(
        f"Means over the n samples scored in both runs. 95% CI: paired bootstrap ({document['resamples']:,} resamples, "
        f"seed {document['seed']}). A>B, B>A: samples where one scored higher (with 0/1 scores: right vs wrong)."
    )
    lines.append(
        "p: exact McNemar test (0/1 scores) or paired sign-flip permutation test (other scores); p (Holm): adjusted "
        f"for {document['adjustment']['family']} comparison(s). With few flips the bootstrap CI is too narrow: "
        "trust p."
    )
    for c in comparisons:
        lines.append("")
        lines.append(f"{_safe(c['eval'])}: A = {_safe(c['a']['run_id'])}, B = {_safe(c['b']['run_id'])}")
        dropped = [f"{count} {DROP_REASONS[reason]}" for reason, count in c["dropped"].items() if count]
        if dropped:
            lines.append(f"- dropped {sum(c['dropped'].values())} sample(s): {', '.join(dropped)}")
        for label, flips in (("A>B", c["a_better"]), ("B>A", c["b_better"])):
            if flips and show:
                more = f" … (+{len(flips) - show} more; --json lists all)" if len(flips) > show else ""
                lines.append(
                    f"- {label} ({len(flips)}): " + ", ".join(_safe(f["sample_id"]) for f in flips[:show]) + more
                )
        lines.extend(f"- WARNING: runs not comparable: {_safe(warning)}" for warning in c["warnings"])
    if document["skipped"]:
        lines.append("")
        lines.extend(f"not compared: {_safe(s['eval'])} — {_safe(s['reason'])}" for s in document["skipped"])
    return "\n".join(lines)


def _safe(value: Any) -> str:
    """Text from a run record made safe to print."""
    return printable(str(value))


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _difference(difference: Mapping[str, Any]) -> str:
    """`+0.120 [+0.040, +0.200]`, or `—` with nothing to compare."""
    if difference["mean"] is None:
        return "—"
    if difference["ci_low"] is None:
        return f"{difference['mean']:+.3f}"
    return f"{difference['mean']:+.3f} [{difference['ci_low']:+.3f}, {difference['ci_high']:+.3f}]"


def _floor(comparison: Mapping[str, Any], resamples: int) -> bool:
    """Whether the p-value is a Monte Carlo one that no resample reached: the true one is smaller still."""
    p = comparison["p"]
    return not comparison["p_exact"] and p is not None and p * (resamples + 1) < 1 + 1e-9


def _p(value: float | None, bound: bool = False) -> str:
    """A p-value to about two significant digits, marked `≤` when it is only an upper bound."""
    if value is None:
        return "—"
    if bound:
        return f"≤{value:.1e}"
    if value >= 0.9995:
        return "1"
    return f"{value:.3f}" if value >= 0.001 else f"{value:.1e}"


def warning_lines(document: Mapping[str, Any]) -> list[str]:
    """One `evalrun: warning: …` line per reason a compared pair of runs may not be comparable."""
    return [
        _safe(f"evalrun: warning: {c['eval']}: runs not comparable: {warning}")
        for c in document["comparisons"]
        for warning in c["warnings"]
    ]
