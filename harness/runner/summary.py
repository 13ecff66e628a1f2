"""Run summaries: running totals over sample records, and the results part of run.json they give."""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from harness.models.base import Prices
from harness.runner.records import Counts, ErrorCount, LatencySummary, Results, SampleRecord, TokenTotals
from harness.runner.statistics import estimate, quantile


@dataclass
class Tally:
    """Running totals for one run, kept small: one float per scored sample and metric."""

    metrics: tuple[str, ...]
    epochs: int = 1
    values: dict[str, Any] = field(default_factory=dict)
    """Per metric, the scores: a compact array with one epoch, else each sample's list of epoch scores."""
    samples: int = 0
    errors: int = 0
    unparsed: int = 0
    cached: int = 0
    cut: int = 0
    """Answers cut to the answer limit (`output_cut`), graded on what was kept."""
    in_language: int = 0
    language_known: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    with_usage: int = 0
    billed_tokens: list[int] = field(default_factory=lambda: [0, 0])
    """Prompt and completion tokens of answers that came from the endpoint this time (not the cache)."""
    latencies: array[float] = field(default_factory=lambda: array("d"))
    error_messages: Counter[str] = field(default_factory=Counter)
    served_by: Counter[str] = field(default_factory=Counter)
    finish_reasons: Counter[str] = field(default_factory=Counter)
    """Why answers ended (`stop`, `length`, …), as the endpoints said, over the samples that got one."""

    def add(self, record: SampleRecord) -> None:
        """Count one finished sample record."""
        self.samples += 1
        if record.latency_s is not None and not record.cached and record.error is None:
            self.latencies.append(record.latency_s)  # the endpoint's answering time, not the cache's
        usage = record.usage
        if usage and usage.get("prompt_tokens") is not None:
            self.with_usage += 1
            self.prompt_tokens += usage["prompt_tokens"] or 0
            self.completion_tokens += usage.get("completion_tokens") or 0
            if not record.cached:
                self.billed_tokens[0] += usage["prompt_tokens"] or 0
                self.billed_tokens[1] += usage.get("completion_tokens") or 0
        self.cached += record.cached
        self.cut += record.output_cut
        self.retries += max(record.attempts - 1, 0)
        if record.served_by:
            self.served_by[record.served_by] += 1
        if record.error is not None:
            self.errors += 1
            self.error_messages[record.error] += 1
            return
        if record.finish_reason:
            self.finish_reasons[record.finish_reason] += 1
        self.unparsed += record.unparsed
        if record.in_language is not None:
            self.language_known += 1
            self.in_language += record.in_language
        metrics = record.metrics or {}
        for name in self.metrics:
            if self.epochs == 1:
                self.values.setdefault(name, array("d")).append(metrics[name])
            else:
                self.values.setdefault(name, {}).setdefault(record.sample_id, []).append(metrics[name])

    def reduced(self, metric: str, reducer: str) -> list[float]:
        """One value per scored sample: its epochs' scores reduced with `reducer`."""
        if self.epochs == 1:
            return list(self.values.get(metric, ()))
        return [reduce(scores, reducer) for scores in self.values.get(metric, {}).values()]


REDUCERS = ("mean", "majority", "all", "pass@k")
"""How a sample's scores over several epochs become one: their mean, the score most epochs got, 1 only if every
epoch scored 1, or the unbiased pass@k estimate (k at most the number of epochs)."""


def reduce(scores: list[float], reducer: str) -> float:
    """Reduce one sample's epoch scores (see REDUCERS; `pass@3` names k)."""
    if reducer == "mean" or len(scores) == 1 and not reducer.startswith("pass@"):
        return math.fsum(scores) / len(scores)
    if reducer == "majority":
        counts = Counter(scores).most_common()
        return float(min(value for value, n in counts if n == counts[0][1]))  # a tie goes to the lower score
    if reducer == "all":
        return float(all(score >= 1.0 for score in scores))
    k = int(reducer.removeprefix("pass@"))
    return pass_at_k(len(scores), sum(score >= 1.0 for score in scores), k)


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimate of the chance that at least one of k draws from n attempts (c correct) is correct."""
    if k > n:  # fewer attempts than k (some failed): the best estimate left is whether any succeeded
        return float(c > 0)
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def summarize(
    tally: Tally, metrics: tuple[str, ...], seed: int, seconds: float, prices: Prices | None, reducer: str = "mean"
) -> Results:
    """The results part of run.json: counts, each metric with its 95% CI, usage, latency, duration, errors."""
    return Results(
        counts=Counts(
            samples=tally.samples,
            scored=tally.samples - tally.errors,
            errors=tally.errors,
            unparsed=tally.unparsed,
            cached=tally.cached,
            cut=tally.cut,
            retries=tally.retries,
            in_language=tally.in_language,
            language_known=tally.language_known,
        ),
        primary_metric=metrics[0],
        metrics={name: estimate(tally.reduced(name, reducer), seed) for name in metrics},
        usage=TokenTotals(tally.prompt_tokens, tally.completion_tokens, tally.with_usage),
        cost_usd=prices.cost(*tally.billed_tokens) if prices and tally.with_usage else None,
        latency_s=LatencySummary(
            sum(tally.latencies) / len(tally.latencies) if tally.latencies else None,
            quantile(tally.latencies, 0.5),
            quantile(tally.latencies, 0.95),
        ),
        duration_s=round(seconds, 3),
        throughput=round(tally.samples / seconds, 3) if seconds > 0 else None,
        errors=[ErrorCount(message, count) for message, count in tally.error_messages.most_common(10)],
        finish_reasons=dict(tally.finish_reasons.most_common()),
    )


def now() -> str:
    """The current UTC time in ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
