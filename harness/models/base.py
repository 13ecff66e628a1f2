"""What every model provider offers the runner, and the settings a run gives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from harness.spec import EvalSpec
from harness.types import Request, Response


@dataclass(frozen=True)
class Prices:
    """What an endpoint charges, in US dollars per million tokens."""

    input: float
    output: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The price of that many tokens."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


@dataclass(frozen=True)
class ModelSettings:
    """Per-run knobs for talking to an endpoint."""

    concurrency: int = 8
    timeout: float = 60.0
    max_attempts: int = 4
    seed: int = 0
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None


class Provider(Protocol):
    """A model endpoint: answers requests, says which evals it cannot take, and describes itself for records."""

    name: str
    cacheable: bool
    """Whether answers are worth keeping in the response cache (network endpoints: yes; baselines: no)."""
    prices: Prices | None
    """What the endpoint charges, when known (from the model preset)."""

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        """Why this model cannot take `spec` at all (None when it can)."""
        ...

    def describe(self) -> Mapping[str, Any]:
        """Provider, model, endpoint and parameters, for the run record (never a key)."""
        ...

    async def complete(self, request: Request) -> Response:
        """The model's answer; raises ProviderError when it cannot be had."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
