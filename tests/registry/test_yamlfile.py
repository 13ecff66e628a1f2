"""Registry YAML: libyaml reads a good file fast, and it reads as the pure-Python parser reads it, lines included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.registry import yamlfile
from harness.registry.yamlfile import parse_yaml
from tests.support import REPO

FILES = sorted((REPO / "registry").rglob("*.yaml"))


def slow(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, dict[object, int], list[str]]:
    with monkeypatch.context() as patch:
        patch.delattr(yaml, "CSafeLoader")
        document, problems = parse_yaml(text, "f.yaml")
    return (document.data, document.lines, []) if document else (None, {}, [str(p) for p in problems])


def fast(text: str) -> tuple[object, dict[object, int], list[str]]:
    document, problems = parse_yaml(text, "f.yaml")
    return (document.data, document.lines, []) if document else (None, {}, [str(p) for p in problems])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_registry_file_reads_the_same_by_libyaml_and_by_python(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamlfile._compose_fast(text)[0]  # the fast path is the one taken
    assert fast(text) == slow(text, monkeypatch)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "a: &x 1\nb: *x\n",  # alias
        "a: &x 1\n",  # anchor alone
        "a: !!python/object:os.system x\n",  # tag
        "a: [1, 2\n",  # unclosed
        "a: 1\n---\nb: 2\n",  # two documents
        "a: b: c\n",  # mapping value in a plain scalar
        "a: \x1b\n",  # a control character
        "a: .nan\n",  # not finite
        "[" * 20_000 + "]" * 20_000,  # deeper than libyaml reads
        "",
        "key: 'line one\n\n  line three'\nnext: [x, {y: 1}]\n",
    ],
)
def test_bad_and_odd_files_get_the_python_parsers_answer(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fast(text) == slow(text, monkeypatch)


def test_lines_count_as_an_editor_counts_them_after_a_line_separator() -> None:
    text = 'id: x\ndescription: "a\u2028b\u2029c\x85d"\nlanguage: en\nversion: [1\n'
    document, problems = parse_yaml(text, "x.yaml")
    assert document is None and [p.line for p in problems] == [4]  # PyYAML alone would say 7
    document, problems = parse_yaml('a: "x\u2028y"\nb: 2\n', "x.yaml")
    assert document is not None and document.line_of(["b"]) == 2 and not problems
