"""Means with 95% confidence intervals: Wilson for pass/fail scores, seeded bootstrap for graded ones (none for n=1)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

Z95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 2000


@dataclass(frozen=True)
class Estimate:
    """A mean over n scores and its 95% confidence interval."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
    method: str

    def as_dict(self) -> dict[str, Any]:
        """The estimate as JSON-ready data."""
        return asdict(self)


def estimate(values: Sequence[float], seed: int = 0) -> Estimate | None:
    """Mean and 95% CI of `values` (None when there are none)."""
    n = len(values)
    if n == 0:
        return None
    mean = math.fsum(values) / n
    if all(v in (0.0, 1.0) for v in values):
        low, high = wilson(sum(values), n)
        return Estimate(mean, low, high, n, "wilson")
    if n == 1:
        return Estimate(mean, 0.0, 1.0, n, "none")  # one graded score says nothing about spread
    low, high = bootstrap(values, seed)
    return Estimate(mean, low, high, n, "bootstrap")


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion: stays inside [0, 1] and is honest at 0% and 100%."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap(values: Sequence[float], seed: int = 0, resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, reproducible for a given seed."""
    import numpy as np

    data = np.sort(np.asarray(values, dtype=float))  # sorted: the interval must not depend on finishing order
    rng = np.random.default_rng(seed)
    chunk = max(1, 4_000_000 // len(data))
    means = []
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        means.append(data[rng.integers(0, len(data), size=(size, len(data)))].mean(axis=1))
    low, high = np.percentile(np.concatenate(means), [2.5, 97.5])
    return float(low), float(high)


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0–1) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
