"""What each synthetic model answers: models of different strength and style, and for each sample its output, score,
metrics and grader detail as the eval's grader gives them. An output is composed of pieces (a frame, the answer,
filler sentences), each tokenized or graded once, so that 600,000 answers take seconds; synthetic_runs checks a share
of them against the grader itself."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from synthetic_text import FILLERS, FRAMES, JOIN, NO_NUMBER, Fact, partial

from harness.grading import build_grader
from harness.grading.normalize import tokenize
from harness.grading.text import token_f1
from harness.models.base import Prices
from harness.registry.graders import OWN_STANDARD
from harness.registry.specs import EvalSpec
from harness.types import Sample

PROVIDERS = ("openai", "anthropic", "openrouter", "together", "vllm")
ERRORS = (
    ("HTTP 503: Service Unavailable", 5),
    ("HTTP 500: upstream connect error or disconnect/reset before headers", 5),
    ("timed out after 60 s waiting for the response", 5),
    ("HTTP 400: This model's maximum context length is 8192 tokens", 1),
)  # (message, attempts made)
RIGHT = ('{"accuracy": 1.0}', {"accuracy": 1.0})
WRONG = ('{"accuracy": 0.0}', {"accuracy": 0.0})
CHARS_PER_TOKEN = {"en": 4.0, "ja": 1.3, "zh-Hans": 1.3}


@dataclass(frozen=True)
class Model:
    """One synthetic model: its name, strength (overall and by language), style, speed, failures and prices."""

    name: str
    provider: str
    served_by: str
    ability: float
    languages: dict[str, float]
    frames: dict[str, list[tuple[str, str]]]
    fillers: tuple[int, ...]
    """How many filler sentences follow an answer: one of these, at random."""
    latency: float
    error_rate: float
    prices: Prices


def models(count: int, seed: int = 0) -> list[Model]:
    """`count` models from weak to strong, each with its own style, speed, failure rate and prices."""
    found = []
    for m in range(count):
        rng = random.Random(f"{seed}:model:{m}")
        provider = PROVIDERS[m % len(PROVIDERS)]
        strength = m / max(1, count - 1)
        frames = {lang: rng.sample(options, 2) for lang, options in FRAMES.items()}
        found.append(
            Model(
                name=f"{provider}/bench-{m:02d}",
                provider=provider,
                served_by=f"bench-{m:02d}-2026-01-15",
                ability=-1.0 + 3.5 * strength,
                languages={"en": 0.0, "ja": rng.uniform(-1.2, 0.3), "zh-Hans": rng.uniform(-1.2, 0.3)},
                frames=frames,
                fillers=rng.choice([(0, 1), (0, 1, 2), (1, 2), (1, 2, 3)]),
                latency=rng.uniform(0.3, 2.5),
                error_rate=0.02 if m == count // 2 else rng.uniform(0.0005, 0.004),
                prices=Prices(round(0.1 + 4.9 * strength**2, 2), round(0.4 + 14.6 * strength**2, 2)),
            )
        )
    return found


@dataclass(frozen=True)
class Piece:
    """Text an output is made of, with its tokens (and them as JSON list items) in the eval's language."""

    text: str
    size: int
    json: str
    """The text as the inside of a JSON string."""
    tokens: list[str]
    fragment: str


@dataclass(frozen=True)
class Core:
    """An answer (right or wrong) and what the grader makes of it, for graders whose verdict the frame cannot
    change: the reference matched (includes, as JSON) or the whole score (numeric)."""

    piece: Piece
    matched: str = "null"
    score: float = 0.0
    unparsed: bool = False
    detail: str = "null"


class Answer(NamedTuple):
    """One sample's answer: output (JSON), score, metrics (values and JSON), unparsed, grader detail (JSON), tokens."""

    output: str
    score: float | None
    metrics: dict[str, float] | None
    metrics_json: str
    unparsed: bool
    grader: str
    completion_tokens: int
    error: str | None = None
    attempts: int = 1


