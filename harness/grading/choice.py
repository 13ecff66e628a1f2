"""Multiple-choice grading: find which option a free-text answer chose, or say it could not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from harness.grading.normalize import normalize
from harness.types import LABELS, Sample, Score

_MARKED = re.compile(
    r"(?i:answer\s*(?:is|:)|correct\s+(?:answer|option)\s*(?:is|:)|option\s*(?:is|:)?|答案\s*(?:是|为|為|:)|"
    r"正解\s*(?:は|:)|答え\s*(?:は|:)|選択肢)\s*[\(\[「『【]?\s*([A-Z])(?![A-Za-z])"
)
"""A label named as the answer ("The answer is B", "答案是B", "正解はC"); the label itself must be upper case."""
_BARE = re.compile(r"(?<![A-Za-z])[\(\[「『【]?([A-Z])[\)\]」』】.:]?(?![A-Za-z])")


@dataclass(frozen=True)
class ChoiceGrader:
    """1 when the chosen option is the reference; an answer naming no single option is `unparsed`."""

    language: str

    def grade(self, output: str, sample: Sample) -> Score:
        """Score `output` against the sample's references."""
        chosen = parse_choice(output, sample.choices, self.language)
        if chosen is None:
            return Score(0.0, {"accuracy": 0.0}, {"chosen": None}, unparsed=True)
        value = float(chosen in sample.references)
        return Score(value, {"accuracy": value}, {"chosen": chosen})


def parse_choice(output: str, choices: tuple[str, ...], language: str = "") -> str | None:
    """The label (A, B, …) an answer picks: by a marked label, a lone label, or an option's text."""
    labels = LABELS[: len(choices)]
    text = unicodedata.normalize("NFKC", output).strip()
    marked = [m.group(1).upper() for m in _MARKED.finditer(text) if m.group(1).upper() in labels]
    if marked:
        return marked[-1]
    bare = {m.group(1) for m in _BARE.finditer(text) if m.group(1) in labels}
    if len(bare) == 1:
        return bare.pop()
    said = normalize(text, language)
    options = [normalize(c, language) for c in choices]
    if said in options:
        return labels[options.index(said)]
    mentioned = [labels[i] for i, option in enumerate(options) if option and option in said]
    return mentioned[0] if len(mentioned) == 1 else None
