"""OpenAI-compatible endpoints (OpenAI, vLLM, SGLang, llama.cpp server, LM Studio, …): chat and legacy completions."""

from __future__ import annotations

from typing import Any

from harness.errors import ProviderError
from harness.models.http import HTTPProvider, answer, text_of
from harness.types import Request, Response

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIChat(HTTPProvider):
    """`POST {base_url}/chat/completions`."""

    provider = "openai"
    path = "/chat/completions"

    def body(self, request: Request) -> dict[str, Any]:
        return {"model": self.model, "messages": list(request.messages), **request.params, **self.params}

    def parse(self, data: Any) -> Response:
        choice = data["choices"][0]
        message = choice.get("message") or {}
        content = text_of(message.get("content"))
        refusal = message.get("refusal")
        if not content and isinstance(refusal, str) and refusal:
            choice = {**choice, "finish_reason": "refusal"}  # the model declined: its words are the answer, graded
            content = refusal
        return _response(data, choice, content)


class OpenAICompletions(HTTPProvider):
    """`POST {base_url}/completions` for base models: the messages become one plain-text prompt."""

    provider = "openai-completions"
    path = "/completions"

    def body(self, request: Request) -> dict[str, Any]:
        return {"model": self.model, "prompt": plain_prompt(request), **request.params, **self.params}

    def parse(self, data: Any) -> Response:
        choice = data["choices"][0]
        text = choice.get("text")
        if text is None and choice.get("finish_reason") == "content_filter":
            text = ""
        if not isinstance(text, str):
            raise TypeError("completion text is missing")
        return _response(data, choice, text)


def plain_prompt(request: Request) -> str:
    """Chat messages as one prompt: the system text, each worked example's question and answer, then the question."""
    return "\n\n".join(message["content"] for message in request.messages)


def _response(data: Any, choice: Any, content: str) -> Response:
    finish = choice.get("finish_reason")
    if finish == "content_filter" and not content:
        raise ProviderError("refused by the provider's content filter", retryable=False)
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return answer(content, usage.get("prompt_tokens"), usage.get("completion_tokens"), finish, data.get("model"))
