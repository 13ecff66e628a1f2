"""`evalrun validate --preview ID`: a few prompts rendered as the model will see them, with their references."""

from __future__ import annotations

from itertools import islice
from typing import Any

from harness.data.dataset import Dataset
from harness.data.prompt import PromptError, PromptRenderer
from harness.errors import InputError, printable
from harness.registry.specs import EvalSpec
from harness.runner.engine import FewShot


def preview(spec: EvalSpec, count: int, seed: int = 0) -> list[dict[str, Any]]:
    """The first `count` samples of the eval: id, rendered messages (worked examples included), references, options."""
    dataset = Dataset(spec)
    renderer = PromptRenderer(spec.prompt)
    shots = FewShot(spec, dataset, seed)
    shown = []
    for sample in islice(dataset.samples(), count):
        try:
            messages = renderer.render(sample, shots.for_sample(sample))
        except PromptError as exc:
            raise InputError(f"evalrun: {spec.id}: {exc}") from None
        shown.append(
            {
                "id": sample.id,
                "messages": list(messages),
                "references": list(sample.references),
                "choices": list(sample.choices),
            }
        )
    return shown


def render_preview(spec: EvalSpec, shown: list[dict[str, Any]]) -> str:
    """The previewed samples as text for a terminal, every value made safe to print."""
    header = f"{spec.id} ({spec.language}, grader {spec.grader}, metrics {', '.join(spec.metrics)})"
    blocks = [header]
    for item in shown:
        lines = [f"── sample {item['id']} " + "─" * max(0, 60 - len(item["id"]))]
        for message in item["messages"]:
            lines.append(f"[{message['role']}]")
            lines += ["    " + line for line in message["content"].split("\n")]
        if item["choices"]:
            lines.append("options: " + " | ".join(item["choices"]))
        lines.append("references: " + " | ".join(item["references"]))
        blocks.append("\n".join(map(printable, lines)))
    return "\n\n".join(blocks)
