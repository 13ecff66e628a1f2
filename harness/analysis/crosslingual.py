"""Cross-lingual consistency: for evals of one family asked in several languages under the same sample ids (the
gpt-history family), how many facts each model answers right in every language, in some, in none, and each
language's gap to English over the facts both hold, with a paired 95% interval."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.analysis.leaderboard import Board, BoardColumn

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


def families(board: Board) -> dict[str, list[BoardColumn]]:
    """Eval families (the eval id before its last dot: `gpt-history` of `gpt-history.en`) with columns in two or more
    languages; only each eval's first measurement counts."""
    found: dict[str, list[BoardColumn]] = {}
    for column in board.columns:
        if "." in column.key.eval_id and column.label == column.key.eval_id:
            found.setdefault(column.key.eval_id.rsplit(".", 1)[0], []).append(column)
    return {name: cols for name, cols in found.items() if len({c.language for c in cols}) >= 2}


def consistency(board: Board) -> list[Consistency]:
    """Every model's consistency on every family it was run on in full, in board order."""
    found = []
    for family, columns in families(board).items():
        for row in board.rows:
            if not all(c.label in row.cells for c in columns):
                continue
            scores = [row.cells[c.label].scores for c in columns]
            shared = set.intersection(*(set(s) for s in scores))
            if not shared:
                continue
            right = [sum(s[k] >= RIGHT for s in scores) for k in shared]
            gaps = _gaps(columns, scores, board.seed)
            languages = tuple(c.language for c in columns)
            every, none = right.count(len(columns)), right.count(0)
            found.append(
                Consistency(family, row.model, languages, len(shared), every, len(shared) - every - none, none, gaps)
            )
    return found


def _gaps(columns: list[BoardColumn], scores: list[Mapping[str, float]], seed: int) -> tuple[Gap, ...]:
    """Each non-English language's gap to English over the facts both hold, when the family has English: the mean
    difference and its 95% paired bootstrap interval (the same resamples of the facts for every language)."""
    import numpy as np

    english = [i for i, c in enumerate(columns) if c.language.split("-")[0] == "en"]
    if not english:
        return ()
    base = scores[english[0]]
    gaps = []
    for i, column in enumerate(columns):
        if i == english[0]:
            continue
        shared = sorted(base.keys() & scores[i].keys())
        if not shared:
            continue
        differences = np.asarray([scores[i][k] - base[k] for k in shared])
        mean = float(differences.mean())
        low = high = None
        if len(shared) >= 2:
            resampled = _counts(len(shared), seed) @ differences / len(shared)
            found = np.percentile(resampled, [2.5, 97.5])
            low, high = min(float(found[0]), mean), max(float(found[1]), mean)
        gaps.append(Gap(column.language, mean, low, high, len(shared)))
    return tuple(gaps)


@functools.lru_cache(maxsize=8)
def _counts(n: int, seed: int) -> Any:
    """The bootstrap draws of n facts, made once for every model and language that holds n of them."""
    import numpy as np

    from harness.analysis.ranking import counts

    return counts(n, np.random.default_rng(seed))