class Answerer:
    """The answers to one eval's samples, by any model: each sample's right and wrong answers prepared once."""

    def __init__(self, spec: EvalSpec, samples: Sequence[Sample], facts: Sequence[Fact], others: Sequence[Fact]):
        self.spec, self.samples, self.kind, self.language = spec, samples, spec.grader, spec.language
        self.grader = build_grader(spec.grader_config, spec.language)
        self._pieces: dict[str, Piece] = {}
        lang = self.language
        self.filler_count = len(FILLERS[lang])
        self.fillers = [self.piece(JOIN[lang] + text) for text in FILLERS[lang]] * 2  # a run of them from any start
        self.no_number = [self.piece(text) for text in NO_NUMBER[lang]]
        self.difficulty = [random.Random(sample.id).gauss(0.0, 1.3) for sample in samples]
        self.offset = random.Random(spec.id).uniform(-0.8, 0.8)
        self.references = [[(ref, tokenize(ref, lang)) for ref in sample.references] for sample in samples]
        self.right: list[list[Core]] = []
        self.wrong: list[list[Core]] = []
        self.unknown: list[Core] = []
        for i, (sample, item) in enumerate(zip(samples, facts, strict=True)):
            right = [item.core[lang]] + [ref for ref in sample.references if ref != item.core[lang]]
            wrong = [others[(i + k) % len(others)].core[lang] for k in ((1,) if self.kind == "numeric" else (1, 7))]
            if self.kind == "f1":
                wrong.append(partial(item.core[lang], lang, random.Random(f"{sample.id}:partial")))
            self.right.append([self.core(text, sample, graded=True) for text in right])
            self.wrong.append([self.core(text, sample, graded=self.kind == "numeric") for text in wrong])
            if self.kind == "numeric":
                self.unknown.append(self.core(NO_NUMBER[lang][0], sample, graded=True))

    def piece(self, text: str) -> Piece:
        """The piece of `text`, tokenized once."""
        found = self._pieces.get(text)
        if found is None:
            tokens = tokenize(text, self.language)
            fragment = ", ".join(json.dumps(t, ensure_ascii=False) for t in tokens)
            found = self._pieces[text] = Piece(
                text, len(text), json.dumps(text, ensure_ascii=False)[1:-1], tokens, fragment
            )
        return found

    def core(self, text: str, sample: Sample, graded: bool) -> Core:
        """An answer to `sample`, graded by the eval's grader when `graded` (else it matches no reference)."""
        piece = self.piece(text)
        if not graded or self.kind in ("exact", "f1"):
            return Core(piece)
        score = self.grader.grade(text, sample)
        detail = json.dumps(dict(score.detail), ensure_ascii=False)
        return Core(
            piece, json.dumps(score.detail.get("matched"), ensure_ascii=False), score.value, score.unparsed, detail
        )

    def answer(self, model: Model, i: int, rng: random.Random) -> Answer:
        """What `model` answers to sample `i`, drawn with `rng`."""
        draw = rng.random
        if draw() < model.error_rate:
            message, attempts = ERRORS[int(draw() * len(ERRORS))]
            return Answer("null", None, None, "null", False, "null", 0, message, attempts)
        strength = model.ability + model.languages[self.language] - self.difficulty[i] - self.offset
        right = draw() * (1 + math.exp(-strength)) < 1  # with chance 1 / (1 + e^-strength)
        if self.kind == "numeric" and not right and draw() < 0.2:
            core = self.unknown[i]
        else:
            options = self.right[i] if right else self.wrong[i]
            core = options[0] if right and draw() < 0.8 else options[int(draw() * len(options))]
        if self.kind in ("exact", "f1") and draw() < 0.7:  # such answers are mostly given bare
            pieces = [core.piece]
        else:
            before, after = model.frames[self.language][int(draw() * 2)]
            count, first = model.fillers[int(draw() * len(model.fillers))], int(draw() * self.filler_count)
            pieces = [self.piece(before), core.piece, self.piece(after), *self.fillers[first : first + count]]
        output = '"' + "".join([p.json for p in pieces]) + '"'
        tokens = max(1, round(sum([p.size for p in pieces]) / CHARS_PER_TOKEN[self.language]))
        if self.kind == "numeric":
            metrics_json, metrics = RIGHT if core.score else WRONG
            return Answer(output, core.score, metrics, metrics_json, core.unparsed, core.detail, tokens)
        fragment = ", ".join([p.fragment for p in pieces if p.fragment])
        if self.kind == "includes":
            metrics_json, metrics = RIGHT if core.matched != "null" else WRONG
            detail = f'{{"matched": {core.matched}, "output_tokens": [{fragment}]}}'
            return Answer(output, metrics["accuracy"], metrics, metrics_json, False, detail, tokens)
        got = [t for p in pieces for t in p.tokens]
        if self.kind == "exact":
            matched = next((ref for ref, want in self.references[i] if want == got), None)
            metrics_json, metrics = RIGHT if matched is not None else WRONG
            detail = f'{{"matched": {json.dumps(matched, ensure_ascii=False)}, "output_tokens": [{fragment}]}}'
            return Answer(output, metrics["accuracy"], metrics, metrics_json, False, detail, tokens)
        return self._overlap(i, got, output, tokens)

    def _overlap(self, i: int, got: list[str], output: str, tokens: int) -> Answer:
        """An f1 eval's answer: EM and F1 against the best reference, as the grader's own mode computes them."""
        best_em, best_f1, (best_ref, best_tokens) = 0.0, 0.0, self.references[i][0]
        for n, (ref, want) in enumerate(self.references[i]):
            em, f1 = float(got == want), token_f1(got, want)
            if n == 0 or (f1, em) > (best_f1, best_em):
                best_em, best_f1, best_ref, best_tokens = em, f1, ref, want
        metrics = {"em": best_em, "f1": best_f1}
        detail = {"standard": OWN_STANDARD, "best_reference": best_ref, "output_tokens": got}
        detail["reference_tokens"] = best_tokens
        return Answer(
            output,
            metrics[self.spec.primary_metric],
            metrics,
            json.dumps(metrics),
            False,
            json.dumps(detail, ensure_ascii=False),
            tokens,
        )
