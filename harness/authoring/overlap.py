"""Exact and near-duplicate questions, within one eval and across evals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness.errors import Problem
from harness.grading.normalize import normalize
from harness.registry.specs import EvalSpec
from harness.registry.templates import template_fields
from harness.text.labels import key_option
from harness.types import LABELS, Sample

NEAR = 90.0
"""Edit-distance similarity (0-100, rapidfuzz's ratio) from which two questions with a common answer are duplicates."""


@dataclass(frozen=True)
class Question:
    """One sample as the duplicate check sees it: where it is, and its text normalized for its language."""

    eval_id: str
    sample_id: str
    path: str
    line: int
    context: str
    text: str
    answers: frozenset[str]

    def where(self) -> str:
        return f"{self.eval_id} {self.sample_id} ({self.path}:{self.line})"

    def twin_of(self, other: Question) -> bool:
        """Whether the two are one item of one family of evals, asked in two languages or scripts (the same sample id
        in `comprehension.zh-Hant` and `comprehension.zh-Hans`), which is not a duplicate."""
        family = self.eval_id.rpartition(".")[0]
        return bool(family) and family == other.eval_id.rpartition(".")[0] and self.sample_id == other.sample_id


def question_of(spec: EvalSpec, sample: Sample, path: str, line: int) -> Question:
    """The sample's question: the prompt's fields apart from the passage, and its options; normalized, with its passage
    and answers (a multiple-choice sample's as labels)."""
    shown = sorted(template_fields(spec.prompt) - {spec.data.context_field})
    text = "\n".join([*(_text(sample.fields.get(name)) for name in shown), *sample.choices])
    context = normalize(sample.context or "", spec.language)
    if sample.choices:  # a key as its option's label, however it is written (`イ` is `B`)
        answers = frozenset(LABELS[key_option(ref, sample.choices)] for ref in sample.references)
    else:
        answers = frozenset(normalize(ref, spec.language) for ref in sample.references)
    return Question(spec.id, sample.id, path, line, context, normalize(text, spec.language), answers)


def duplicate_problems(
    questions: Iterable[Question], reported: Callable[[str], bool] = lambda path: True
) -> list[Problem]:
    """A problem for each question that repeats an earlier one exactly (after normalization), or nearly with an answer
    in common. It is reported at the later question, or at whichever of the two is in a file `reported` accepts."""
    from rapidfuzz import fuzz, process

    by_context: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        by_context[question.context].append(question)
    problems = []
    for group in by_context.values():
        texts = [q.text for q in group]
        seen: dict[str, Question] = {}
        for index, question in enumerate(group):
            first = seen.setdefault(question.text, question)
            if first is not question:
                if not first.twin_of(question):
                    problems.append(_problem(first, question, "duplicate question: the same as", reported))
                continue
            for _, score, other in process.extract_iter(question.text, texts, scorer=fuzz.ratio, score_cutoff=NEAR):
                earlier = group[other]
                near = earlier.text != question.text and earlier.answers & question.answers
                if other < index and near and not earlier.twin_of(question):
                    kind = f"near-duplicate question ({score:.0f}% similar, same answer) of"
                    problems.append(_problem(earlier, question, kind, reported))
                    break
    return problems


def _problem(earlier: Question, later: Question, kind: str, reported: Callable[[str], bool]) -> Problem:
    at, other = (earlier, later) if reported(earlier.path) and not reported(later.path) else (later, earlier)
    return Problem(at.path, at.line, f"{kind} {other.where()}")


def _text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "\n".join(map(str, value))
    return "" if value is None else str(value)
