"""The leaderboard: one row per model, one column per eval (as measured: version, data, grader and generation alike),
each cell a run's primary metric with its interval; an overall score, rank range and win rate per model, averages
per language, and what practitioners choose by. Baselines (`baseline/*`) are reference rows, never ranked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from harness.analysis.board_runs import Choice, Column
from harness.analysis.crosslingual import Consistency, families, family_consistency
from harness.analysis.pairing import Run
from harness.analysis.ranking import Column as ColumnResamples
from harness.analysis.ranking import Overall, combine, overall_of, paired_p, rank, resample_column, win_rate
from harness.analysis.score_arrays import group_scores
from harness.registry.graders import metric_label, standard_of
from harness.runner.statistics import Estimate

REFERENCE_PREFIX = "baseline/"


@dataclass(frozen=True)
class BoardColumn:
    """One column of the board: an eval as measured, its label, language, suites and tags."""

    key: Column
    label: str
    language: str
    suites: tuple[str, ...]
    metric: str
    tags: tuple[str, ...] = ()
    standard: str | None = None
    """The official standard the metric is computed by (`llm-jp-eval`, `jsquad`, …); None for evalrun's own."""

    @property
    def metric_label(self) -> str:
        """The metric as the board names it, with its standard: `llm-jp-eval char_f1`."""
        return metric_label(self.metric, self.standard)


@dataclass
class Cell:
    """One model's run in one column: its primary metric, and how many samples were scored (the board reads the
    per-sample scores behind it a family of columns at a time, and keeps none)."""

    run: Run
    column: BoardColumn
    estimate: Estimate | None
    n: int = 0

    @property
    def mean(self) -> float | None:
        """The cell's score, when it has one."""
        return None if self.estimate is None else self.estimate.mean


@dataclass
class Row:
    """One model: its cells by column label, and (for ranked models) overall score, rank range and win rate."""

    model: str
    reference: bool
    cells: dict[str, Cell] = field(default_factory=dict)
    overall: Overall | None = None
    languages: dict[str, Overall | None] = field(default_factory=dict)
    rank: tuple[int, int] | None = None
    win_rate: float | None = None
    missing: list[str] = field(default_factory=list)
    """Columns the model has no run in (its overall is then left out)."""


@dataclass
class Board:
    """Everything a report shows."""

    columns: list[BoardColumn]
    rows: list[Row]
    choice: Choice
    weighting: str
    seed: int
    p_holm: dict[tuple[str, str], float] = field(default_factory=dict)
    consistency: list[Consistency] = field(default_factory=list)
    """Each model's cross-lingual consistency on each family of evals it was run on in full, in board order."""


def build_board(
    choice: Choice,
    suites: Mapping[str, Sequence[str]],
    weighting: str = "eval",
    seed: int = 0,
    tags: Mapping[str, Sequence[str]] | None = None,
) -> Board:
    """The board of the runs `choice` counts; `suites` lists each suite's eval ids (for grouping and weighting),
    `tags` each eval's tags (by eval id, as the registry has them)."""
    columns = _columns(choice.counted, suites, tags or {})
    by_key = {column.key: column for column in columns}
    rows: dict[str, Row] = {}
    for run in choice.counted:
        column = by_key[Column.of(run)]
        row = rows.setdefault(run.model, Row(run.model, run.model.startswith(REFERENCE_PREFIX)))
        estimate = run.summary.metrics.get(column.metric)
        row.cells[column.label] = Cell(run, column, estimate)
    board = Board(columns, sorted(rows.values(), key=lambda r: r.model), choice, weighting, seed)
    _score(board)
    return board


def _columns(
    runs: Sequence[Run], suites: Mapping[str, Sequence[str]], tags: Mapping[str, Sequence[str]]
) -> list[BoardColumn]:
    """One column per distinct Column key, labelled by eval id (with `#2`, `#3` … for other measurements of one eval),
    ordered by language, then eval id."""
    keys: dict[Column, Run] = {}
    for run in runs:
        keys.setdefault(Column.of(run), run)
    seen: dict[str, int] = {}
    columns = []
    for key, run in sorted(keys.items(), key=lambda item: (item[1].summary.eval.language, item[0].eval_id)):
        seen[key.eval_id] = seen.get(key.eval_id, 0) + 1
        label = key.eval_id if seen[key.eval_id] == 1 else f"{key.eval_id} #{seen[key.eval_id]}"
        member = tuple(sorted(suite for suite, evals in suites.items() if key.eval_id in evals))
        language, metric = run.summary.eval.language, run.summary.primary_metric
        standard = standard_of(run.summary.eval.grader, run.summary.eval.grader_options)
        columns.append(BoardColumn(key, label, language, member, metric, tuple(tags.get(key.eval_id, ())), standard))
    return columns


