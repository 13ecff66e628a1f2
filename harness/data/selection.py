"""Which samples of each eval a run takes: the first N, the first fraction, a 1-based range, or samples named by id."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from harness.data.dataset import Dataset
from harness.errors import InputError
from harness.registry.specs import EvalSpec
from harness.types import Sample

MAX_COUNT = 10**9


@dataclass(frozen=True)
class Selection:
    """The samples taken from each eval, in data order; with nothing set, all of them."""

    count: int | None = None
    """The first `count` samples."""
    fraction: Fraction | None = None
    """The first share of the samples (at least one)."""
    first: int | None = None
    last: int | None = None
    """Samples `first` to `last`, counted from 1, both included."""
    ids: tuple[str, ...] | None = None
    """The samples with these ids (sorted, unique)."""

    @property
    def limit(self) -> int | float | str | None:
        """The limit as run.json and the run's identity record it: a count, a fraction, `first-last`, or None."""
        if self.count is not None:
            return self.count
        if self.fraction is not None:
            return float(self.fraction)
        if self.first is not None:
            return f"{self.first}-{self.last}"
        return None

    def size(self, available: int) -> int:
        """How many samples this takes from an eval with `available` (for ids: those of the eval, see `within`)."""
        if self.ids is not None:
            return len(self.ids)
        start, stop = self._bounds(available)
        return max(0, min(stop, available) - start)

    def take(self, samples: Iterable[Sample], available: int) -> Iterator[Sample]:
        """The samples selected from `samples`, an eval's samples in order, of which there are `available`."""
        if self.ids is not None:
            wanted = frozenset(self.ids)
            return (sample for sample in samples if sample.id in wanted)
        start, stop = self._bounds(available)
        return itertools.islice(samples, start, stop)

    def within(self, dataset: Dataset) -> Selection:
        """This selection for one eval: its ids narrowed to those the eval has (other selections as they are)."""
        if self.ids is None:
            return self
        return replace(self, ids=tuple(sorted(set(self.ids) & set(sample_ids(dataset)))))

    def _bounds(self, available: int) -> tuple[int, int]:
        """Start and stop (0-based, stop excluded) of the samples taken."""
        if self.count is not None:
            return 0, self.count
        if self.fraction is not None:
            return 0, max(1, math.floor(available * self.fraction))
        if self.first is not None and self.last is not None:
            return self.first - 1, self.last
        return 0, available


LIMIT_HELP = (
    "which samples of each eval: the first N (50), the first fraction of them (0.1 = the first 10%%, at least one), "
    "or a range counted from 1 with both ends included (10-20 = the 10th to the 20th sample)"
)


def parse_limit(text: str) -> Selection:
    """--limit: `50`, `0.1` or `10-20` (see LIMIT_HELP); ValueError saying what is wrong."""
    text = text.strip()
    found = re.fullmatch(r"([0-9]+)\s*-\s*([0-9]+)", text)
    if found:
        first, last = int(found[1]), int(found[2])
        if not 1 <= first <= last <= MAX_COUNT:
            raise ValueError(f"a range must run from 1 up, its end not below its start, not {text}")
        return Selection(first=first, last=last)
    if re.fullmatch(r"[0-9]+", text):
        count = int(text)
        if not 1 <= count <= MAX_COUNT:
            raise ValueError(f"a count must be from 1 to {MAX_COUNT:,}, not {text}")
        return Selection(count=count)
    if re.fullmatch(r"[0-9]*\.[0-9]+|[0-9]+\.", text):
        fraction = Fraction(text)
        if not 0 < fraction <= 1:
            raise ValueError(f"a fraction must be above 0 and at most 1, not {text}")
        return Selection(fraction=fraction)
    raise ValueError(f"{text!r} is not a count (50), a fraction (0.1) or a range (10-20)")


def by_ids(values: Sequence[str]) -> Selection:
    """--sample-id: the samples with these ids (each value may hold several, separated by commas)."""
    ids = {part.strip() for value in values for part in value.split(",") if part.strip()}
    if not ids:
        raise InputError("evalrun: --sample-id: give at least one sample id")
    return Selection(ids=tuple(sorted(ids)))


def sample_ids(dataset: Dataset) -> Iterator[str]:
    """The id of every readable record of `dataset`, read as to_sample reads it (other records are skipped)."""
    field = dataset.spec.data.id_field
    for row in dataset.rows():
        value: Any = row.value.get(field) if isinstance(row.value, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            yield value


def evals_with_ids(specs: Sequence[EvalSpec], selection: Selection) -> list[EvalSpec]:
    """The evals holding any of the selection's ids (all of `specs` when it names none); InputError naming each id
    that none of them holds."""
    if selection.ids is None:
        return list(specs)
    wanted = set(selection.ids)
    holding: list[EvalSpec] = []
    found: set[str] = set()
    for spec in specs:
        present = wanted & set(sample_ids(Dataset(spec)))
        found |= present
        if present:
            holding.append(spec)
    missing = sorted(wanted - found)
    if missing:
        evals = ", ".join(spec.id for spec in specs)
        raise InputError([f"evalrun: --sample-id {sample_id!r} is not a sample of {evals}" for sample_id in missing])
    return holding
