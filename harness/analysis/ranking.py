"""Overall scores and ranks that respect uncertainty: a weighted average over columns with a bootstrap interval over
samples, paired tests between models, and rank ranges from those tests (Holm-adjusted).

One bootstrap serves them all: each column's samples are resampled RESAMPLES times, the same draws for every model,
so that a model's resampled means and the difference between two models' come from the same resamples (a paired
bootstrap). Each resample is a vector of counts per sample, so a column's resampled means for every model are one
matrix product, whatever the number of models, drawn a chunk of resamples at a time: a board of 20 models × 30 evals
× 1,000 samples takes about a second."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


CHUNK_CELLS = 1 << 17
"""Bootstrap weights are drawn this many (resample, sample) cells at a time, so memory stays flat in the samples."""


def resampled_means(values: Any, present: Any, rng: Any) -> Any:
    """RESAMPLES bootstrap means of each row of `values` (rows × n) over the samples it has (`present`, 0 or 1): the
    same draws of the n samples for every row, so that rows are paired; RESAMPLES × rows, NaN for a row with none."""
    import numpy as np

    n = values.shape[1]
    out = np.empty((RESAMPLES, values.shape[0]))
    weighted = (values * present).T
    chunk = max(1, CHUNK_CELLS // max(n, 1))
    for start in range(0, RESAMPLES, chunk):
        size = min(chunk, RESAMPLES - start)
        draws = rng.integers(0, n, size=(size, n)) + (np.arange(size) * n)[:, None]
        counts = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + size] = (counts @ weighted) / (counts @ present.T)
    return out


@dataclass
class Column:
    """One column's point means and resampled means for every model (NaN where a model has no score)."""

    points: Any
    """models: each model's mean over its scored samples."""
    resampled: Any
    """RESAMPLES × models."""
    n: Any
    """models: how many samples each model was scored on."""


def resample_column(scores: Any, seed: int) -> Column:
    """The point and resampled means of every model in one column, from its scores (models × samples, NaN where a
    model has no score; samples in a fixed order, so that the draws do not depend on the order runs finished in)."""
    import numpy as np

    present = (~np.isnan(scores)).astype(float)
    values = np.nan_to_num(scores)
    n = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        points = (values * present).sum(axis=1) / n
    if not scores.shape[1]:
        return Column(points, np.full((RESAMPLES, scores.shape[0]), np.nan), n)
    return Column(points, resampled_means(values, present, np.random.default_rng(seed)), n)


def combine(columns: Sequence[Column], weights: Sequence[float], model: int) -> tuple[float, Any] | None:
    """A model's weighted average of column means and its RESAMPLES resampled averages; None if a column lacks it."""
    import numpy as np

    if any(column.n[model] == 0 for column in columns) or not columns:
        return None
    total = float(sum(weights))
    point = sum(w * float(c.points[model]) for w, c in zip(weights, columns, strict=True)) / total
    resampled = sum(w * c.resampled[:, model] for w, c in zip(weights, columns, strict=True)) / total
    return point, np.nan_to_num(resampled, nan=point)


def overall_of(combined: tuple[float, Any] | None, n: int) -> Overall | None:
    """The estimate of a combined average over n samples: its point, a percentile interval that holds it, within
    [0, 1]. Every sample right (or every one wrong) leaves the bootstrap nothing to resample, and its interval would
    be the point alone; the Wilson interval of n samples all right (or wrong) is given then, as for one eval."""
    import numpy as np

    if combined is None:
        return None
    point, resampled = combined
    if point in (0.0, 1.0) and n and not np.ptp(resampled):
        from harness.runner.statistics import wilson

        low, high = wilson(point * n, n)
    else:
        low, high = np.percentile(resampled, [2.5, 97.5])
    return Overall(point, max(0.0, min(float(low), point)), min(1.0, max(float(high), point)), n)


def paired_p(a: tuple[float, Any], b: tuple[float, Any]) -> float:
    """Two-sided p-value that b's average minus a's is 0, from the paired bootstrap's standard error of the difference
    (a normal approximation: the averages are over hundreds of samples). Counting resamples on either side of 0 would
    floor p at 1 / (RESAMPLES + 1), and Holm's correction over the pairs of 20 models (190) would then leave no pair
    significant however far apart; 0 when the difference is certain, 1 when the two never differ."""
    import numpy as np

    difference = b[0] - a[0]
    spread = float(np.std(b[1] - a[1]))
    if spread == 0.0:
        return 1.0 if difference == 0.0 else 0.0
    return math.erfc(abs(difference) / spread / math.sqrt(2.0))


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
