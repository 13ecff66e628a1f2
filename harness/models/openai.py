"""OpenAI-compatible endpoints (OpenAI, vLLM, SGLang, llama.cpp server, LM Studio, …): chat and legacy completions."""

from __future__ import annotations

import json
import os
from typing import Any

from harness.errors import ProviderError, printable
from harness.models.answers import answer, text_of
from harness.models.http import HTTPProvider
from harness.models.sse import Event
from harness.models.streaming import Assembly
from harness.types import Request, Response

ORGANISATION_HEADERS = (("OPENAI_ORG_ID", "OpenAI-Organization"), ("OPENAI_PROJECT_ID", "OpenAI-Project"))
"""Environment variables the OpenAI SDK sends as headers, when set."""


class OpenAIFormat(HTTPProvider):
    """What chat and legacy completions share: configuration, streamed chunks, usage in the last one, the content
    filter."""

    base_url_env = "OPENAI_BASE_URL"
    default_base_url = "https://api.openai.com/v1"
    api_key_env = "OPENAI_API_KEY"

    @classmethod
    def auth_headers(cls, key: str | None) -> dict[str, str]:
        """The key as a Bearer token, and the organisation and project the environment names."""
        headers = super().auth_headers(key)
        for variable, header in ORGANISATION_HEADERS:
            if os.environ.get(variable):
                headers[header] = os.environ[variable]
        return headers

    def stream_body(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "stream": True, "stream_options": {"include_usage": True}}

    def chunk_text(self, choice: dict[str, Any]) -> Any:
        """The answer text a streamed choice carries."""
        raise NotImplementedError

    def read_event(self, event: Event, assembly: Assembly) -> bool:
        data = _chunk(event)
        if data is None:
            return True
        choice = _first_choice(data)
        assembly.add(self.chunk_text(choice))
        assembly.finish = choice.get("finish_reason") or assembly.finish
        _usage_and_model(data, assembly)
        return False

    def finished(self, response: Response) -> Response:
        return _not_filtered(response)


class OpenAIChat(OpenAIFormat):
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
        return self.finished(_response(data, choice, content))

    def chunk_text(self, choice: dict[str, Any]) -> Any:
        delta = choice.get("delta") or {}
        return text_of(delta.get("content")) or delta.get("refusal")


class OpenAICompletions(OpenAIFormat):
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
        return self.finished(_response(data, choice, text))

    def chunk_text(self, choice: dict[str, Any]) -> Any:
        return choice.get("text")


def plain_prompt(request: Request) -> str:
    """Chat messages as one prompt: the system text, each worked example's question and answer, then the question."""
    return "\n\n".join(message["content"] for message in request.messages)


def _response(data: Any, choice: Any, content: str) -> Response:
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return answer(
        content,
        usage.get("prompt_tokens"),
        usage.get("completion_tokens"),
        choice.get("finish_reason"),
        data.get("model"),
    )


def _not_filtered(response: Response) -> Response:
    """The response, unless the provider's content filter left no answer."""
    if response.finish_reason == "content_filter" and not response.output:
        raise ProviderError("refused by the provider's content filter", retryable=False)
    return response


def _chunk(event: Event) -> dict[str, Any] | None:
    """A stream chunk's JSON, None at `[DONE]`; ProviderError for an error sent mid-stream."""
    if event.data.strip() == "[DONE]":
        return None
    data = json.loads(event.data)
    if not isinstance(data, dict):
        raise TypeError("a stream chunk is not an object")
    error = data.get("error")
    if error:
        message = error.get("message") if isinstance(error, dict) else error
        raise ProviderError(f"error in the stream: {printable(' '.join(str(message).split()))[:300]}", retryable=True)
    return data


def _first_choice(data: dict[str, Any]) -> dict[str, Any]:
    """A chunk's first choice; empty in the final usage chunk."""
    choices = data.get("choices") or [{}]
    return choices[0] if isinstance(choices[0], dict) else {}


def _usage_and_model(data: dict[str, Any], assembly: Assembly) -> None:
    usage = data.get("usage")
    if isinstance(usage, dict):
        assembly.prompt_tokens = usage.get("prompt_tokens", assembly.prompt_tokens)
        assembly.completion_tokens = usage.get("completion_tokens", assembly.completion_tokens)
    assembly.model = data.get("model") or assembly.model
