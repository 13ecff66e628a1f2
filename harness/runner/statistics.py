"""Means with 95% confidence intervals: Wilson for pass/fail scores, seeded bootstrap for graded ones (none for n=1).

Paired statistics for comparing two runs sample by sample: a paired-bootstrap interval of the mean difference, the exact
McNemar test for pass/fail scores, a sign-flip permutation test for graded ones, and Holm's step-down adjustment."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Z95 = 1.959963984540054
SCORE = {"schema": {"minimum": 0, "maximum": 1}}
BOOTSTRAP_RESAMPLES = 2000
PAIRED_RESAMPLES = 10_000


@dataclass(frozen=True)
class Estimate:
    """A mean over n scores and its 95% confidence interval."""

    mean: float = field(metadata=SCORE)
    ci_low: float = field(metadata=SCORE)
    ci_high: float = field(metadata=SCORE)
    n: int = field(metadata={"schema": {"minimum": 1}})
    method: Literal["wilson", "bootstrap", "none"]

    @classmethod
    def of(cls, n: int, mean: float, low: float, high: float, method: str) -> Estimate:
        """An estimate whose interval holds its mean and stays within [0, 1], the range of every score, whatever the
        rounding (the Wilson bound 1 − 2⁻⁵³ over scores that are all 1 is 1)."""
        return cls(mean, max(0.0, min(low, mean)), min(1.0, max(high, mean)), n, method)  # type: ignore[arg-type]

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
        return Estimate.of(n, mean, low, high, "wilson")
    if n == 1:
        return Estimate(mean, 0.0, 1.0, n, "none")  # one graded score says nothing about spread
    low, high = bootstrap(values, seed)
    return Estimate.of(n, mean, low, high, "bootstrap")


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


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], seed: int = 0, resamples: int = PAIRED_RESAMPLES
) -> tuple[float, float] | None:
    """95% percentile interval of mean(b - a) resampling whole pairs; None for fewer than two pairs."""
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    differences = [y - x for x, y in zip(a, b, strict=True)]
    if len(differences) < 2:
        return None
    if all(d == differences[0] for d in differences):
        return differences[0], differences[0]  # no spread at all: the interval is the point
    return bootstrap(differences, seed, resamples)  # resampling the differences is resampling the pairs


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: the binomial(b + c, 1/2) test on the b and c discordant pairs."""
    n = b + c
    if n == 0:
        return 1.0
    term = total = 1  # C(n, 0), then C(n, k) for k up to min(b, c), in exact integers
    for k in range(min(b, c)):
        term = term * (n - k) // (k + 1)
        total += term
    return min(1.0, 2 * total / (1 << n))


def sign_flip(differences: Sequence[float], seed: int = 0, resamples: int = PAIRED_RESAMPLES) -> float:
    """Two-sided paired permutation p-value of mean difference 0: every sign pattern when there are at most
    `resamples` of them (exact), else a seeded Monte Carlo estimate (1 + hits) / (1 + resamples)."""
    import numpy as np

    data = np.sort(np.abs(np.asarray([d for d in differences if d != 0], dtype=float)))  # zeros never move the sum
    m = len(data)
    if m == 0:
        return 1.0
    observed = abs(math.fsum(differences))
    tolerance = 1e-9 * float(data.sum())  # the same sum in another order may differ in its last bits
    if 2**m <= resamples:
        signs = (np.arange(2**m)[:, None] >> np.arange(m)) & 1
        sums = (2.0 * signs - 1.0) @ data
        return float(np.mean(np.abs(sums) >= observed - tolerance))
    rng = np.random.default_rng(seed)
    chunk = max(1, 4_000_000 // m)
    hits = 0
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        sums = (rng.random((size, m)) < 0.5) @ data * 2.0 - data.sum()
        hits += int(np.count_nonzero(np.abs(sums) >= observed - tolerance))
    return (1 + hits) / (1 + resamples)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the order given: controls the family-wise error rate."""
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
