"""Cross-lingual consistency: for evals of one family asked in several languages under the same sample ids (the
gpt-history family), how many facts each model answers right in every language, in some, in none, and each
language's gap to English over the facts both hold, with a paired 95% interval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the leaderboard imports this module
    from harness.analysis.leaderboard import BoardColumn

RIGHT = 0.5
"""A fact counts as answered right in a language when its score there is at least this (1 for pass/fail graders)."""


@dataclass(frozen=True)
class Gap:
    """A language's mean score minus English's over the facts both hold, with its paired bootstrap interval."""

    language: str
    mean: float
    ci_low: float | None
    ci_high: float | None
    n: int


@dataclass(frozen=True)
class Consistency:
    """One model on one family of evals."""

    family: str
    model: str
    languages: tuple[str, ...]
    facts: int
    """Sample ids the model was scored on in every language of the family."""
    all_right: int
    some_right: int
    none_right: int
    gaps: tuple[Gap, ...]


def families(columns: Sequence[BoardColumn]) -> dict[str, list[BoardColumn]]:
    """Eval families (the eval id before its last dot: `gpt-history` of `gpt-history.en`) with columns in two or more
    languages; only each eval's first measurement counts."""
    found: dict[str, list[BoardColumn]] = {}
    for column in columns:
        if "." in column.key.eval_id and column.label == column.key.eval_id:
            found.setdefault(column.key.eval_id.rsplit(".", 1)[0], []).append(column)
    return {name: cols for name, cols in found.items() if len({c.language for c in cols}) >= 2}


def family_consistency(
    family: str, columns: Sequence[BoardColumn], models: Sequence[str], scores: Any, seed: int
) -> list[Consistency]:
    """The consistency of each of `models` (each has a run in every column of the family) that shares a fact across
    the family's languages; `scores` is columns × models × facts, NaN where a model has no score."""
    import numpy as np

    scored = ~np.isnan(scores)
    right = np.nan_to_num(scores) >= RIGHT
    gaps = _gaps(columns, scores, seed)
    languages = tuple(c.language for c in columns)
    found = []
    for m, model in enumerate(models):
        shared = scored[:, m].all(axis=0)
        facts = int(shared.sum())
        if not facts:
            continue
        counts = right[:, m][:, shared].sum(axis=0)
        every, none = int((counts == len(columns)).sum()), int((counts == 0).sum())
        found.append(Consistency(family, model, languages, facts, every, facts - every - none, none, gaps[m]))
    return found


def _gaps(columns: Sequence[BoardColumn], scores: Any, seed: int) -> list[tuple[Gap, ...]]:
    """For each model, each non-English language's gap to English over the facts both hold, when the family has
    English: the mean difference and its 95% paired bootstrap interval, from one bootstrap of the family's facts
    shared by every model and language."""
    import numpy as np

    from harness.analysis.ranking import resampled_means

    models = scores.shape[1]
    english = [i for i, c in enumerate(columns) if c.language.split("-")[0] == "en"]
    if not english:
        return [() for _ in range(models)]
    others = [i for i in range(len(columns)) if i != english[0]]
    differences = (scores[others] - scores[english[0]]).reshape(len(others) * models, -1)  # language-major rows
    present = (~np.isnan(differences)).astype(float)
    differences = np.nan_to_num(differences)
    n = present.sum(axis=1)
    resampled = resampled_means(differences, present, np.random.default_rng(seed)) if scores.shape[2] else None
    found = []
    for m in range(models):
        gaps = []
        for j, i in enumerate(others):
            row = j * models + m
            if not n[row]:
                continue
            mean = float(differences[row].sum() / n[row])
            low = high = None
            if n[row] >= 2 and resampled is not None:
                bounds = np.nanpercentile(resampled[:, row], [2.5, 97.5])
                low, high = min(float(bounds[0]), mean), max(float(bounds[1]), mean)
            gaps.append(Gap(columns[i].language, mean, low, high, int(n[row])))
        found.append(tuple(gaps))
    return found
