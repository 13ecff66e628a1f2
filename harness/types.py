"""Plain, immutable values that flow between the harness layers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Option labels of multiple-choice samples, in order."""

Message = Mapping[str, str]
"""One chat message: {"role": "system"|"user"|"assistant", "content": str}."""


@dataclass(frozen=True)
class Sample:
    """One item of an eval's data: its fields, its reference answers and, for multiple choice, its options."""

    id: str
    fields: Mapping[str, Any]
    references: tuple[str, ...]
    choices: tuple[str, ...] = ()
    context: str | None = None
    """The passage an extractive question is about, when the eval has one."""


@dataclass(frozen=True)
class Request:
    """What a model is asked: rendered chat messages plus generation parameters."""

    messages: tuple[Message, ...]
    params: Mapping[str, Any]
    sample: Sample
    """The sample behind the request; only the offline baselines look at it."""
    epoch: int = 1
    """Which repetition of the sample this is (part of the cache key, so epochs are sampled anew)."""


@dataclass(frozen=True)
class Usage:
    """Token counts as reported by the provider (None when it did not say)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True)
class Response:
    """A model's answer to one request."""

    output: str
    usage: Usage = Usage()
    finish_reason: str | None = None
    model: str | None = None
    attempts: int = 1
    cached: bool = False
    time_to_first_token: float | None = None
    """Seconds from sending the request to the first answer text, for streamed answers."""
    latency: float | None = None
    """Seconds the answering request took, from sending it to its last byte: no queueing for a slot, no backoff, no
    earlier attempt. None where the provider does not measure it."""
    full_bytes: int | None = None
    """The answer's whole length in UTF-8 bytes when `output` was cut to the answer limit; None when it is whole."""


@dataclass(frozen=True)
class Score:
    """A grader's verdict on one output: the primary value, named sub-metrics, and how it was reached."""

    value: float
    metrics: Mapping[str, float] = field(default_factory=dict)
    detail: Mapping[str, Any] = field(default_factory=dict)
    unparsed: bool = False
