"""`evalrun run --dry-run`: render every prompt and estimate tokens and cost, without asking any model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.data.checks import check_data
from harness.data.dataset import Dataset
from harness.data.prompt import PromptRenderer
from harness.data.selection import Selection
from harness.errors import InputError
from harness.models import check_model_name
from harness.models.base import Prices
from harness.models.pacing import DEFAULT_COMPLETION_TOKENS, estimate_tokens
from harness.models.providers import PROVIDERS
from harness.registry.specs import EvalSpec, ModelPreset
from harness.runner.engine import FewShot


def dry_run(
    specs: Sequence[EvalSpec],
    models: Sequence[str],
    presets: Mapping[str, ModelPreset],
    *,
    selection: Selection,
    epochs: int,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Per eval and model: requests, estimated prompt tokens, the most completion tokens, and cost where prices are known."""
    problems = [problem for spec in specs for problem in check_data(spec, hub=True)]
    if problems:
        raise InputError(problems)
    plans = []
    for spec in specs:
        dataset = Dataset(spec)
        renderer = PromptRenderer(spec.prompt)
        shots = FewShot(spec, dataset, seed)
        samples = prompt_tokens = 0
        for sample in selection.within(dataset).take(dataset.samples(), dataset.count()):
            messages = renderer.render(sample, shots.for_sample(sample))
            prompt_tokens += estimate_tokens([m["content"] for m in messages], 0)
            samples += 1
        for model in models:
            check_model_name(model, presets)
            preset = presets.get(model)
            prices = Prices(**preset.prices) if preset and preset.prices else None
            # a preset's parameters win over the eval's, and the command line's over both, as in a run
            params = {**spec.generation, **(preset.params if preset else {}), **(overrides or {})}
            kind = PROVIDERS.get(preset.provider if preset else model.partition("/")[0])  # None: a baseline
            default = kind.default_max_tokens if kind else None
            completion = int(params.get("max_tokens") or default or DEFAULT_COMPLETION_TOKENS)
            requests = samples * epochs
            plan = {
                "eval": spec.id,
                "model": model,
                "samples": samples,
                "requests": requests,
                "prompt_tokens": prompt_tokens * epochs,
                "max_completion_tokens": requests * completion,
                "max_cost_usd": prices.cost(prompt_tokens * epochs, requests * completion) if prices else None,
            }
            plans.append(plan)
    return plans


def plan_table(plans: Sequence[Mapping[str, Any]]) -> str:
    """The dry run as a table."""
    from tabulate import tabulate

    rows = [
        [
            p["eval"],
            p["model"],
            p["requests"],
            f"{p['prompt_tokens']:,}",
            f"{p['max_completion_tokens']:,}",
            "—" if p["max_cost_usd"] is None else f"${p['max_cost_usd']:.4f}",
        ]
        for p in plans
    ]
    headers = ["eval", "model", "requests", "prompt tokens (est.)", "completion tokens (at most)", "cost (at most)"]
    note = "Nothing was sent. Tokens are estimated without a tokenizer (a CJK character ~1, other text ~4 characters)."
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True) + "\n\n" + note
