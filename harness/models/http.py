"""What every HTTP model endpoint shares: keep-alive connections, one error classification, retries, redaction."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from harness.errors import ProviderError, printable
from harness.models.base import ModelSettings, Prices
from harness.models.connection import ConnectionFailed, Endpoint, Reply
from harness.models.pacing import DEFAULT_COMPLETION_TOKENS, AdaptiveLimit, Budget, estimate_tokens
from harness.models.retry import RetryPolicy, retry_after_seconds, with_retries
from harness.spec import EvalSpec
from harness.types import Request, Response, Usage

RETRYABLE_STATUS = {408, 409, 425, 429}
"""Besides every 5xx: statuses that say "try again later" rather than "this request is wrong"."""


class HTTPProvider:
    """A model behind one HTTP endpoint; subclasses say how to build the body and read the answer."""

    provider = ""
    path = ""
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
        headers: Mapping[str, str] | None = None,
        prices: Prices | None = None,
    ):
        self.name = name
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.params = dict(params)
        self.prices = prices
        self._secret = api_key
        self._policy = RetryPolicy(max_attempts=settings.max_attempts)
        self.limit = AdaptiveLimit(settings.concurrency)
        self.budget = Budget(settings.requests_per_minute, settings.tokens_per_minute)
        self._endpoint = Endpoint(
            self.base_url + self.path,
            {**(headers or {}), **basic_auth(self.base_url), "Content-Type": "application/json"},
            settings.timeout,
        )

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        """Any eval can be put to a model endpoint."""
        return None

    def describe(self) -> Mapping[str, Any]:
        """Provider, model, base URL (without credentials) and the preset's parameters."""
        return {
            "provider": self.provider,
            "model": self.model,
            "base_url": without_credentials(self.base_url),
            "params": self.params,
        }

    async def complete(self, request: Request) -> Response:
        """The model's answer, paced and retried under the central policy."""
        body = self.body(request)
        tokens = 0
        if self.budget.active:
            max_tokens = body.get("max_tokens") or body.get("options", {}).get("num_predict")
            completion = int(max_tokens or DEFAULT_COMPLETION_TOKENS)
            tokens = estimate_tokens([m["content"] for m in request.messages], completion)
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        return await with_retries(lambda: self._attempt(payload, tokens), self._policy)

    async def _attempt(self, payload: bytes, tokens: int) -> Response:
        """One try: within the budget and the adaptive limit, which a 429 halves and successes grow back."""
        await self.budget.spend(tokens)
        generation = await self.limit.acquire()
        try:
            response = await self._post(payload)
        except ProviderError as exc:
            if exc.status == 429:
                self.limit.throttled(generation)
            raise
        finally:
            self.limit.release()
        self.limit.succeeded()
        return response

    def throttle(self) -> int | None:
        """The adaptive cap when it is below the ceiling."""
        return self.limit.limit if self.limit.limit < self.limit.ceiling else None

    async def aclose(self) -> None:
        """Close every connection."""
        self._endpoint.close()

    def body(self, request: Request) -> dict[str, Any]:
        """The JSON request body for `request` in this endpoint's wire format."""
        raise NotImplementedError

    def parse(self, data: Any) -> Response:
        """The answer in a successful response body; raise KeyError, TypeError or ValueError if it is malformed."""
        raise NotImplementedError

    async def _post(self, payload: bytes) -> Response:
        try:
            reply = await self._endpoint.post(payload)
        except ConnectionFailed as exc:
            raise ProviderError(str(exc), retryable=exc.retryable) from None
        if reply.status != 200:
            message = self._error_message(reply)
            out_of_quota = "insufficient_quota" in reply.text or "exceeded your current quota" in message
            raise ProviderError(
                f"HTTP {reply.status}: {message}",
                retryable=(reply.status in RETRYABLE_STATUS or reply.status >= 500) and not out_of_quota,
                retry_after=retry_after_seconds(reply.headers),
                status=reply.status,
            )
        try:
            return self.parse(reply.json())
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise ProviderError(
                f"malformed response body (not an answer in the {self.provider} format)", retryable=True
            ) from None

    def _error_message(self, reply: Reply) -> str:
        """The server's own explanation of an error, without the key or control characters, shortened."""
        try:
            error = reply.json().get("error")
            message = error.get("message") if isinstance(error, dict) else error
        except (ValueError, AttributeError):
            message = None
        text = str(message) if message else reply.reason or "error"
        if self._secret:
            text = text.replace(self._secret, "[redacted]")
        return printable(" ".join(text.split()))[:300]


def count(value: Any) -> int | None:
    """A token count as reported, or None when missing or nonsensical."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def answer(text: str, prompt_tokens: Any, completion_tokens: Any, finish: Any, model: Any) -> Response:
    """A Response from fields read out of any wire format, keeping only values of the right type."""
    return Response(
        output=text,
        usage=Usage(count(prompt_tokens), count(completion_tokens)),
        finish_reason=finish if isinstance(finish, str) else None,
        model=model if isinstance(model, str) else None,
    )


def text_of(content: Any) -> str:
    """A message's text: a string, null (empty), or a list of content parts whose text parts are joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str))
    raise TypeError("content is neither text nor a list of parts")


def basic_auth(url: str) -> dict[str, str]:
    """An Authorization header for credentials written into the URL (`https://user:password@host`), if any."""
    parts = urlsplit(url)
    if parts.username is None:
        return {}
    secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return {"Authorization": "Basic " + base64.b64encode(secret).decode()}


def without_credentials(url: str) -> str:
    """The URL without user, password, query or fragment, which may carry secrets."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
