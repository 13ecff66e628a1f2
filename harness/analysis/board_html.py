"""The leaderboard as one self-contained HTML page: inline CSS, JS and SVG, no request to any host (its
Content-Security-Policy forbids one), the board's data and every answer embedded as data, never as markup.

Text from records reaches the page only as JSON data (with `<` escaped) and, for the answers, as one gzip-compressed,
base64-encoded block per eval (the page decodes an eval's when it is first shown); the page's script puts it into the
document with `textContent` only, after showing control characters and bidi overrides as escapes (the board's data
has them escaped already, here). Answers longer than ANSWER_CHARS are cut (the page says so)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from importlib import resources
from typing import Any

import msgspec

from harness.analysis.board_render import board_data
from harness.analysis.leaderboard import Board, BoardColumn
from harness.errors import HIDDEN_MARKS
from harness.runner.record_views import read_answers

ANSWER_CHARS = 4000
"""Longest answer, prompt or reference kept for the drill-down; longer ones are cut and marked."""
DETAIL_CHARS = 600
"""Longest grader detail (as JSON text) kept for the drill-down."""
_MARKER = re.compile(r"\{\{(CSP|STYLE|SCRIPT|BOARD|ANSWERS)\}\}")
_HIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{HIDDEN_MARKS}]")


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


def _cut(text: str | None, limit: int = ANSWER_CHARS) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + f"… [cut: {len(text):,} characters in all]"


def column_answers(board: Board, column: BoardColumn) -> bytes:
    """Every sample of one column, as gzip-compressed JSON: {"models": [model, …], "samples": [[id, prompt,
    references, [[output, score, flag, detail] | null per model]], …]}; flag is "" (scored), "failed: <error>" or
    "unparsed"; detail is the grader's, as JSON text. Sample by sample, so that the answers to one question, which
    have much in common, compress together; the column's answers are held as JSON text until then."""
    rows = [row for row in board.rows if column.label in row.cells]
    samples: dict[str, list[Any]] = {}  # id: [prompt, references, each model's answer as JSON]
    for index, row in enumerate(rows):
        for record in read_answers(row.cells[column.label].run.folder / "samples.jsonl"):
            entry = samples.get(record.sample_id)
            if entry is None:
                entry = samples[record.sample_id] = [_prompt(record.messages), [], [b"null"] * len(rows)]
            if record.references and not entry[1]:
                entry[1] = [_cut(reference) for reference in record.references]
            flag = f"failed: {record.error}" if record.error is not None else "unparsed" if record.unparsed else ""
            detail = _cut(record.grader_text, DETAIL_CHARS)
            entry[2][index] = _json([_cut(record.output), record.score, flag, detail])
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # the gzip format, as DecompressionStream reads
    parts = [packer.compress(b'{"models":' + _json([row.model for row in rows]) + b',"samples":[')]
    for number, (sample_id, (prompt, references, answers)) in enumerate(samples.items()):
        line = _json([sample_id, prompt, references])[:-1] + b",[" + b",".join(answers) + b"]]"
        parts.append(packer.compress(line if number == 0 else b"," + line))
    parts.append(packer.compress(b"]}") + packer.flush())
    return b"".join(parts)


def _json(value: Any) -> bytes:
    """`value` as UTF-8 JSON; a lone surrogate (an answer may hold one) is written as its escape."""
    try:
        return msgspec.json.encode(value)
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


def _prompt(messages: list[dict[str, Any]] | None) -> str | None:
    """The prompt as the model saw it: every message, role first."""
    if not messages:
        return None
    return _cut("\n\n".join(f"[{m.get('role', '')}] {m.get('content', '')}" for m in messages))


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("page").joinpath(name).read_text(encoding="utf-8")


def board_html(board: Board) -> str:
    """The board as one HTML page."""
    return "".join(board_html_parts(board))


def board_html_parts(board: Board) -> Iterator[str]:
    """The board as one HTML page, in pieces (each eval's answers one), so that a large page is written as it is made
    rather than held whole."""
    data = json.dumps(_clean(board_data(board)), ensure_ascii=False).replace("<", "\\u003c")
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
    values = {"CSP": csp, "STYLE": style, "SCRIPT": script, "BOARD": data}
    template, position = _asset("board.html"), 0
    for marker in _MARKER.finditer(template):  # inserted text is never scanned for markers
        yield template[position : marker.start()]
        if marker.group(1) == "ANSWERS":
            for i, column in enumerate(board.columns):
                packed = base64.b64encode(column_answers(board, column)).decode("ascii")
                yield f'<script type="application/octet-stream" id="answers-{i}">{packed}</script>\n'
        else:
            yield values[marker.group(1)]
        position = marker.end()
    yield template[position:]


def _digest(text: str) -> str:
    """The base64 SHA-256 of an inline script or style, as a CSP source names it."""
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
