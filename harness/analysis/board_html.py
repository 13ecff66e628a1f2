"""The leaderboard as one self-contained HTML page: inline CSS, JS and SVG, no request to any host (its
Content-Security-Policy forbids one), the board's data and every answer embedded as data, never as markup.

Text from records reaches the page only as JSON data (with `<` escaped) and, for the answers, gzip-compressed and
base64-encoded; the page's script puts it into the document with `textContent` only, after showing control
characters and bidi overrides as escapes. Answers longer than ANSWER_CHARS are cut (the page says so)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from importlib import resources
from typing import Any

from harness.analysis.board_render import board_data
from harness.analysis.leaderboard import Board
from harness.runner.records import read_answers

ANSWER_CHARS = 4000
"""Longest answer, prompt or reference kept for the drill-down; longer ones are cut and marked."""
DETAIL_CHARS = 600
"""Longest grader detail (as JSON text) kept for the drill-down."""
_MARKER = re.compile(r"\{\{(CSP|STYLE|SCRIPT|BOARD|ANSWERS)\}\}")
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def shown(text: str) -> str:
    """Text with control characters, invisible marks and bidi overrides written as `\\u202e`-style escapes."""
    return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _clean(value: Any) -> Any:
    """JSON data with every string `shown`, and lone surrogates replaced (they cannot be encoded as UTF-8)."""
    if isinstance(value, str):
        return shown(value.encode("utf-8", "replace").decode("utf-8"))
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= ANSWER_CHARS:
        return text
    return text[:ANSWER_CHARS] + f"… [cut: {len(text):,} characters in all]"


def drill_down(board: Board) -> dict[str, Any]:
    """Every sample of every column: its prompt and references once, each model's answer, score and grader detail.

    {column label: {"models": [model, …], "samples": [[id, prompt, references, [[output, score, flag, detail] | null
    per model]], …]}}; flag is "" (scored), "failed: <error>" or "unparsed"; detail is the grader's, as JSON text."""
    found: dict[str, Any] = {}
    for column in board.columns:
        models = [row.model for row in board.rows if column.label in row.cells]
        samples: dict[str, list[Any]] = {}
        for index, model in enumerate(models):
            row = next(r for r in board.rows if r.model == model)
            for record in read_answers(row.cells[column.label].run.folder / "samples.jsonl"):
                entry = samples.setdefault(record.sample_id, [record.sample_id, _prompt(record.messages), [], None])
                entry[2] = [_cut(ref) for ref in record.references] or entry[2]
                if entry[3] is None:
                    entry[3] = [None] * len(models)
                flag = "unparsed" if record.unparsed else ""
                if record.error is not None:
                    flag = f"failed: {record.error}"
                entry[3][index] = [_cut(record.output), record.score, flag, _detail(record.grader)]
        found[column.label] = {"models": models, "samples": list(samples.values())}
    return found


def _detail(grader: dict[str, Any] | None) -> str | None:
    """What the grader saw, as compact JSON text, cut to DETAIL_CHARS."""
    if not grader:
        return None
    text = json.dumps(grader, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + f"… [cut: {len(text):,} characters in all]"


def _prompt(messages: list[dict[str, str]] | None) -> str | None:
    """The prompt as the model saw it: every message, role first."""
    if not messages:
        return None
    return _cut("\n\n".join(f"[{m.get('role', '')}] {m.get('content', '')}" for m in messages))


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("page").joinpath(name).read_text(encoding="utf-8")


def board_html(board: Board) -> str:
    """The board as one HTML page."""
    data = json.dumps(_clean(board_data(board)), ensure_ascii=False).replace("<", "\\u003c")
    answers = json.dumps(_clean(drill_down(board)), ensure_ascii=False).encode("utf-8")
    packed = base64.b64encode(gzip.compress(answers, compresslevel=6, mtime=0)).decode("ascii")
    script, style = _asset("board.js"), _asset("board.css")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src 'sha256-{_digest(script)}'",
            f"style-src 'sha256-{_digest(style)}'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    values = {"CSP": csp, "STYLE": style, "SCRIPT": script, "BOARD": data, "ANSWERS": packed}
    return _MARKER.sub(lambda m: values[m.group(1)], _asset("board.html"))  # one pass: inserted text is not rescanned


def _digest(text: str) -> str:
    """The base64 SHA-256 of an inline script or style, as a CSP source names it."""
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
