"""Render run summaries as a results table: one row per eval, one column per model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.runner import Skipped


def cell(summary: Mapping[str, Any]) -> str:
    """`score [low, high] n=… err=…` for one run, with the unparsed count when there is one."""
    counts = summary["counts"]
    found = summary["metrics"].get(summary["primary_metric"])
    text = "—" if found is None else f"{found['mean']:.3f} [{found['ci_low']:.3f}, {found['ci_high']:.3f}]"
    text += f" n={counts['scored']} err={counts['errors']}"
    if counts["unparsed"]:
        text += f" unparsed={counts['unparsed']}"
    if summary["status"] != "complete":
        text += f" ({summary['status']})"
    return text


def results_table(summaries: Sequence[Mapping[str, Any]], skipped: Sequence[Skipped], models: Sequence[str]) -> str:
    """The comparison table; skipped pairs show `n/a` and are explained under it."""
    from tabulate import tabulate

    evals: dict[str, dict[str, str]] = {}
    metric_of: dict[str, str] = {}
    for summary in summaries:
        eval_id = summary["eval"]["id"]
        evals.setdefault(eval_id, {})[summary["model"]["name"]] = cell(summary)
        metric_of[eval_id] = summary["primary_metric"]
    for skip in skipped:
        evals.setdefault(skip.eval_id, {})[skip.model] = "n/a"
    rows = [
        [eval_id, metric_of.get(eval_id, "")] + [cells.get(model, "") for model in models]
        for eval_id, cells in evals.items()
    ]
    text = tabulate(rows, headers=["eval", "metric", *models], tablefmt="github", disable_numparse=True)
    reasons = sorted({(skip.model, skip.reason) for skip in skipped})
    notes = [f"n/a: {model} — {reason}" for model, reason in reasons] + not_comparable(summaries)
    footer = "score [95% CI] over n scored samples; err = samples that failed after retries (not scored)."
    return "\n".join(
        [text, "", footer, *notes, "", usage_table(summaries)] if summaries else [text, "", footer, *notes]
    )


def not_comparable(summaries: Sequence[Mapping[str, Any]]) -> list[str]:
    """One note per eval whose runs differ in eval version, data or grader, saying what differs."""
    from harness.compare import differences

    by_eval: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for s in summaries:
        by_eval.setdefault(s["eval"]["id"], []).append((s["model"]["name"], s["eval"]))
    fields = (("version", "eval version"), ("data_hash", "data hash"), ("grader", "grader"))
    found = ((eval_id, differences(blocks, fields)) for eval_id, blocks in by_eval.items())
    return [f"not comparable: {eval_id} — {'; '.join(what)}" for eval_id, what in found if what]


def usage_table(summaries: Sequence[Mapping[str, Any]]) -> str:
    """Tokens, cost, latency and throughput of each run."""
    from tabulate import tabulate

    rows = []
    for s in summaries:
        usage, latency = s["usage"], s["latency_s"]
        rows.append(
            [
                s["eval"]["id"],
                s["model"]["name"],
                f"{usage['prompt_tokens']:,} / {usage['completion_tokens']:,}" if usage["samples_with_usage"] else "—",
                "—" if s["cost_usd"] is None else f"${s['cost_usd']:.4f}",
                _seconds(latency["p50"]),
                _seconds(latency["p95"]),
                "—" if s["throughput"] is None else f"{s['throughput']:.1f}/s",
                s["counts"]["cached"],
            ]
        )
    headers = ["eval", "model", "tokens in / out", "cost", "p50", "p95", "samples/s", "cached"]
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
