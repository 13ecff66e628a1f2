"""A leaderboard as text (a terminal table, GitHub Markdown), CSV and JSON: the same numbers in every format, each cell
with its provenance in CSV and JSON (field names in CELL_FIELDS, documented in docs/report.md)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from textwrap import fill
from typing import Any

from harness.analysis.leaderboard import Board, Cell, Row
from harness.analysis.ranking import ALPHA, Overall
from harness.errors import printable

CELL_FIELDS = (
    "model", "reference", "column", "eval", "language", "suites", "tags", "metric", "standard", "mean", "ci_low",
    "ci_high", "n", "samples", "errors", "unparsed", "error_rate", "unparsed_rate", "in_language_rate", "tokens_in",
    "tokens_out", "cost_usd",
    "latency_p50_s", "latency_p95_s", "throughput", "status", "run_id", "created_at", "harness_version",
    "spec_hash", "data_hash", "grader", "grader_options", "generation", "served_by",
)  # fmt: skip
"""The fields of one cell in CSV and JSON, in order."""
WEIGHTING_TEXT = {"eval": "each eval alike", "language": "each language alike", "suite": "each suite alike"}


def cell_record(cell: Cell, row: Row) -> dict[str, Any]:
    """One cell with its provenance, as plain data."""
    record, column = cell.run.summary, cell.column
    counts, found = record.counts, cell.estimate
    samples = counts.samples or 0
    usage = record.usage if record.usage.samples_with_usage else None
    return {
        "model": row.model,
        "reference": row.reference,
        "column": column.label,
        "eval": column.key.eval_id,
        "language": column.language,
        "suites": list(column.suites),
        "tags": list(column.tags),
        "metric": column.metric,
        "standard": column.standard,
        "mean": None if found is None else found.mean,
        "ci_low": None if found is None else found.ci_low,
        "ci_high": None if found is None else found.ci_high,
        "n": 0 if found is None else found.n,
        "samples": samples,
        "errors": counts.errors,
        "unparsed": counts.unparsed,
        "error_rate": counts.errors / samples if samples else None,
        "unparsed_rate": counts.unparsed / samples if samples else None,
        "in_language_rate": counts.in_language / counts.language_known if counts.language_known else None,
        "tokens_in": None if usage is None else usage.prompt_tokens,
        "tokens_out": None if usage is None else usage.completion_tokens,
        "cost_usd": record.cost_usd,
        "latency_p50_s": record.latency_s.p50,
        "latency_p95_s": record.latency_s.p95,
        "throughput": record.throughput,
        "status": record.status,
        "run_id": record.run_id,
        "created_at": record.created_at,
        "harness_version": record.harness_version,
        "spec_hash": record.eval.spec_hash,
        "data_hash": record.eval.data_hash,
        "grader": record.eval.grader,
        "grader_options": dict(record.eval.grader_options),
        "generation": dict(record.generation),
        "served_by": list(record.model.served_by),
    }


def board_data(board: Board) -> dict[str, Any]:
    """The whole board as one JSON-ready document."""
    from dataclasses import asdict

    return {
        "weighting": board.weighting,
        "seed": board.seed,
        "alpha": ALPHA,
        "columns": [
            {
                "label": c.label,
                "eval": c.key.eval_id,
                "language": c.language,
                "suites": list(c.suites),
                "tags": list(c.tags),
                "metric": c.metric,
                "standard": c.standard,
                "metric_label": c.metric_label,
            }
            for c in board.columns
        ],
        "models": [
            {
                "model": row.model,
                "reference": row.reference,
                "overall": None if row.overall is None else asdict(row.overall),
                "rank": None if row.rank is None else list(row.rank),
                "win_rate": row.win_rate,
                "languages": {k: None if v is None else asdict(v) for k, v in row.languages.items()},
                "missing": row.missing,
            }
            for row in board.rows
        ],
        "cells": [cell_record(cell, row) for row in board.rows for cell in row.cells.values()],
        "pairs": [{"a": a, "b": b, "p_holm": p} for (a, b), p in board.p_holm.items()],
        "consistency": [asdict(found) for found in board.consistency],
        "excluded": [
            {"run_id": e.run.run_id, "eval": e.run.eval_id, "model": e.run.model, "reason": e.reason}
            for e in board.choice.excluded
        ],
    }


def board_json(board: Board) -> str:
    """The board as JSON."""
    return json.dumps(board_data(board), ensure_ascii=False, indent=2)


def board_csv(board: Board) -> str:
    """One CSV line per cell (CELL_FIELDS); lists are joined with `;`, mappings written as JSON."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CELL_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in board.rows:
        for cell in row.cells.values():
            record = cell_record(cell, row)
            for key, value in record.items():
                if isinstance(value, list):
                    record[key] = ";".join(map(str, value))
                elif isinstance(value, dict):
                    record[key] = json.dumps(value, sort_keys=True, ensure_ascii=False)
            writer.writerow(record)
    return out.getvalue()


