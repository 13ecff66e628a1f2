"""Read an eval's samples from a JSONL file under `evals/` or a pinned Hugging Face dataset."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import InputError, Problem
from harness.registry.specs import EvalSpec
from harness.registry.workspace import Workspace, display_path
from harness.text.labels import KeyProblem, key_label_core, key_option, label_position
from harness.types import LABELS, Sample


class SampleError(ValueError):
    """A data row that cannot become a Sample."""


@dataclass(frozen=True)
class Row:
    """One raw data record, the line (1-based) it came from, and why it could not be read, if it could not."""

    line: int
    value: Any = None
    problem: str | None = None


def to_sample(row: Any, spec: EvalSpec) -> Sample:
    """Turn one raw record into a Sample, or raise SampleError saying what is wrong."""
    data = spec.data
    if not isinstance(row, Mapping):
        raise SampleError(f"a sample must be a JSON object, not {type(row).__name__}")
    sample_id = row.get(data.id_field)
    if isinstance(sample_id, int) and not isinstance(sample_id, bool):
        sample_id = str(sample_id)
    if not isinstance(sample_id, str) or not sample_id.strip():
        raise SampleError(f"field {data.id_field!r} (the sample id) must be a non-empty string")
    answers = _answers(row.get(data.answer_field), data.answer_field, allow_index=spec.is_multiple_choice)
    choices: tuple[str, ...] = ()
    if spec.is_multiple_choice:
        raw = row.get(data.choices_field)
        if (
            not isinstance(raw, list)
            or not 2 <= len(raw) <= len(LABELS)
            or not all(isinstance(c, str) and c.strip() for c in raw)
        ):
            raise SampleError(f"field {data.choices_field!r} must be a list of 2 to {len(LABELS)} non-empty strings")
        choices = tuple(raw)
        answers = [_choice_label(answer, choices, data.answer_field) for answer in answers]
    context = None
    if data.context_field:
        context = row.get(data.context_field)
        if not isinstance(context, str) or not context.strip():
            raise SampleError(f"field {data.context_field!r} (the passage) must be a non-empty string")
    return Sample(id=sample_id, fields=row, references=tuple(answers), choices=choices, context=context)


def _answers(value: Any, name: str, allow_index: bool) -> list[Any]:
    """Reference answers from a string, a list of strings, or a SQuAD-style {"text": [...]} object."""
    if isinstance(value, Mapping) and "text" in value:
        value = value["text"]
    answers: list[Any] = value if isinstance(value, list) else [value]
    ok = all((isinstance(v, str) and v.strip()) or (allow_index and type(v) is int) for v in answers)
    if not answers or not ok:
        kind = (
            "a string, a 0-based option index, or a non-empty list of them"
            if allow_index
            else "a string or a non-empty list of strings"
        )
        raise SampleError(f"field {name!r} (the answers) must be {kind}")
    return answers


def _choice_label(answer: str | int, choices: tuple[str, ...], name: str) -> str:
    """How a sample keeps an answer key: an int (a 0-based index) or an option's text as its option's Latin label, a
    Latin label in capitals (`b` → `B`), a label of another scheme as written (`イ`, `乙`, `③`, `(2)`, `2`, counted
    from 1), so that few-shot answers and records show the eval's own labels (harness.text.labels reads them)."""
    labels = LABELS[: len(choices)]
    if isinstance(answer, int):
        if 0 <= answer < len(choices):
            return labels[answer]
        raise SampleError(f"field {name!r}: option index {answer} is out of range (0–{len(choices) - 1})")
    try:
        index = key_option(answer, choices)
    except KeyProblem as exc:
        raise SampleError(f"field {name!r}: {exc}") from None
    core = key_label_core(answer)
    if core is None or (core.isascii() and core.isalpha()) or label_position(core, len(choices)) != index:
        return labels[index]
    return answer.strip()


