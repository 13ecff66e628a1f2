"""What every model provider offers the runner, and the settings a run gives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.registry.specs import EvalSpec
from harness.types import Request, Response


@dataclass(frozen=True)
class Prices:
    """What an endpoint charges, in US dollars per million tokens."""

    input: float
    output: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The price of that many tokens."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


MAX_ANSWER_BYTES = 1 << 20
"""Default cap on one answer (UTF-8 bytes): longer answers are cut, recorded as cut, and graded on what was kept."""


@dataclass(frozen=True)
class ModelSettings:
    """Per-run knobs for talking to an endpoint."""

    concurrency: int = 8
    """Requests in flight per model, across all of its evals."""
    timeout: float = 60.0
    """Seconds a request may wait for its reply (for a streamed reply: between events)."""
    max_attempts: int = 4
    seed: int = 0
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    stream: bool | None = None
    """Read answers as Server-Sent Events; None: the provider's default (streamed only where it requires it)."""
    max_wait: float | None = None
    """Longest a request may wait for a server's Retry-After in all; None: timeout × max_attempts."""
    adaptive: bool = True
    """Whether an endpoint's in-flight cap shrinks when load causes 429s (False: `concurrency` stays fixed)."""
    max_answer_bytes: int = MAX_ANSWER_BYTES
    max_connections: int | None = None
    """Requests in flight across the whole run, every endpoint together; None: no cap beyond each model's."""
    model_args: Mapping[str, Any] = field(default_factory=dict)
    """Extra request-body fields for every model of the run (`-M reasoning_effort=low`)."""


class Provider(Protocol):
    """A model endpoint: answers requests, says which evals it cannot take, and describes itself for records."""

    cacheable: bool
    """Whether answers are worth keeping in the response cache (network endpoints: yes; baselines: no)."""

    @property
    def name(self) -> str:
        """The model's name as the run was given it (`provider/model` or a preset id)."""
        ...

    @property
    def prices(self) -> Prices | None:
        """What the endpoint charges, when known (from the model preset)."""
        ...

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        """Why this model cannot take `spec` at all (None when it can)."""
        ...

    def describe(self) -> Mapping[str, Any]:
        """Provider, model, endpoint and parameters, for the run record (never a key)."""
        ...

    async def complete(self, request: Request) -> Response:
        """The model's answer; raises ProviderError when it cannot be had."""
        ...

    def throttle(self) -> int | None:
        """The endpoint's in-flight cap when the adaptive limit holds it below the model's concurrency, else None."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
