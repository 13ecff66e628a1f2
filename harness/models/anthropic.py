"""Anthropic's Messages API in its native wire format (`POST {base_url}/v1/messages`)."""

from __future__ import annotations

from typing import Any

from harness.errors import ProviderError
from harness.models.http import HTTPProvider, answer
from harness.types import Request, Response

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024
"""The Messages API requires max_tokens; this is sent when neither the eval nor the preset gives one."""


class AnthropicMessages(HTTPProvider):
    """Claude models: the system prompt goes in `system`, `stop` becomes `stop_sequences`."""

    provider = "anthropic"
    path = "/v1/messages"

    def body(self, request: Request) -> dict[str, Any]:
        params = {**request.params, **self.params}
        body: dict[str, Any] = {"model": self.model, "max_tokens": params.pop("max_tokens", DEFAULT_MAX_TOKENS)}
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
        stop = data.get("stop_reason")
        if stop == "refusal" and not text:
            raise ProviderError("the model refused to answer (stop_reason: refusal)", retryable=False)
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return answer(text, usage.get("input_tokens"), usage.get("output_tokens"), stop, data.get("model"))
