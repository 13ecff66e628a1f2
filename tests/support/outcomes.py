"""One request through the provider API, its outcome (a Response or the ProviderError raised), and checks on it."""

from __future__ import annotations

import asyncio
from typing import Any

from harness.errors import ProviderError
from harness.models import open_provider
from harness.models.base import ModelSettings
from harness.types import Request, Response

Outcome = Response | ProviderError


def outcome(name: str, request: Request, **settings: Any) -> Outcome:
    """Ask model `name` (configured from the environment) once; what came back, or the error it raised."""

    async def go() -> Outcome:
        provider = open_provider(name, {}, ModelSettings(**settings))
        try:
            return await asyncio.wait_for(provider.complete(request), 60)
        except ProviderError as exc:
            return exc
        finally:
            await provider.aclose()

    return asyncio.run(go())


def answered(result: Outcome) -> Response:
    """The answer, asserting there is one."""
    assert isinstance(result, Response), f"expected an answer, got {result!r}"
    return result


def failed(result: Outcome) -> str:
    """The error message, asserting the request failed with one clean line."""
    assert isinstance(result, ProviderError), f"expected the request to fail, got {result!r}"
    message = str(result)
    assert message and "\n" not in message and "Traceback" not in message, message
    return message