class Dataset:
    """An eval's data, and its few-shot examples when they have a file of their own: read lazily, fingerprinted."""

    def __init__(self, spec: EvalSpec):
        self.spec = spec
        self.workspace = spec.home

    def display(self, few_shot: bool = False) -> str:
        """How to name the source in messages: a path, or `hf:<path>`."""
        if few_shot or self.spec.data.path is not None:
            return display_path(self._file(few_shot))
        assert self.spec.data.hf is not None
        return f"hf:{self.spec.data.hf.path}"

    def rows(self, few_shot: bool = False) -> Iterator[Row]:
        """Every record in order; one that cannot be read carries its problem instead of a value."""
        if few_shot or self.spec.data.path is not None:
            yield from iter_jsonl(self._file(few_shot))
            return
        for index, record in enumerate(self._hf()):
            yield Row(index + 1, record)

    def samples(self, few_shot: bool = False) -> Iterator[Sample]:
        """Samples in order; the first bad record raises InputError naming its line."""
        for row in self.rows(few_shot):
            try:
                if row.problem:
                    raise SampleError(row.problem)
                yield to_sample(row.value, self.spec)
            except SampleError as exc:
                raise InputError([Problem(self.display(few_shot), row.line, str(exc))]) from None

    def count(self) -> int:
        """How many records the data holds (non-blank lines of a file, rows of a dataset)."""
        if self.spec.data.path is None:
            return len(self._hf())
        with open(self._file(False), "rb") as handle:
            return sum(1 for line in handle if line.strip())

    def fingerprint(self) -> str:
        """SHA-256 over the data (and few-shot file): the bytes of files, the pinned identity of hub datasets."""
        digest = hashlib.sha256()
        if self.spec.data.path is None:
            hf = self.spec.data.hf
            assert hf is not None
            digest.update(json.dumps([hf.path, hf.name, hf.split, hf.revision, self._hf()._fingerprint]).encode())
        files = ([self._file(False)] if self.spec.data.path else []) + (
            [self._file(True)] if self.spec.prompt.few_shot_path else []
        )
        for path in files:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()

    def _file(self, few_shot: bool) -> Path:
        relative = self.spec.prompt.few_shot_path if few_shot else self.spec.data.path
        assert relative is not None
        return self.workspace.data_file(relative)

    def _hf(self) -> Any:
        hf = self.spec.data.hf
        assert hf is not None
        return load_hf(hf.path, hf.name, hf.split, hf.revision, self.workspace)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key repeats (JSON leaves that undefined; the last one would win silently)."""
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise ValueError(f"key {repeated!r} appears twice in one object")
    return found


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, object_pairs_hook=_object)
"""One decoder for every line: `json.loads` with an option builds a new one a call, twice the cost of a short line."""
_BIG_NUMBER = re.compile(r"[0-9]{19}|[eE][+]?[0-9]{3}")
"""What a line holds before one of its numbers can be infinite or too large for 64 bits (checked only then)."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
MAX_INTEGER = 2**63 - 1
"""The largest integer a data line may hold (as most JSON readers: a larger one cannot be a count or an id)."""


MAX_LINE_BYTES = 1 << 20
"""A data line longer than this is reported, not read: no sample needs a megabyte."""

MAX_DATA_BYTES = 50 << 20
"""A data file larger than this is refused by `evalrun validate` and `evalrun run` alike: host big data on the hub."""


def iter_jsonl(path: Path) -> Iterator[Row]:
    """Rows of a JSONL file, skipping blank lines; unreadable, over-long and bad lines and files become problem rows."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    except OSError as exc:
        yield Row(1, problem=f"cannot read data file: {exc.strerror}")
        return
    with handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line without holding it
                    raw = handle.readline(MAX_LINE_BYTES)
                yield Row(number, problem=f"line is longer than {MAX_LINE_BYTES:,} bytes")
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Row(number, problem=f"not UTF-8 text ({exc.reason})")
                continue
            if line.strip():
                yield parse_line(number, line)


def parse_line(number: int, line: str) -> Row:
    if line.startswith("\ufeff"):  # json.loads says so; a decoder's decode() would only say "Expecting value"
        return Row(number, problem="invalid JSON: Unexpected UTF-8 BOM")
    try:
        value = _DECODER.decode(line)
        if _BIG_NUMBER.search(line) or _SURROGATE_ESCAPE.search(line):
            _check_values(value)
        return Row(number, value)
    except json.JSONDecodeError as exc:
        return Row(number, problem=f"invalid JSON: {exc.msg} (column {exc.colno})")
    except ValueError as exc:  # e.g. NaN, or an integer with more digits than Python will convert
        return Row(number, problem=f"invalid JSON: {str(exc).splitlines()[0]}")
    except RecursionError:
        return Row(number, problem="invalid JSON: nested too deeply")


def _check_values(value: Any) -> None:
    """ValueError for a number no sample can mean (infinite, beyond 64 bits) or a string with a lone surrogate (a
    half of a UTF-16 pair, which no UTF-8 text can hold: records could not be written)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("a number too large to be finite (such as 1e999)")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INTEGER:
            raise ValueError(f"an integer beyond 64 bits ({str(item)[:12]}…)")
        elif isinstance(item, str) and any("\ud800" <= ch <= "\udfff" for ch in item):
            raise ValueError("a lone surrogate escape (\\ud800-\\udfff without its pair): not text")


def load_hf(path: str, name: str | None, split: str, revision: str, workspace: Workspace) -> Any:
    """Load one split of a Hugging Face dataset pinned to `revision` (a folder in the repository, or a hub id), no remote code."""
    try:
        local = workspace.local_path(path)
    except ValueError as exc:
        raise InputError([Problem(f"hf:{path}", 1, str(exc))]) from None
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    try:
        if local is not None:
            return datasets.load_dataset(str(local), name, split=split)
        return datasets.load_dataset(path, name, split=split, revision=revision)
    except Exception as exc:  # noqa: BLE001 - datasets raises many types; all mean the data could not be had
        raise InputError(
            [
                Problem(
                    f"hf:{path}",
                    1,
                    f"cannot load dataset split {split!r}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                )
            ]
        ) from None
