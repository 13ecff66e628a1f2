"""Every row of docs/graders.md's case table scores as the table says, through the code `evalrun grade` runs."""

from __future__ import annotations

import json
import re

import pytest

from harness.grading.explain import score_pairs
from tests.support import REPO, evalrun

_ROW = re.compile(r"^\| (\w+) \| ([\w-]+) \| `(.*?)` \| `(.*?)` \| ([\d.]+) \| (.*) \|$")


def _cases() -> list[tuple[str, str, str, str, float]]:
    text = (REPO / "docs/graders.md").read_text(encoding="utf-8")
    section = text[text.index("## Cases, as `evalrun grade` scores them") :]
    rows = [_ROW.match(line) for line in section.splitlines() if line.startswith("| ") and "`" in line]
    return [(m[1], m[2], m[3], m[4], float(m[5])) for m in rows if m]


CASES = _cases()


def test_the_table_is_read_whole() -> None:
    text = (REPO / "docs/graders.md").read_text(encoding="utf-8")
    section = text[text.index("## Cases, as `evalrun grade` scores them") :]
    assert len(CASES) == sum(1 for line in section.splitlines() if line.startswith("| ") and "`" in line) >= 40


@pytest.mark.parametrize("kind, language, output, reference, score", CASES, ids=[c[2] for c in CASES])
def test_a_documented_case(kind: str, language: str, output: str, reference: str, score: float) -> None:
    (result,) = score_pairs({"kind": kind}, language, [(1, output, (reference,), (), {})])
    assert result["score"] == pytest.approx(score)


def test_evalrun_grade_gives_the_same_score() -> None:
    kind, language, output, reference, score = CASES[0]
    args = ["grade", "--grader", kind, "--language", language, "--output", output, "--reference", reference, "--json"]
    result = evalrun(*args, cwd=REPO)
    assert json.loads(result.stdout)["results"][0]["score"] == score
