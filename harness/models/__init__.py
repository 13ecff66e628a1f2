"""Model providers, and how a model name (`provider/model` or a preset id) becomes one."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from harness.errors import InputError
from harness.models.base import ModelSettings, Prices, Provider
from harness.registry.specs import ModelPreset, endpoint_url_problem

if TYPE_CHECKING:
    from harness.models.endpoints import Endpoints
    from harness.models.http import HTTPProvider


def open_provider(
    name: str, presets: Mapping[str, ModelPreset], settings: ModelSettings, endpoints: Endpoints | None = None
) -> Provider:
    """The provider a model name refers to, its connections in `endpoints` (shared by every model of a run; its own
    when None); InputError for an unknown name, a bad URL, a missing key or certificate."""
    from harness.models.providers import BASELINE, NAMES, PROVIDERS

    if "/" not in name:
        if name not in presets:
            known = ", ".join(sorted(presets)) or "none"
            raise InputError(
                f"evalrun: unknown model {name!r}: give provider/model (providers: {', '.join(NAMES)}) or a preset ({known})"
            )
        preset = presets[name]
        prices = Prices(**preset.prices) if preset.prices else None
        settings = replace(
            settings,
            requests_per_minute=settings.requests_per_minute or preset.requests_per_minute,
            tokens_per_minute=settings.tokens_per_minute or preset.tokens_per_minute,
        )
        kind = PROVIDERS[preset.provider]  # the preset schema's provider names are the table's
        return _endpoint(name, kind, preset.model, settings, endpoints, preset=preset, prices=prices)
    provider, _, model = name.partition("/")
    if not model:
        raise InputError(f"evalrun: model {name!r}: the model name after {provider + '/'!r} is missing")
    if provider == BASELINE:
        from harness.models import baseline

        if model == "oracle":
            return baseline.Oracle()
        if model == "random":
            return baseline.RandomGuess(settings.seed)
        if model == "reader":
            return baseline.Reader()
        raise InputError(f"evalrun: unknown baseline {model!r} (known: {', '.join(baseline.NAMES)})")
    if provider not in PROVIDERS:
        raise InputError(f"evalrun: unknown provider {provider!r} in model {name!r} (known: {', '.join(NAMES)})")
    return _endpoint(name, PROVIDERS[provider], model, settings, endpoints)


def check_model_name(name: str, presets: Mapping[str, ModelPreset]) -> None:
    """InputError unless `name` is a preset id, a known baseline, or provider/model with a known provider."""
    from harness.models import baseline
    from harness.models.providers import BASELINE, NAMES

    provider, _, model = name.partition("/")
    known = provider in NAMES and (provider != BASELINE or model in baseline.NAMES) if model else name in presets
    if not known:
        raise InputError(
            f"evalrun: unknown model {name!r}: give provider/model (providers: {', '.join(NAMES)}) or a preset id"
        )


def _endpoint(
    name: str,
    kind: type[HTTPProvider],
    model: str,
    settings: ModelSettings,
    endpoints: Endpoints | None,
    *,
    preset: ModelPreset | None = None,
    prices: Prices | None = None,
) -> Provider:
    """An HTTP provider of class `kind`, configured from a preset (which wins), else from the environment as its SDK
    would be, else from the class's defaults."""
    from harness.models.tls import TLSSettings

    url = (preset.base_url if preset else None) or kind.base_url_from_env()
    key_env = preset.api_key_env if preset else kind.api_key_env
    problem = endpoint_url_problem(url)
    if problem:
        raise InputError(f"evalrun: model {name!r}: base URL {problem}")
    key = os.environ.get(key_env) if key_env else None
    if not key and key_env and (preset or url == kind.default_base_url):
        source = f" (needed by model preset {name!r})" if preset else ""
        hint = "export it" if preset else "export it, or point the base URL at a server that needs no key"
        raise InputError(f"evalrun: {key_env} is not set{source}: {hint}")
    headers = {**(preset.headers if preset else {}), **kind.auth_headers(key)}
    try:
        return kind(
            name,
            model,
            base_url=url,
            api_key=key,
            params=preset.params if preset else {},
            settings=settings,
            headers=headers,
            prices=prices,
            tls=TLSSettings(preset.ca_file, *_client_certificate(name, preset)) if preset else TLSSettings(),
            stream=preset.stream if preset else None,
            endpoints=endpoints,
        )
    except ValueError as exc:  # a header that cannot be sent; the message names the header, never its value
        raise InputError(f"evalrun: model {name!r}: {exc}") from None


def _client_certificate(name: str, preset: ModelPreset) -> tuple[str | None, str | None]:
    """The client certificate and key files a preset names through environment variables; InputError if unset."""
    files = []
    for variable in (preset.client_cert_env, preset.client_key_env):
        if variable and not os.environ.get(variable):
            raise InputError(f"evalrun: {variable} is not set (needed by model preset {name!r}): export it")
        files.append(os.environ[variable] if variable else None)
    return files[0], files[1]