def weights(columns: Sequence[BoardColumn], weighting: str) -> list[float]:
    """Each column's weight in the overall score (see harness.analysis.WEIGHTINGS); a column in no suite counts as its own suite."""
    if weighting == "eval":
        return [1.0] * len(columns)
    if weighting == "language":
        groups = [column.language for column in columns]
    else:
        groups = [column.suites[0] if column.suites else f"({column.label})" for column in columns]
    return [1.0 / groups.count(group) for group in groups]


def _score(board: Board) -> None:
    """Fill in every row's overall score, per-language averages, rank range and win rate (see harness.analysis.ranking:
    one paired bootstrap, the same resamples for every model)."""
    columns, rows = board.columns, board.rows
    resampled = _resample(board)
    all_weights = weights(columns, board.weighting)
    combined = {}
    for m, row in enumerate(rows):
        row.missing = [column.label for column in columns if column.label not in row.cells]
        n = sum(cell.n for cell in row.cells.values())
        combined[row.model] = combine(resampled, all_weights, m)
        row.overall = overall_of(combined[row.model], n)
        for language in sorted({column.language for column in columns}):
            mine = [i for i, c in enumerate(columns) if c.language == language]
            if all(columns[i].label in row.cells for i in mine):
                found = combine([resampled[i] for i in mine], [1.0] * len(mine), m)
                row.languages[language] = overall_of(found, sum(row.cells[columns[i].label].n for i in mine))
    ranked = [row for row in rows if not row.reference and row.overall is not None]
    p_values = {}
    for i, a in enumerate(ranked):
        for b in ranked[i + 1 :]:
            first, second = combined[a.model], combined[b.model]
            assert first is not None and second is not None  # ranked rows have an overall score
            p_values[a.model, b.model] = paired_p(first, second)
    means = {row.model: row.overall.mean for row in ranked if row.overall is not None}
    ranks = rank([row.model for row in ranked], means, p_values)
    board.p_holm = ranks.p_holm
    per_column = [
        {row.model: mean for row in ranked if c.label in row.cells and (mean := row.cells[c.label].mean) is not None}
        for c in columns
    ]
    for row in ranked:
        row.rank = ranks.ranges[row.model]
        row.win_rate = win_rate(row.model, per_column)
    board.rows.sort(key=lambda r: (r.reference, -(r.overall.mean if r.overall else -1.0), r.model))
    order = {row.model: position for position, row in enumerate(board.rows)}
    board.consistency.sort(key=lambda found: order[found.model])  # stable: families stay in column order


def _resample(board: Board) -> list[ColumnResamples]:
    """Every column's resampled means, reading each run's per-sample scores once, a family of columns (the same
    eval in several languages) at a time, whose cross-lingual consistency is found while they are read."""
    columns, rows = board.columns, board.rows
    position = {column.label: i for i, column in enumerate(columns)}
    related = families(columns)
    in_family = {column.label for group in related.values() for column in group}
    groups = list(related.items())
    groups += [("", [column]) for column in columns if column.label not in in_family]
    resampled: dict[int, ColumnResamples] = {}
    for family, group in groups:
        scores = group_scores(group, rows)
        for c, column in enumerate(group):
            i = position[column.label]
            resampled[i] = resample_column(scores[c], board.seed + i)
            for m, row in enumerate(rows):
                if column.label in row.cells:
                    row.cells[column.label].n = int(resampled[i].n[m])
        if family:
            complete = [m for m, row in enumerate(rows) if all(c.label in row.cells for c in group)]
            models = [rows[m].model for m in complete]
            board.consistency += family_consistency(family, group, models, scores[:, complete], board.seed)
    return [resampled[i] for i in range(len(columns))]
