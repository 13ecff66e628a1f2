"""The JSON Schemas of the run records, generated from their types. `python -m harness.runner.record_schemas` rewrites
`harness/runner/schemas/`; a test checks that the shipped files are what it gives today."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness.runner.records import RunRecord, SampleRecord
from harness.runner.typed_json import schema_of

SCHEMAS: dict[str, tuple[type[Any], str]] = {
    "run": (RunRecord, "evalrun run record (results/runs/<run_id>/run.json)"),
    "sample": (SampleRecord, "evalrun sample record (one line of results/runs/<run_id>/samples.jsonl)"),
}
FOLDER = "schemas"


def generated(name: str) -> dict[str, Any]:
    """The schema of record `name` ("run" or "sample") as its type gives it."""
    cls, title = SCHEMAS[name]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"evalrun/{name}.schema.json",
        "title": title,
        **schema_of(cls),
    }


def text(name: str) -> str:
    """The schema file of record `name`, as written."""
    return json.dumps(generated(name), ensure_ascii=False, indent=2) + "\n"


@cache
def validator(name: str) -> Any:
    """A jsonschema validator of the shipped schema of record `name`."""
    from jsonschema import Draft202012Validator

    shipped = resources.files(__package__).joinpath(FOLDER).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return Draft202012Validator(json.loads(shipped))


def main() -> None:
    """Rewrite the shipped schema files."""
    folder = Path(__file__).parent / FOLDER
    for name in SCHEMAS:
        (folder / f"{name}.schema.json").write_text(text(name), encoding="utf-8")
        print(f"wrote {folder / f'{name}.schema.json'}")


if __name__ == "__main__":
    main()
