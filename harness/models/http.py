"""What every HTTP model endpoint shares: its configuration, the shared endpoint, one error classification, retries,
streaming, redaction."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, urlsplit, urlunsplit

from harness.errors import ProviderError, printable
from harness.models.answers import cut
from harness.models.base import ModelSettings, Prices
from harness.models.pacing import DEFAULT_COMPLETION_TOKENS, Budget, estimate_tokens
from harness.models.retry import RetryPolicy, retry_after_seconds, with_retries
from harness.models.sse import Event
from harness.models.streaming import Assembly
from harness.models.tls import TLSSettings
from harness.registry.specs import EvalSpec
from harness.types import Request, Response

if TYPE_CHECKING:  # aiohttp comes with them: imported when a provider is opened, not when its class is read
    from harness.models.endpoints import Endpoints
    from harness.models.transport import Reply, Stream

RETRYABLE_STATUS = {408, 409, 425, 429}
"""Besides every 5xx: statuses that say "try again later" rather than "this request is wrong"."""


class HTTPProvider:
    """A model behind one HTTP endpoint; subclasses say where it is, how to authenticate, how to build the body and
    how to read the answer, whole or streamed (each is an entry of the table in harness/models/providers.py)."""

    provider = ""
    """The name a `provider/model` starts with and a preset's `provider:` gives."""
    path = ""
    cacheable = True
    base_url_env: ClassVar[str]
    """The environment variable that replaces the default base URL when a preset gives none (as the SDK reads it)."""
    default_base_url: ClassVar[str]
    """Where the provider's own API is, when neither a preset nor `base_url_env` says otherwise."""
    api_key_env: ClassVar[str | None]
    """The environment variable holding the key for `provider/model` (a preset names its own); None: no key."""
    default_max_tokens: ClassVar[int | None] = None
    """The max_tokens sent when neither the eval nor the preset gives one; None: the API needs none."""

    @classmethod
    def base_url_from_env(cls) -> str:
        """The base URL when a preset gives none: `base_url_env`'s value, else the default."""
        return os.environ.get(cls.base_url_env) or cls.default_base_url

    @classmethod
    def auth_headers(cls, key: str | None) -> dict[str, str]:
        """The headers that carry the key, and any other the API requires: `Authorization: Bearer` by default."""
        return {"Authorization": f"Bearer {key}"} if key else {}

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
        tls: TLSSettings | None = None,
        stream: bool | None = None,
        endpoints: Endpoints | None = None,
    ):
        self.name = name
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.params = {**params, **settings.model_args}
        self.prices = prices
        self.settings = settings
        self.stream = settings.stream if settings.stream is not None else stream
        """True or False as the run or preset asks; None: as the provider requires (see `streams`)."""
        self._policy = RetryPolicy(
            max_attempts=settings.max_attempts,
            max_wait=settings.max_wait if settings.max_wait is not None else settings.timeout * settings.max_attempts,
        )
        self.budget = Budget(settings.requests_per_minute, settings.tokens_per_minute)
        self._slots = asyncio.Semaphore(settings.concurrency)
        """This model's requests in flight, across all of its evals (a request waiting out a retry holds none)."""
        self._own_endpoints = endpoints is None
        if endpoints is None:
            from harness.models.endpoints import Endpoints

            endpoints = Endpoints(settings)
        self._endpoints = endpoints
        all_headers = {**(headers or {}), **basic_auth(self.base_url)}
        self._endpoint = self._endpoints.endpoint(
            without_credentials(self.base_url), all_headers, tls or TLSSettings(), settings.concurrency
        )
        self.limit = self._endpoint.limit
        self._url = without_credentials(self.base_url) + self.path
        self._secrets = secrets_of(api_key, self.base_url, self._endpoint.proxy, all_headers)

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        """Any eval can be put to a model endpoint."""
        return None

    def describe(self) -> Mapping[str, Any]:
        """Provider, model, base URL (without credentials) and the parameters sent with every request."""
        return {
            "provider": self.provider,
            "model": self.model,
            "base_url": without_credentials(self.base_url),
            "params": self.params,
            **({"stream": self.stream} if self.stream is not None else {}),
        }

    def throttle(self) -> int | None:
        """The endpoint's adaptive cap when it is below its ceiling."""
        return self.limit.limit if self.limit.limit < self.limit.ceiling else None

    async def complete(self, request: Request) -> Response:
        """The model's answer, paced and retried under the central policy."""
        body = self.body(request)
        streamed = self.streams(body)
        if streamed:
            body = self.stream_body(body)
        tokens = 0
        if self.budget.active:
            max_tokens = body.get("max_tokens") or body.get("options", {}).get("num_predict")
            completion = int(max_tokens or DEFAULT_COMPLETION_TOKENS)
            tokens = estimate_tokens([m["content"] for m in request.messages], completion)
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
            "utf-8", errors="surrogatepass"
        )
        try:
            return await with_retries(lambda: self._attempt(payload, tokens, streamed), self._policy)
        except ProviderError as exc:
            raise self._redacted(exc) from None

    async def _attempt(self, payload: bytes, tokens: int, streamed: bool) -> Response:
        """One try: within the budget, the model's concurrency, the run-wide cap and the endpoint's adaptive cap."""
        await self.budget.spend(tokens)
        async with self._slots, self._endpoints.connection():
            generation = await self.limit.acquire()
            throttled = False
            sent = time.perf_counter()
            try:
                response = await (self._post_streamed(payload) if streamed else self._post(payload))
                return replace(response, latency=round(time.perf_counter() - sent, 6))
            except ProviderError as exc:
                throttled = exc.status == 429
                raise
            finally:
                self.limit.release(generation, throttled)

    async def aclose(self) -> None:
        """Close the connections, when this provider opened its own endpoint."""
        if self._own_endpoints:
            await self._endpoints.aclose()

    # What each wire format says.

    def body(self, request: Request) -> dict[str, Any]:
        """The JSON request body for `request` in this endpoint's wire format."""
        raise NotImplementedError

    def parse(self, data: Any) -> Response:
        """The answer in a successful response body; raise KeyError, TypeError or ValueError if it is malformed."""
        raise NotImplementedError

    def streams(self, body: Mapping[str, Any]) -> bool:
        """Whether to ask for a stream: as the run or preset says, else only where the provider requires it."""
        return bool(self.stream)

    def stream_body(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body asking for a stream (providers that cannot stream never get here)."""
        raise NotImplementedError

    def read_event(self, event: Event, assembly: Assembly) -> bool:
        """Add one stream event to the answer; True once the stream says it is complete. ProviderError for an error
        event; KeyError, TypeError or ValueError for a malformed one."""
        raise NotImplementedError

    def finished(self, response: Response) -> Response:
        """A streamed answer once assembled, checked as `parse` checks a whole one."""
        return response

    # The exchange.

    async def _post(self, payload: bytes) -> Response:
        from harness.models.transport import TransportError

        try:
            reply = await self._endpoint.session.post(self._url, payload, self.settings.timeout)
        except TransportError as exc:
            raise ProviderError(str(exc), retryable=exc.retryable) from None
        return self._read(reply)

    async def _post_streamed(self, payload: bytes) -> Response:
        from harness.models.transport import TransportError

        try:
            async with self._endpoint.session.stream(self._url, payload, self.settings.timeout) as stream:
                if stream.status != 200 or not stream.is_event_stream:
                    return self._read(await stream.reply())
                return await self._assemble(stream)
        except TransportError as exc:
            raise ProviderError(str(exc), retryable=exc.retryable) from None

    async def _assemble(self, stream: Stream) -> Response:
        """The answer from a stream's events, until its end event or, for streams without one, the connection's end."""
        assembly = Assembly(stream.started, self.settings.max_answer_bytes)
        async for event in stream.events():
            try:
                if self.read_event(event, assembly):
                    break
            except ProviderError:
                raise
            except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
                raise ProviderError(
                    f"malformed stream event (not an answer in the {self.provider} format)", retryable=True
                ) from None
        return self.finished(assembly.response())

    def _read(self, reply: Reply) -> Response:
        """The answer in a whole reply, or the ProviderError its status calls for."""
        if reply.status != 200:
            message = error_message(reply)
            out_of_quota = "insufficient_quota" in reply.text or "exceeded your current quota" in message
            raise ProviderError(
                f"HTTP {reply.status}: {message}",
                retryable=(reply.status in RETRYABLE_STATUS or reply.status >= 500) and not out_of_quota,
                retry_after=retry_after_seconds(reply.headers),
                status=reply.status,
            )
        try:
            response = self.parse(reply.json())
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
            raise ProviderError(
                f"malformed response body (not an answer in the {self.provider} format)", retryable=True
            ) from None
        kept, full = cut(response.output, self.settings.max_answer_bytes)
        return response if full is None else replace(response, output=kept, full_bytes=full)

    def _redacted(self, exc: ProviderError) -> ProviderError:
        """The same error with every credential this provider knows taken out of its message."""
        text = str(exc)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        if text == str(exc):
            return exc
        clean = ProviderError(text, retryable=exc.retryable, retry_after=exc.retry_after, status=exc.status)
        clean.attempts = exc.attempts
        return clean


def error_message(reply: Reply) -> str:
    """The server's own explanation of an error (`error.message`, `detail`, `message`, or a short text body),
    without control characters, shortened; the reason phrase when it gives none."""
    message: Any = None
    try:
        data = reply.json()
    except ValueError:
        data = None
        if reply.headers.get("content-type", "").startswith("text/") and len(reply.body) < 4096:
            message = reply.text.strip()
    if isinstance(data, dict):
        error = data.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        if not message:
            detail = data.get("detail") or data.get("message")
            if isinstance(detail, list) and detail and isinstance(detail[0], dict):  # FastAPI's validation errors
                detail = "; ".join(str(item.get("msg", "")) for item in detail[:3] if isinstance(item, dict))
            message = detail
    text = message if isinstance(message, str) and message.strip() else reply.reason or "error"
    return printable(" ".join(text.split()))[:300]


def secrets_of(key: str | None, url: str, proxy: str | None, headers: Mapping[str, str]) -> list[str]:
    """Every credential a message must never show: the key, URL and proxy user:password (plain, URL-encoded and as
    Basic auth), and the values of credential headers."""
    found = [key] if key else []
    for where in (url, proxy):
        parts = urlsplit(where) if where else None
        if parts is None or parts.username is None:
            continue
        user, password = unquote(parts.username), unquote(parts.password or "")
        pair = f"{user}:{password}"
        found += [pair, parts.netloc.rpartition("@")[0], base64.b64encode(pair.encode()).decode()]
        found += [password] if len(password) >= 4 else []
    for name, value in headers.items():
        if name.lower() in ("authorization", "x-api-key", "api-key", "proxy-authorization"):
            found += [value, value.partition(" ")[2]]
    return sorted({secret for secret in found if len(secret) >= 4}, key=len, reverse=True)


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
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
