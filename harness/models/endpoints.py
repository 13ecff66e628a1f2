"""The endpoints of one run: one HTTP session and one adaptive in-flight cap per base URL and credentials."""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from harness.errors import InputError
from harness.models.base import ModelSettings
from harness.models.pacing import AdaptiveLimit
from harness.models.proxies import proxy_for
from harness.models.tls import TLSSettings, context
from harness.models.transport import Session


@dataclass
class Endpoint:
    """Where requests to one base URL go: its session (connections, proxy, TLS) and the cap every model there shares."""

    session: Session
    limit: AdaptiveLimit
    proxy: str | None


class Endpoints:
    """Opens each endpoint once, by base URL, headers (credentials among them) and TLS, as Inspect keys its limits by
    connection; every model name, preset and judge pointing there shares it. `aclose` closes them all."""

    def __init__(self, settings: ModelSettings, environ: Mapping[str, str] | None = None):
        self.settings = settings
        self.environ = os.environ if environ is None else environ
        self._open: dict[tuple[object, ...], Endpoint] = {}
        self._connections: asyncio.Semaphore | None = None

    def endpoint(self, base_url: str, headers: Mapping[str, str], tls: TLSSettings, concurrency: int) -> Endpoint:
        """The endpoint for these settings (opened on first use), its cap widened by one more model's concurrency."""
        key = (base_url, tuple(sorted(headers.items())), tls)
        found = self._open.get(key)
        if found is None:
            proxy = proxy_for(base_url, self.environ)
            session = Session(headers, proxy, _tls_context(tls) if base_url.startswith("https:") else None)
            found = self._open[key] = Endpoint(session, AdaptiveLimit(0, adaptive=self.settings.adaptive), proxy)
        found.limit.widen(concurrency)
        return found

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[None]:
        """A place under the run-wide cap on requests in flight (`--max-connections`), when there is one."""
        if self.settings.max_connections is None:
            yield
            return
        if self._connections is None:
            self._connections = asyncio.Semaphore(self.settings.max_connections)
        async with self._connections:
            yield

    async def aclose(self) -> None:
        """Close every endpoint's connections."""
        for endpoint in self._open.values():
            await endpoint.session.close()
        self._open.clear()


def _tls_context(tls: TLSSettings) -> ssl.SSLContext:
    """The TLS context, or InputError naming the file that could not be loaded."""
    try:
        return context(tls)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(f"evalrun: cannot load a TLS certificate or key for the endpoint ({reason})") from None
