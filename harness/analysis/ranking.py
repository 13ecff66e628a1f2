"""Overall scores and ranks that respect uncertainty: a weighted average over columns with a bootstrap interval over
samples, paired tests between models on the samples they share (Holm-adjusted), and rank ranges from those tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.runner.statistics import holm

RESAMPLES = 2000
ALPHA = 0.05


@dataclass(frozen=True)
class Overall:
    """A weighted average of column means, its 95% bootstrap interval, and the samples it rests on."""

    mean: float
    ci_low: float
    ci_high: float
    n: int


Scores = Mapping[str, float]
"""One column's per-sample scores of one model, by sample id."""


def overall(columns: Sequence[Scores], weights: Sequence[float], seed: int = 0) -> Overall | None:
    """The weighted average of each column's mean score, with a percentile bootstrap interval resampling the samples
    of every column at once; None when a column has no scores."""
    import numpy as np

    if not columns or any(not scores for scores in columns):
        return None
    rng = np.random.default_rng(seed)
    weight = np.asarray(weights, dtype=float) / float(sum(weights))
    means = np.zeros((RESAMPLES, len(columns)))
    for c, scores in enumerate(columns):
        data = np.asarray([scores[k] for k in sorted(scores)], dtype=float)
        means[:, c] = data[rng.integers(0, len(data), size=(RESAMPLES, len(data)))].mean(axis=1)
    point = float(sum(w * (sum(s.values()) / len(s)) for w, s in zip(weight, columns, strict=True)))
    low, high = np.percentile(means @ weight, [2.5, 97.5])
    low, high = min(float(low), point), max(float(high), point)
    return Overall(point, max(0.0, low), min(1.0, high), sum(len(s) for s in columns))


def paired_p(a: Sequence[Scores], b: Sequence[Scores], weights: Sequence[float], seed: int = 0) -> float:
    """Two-sided bootstrap p-value that the weighted average difference b − a over the samples both scored in each
    column is 0 (resampling the pairs within each column); 1 when they scored nothing in common or never differed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    total = np.zeros(RESAMPLES)
    observed = 0.0
    weight_sum = float(sum(weights))
    compared = False
    for scores_a, scores_b, w in zip(a, b, weights, strict=True):
        shared = sorted(scores_a.keys() & scores_b.keys())
        if not shared:
            continue
        compared = True
        d = np.asarray([scores_b[k] - scores_a[k] for k in shared], dtype=float)
        observed += w / weight_sum * float(d.mean())
        total += w / weight_sum * d[rng.integers(0, len(d), size=(RESAMPLES, len(d)))].mean(axis=1)
    if not compared or np.all(total == 0.0) and observed == 0.0:
        return 1.0
    below, above = float(np.mean(total <= 0.0)), float(np.mean(total >= 0.0))
    return min(1.0, 2.0 * min(below, above) + 1.0 / (RESAMPLES + 1))


@dataclass(frozen=True)
class Ranks:
    """Each model's rank range (best, worst) and the Holm-adjusted p-value of every pair compared."""

    ranges: dict[str, tuple[int, int]]
    p_holm: dict[tuple[str, str], float]


def rank(models: Sequence[str], means: Mapping[str, float], p_values: Mapping[tuple[str, str], float]) -> Ranks:
    """Rank ranges as LMArena shows them: a model's best rank is 1 + the models significantly better than it, its
    worst is the number of models minus those significantly worse (Holm-adjusted p below ALPHA)."""
    pairs = list(p_values)
    adjusted = dict(zip(pairs, holm([p_values[pair] for pair in pairs]), strict=True))
    ranges = {}
    for model in models:
        better = worse = 0
        for other in models:
            if other == model:
                continue
            key = (model, other) if (model, other) in adjusted else (other, model)
            if adjusted.get(key, 1.0) >= ALPHA:
                continue
            if means[other] > means[model]:
                better += 1
            else:
                worse += 1
        ranges[model] = (1 + better, len(models) - worse)
    return Ranks(ranges, adjusted)


def win_rate(model: str, columns: Sequence[Mapping[str, float]]) -> float | None:
    """The share of (column, other model) pairs where `model`'s mean beats the other's, a tie counting half; each
    column maps the ranked models that have it to their means. None when it never meets another model."""
    wins = games = 0.0
    for means in columns:
        if model not in means:
            continue
        for other, value in means.items():
            if other == model:
                continue
            games += 1
            wins += 1.0 if means[model] > value else 0.5 if means[model] == value else 0.0
    return wins / games if games else None
