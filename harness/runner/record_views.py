"""Projections of sample records for reports: only the fields a leaderboard or its drill-down shows, each of its type,
decoded by msgspec (a tenth of the time of parsing whole records, which matters at 600,000 of them).

A line msgspec cannot decode (a lone UTF-16 surrogate, which evalrun writes as a `\\ud800` escape, is one) is parsed
by the json module instead, each lone surrogate read as U+FFFD; a line neither reads is the torn end of a killed run,
and nothing after it counts, as for harness.runner.records.read_samples."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from harness.errors import InputError, printable
from harness.runner.records import sample_lines

_NO_DETAIL = (b"null", b"{}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class ScoreView(msgspec.Struct, frozen=True):
    """What a leaderboard needs of a sample record: which sample and epoch, and its metrics unless it failed."""

    sample_id: str
    epoch: int = 1
    metrics: dict[str, float] | None = None
    error: str | None = None


class Answer(msgspec.Struct, frozen=True):
    """What a report's drill-down shows of a sample record."""

    sample_id: str
    messages: list[dict[str, Any]] | None = None
    references: list[str] | None = None
    output: str | None = None
    score: float | None = None
    error: str | None = None
    unparsed: bool | None = False
    grader: msgspec.Raw = msgspec.Raw(b"null")
    """What the grader saw, as the JSON text the record holds."""

    @property
    def grader_text(self) -> str | None:
        """The grader's detail as JSON text; None when there is none."""
        raw = bytes(self.grader)
        return None if raw in _NO_DETAIL else raw.decode("utf-8", "replace")


View = TypeVar("View", ScoreView, Answer)


def read_scores(path: Path, metric: str) -> Iterator[tuple[str, int, float | None]]:
    """(sample id, epoch, score or None when the sample failed) of every record in a samples.jsonl."""
    for number, view in _views(path, ScoreView):
        score = None
        if view.error is None:
            if view.metrics is None or metric not in view.metrics:
                raise InputError(printable(f"{path}:{number}: not a sample record with metric {metric!r}"))
            score = view.metrics[metric]
        yield view.sample_id, view.epoch, score


def read_answers(path: Path) -> Iterator[Answer]:
    """The answers in a samples.jsonl, as the drill-down shows them."""
    for _, answer in _views(path, Answer):
        yield answer


def _views(path: Path, kind: type[View]) -> Iterator[tuple[int, View]]:
    """(line number, projection) of every line, up to a torn line; InputError for a line of the wrong shape."""
    decoder = msgspec.json.Decoder(kind)
    for number, line in sample_lines(path):
        try:
            view = _decoded(decoder, line)
        except (msgspec.ValidationError, RecursionError):
            raise InputError(printable(f"{path}:{number}: not a sample record")) from None
        if view is None:
            return  # the torn end of a killed run
        yield number, view


def _decoded(decoder: msgspec.json.Decoder[View], line: bytes) -> View | None:
    """The line's projection; None when it is not JSON (a torn line). A line msgspec refuses as JSON (an escaped lone
    surrogate) is parsed by the json module, each lone surrogate read as U+FFFD."""
    try:
        return decoder.decode(line)
    except msgspec.ValidationError:
        raise
    except msgspec.DecodeError:
        try:
            text = json.dumps(json.loads(line), ensure_ascii=False)
        except ValueError:
            return None
        return decoder.decode(_LONE_SURROGATE.sub("\ufffd", text).encode("utf-8"))
