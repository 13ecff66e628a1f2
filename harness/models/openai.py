"""OpenAI-compatible chat completions (OpenAI, vLLM, SGLang, llama.cpp server, LM Studio, …) over async httpx."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from harness.errors import ProviderError, printable
from harness.models.base import ModelSettings
from harness.models.retry import RetryPolicy, retry_after_seconds, with_retries
from harness.spec import EvalSpec
from harness.types import Request, Response, Usage

DEFAULT_BASE_URL = "https://api.openai.com/v1"
CONNECTIONS_PER_CLIENT = 8
"""Requests are spread over several small connection pools: httpx spends less CPU per request that way."""


class OpenAIChat:
    """A model behind a `POST {base_url}/chat/completions` endpoint."""

    cacheable = True

    def __init__(
        self,
        name: str,
        model: str,
        *,
        base_url: str,
        api_key: str | None,
        params: Mapping[str, Any],
        settings: ModelSettings,
        extra_headers: Mapping[str, str] | None = None,
    ):
        self.name = name
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.params = dict(params)
        self._secret = api_key
        self._policy = RetryPolicy(max_attempts=settings.max_attempts)
        self._timeout = settings.timeout
        headers = dict(extra_headers or {})
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        pools = max(1, math.ceil(settings.concurrency / CONNECTIONS_PER_CLIENT))
        limits = httpx.Limits(max_connections=CONNECTIONS_PER_CLIENT, max_keepalive_connections=CONNECTIONS_PER_CLIENT)
        self._clients = [
            httpx.AsyncClient(
                base_url=self.base_url, headers=headers, timeout=settings.timeout, limits=limits, trust_env=False
            )
            for _ in range(pools)
        ]
        self._next_client = itertools.cycle(self._clients)

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        return None

    def describe(self) -> Mapping[str, Any]:
        return {
            "provider": "openai",
            "model": self.model,
            "base_url": _without_credentials(self.base_url),
            "params": self.params,
        }

    async def complete(self, request: Request) -> Response:
        body = {"model": self.model, "messages": list(request.messages), **request.params, **self.params}
        return await with_retries(lambda: self._post(body), self._policy)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def _post(self, body: Mapping[str, Any]) -> Response:
        client = next(self._next_client)
        try:
            reply = await client.post("/chat/completions", json=body)
        except httpx.TimeoutException:
            raise ProviderError(f"timed out after {self._timeout:g}s", retryable=True) from None
        except httpx.TransportError as exc:
            raise ProviderError(f"connection failed ({type(exc).__name__})", retryable=True) from None
        except httpx.HTTPError as exc:  # e.g. a body that does not match its Content-Encoding
            raise ProviderError(f"unreadable response ({type(exc).__name__})", retryable=True) from None
        if reply.status_code != 200:
            retryable = reply.status_code in (408, 409, 429) or reply.status_code >= 500
            raise ProviderError(
                f"HTTP {reply.status_code}: {_error_message(reply, self._secret)}",
                retryable=retryable,
                retry_after=retry_after_seconds(reply.headers),
            )
        try:
            data = reply.json()
            choice = data["choices"][0]
            message = choice.get("message") or {}
            content = _text(message.get("content"))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise ProviderError("malformed response body (not a chat completion)", retryable=True) from None
        finish = choice.get("finish_reason")
        if finish == "content_filter" and not content:
            raise ProviderError("refused by the provider's content filter", retryable=False)
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return Response(
            output=content,
            usage=Usage(_int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens"))),
            finish_reason=finish,
            model=data.get("model") if isinstance(data.get("model"), str) else None,
        )


def _text(content: Any) -> str:
    """A message's text: a string, null (empty), or a list of content parts whose text parts are joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str))
    raise TypeError("content is neither text nor a list of parts")


def _error_message(reply: httpx.Response, secret: str | None) -> str:
    """The server's own explanation of an error, without the key or control characters, shortened."""
    try:
        error = reply.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = None
    text = str(message) if message else reply.reason_phrase or "error"
    if secret:
        text = text.replace(secret, "[redacted]")
    return printable(" ".join(text.split()))[:300]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _without_credentials(url: str) -> str:
    """The URL without user, password, query or fragment, which may carry secrets."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
