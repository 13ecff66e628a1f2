"""The table of HTTP model providers: a new one is its module in harness/models/ and its class added here."""

from __future__ import annotations

from harness.models.anthropic import AnthropicMessages
from harness.models.http import HTTPProvider
from harness.models.ollama import OllamaChat
from harness.models.openai import OpenAIChat, OpenAICompletions

PROVIDERS: dict[str, type[HTTPProvider]] = {
    kind.provider: kind
    for kind in (
        OpenAIChat,
        OpenAICompletions,
        AnthropicMessages,
        OllamaChat,
    )
}
"""Each provider class by its name (`provider/model`, a preset's `provider:`); the class says the rest."""

BASELINE = "baseline"
"""The offline baselines' provider name (harness/models/baseline.py; not an HTTP endpoint)."""

NAMES = (*PROVIDERS, BASELINE)
"""Every provider name a model may start with, as messages list them."""


def key_variables() -> list[str]:
    """The environment variables the providers read their keys from, each once, in the table's order."""
    return list(dict.fromkeys(kind.api_key_env for kind in PROVIDERS.values() if kind.api_key_env))
