"""An eval as the command line changes it: generation parameters and the system prompt, with its spec hash changing too."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from harness.registry.specs import EvalSpec


def literal_template(text: str) -> str:
    """A template that renders as exactly `text`, whatever braces it holds: one Jinja2 string literal."""
    return "{{ " + json.dumps(text, ensure_ascii=False) + " }}"


def with_generation(spec: EvalSpec, params: Mapping[str, Any], system_message: str | None = None) -> EvalSpec:
    """`spec` with each of `params` replacing the eval's own generation parameter and, given `system_message`, that
    text (shown as it is, never as a template) as its system prompt, or none when the text is empty; the spec hash
    changes with them, so the run is told apart from runs of the eval as written."""
    if not params and system_message is None:
        return spec
    raw = dict(spec.raw)
    generation = {**spec.generation, **params}
    raw["generation"] = generation
    prompt = spec.prompt
    if system_message is not None:  # the empty text: no system prompt at all
        prompt = replace(prompt, system=literal_template(system_message) if system_message.strip() else None)
        raw["prompt"] = {key: value for key, value in raw.get("prompt", {}).items() if key != "system"}
        if prompt.system is not None:
            raw["prompt"]["system"] = prompt.system
    return replace(spec, generation=generation, prompt=prompt, raw=raw)
