"""What `evalrun list` shows: evals, suites, models and judge rubrics, as data and as tables."""

from __future__ import annotations

from typing import Any

from harness.errors import printable
from harness.models.baseline import NAMES as BASELINES
from harness.models.providers import PROVIDERS
from harness.registry.loader import Registry
from harness.registry.specs import EvalSpec


def listing(registry: Registry) -> dict[str, list[dict[str, Any]]]:
    """The registry's evals, suites, models and judge rubrics as plain data, each with where it comes from."""
    return {
        "evals": [_eval(spec, registry) for spec in sorted(registry.evals.values(), key=lambda s: s.id)],
        "suites": [
            {
                "id": s.id,
                "description": s.description,
                "evals": list(s.evals),
                "source": registry.source("suites", s.id),
            }
            for s in sorted(registry.suites.values(), key=lambda s: s.id)
        ],
        "models": [
            {"id": f"baseline/{name}", "provider": "baseline", "model": name, "base_url": None, "source": "built-in"}
            for name in BASELINES
        ]
        + [
            {
                "id": m.id,
                "provider": m.provider,
                "model": m.model,
                "base_url": m.base_url,
                "source": registry.source("models", m.id),
            }
            for m in sorted(registry.models.values(), key=lambda m: m.id)
        ],
        "judges": [
            {
                "id": j.id,
                "verdicts": dict(j.verdicts),
                "description": j.description,
                "source": registry.source("judges", j.id),
            }
            for j in sorted(registry.judges.values(), key=lambda j: j.id)
        ],
    }


def _eval(spec: EvalSpec, registry: Registry) -> dict[str, Any]:
    return {
        "id": spec.id,
        "language": spec.language,
        "samples": _count(spec, registry),
        "grader": spec.grader,
        "grader_options": dict(spec.grader_options),
        "metrics": list(spec.metrics),
        "tags": list(spec.tags),
        "description": spec.description,
        "source": registry.source("evals", spec.id),
    }


def _count(spec: EvalSpec, registry: Registry) -> int | None:
    """Non-blank lines of a JSONL data file (None for Hugging Face data, counted when loaded)."""
    if spec.data.path is None:
        return None
    with open(spec.home.data_file(spec.data.path), "rb") as handle:
        return sum(1 for line in handle if line.strip())


def render_listing(data: dict[str, list[dict[str, Any]]]) -> str:
    """The listing as plain-text tables: evals, and suites, models and judge rubrics when there are any."""
    from tabulate import tabulate

    evals = [
        [e["id"], e["language"], "?" if e["samples"] is None else e["samples"], e["grader"], _cell(e["description"])]
        for e in data["evals"]
    ]
    suites = [[s["id"], ", ".join(s["evals"]), _cell(s["description"])] for s in data["suites"]]
    models = [[m["id"], m["provider"], _cell(m["model"]), _cell(m["base_url"] or "")] for m in data["models"]]
    judges = [[j["id"], ", ".join(_cell(f"{k}={v:g}") for k, v in j["verdicts"].items())] for j in data["judges"]]
    sections = [
        ("Evals", evals, ["id", "language", "samples", "grader", "description"]),
        ("Suites", suites, ["id", "evals", "description"]),
        (
            f"Models (also any provider/model: {', '.join(f'{name}/…' for name in PROVIDERS)})",
            models,
            ["id", "provider", "model", "base_url"],
        ),
        ("Judge rubrics (for evals graded by `kind: judge`)", judges, ["id", "verdicts"]),
    ]
    entries = [entry for kind in ("evals", "suites", "models", "judges") for entry in data[kind]]
    if len({entry.get("source") for entry in entries}) > 1:  # entries from the user's registry beside the built-in
        for (_, rows, headers), kind in zip(sections, ("evals", "suites", "models", "judges"), strict=True):
            headers.append("source")
            for row, entry in zip(rows, data[kind], strict=True):
                row.append(_cell(entry["source"]))
    return "\n\n".join(
        f"{title}\n" + tabulate(rows, headers=headers, tablefmt="github")
        for title, rows, headers in sections
        if rows or title == "Evals"
    )


def _cell(text: str) -> str:
    """Registry text made safe for a terminal table: control characters escaped, `|` escaped."""
    return printable(text).replace("|", "\\|")
