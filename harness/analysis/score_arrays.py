"""The per-sample scores of a group of board columns, for every model, as one array: what the bootstraps read, held
for one group of columns at a time (a few bytes a sample, whatever the size of the board)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.analysis.compare import run_scores

if TYPE_CHECKING:  # the leaderboard imports this module
    from harness.analysis.leaderboard import BoardColumn, Row


def group_scores(columns: Sequence[BoardColumn], rows: Sequence[Row]) -> Any:
    """Scores as an array of columns × rows × samples (the samples any run of the group scored, in sorted id order),
    NaN where a row's run did not score a sample or the row has no run in the column."""
    import numpy as np

    index: dict[str, int] = {}
    found = []
    for c, column in enumerate(columns):
        for m, row in enumerate(rows):
            cell = row.cells.get(column.label)
            if cell is not None:
                values = run_scores(cell.run, column.metric).values
                positions = [index.setdefault(sample_id, len(index)) for sample_id in values]
                found.append((c, m, np.asarray(positions, dtype=np.int64), np.fromiter(values.values(), float)))
    rank = np.empty(len(index), dtype=np.int64)  # each sample's place in sorted id order
    for place, sample_id in enumerate(sorted(index)):
        rank[index[sample_id]] = place
    scores = np.full((len(columns), len(rows), len(index)), np.nan)
    for c, m, places, scored in found:
        scores[c, m, rank[places]] = scored
    return scores
