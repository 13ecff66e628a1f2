"""Offline baselines that need no network: oracle (the answer key), random (seeded chance) and reader (extractive)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from harness.models.base import Prices
from harness.registry.specs import EvalSpec
from harness.text.cjk import CJK, fold
from harness.types import LABELS, Request, Response

NAMES = ("oracle", "random", "reader")
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])|(?<=\.)\s+")
_EDGE = "はがをにでともへのやかね、。，,.・:：;；「」『』（）()[]【】\"'“”‘’ \u3000\t\n"
_EN_STOP = {
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "at",
    "to",
    "is",
    "was",
    "were",
    "are",
    "and",
    "by",
    "for",
    "with",
    "as",
    "that",
    "it",
    "its",
    "he",
    "she",
    "his",
    "her",
    "they",
    "their",
    "did",
    "do",
    "does",
}
_WHEN = re.compile(
    r"いつ|何年|何月|何日|何歳|何パーセント|何%|いくつ|何人|何個|何件|何億|何万|多少|几|哪一年|when|what year|how many|how much|how old",
    re.IGNORECASE,
)


CLOSED_BOOK = "closed-book eval: no passage to read and no options to pick from"


class Baseline:
    """What the offline baselines share: no network, nothing to close, a description for run records."""

    kind = ""
    cacheable = False
    prices = Prices(0.0, 0.0)

    @property
    def name(self) -> str:
        return f"baseline/{self.kind}"

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        """Baselines other than the oracle need a passage or options to work from."""
        return None if spec.data.context_field or spec.is_multiple_choice else CLOSED_BOOK

    def describe(self) -> Mapping[str, Any]:
        """Provider, model and parameters for the run record."""
        return {"provider": "baseline", "model": self.kind, "params": {}}

    def throttle(self) -> int | None:
        """Baselines answer at once: never throttled."""
        return None

    async def aclose(self) -> None:
        """Nothing to release."""


class Oracle(Baseline):
    """Answers with the first reference: any eval scores 1.0 unless its grader or answer key is broken."""

    kind = "oracle"

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        return None

    async def complete(self, request: Request) -> Response:
        return Response(output=request.sample.references[0], model=self.kind)


class RandomGuess(Baseline):
    """Seeded chance: a random option for multiple choice, a random span of the passage for comprehension."""

    kind = "random"

    def __init__(self, seed: int):
        self.seed = seed

    def describe(self) -> Mapping[str, Any]:
        return {**super().describe(), "params": {"seed": self.seed}}

    async def complete(self, request: Request) -> Response:
        sample = request.sample
        rng = random.Random(f"{self.seed}:{sample.id}")
        if sample.choices:
            return Response(output=LABELS[rng.randrange(len(sample.choices))], model=self.kind)
        return Response(output=random_span(sample.context or "", rng), model=self.kind)


class Reader(Baseline):
    """Extractive reader: the passage sentence that best overlaps the question, minus what the question says. On a
    closed-book eval it has only the question to read and answers with it whole, so its score there is the share of
    questions that give their own answer away."""

    kind = "reader"

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        return None

    async def complete(self, request: Request) -> Response:
        sample = request.sample
        question = str(sample.fields.get("question", request.messages[-1]["content"]))
        if sample.choices:
            return Response(output=pick_option(question, sample.choices), model=self.kind)
        if sample.context is None:
            return Response(output=question, model=self.kind)
        return Response(output=extract_answer(question, sample.context), model=self.kind)


def random_span(passage: str, rng: random.Random) -> str:
    """A random short span of the passage: 1–10 characters of CJK text, 1–4 words otherwise."""
    if CJK.search(passage):
        start = rng.randrange(len(passage))
        return passage[start : start + rng.randint(1, 10)].strip() or passage[start]
    words = passage.split()
    start = rng.randrange(len(words))
    return " ".join(words[start : start + rng.randint(1, 4)])


def extract_answer(question: str, passage: str) -> str:
    """The best guess at an answer span of `passage` (see Reader)."""
    cjk = bool(CJK.search(passage))
    units = _grams(question, cjk)
    sentences = [s for s in _SENTENCE_END.split(passage) if s and s.strip()]
    best = max(sentences, key=lambda s: len(units & _grams(s, cjk)) / (1 + 0.01 * len(s)))
    runs = _uncovered_runs(best, units, cjk)
    if not runs:
        return best.strip(_EDGE)
    wants_number = bool(_WHEN.search(question))
    return max(runs, key=lambda r: (wants_number and any(c.isdigit() for c in r), min(len(r), 12), -len(r)))


def pick_option(question: str, choices: tuple[str, ...]) -> str:
    """The option sharing most words or characters with the question."""
    cjk = bool(CJK.search(question))
    units = _grams(question, cjk)
    scores = [len(units & _grams(choice, cjk)) for choice in choices]
    return LABELS[scores.index(max(scores))]


def _grams(text: str, cjk: bool) -> set[str]:
    """Character bigrams for CJK text, content words otherwise."""
    text = fold(text)
    if cjk:
        return {text[i : i + 2] for i in range(len(text) - 1) if not text[i : i + 2].isspace()}
    return {w for w in re.findall(r"\w+", text) if w not in _EN_STOP}


def _uncovered_runs(sentence: str, units: set[str], cjk: bool) -> list[str]:
    """Maximal pieces of `sentence` not matched by the question, trimmed of particles and punctuation."""
    if cjk:
        folded = fold(sentence)
        covered = [False] * len(sentence)
        if len(folded) == len(sentence):
            for i in range(len(folded) - 1):
                if folded[i : i + 2] in units:
                    covered[i] = covered[i + 1] = True
        pieces, current = [], ""
        for char, hit in zip(sentence, covered, strict=True):
            if hit or char in "、，,。":
                pieces.append(current)
                current = ""
            else:
                current += char
        pieces.append(current)
    else:
        pieces = []
        current_words: list[str] = []
        for word in sentence.split():
            if re.sub(r"\W", "", fold(word)) in units:
                pieces.append(" ".join(current_words))
                current_words = []
            else:
                current_words.append(word)
        pieces.append(" ".join(current_words))
        pieces = [_trim_stopwords(piece) for piece in pieces]
    return [p for p in (piece.strip(_EDGE) for piece in pieces) if p]


def _trim_stopwords(piece: str) -> str:
    words = piece.split()
    while words and fold(words[0]).strip(_EDGE) in _EN_STOP:
        words.pop(0)
    while words and fold(words[-1]).strip(_EDGE) in _EN_STOP:
        words.pop()
    return " ".join(words)
