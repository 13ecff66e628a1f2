"""Model providers and how a model name (`provider/model` or a preset id) becomes one."""

from __future__ import annotations

import os
from collections.abc import Mapping

from harness.errors import InputError
from harness.models.base import ModelSettings, Provider
from harness.spec import ModelPreset, endpoint_url_problem

PROVIDERS = ("openai", "baseline")


def open_provider(name: str, presets: Mapping[str, ModelPreset], settings: ModelSettings) -> Provider:
    """The provider a model name refers to; InputError for an unknown name or a missing key."""
    if "/" not in name:
        if name not in presets:
            known = ", ".join(sorted(presets)) or "none"
            raise InputError(
                f"evalrun: unknown model {name!r}: give provider/model (providers: {', '.join(PROVIDERS)}) or a preset ({known})"
            )
        return _from_preset(presets[name], settings)
    provider, _, model = name.partition("/")
    if not model:
        raise InputError(f"evalrun: model {name!r}: the model name after {provider + '/'!r} is missing")
    if provider == "baseline":
        from harness.models import baseline

        if model == "oracle":
            return baseline.Oracle()
        if model == "random":
            return baseline.RandomGuess(settings.seed)
        if model == "reader":
            return baseline.Reader()
        raise InputError(f"evalrun: unknown baseline {model!r} (known: {', '.join(baseline.NAMES)})")
    if provider == "openai":
        return _openai(name, model, base_url=None, key_env="OPENAI_API_KEY", params={}, settings=settings, source="")
    raise InputError(f"evalrun: unknown provider {provider!r} in model {name!r} (known: {', '.join(PROVIDERS)})")


def _from_preset(preset: ModelPreset, settings: ModelSettings) -> Provider:
    return _openai(
        preset.id,
        preset.model,
        base_url=preset.base_url,
        key_env=preset.api_key_env,
        params=preset.params,
        settings=settings,
        source=f" (needed by model preset {preset.id!r})",
    )


def _openai(
    name: str,
    model: str,
    *,
    base_url: str | None,
    key_env: str | None,
    params: Mapping[str, object],
    settings: ModelSettings,
    source: str,
) -> Provider:
    """An OpenAI-compatible endpoint configured as the OpenAI SDK would be from the environment."""
    from harness.models.openai import DEFAULT_BASE_URL, OpenAIChat

    url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    problem = endpoint_url_problem(url)
    if problem:
        raise InputError(f"evalrun: model {name!r}: base URL {problem}")
    key = os.environ.get(key_env) if key_env else None
    if not key and key_env and (url == DEFAULT_BASE_URL or source):
        hint = "export it" if source else "export it, or point OPENAI_BASE_URL at a server that needs no key"
        raise InputError(f"evalrun: {key_env} is not set{source}: {hint}")
    headers = {}
    if os.environ.get("OPENAI_ORG_ID"):
        headers["OpenAI-Organization"] = os.environ["OPENAI_ORG_ID"]
    if os.environ.get("OPENAI_PROJECT_ID"):
        headers["OpenAI-Project"] = os.environ["OPENAI_PROJECT_ID"]
    return OpenAIChat(name, model, base_url=url, api_key=key, params=params, settings=settings, extra_headers=headers)
