"""What a `grader:` block's scores rest on besides the block itself: the library versions a run records, and the
warnings an eval's language calls for (both about the official `cmrc2018` standard, whose tokens come from nltk)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from harness.registry.graders import grader_parts

Location = tuple[Any, ...]
"""A key path inside a `grader:` block, such as ("graders", 1, "standard")."""

JAPANESE_CMRC = (
    "standard cmrc2018 on Japanese text: the CMRC 2018 script splits only U+4E00-U+9FA5 one character a token, so "
    "each run of kana (with any Latin letters beside it) goes through nltk's English word tokenizer as one word "
    "(`東京です` is 東 | 京 | です, `とうきょう` one token) and is cut at English sentence ends; use the default "
    "standard (cjk) or jsquad for Japanese"
)
"""Why cmrc2018 scores on Japanese text are not what a Japanese reader would expect."""


def grader_libraries(config: Mapping[str, Any]) -> dict[str, str]:
    """The versions of the libraries a `grader:` block's scores move with (nltk's, for cmrc2018); {} for none."""
    if not any(standard == "cmrc2018" for _, standard in standards_in(config)):
        return {}
    from harness.grading.nltk_words import versions

    return versions()


def language_warnings(config: Mapping[str, Any], language: str) -> list[tuple[Location, str]]:
    """What is allowed but likely wrong in grading `language` with this block (cmrc2018 on Japanese), each with
    where in the block it is."""
    if language.split("-")[0].lower() != "ja":
        return []
    return [(where, JAPANESE_CMRC) for where, standard in standards_in(config) if standard == "cmrc2018"]


def standards_in(config: Mapping[str, Any], where: Location = ()) -> Iterator[tuple[Location, str]]:
    """The official standard each `em` or `f1` grader of a block names, with its key path, inside combinations and
    switches too."""
    if config.get("kind") in ("em", "f1") and "standard" in config:
        yield (*where, "standard"), str(config["standard"])
    for inner, part in grader_parts(config):
        yield from standards_in(part, (*where, *inner))