def board_text(board: Board, markdown: bool, width: int | None = None) -> str:
    """The board as GitHub Markdown (`markdown`) or a terminal table: the ranking, then one table per language (so a
    wide board folds instead of wrapping), cross-lingual consistency, cost and speed, and the runs left out. Given
    the terminal's `width`, a table wider than that is split into several (its first columns repeated in each)."""
    style = "github" if markdown else "simple"

    def tabulate(rows: list[list[Any]], headers: list[str], keep: int) -> str:
        return _table(rows, headers, style, None if markdown else width, keep)

    def prose(text: str) -> str:
        return (
            fill(text, width, subsequent_indent="  " if text.startswith("- ") else "")
            if width and not markdown
            else text
        )

    languages = sorted({c.language for c in board.columns})

    def heading(text: str) -> str:
        return f"## {text}" if markdown else f"{text}\n{'=' * len(text)}"

    parts = [heading("Leaderboard")]
    rows = [
        [_rank(row), _safe(row.model, markdown), _overall(row.overall, row.missing)]
        + [_overall(row.languages.get(language)) for language in languages]
        + ["—" if row.win_rate is None else f"{row.win_rate:.2f}"]
        for row in board.rows
    ]
    headers = ["rank", "model", "overall [95% CI]", *languages, "win rate"]
    parts.append(tabulate(rows, headers, keep=2))
    parts.append(
        prose(
            f"overall: mean of {len(board.columns)} eval(s)' primary metric, {WEIGHTING_TEXT[board.weighting]}, 95% "
            "bootstrap interval over samples. rank: a range from paired tests on the samples two models share "
            f"(Holm-adjusted, α {ALPHA}): models whose ranges overlap cannot be told apart. ref: a baseline, for reference, "
            "never ranked."
        )
    )
    for language in languages:
        columns = [c for c in board.columns if c.language == language]
        parts.append(heading(language))
        table = [[_safe(row.model, markdown)] + [_cell(row.cells.get(c.label)) for c in columns] for row in board.rows]
        names = ["model"] + [f"{_safe(c.label, markdown)} ({c.metric_label})" for c in columns]
        parts.append(tabulate(table, names, keep=1))
    parts += _consistency(board, heading, tabulate, prose, markdown) + _practical(board, heading, tabulate, markdown)
    if board.choice.excluded:
        parts.append(heading("Runs left out"))
        parts.append(
            "\n".join(
                prose(
                    f"- {_safe(e.run.run_id, markdown)} ({_safe(e.run.eval_id, markdown)} × "
                    f"{_safe(e.run.model, markdown)}): {_safe(e.reason, markdown)}"
                )
                for e in board.choice.excluded
            )
        )
    return "\n\n".join(parts) + "\n"


def _consistency(
    board: Board, heading: Callable[[str], str], tabulate: Tabulate, prose: Callable[[str], str], markdown: bool
) -> list[str]:
    """The cross-lingual consistency table, when the board has a family of evals in several languages."""
    found = board.consistency
    if not found:
        return []
    others = sorted({gap.language for c in found for gap in c.gaps})
    rows = [
        [_safe(c.family, markdown), _safe(c.model, markdown), c.facts]
        + [f"{share / c.facts:.0%}" for share in (c.all_right, c.some_right, c.none_right)]
        + [_gap(next((g for g in c.gaps if g.language == language), None)) for language in others]
        for c in found
    ]
    headers = ["family", "model", "facts", "right in all", "in some", "in none", *[f"{x} − en" for x in others]]
    note = "facts: sample ids asked in every language; a gap is that language's mean minus English's, 95% paired CI."
    return [heading("Cross-lingual consistency"), tabulate(rows, headers, 2), prose(note)]


