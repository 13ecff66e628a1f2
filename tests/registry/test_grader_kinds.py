"""The grader kinds table is the one definition: the schema, the constructors, `new` and docs/graders.md follow it."""

from __future__ import annotations

import jsonschema
import pytest

from harness.authoring.scaffold import SETUPS
from harness.grading import CONSTRUCTORS, build_grader
from harness.registry.graders import KINDS, STANDARD_METRICS, all_metrics, grader_schema, markdown_table
from harness.registry.schemas import schema
from tests.support import REPO


def test_the_eval_schema_grader_block_is_the_tables() -> None:
    assert schema("eval")["$defs"]["grader"] == grader_schema()


def test_the_eval_schema_lists_exactly_the_metrics_the_kinds_and_standards_produce() -> None:
    produced = {metric for kind in KINDS.values() for metric in kind.metrics}
    produced |= {metric for kinds in STANDARD_METRICS.values() for metrics in kinds.values() for metric in metrics}
    assert schema("eval")["properties"]["metrics"]["items"]["enum"] == all_metrics()
    assert set(all_metrics()) == produced


def test_every_kind_has_one_constructor_and_one_scaffold() -> None:
    assert list(CONSTRUCTORS) == list(KINDS)
    assert set(SETUPS) == set(KINDS)


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=lambda kind: kind.name)
def test_every_default_is_valid_under_its_own_schema(kind) -> None:  # type: ignore[no-untyped-def]
    for option in kind.options:
        if option.default is not None:
            jsonschema.validate(option.default, option.schema)
        assert not (option.required and option.default is not None), f"{kind.name}.{option.name}"


@pytest.mark.parametrize("kind", ["numeric", "fuzzy", "json", "em"])
def test_a_grader_built_without_options_takes_the_tables_defaults(kind: str) -> None:
    config = {"kind": kind, **({"schema": {"type": "object"}} if kind == "json" else {})}
    grader = build_grader(config, "en")
    for name, default in KINDS[kind].defaults().items():
        assert getattr(grader, name) == default


def test_the_docs_grader_table_is_generated_from_the_table() -> None:
    page = (REPO / "docs/graders.md").read_text(encoding="utf-8")
    assert markdown_table() in page, (
        "docs/graders.md's grader table is out of date: replace it with harness.registry.graders.markdown_table()"
    )
