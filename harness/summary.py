"""Run summaries: running totals over sample records, and the results part of run.json they give."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from harness.models.base import Prices
from harness.stats import estimate, quantile


@dataclass
class Tally:
    """Running totals for one run, kept small: one float per scored sample and metric."""

    metrics: tuple[str, ...]
    values: dict[str, list[float]] = field(default_factory=dict)
    samples: int = 0
    errors: int = 0
    unparsed: int = 0
    cached: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    with_usage: int = 0
    billed_tokens: list[int] = field(default_factory=lambda: [0, 0])
    """Prompt and completion tokens of answers that came from the endpoint this time (not the cache)."""
    latencies: list[float] = field(default_factory=list)
    error_messages: Counter[str] = field(default_factory=Counter)
    served_by: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        """Count one finished sample record."""
        self.samples += 1
        if record["latency_s"] is not None:
            self.latencies.append(record["latency_s"])
        usage = record["usage"]
        if usage and usage.get("prompt_tokens") is not None:
            self.with_usage += 1
            self.prompt_tokens += usage["prompt_tokens"] or 0
            self.completion_tokens += usage.get("completion_tokens") or 0
            if not record["cached"]:
                self.billed_tokens[0] += usage["prompt_tokens"] or 0
                self.billed_tokens[1] += usage.get("completion_tokens") or 0
        self.cached += bool(record["cached"])
        self.retries += max(record["attempts"] - 1, 0)
        if record["served_by"]:
            self.served_by[record["served_by"]] += 1
        if record["error"] is not None:
            self.errors += 1
            self.error_messages[record["error"]] += 1
            return
        self.unparsed += bool(record["unparsed"])
        for name in self.metrics:
            self.values.setdefault(name, []).append(record["metrics"][name])


def summarize(
    tally: Tally, metrics: tuple[str, ...], seed: int, seconds: float, prices: Prices | None
) -> dict[str, Any]:
    """The results part of run.json: counts, each metric with its 95% CI, usage, latency, duration, errors."""
    estimates = {}
    for name in metrics:
        found = estimate(tally.values.get(name, []), seed)
        estimates[name] = found.as_dict() if found else None
    return {
        "counts": {
            "samples": tally.samples,
            "scored": tally.samples - tally.errors,
            "errors": tally.errors,
            "unparsed": tally.unparsed,
            "cached": tally.cached,
            "retries": tally.retries,
        },
        "primary_metric": metrics[0],
        "metrics": estimates,
        "usage": {
            "prompt_tokens": tally.prompt_tokens,
            "completion_tokens": tally.completion_tokens,
            "samples_with_usage": tally.with_usage,
        },
        "cost_usd": prices.cost(*tally.billed_tokens) if prices and tally.with_usage else None,
        "latency_s": {
            "mean": sum(tally.latencies) / len(tally.latencies) if tally.latencies else None,
            "p50": quantile(tally.latencies, 0.5),
            "p95": quantile(tally.latencies, 0.95),
        },
        "duration_s": round(seconds, 3),
        "throughput": round(tally.samples / seconds, 3) if seconds > 0 else None,
        "errors": [{"message": message, "count": count} for message, count in tally.error_messages.most_common(10)],
    }


def now() -> str:
    """The current UTC time in ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
