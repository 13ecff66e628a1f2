"""Anthropic's Messages API in its native wire format (`POST {base_url}/v1/messages`), whole or streamed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from harness.errors import ProviderError, printable
from harness.models.answers import answer
from harness.models.http import HTTPProvider
from harness.models.sse import Event
from harness.models.streaming import Assembly
from harness.types import Request, Response

API_VERSION = "2023-06-01"
STREAM_ABOVE_TOKENS = 21_333
"""Anthropic refuses non-streamed requests that may run past ten minutes: above this max_tokens, evalrun streams."""
RETRYABLE_ERRORS = {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}


class AnthropicMessages(HTTPProvider):
    """Claude models: the system prompt goes in `system`, `stop` becomes `stop_sequences`."""

    provider = "anthropic"
    path = "/v1/messages"
    base_url_env = "ANTHROPIC_BASE_URL"
    default_base_url = "https://api.anthropic.com"
    api_key_env = "ANTHROPIC_API_KEY"
    default_max_tokens = 1024
    """The Messages API requires max_tokens; this is sent when neither the eval nor the preset gives one."""

    @classmethod
    def auth_headers(cls, key: str | None) -> dict[str, str]:
        """The API version, and the key in `x-api-key` (not `Authorization`)."""
        return {"anthropic-version": API_VERSION, **({"x-api-key": key} if key else {})}

    def body(self, request: Request) -> dict[str, Any]:
        params = {**request.params, **self.params}
        body: dict[str, Any] = {"model": self.model, "max_tokens": params.pop("max_tokens", self.default_max_tokens)}
        system = [m["content"] for m in request.messages if m["role"] == "system"]
        if system:
            body["system"] = "\n\n".join(system)
        body["messages"] = [dict(m) for m in request.messages if m["role"] != "system"]
        if "stop" in params:
            body["stop_sequences"] = params.pop("stop")
        return {**body, **params}

    def parse(self, data: Any) -> Response:
        if data.get("type") == "error":
            raise ValueError("an error body with status 200")
        parts = data["content"]
        text = "".join(part["text"] for part in parts if isinstance(part, dict) and part.get("type") == "text")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        built = answer(
            text, usage.get("input_tokens"), usage.get("output_tokens"), data.get("stop_reason"), data.get("model")
        )
        return self.finished(built)

    def streams(self, body: Mapping[str, Any]) -> bool:
        """As asked; by default only when max_tokens is too large for a request that is not streamed."""
        if self.stream is not None:
            return self.stream
        tokens = body.get("max_tokens")
        return isinstance(tokens, int) and tokens > STREAM_ABOVE_TOKENS

    def stream_body(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "stream": True}

    def read_event(self, event: Event, assembly: Assembly) -> bool:
        data = json.loads(event.data)
        kind = data.get("type") or event.type
        if kind == "error" or event.type == "error":
            error = data.get("error") if isinstance(data.get("error"), dict) else {}
            message = printable(" ".join(str(error.get("message", "error")).split()))[:300]
            raise ProviderError(f"error in the stream: {message}", retryable=error.get("type") in RETRYABLE_ERRORS)
        if kind == "message_start":
            message = data["message"]
            assembly.model = message.get("model")
            usage = message.get("usage") or {}
            assembly.prompt_tokens = usage.get("input_tokens")
            assembly.completion_tokens = usage.get("output_tokens")
        elif kind == "content_block_delta":
            delta = data["delta"]
            if delta.get("type") == "text_delta":
                assembly.add(delta.get("text"))
        elif kind == "message_delta":
            assembly.finish = (data.get("delta") or {}).get("stop_reason") or assembly.finish
            usage = data.get("usage") or {}
            assembly.completion_tokens = usage.get("output_tokens", assembly.completion_tokens)
            assembly.prompt_tokens = usage.get("input_tokens") or assembly.prompt_tokens
        return kind == "message_stop"

    def finished(self, response: Response) -> Response:
        if response.finish_reason == "refusal" and not response.output:
            raise ProviderError("the model refused to answer (stop_reason: refusal)", retryable=False)
        return response
