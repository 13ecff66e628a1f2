"""Read an eval's samples from a JSONL file under `evals/` or a pinned Hugging Face dataset."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from harness.errors import InputError, Problem
from harness.spec import DataSpec, EvalSpec
from harness.types import LABELS, Sample
from harness.workspace import Workspace


class SampleError(ValueError):
    """A data row that cannot become a Sample."""


@dataclass(frozen=True)
class Row:
    """One raw data record and the line (1-based, 0 when unknown) it came from."""

    line: int
    value: Any


def to_sample(row: Any, data: DataSpec, needs_choices: bool) -> Sample:
    """Turn one raw record into a Sample, or raise SampleError saying what is wrong."""
    if not isinstance(row, Mapping):
        raise SampleError(f"a sample must be a JSON object, not {type(row).__name__}")
    sample_id = row.get(data.id_field)
    if isinstance(sample_id, int) and not isinstance(sample_id, bool):
        sample_id = str(sample_id)
    if not isinstance(sample_id, str) or not sample_id.strip():
        raise SampleError(f"field {data.id_field!r} (the sample id) must be a non-empty string")
    references = _answers(row.get(data.answer_field), data.answer_field)
    choices: tuple[str, ...] = ()
    if needs_choices:
        raw_choices = row.get(data.choices_field)
        if not isinstance(raw_choices, list) or len(raw_choices) < 2 or not all(isinstance(c, str) and c for c in raw_choices):
            raise SampleError(f"field {data.choices_field!r} must be a list of at least two non-empty strings")
        if len(raw_choices) > len(LABELS):
            raise SampleError(f"field {data.choices_field!r} has more than {len(LABELS)} options")
        choices = tuple(raw_choices)
        references = tuple(_choice_label(ref, choices, data.answer_field) for ref in references)
    context = None
    if data.context_field:
        context = row.get(data.context_field)
        if not isinstance(context, str) or not context.strip():
            raise SampleError(f"field {data.context_field!r} (the passage) must be a non-empty string")
    return Sample(id=sample_id, fields=row, references=references, choices=choices, context=context)


def _answers(value: Any, name: str) -> tuple[str, ...]:
    """Reference answers from a string, a list of strings, an index, or a SQuAD-style {"text": [...]} object."""
    if isinstance(value, Mapping) and "text" in value:
        value = value["text"]
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value:
        raise SampleError(f"field {name!r} (the answers) must be a string or a non-empty list of strings")
    answers = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise SampleError(f"field {name!r} (the answers) must hold only non-empty strings")
        answers.append(item)
    return tuple(answers)


def _choice_label(reference: str, choices: tuple[str, ...], name: str) -> str:
    """The option label (A, B, …) that a multiple-choice answer names by label, 0-based index or exact text."""
    labels = LABELS[: len(choices)]
    ref = reference.strip()
    if len(ref) == 1 and ref.upper() in labels:
        return ref.upper()
    if ref.isdigit() and int(ref) < len(choices):
        return labels[int(ref)]
    if ref in choices:
        return labels[choices.index(ref)]
    raise SampleError(f"field {name!r}: {reference!r} is not an option label ({labels[0]}–{labels[-1]}), index or option text")


class Dataset:
    """An eval's data source: iterates rows lazily and fingerprints the content."""

    def __init__(self, spec: EvalSpec, workspace: Workspace):
        self.spec = spec
        self.workspace = workspace

    def rows(self) -> Iterator[Row]:
        """Raw records in order; JSON lines that fail to parse raise InputError naming the line."""
        if self.spec.data.path is not None:
            yield from read_jsonl(self.workspace.data_file(self.spec.data.path), self.workspace)
        else:
            for index, record in enumerate(self._hf_dataset()):
                yield Row(index + 1, record)

    def samples(self) -> Iterator[Sample]:
        """Samples in order; a bad record raises InputError naming its line."""
        needs_choices = self.spec.grader == "choice"
        for row in self.rows():
            try:
                yield to_sample(row.value, self.spec.data, needs_choices)
            except SampleError as exc:
                raise InputError([Problem(self.display, row.line, str(exc))]) from None

    @property
    def display(self) -> str:
        data = self.spec.data
        if data.path is not None:
            return self.workspace.display(self.workspace.evals_dir / data.path)
        assert data.hf is not None
        return f"hf:{data.hf.path}"

    def fingerprint(self) -> str:
        """SHA-256 of the data: the file's bytes, or the dataset's identity and pinned revision."""
        digest = hashlib.sha256()
        if self.spec.data.path is not None:
            with open(self.workspace.data_file(self.spec.data.path), "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            hf = self.spec.data.hf
            assert hf is not None
            dataset = self._hf_dataset()
            digest.update(json.dumps([hf.path, hf.name, hf.split, hf.revision, dataset._fingerprint]).encode())
        return digest.hexdigest()

    def _hf_dataset(self) -> Any:
        hf = self.spec.data.hf
        assert hf is not None
        return load_hf(hf.path, hf.name, hf.split, hf.revision, self.workspace)


def read_jsonl(path: Path, workspace: Workspace) -> Iterator[Row]:
    """Parse a JSONL file line by line, skipping blank lines; raise InputError at the first bad line."""
    display = workspace.display(path)
    try:
        handle = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(display, 1, "data file not found")]) from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield Row(number, json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError([Problem(display, number, f"invalid JSON: {exc.msg} (column {exc.colno})")]) from None


def load_hf(path: str, name: str | None, split: str, revision: str, workspace: Workspace) -> Any:
    """Load one split of a Hugging Face dataset at a pinned revision, without remote code.

    A `path` naming a directory inside the repository is read from there (the same `datasets`
    builders read it); anything else is a hub id.
    """
    try:
        local = workspace.local_path(path)
    except ValueError as exc:
        raise InputError([Problem(f"hf:{path}", 1, str(exc))]) from None
    import datasets

    source = str(local) if local is not None else path
    try:
        return datasets.load_dataset(source, name, split=split, revision=None if local else revision)
    except Exception as exc:  # datasets raises many types; all mean the data could not be had
        raise InputError([Problem(f"hf:{path}", 1, f"cannot load dataset split {split!r}: {exc}".splitlines()[0])]) from None