def _practical(board: Board, heading: Callable[[str], str], tabulate: Tabulate, markdown: bool) -> list[str]:
    """Tokens, cost, latency, throughput, error and unparsed rates of every cell, and the share of its answers written
    in the eval's language and script (of those whose letters tell)."""
    rows = []
    for row in board.rows:
        for cell in row.cells.values():
            r = cell_record(cell, row)
            rows.append(
                [
                    _safe(row.model, markdown),
                    _safe(cell.column.label, markdown),
                    "—" if r["tokens_in"] is None else f"{r['tokens_in']:,} / {r['tokens_out']:,}",
                    "—" if r["cost_usd"] is None else f"${r['cost_usd']:.4f}",
                    _seconds(r["latency_p50_s"]),
                    _seconds(r["latency_p95_s"]),
                    "—" if r["throughput"] is None else f"{r['throughput']:.1f}/s",
                    _rate(r["error_rate"]),
                    _rate(r["unparsed_rate"]),
                    _rate(r["in_language_rate"]),
                ]
            )
    headers = ["model", "eval", "tokens in / out", "cost", "p50", "p95", "samples/s", "errors", "unparsed"]
    headers.append("in language")
    return [heading("Cost and speed"), tabulate(rows, headers, 2)]


Tabulate = Callable[[list[list[Any]], list[str], int], str]
"""A table of rows under headers, fitted to the output's width keeping its first columns in every part."""


def _table(rows: list[list[Any]], headers: list[str], style: str, width: int | None, keep: int) -> str:
    """tabulate's table in `style`; when wider than `width`, several tables of as many columns as fit, each led by
    the first `keep` columns (a single column too wide for the width gets a table of its own)."""
    from tabulate import tabulate

    def render(columns: list[int]) -> str:
        chosen = list(range(keep)) + columns
        part = [[row[i] for i in chosen] for row in rows]
        return tabulate(part, headers=[headers[i] for i in chosen], tablefmt=style, disable_numparse=True)

    rest = list(range(keep, len(headers)))
    whole = render(rest)
    if width is None or _display_width(whole) <= width:
        return whole
    tables: list[str] = []
    chunk: list[int] = []
    for column in rest:
        if chunk and _display_width(render([*chunk, column])) > width:
            tables.append(render(chunk))
            chunk = []
        chunk.append(column)
    return "\n\n".join([*tables, render(chunk)])


def _display_width(table: str) -> int:
    """The widest line of `table` in terminal columns (a CJK character takes two)."""
    from wcwidth import wcswidth

    return max((max(wcswidth(line), len(line)) for line in table.splitlines()), default=0)


def _rank(row: Row) -> str:
    if row.reference:
        return "ref"
    if row.rank is None:
        return "—"
    best, worst = row.rank
    return str(best) if best == worst else f"{best}–{worst}"


def _overall(found: Overall | None, missing: list[str] | None = None) -> str:
    if found is None:
        return f"— (no run of {len(missing)} eval(s))" if missing else "—"
    return f"{found.mean:.3f} [{found.ci_low:.3f}, {found.ci_high:.3f}]"


def _cell(cell: Cell | None) -> str:
    if cell is None:
        return "—"
    found, counts = cell.estimate, cell.run.summary.counts
    text = "—" if found is None else f"{found.mean:.3f} [{found.ci_low:.3f}, {found.ci_high:.3f}] n={found.n}"
    if counts.errors:
        text += f" failed={counts.errors}"
    if counts.unparsed:
        text += f" unparsed={counts.unparsed}"
    return text


def _gap(gap: Any) -> str:
    if gap is None:
        return "—"
    interval = "" if gap.ci_low is None else f" [{gap.ci_low:+.3f}, {gap.ci_high:+.3f}]"
    return f"{gap.mean:+.3f}{interval}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _safe(text: str, markdown: bool) -> str:
    """Text from a record made safe to print: control characters escaped; in Markdown, `|`, `<`, `>` too."""
    shown = printable(text)
    return shown.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;") if markdown else shown
