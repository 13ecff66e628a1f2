"""A response cache on disk (SQLite), keyed by endpoint, model, the full request and the epoch, never by prompt alone."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.models.answers import cut
from harness.models.base import Provider
from harness.registry.specs import EvalSpec
from harness.types import Request, Response, Usage

ENV_CACHE_DIR = "EVALRUN_CACHE_DIR"
BATCH, BATCH_SECONDS = 256, 1.0
"""Responses are committed every BATCH writes or BATCH_SECONDS, whichever comes first."""
FILE_NAME = "responses.sqlite3"


def default_cache_dir() -> Path:
    """`$EVALRUN_CACHE_DIR`, else `$XDG_CACHE_HOME/evalrun`, else `~/.cache/evalrun`."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evalrun"


class ResponseCache:
    """Model responses stored in one SQLite file, safe to share between concurrent runs.

    Writes wait in memory and go to disk in one short transaction per batch, so no lock is ever held while a
    run waits for a model; a cache that cannot be read or written only costs a miss, never the run.
    """

    def __init__(self, directory: Path):
        self.path = directory / FILE_NAME
        self._pending: dict[str, str] = {}
        self._flushed = time.monotonic()
        self.problem: str | None = None
        """The last database error, if the cache stopped working during the run."""
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, response TEXT NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"evalrun: cannot open the response cache at {self.path}: {exc}") from None

    @staticmethod
    def key(endpoint: Mapping[str, Any], request: Request) -> str:
        """SHA-256 over the endpoint (provider, base URL, model, its parameters), the messages, parameters and epoch."""
        material = {
            "endpoint": endpoint,
            "messages": request.messages,
            "params": request.params,
            "epoch": request.epoch,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def get(self, key: str) -> Response | None:
        """The stored response for `key`, marked as cached; None if there is none (or the cache cannot be read)."""
        text = self._pending.get(key)
        if text is None:
            try:
                row = self._db.execute("SELECT response FROM responses WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                self.problem = str(exc)
                return None
            if row is None:
                return None
            text = row[0]
        try:
            data = json.loads(text)
            return Response(
                output=data["output"],
                usage=Usage(**data["usage"]),
                finish_reason=data["finish_reason"],
                model=data["model"],
                attempts=0,
                cached=True,
                time_to_first_token=data.get("time_to_first_token"),
                latency=data.get("latency"),
                full_bytes=data.get("full_bytes"),
            )
        except (ValueError, TypeError, KeyError) as exc:  # a damaged entry is a miss: the endpoint is asked again
            self.problem = f"a stored response could not be read: {type(exc).__name__}: {exc}"
            return None

    def put(self, key: str, response: Response) -> None:
        """Keep a successful response; it reaches the disk with its batch (BATCH of them, BATCH_SECONDS, or close)."""
        self._pending[key] = json.dumps(_stored(response), ensure_ascii=False)
        if len(self._pending) >= BATCH or time.monotonic() - self._flushed > BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Write the waiting responses in one short transaction, making them visible to other runs."""
        self._flushed = time.monotonic()
        if not self._pending:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?)", self._pending.items())
        except sqlite3.Error as exc:
            self.problem = str(exc)
        self._pending.clear()

    def stats(self) -> dict[str, Any]:
        """Where the cache is, how many responses it holds and its size on disk; InputError if it cannot be read."""
        try:
            (entries,) = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()
        except sqlite3.Error as exc:
            raise InputError(f"evalrun: cannot read the response cache at {self.path}: {exc}") from None
        size = sum(p.stat().st_size for p in self.path.parent.glob(FILE_NAME + "*"))
        return {"path": str(self.path), "entries": entries, "bytes": size}

    def clear(self) -> int:
        """Delete every stored response; how many there were."""
        entries: int
        try:
            (entries,) = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()
            self._db.execute("DELETE FROM responses")
            self._db.execute("VACUUM")
        except sqlite3.Error as exc:
            raise InputError(f"evalrun: cannot clear the response cache at {self.path}: {exc}") from None
        return entries

    def close(self) -> None:
        """Commit what is pending and close the database."""
        self.commit()
        self._db.close()


def _stored(response: Response) -> dict[str, Any]:
    """What the cache keeps of a response: everything but how it was obtained (attempts, cached)."""
    usage = response.usage
    return {
        "output": response.output,
        "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens},
        "finish_reason": response.finish_reason,
        "model": response.model,
        "time_to_first_token": response.time_to_first_token,
        "latency": response.latency,
        "full_bytes": response.full_bytes,
    }


def within(response: Response, max_bytes: int) -> Response | None:
    """A stored response as a run with answer limit `max_bytes` would have it, or None when it was stored cut
    shorter than that limit (what the run may keep was not stored: the model is asked again)."""
    if response.full_bytes is not None and max_bytes > len(response.output.encode("utf-8", errors="surrogatepass")):
        return None
    kept, full = cut(response.output, max_bytes)
    return response if full is None else replace(response, output=kept, full_bytes=response.full_bytes or full)


class CachedProvider:
    """A provider that answers from the cache when it can and stores what the endpoint answers."""

    cacheable = False

    def __init__(self, inner: Provider, cache: ResponseCache, max_answer_bytes: int):
        self.inner = inner
        self.cache = cache
        self.max_answer_bytes = max_answer_bytes
        """This run's answer limit: a stored answer is cut to it, and one stored cut shorter is asked again."""
        self.name = inner.name
        self.prices = inner.prices
        self._endpoint = dict(inner.describe())

    def unsupported_reason(self, spec: EvalSpec) -> str | None:
        """As the wrapped provider says."""
        return self.inner.unsupported_reason(spec)

    def describe(self) -> Mapping[str, Any]:
        """As the wrapped provider says."""
        return self._endpoint

    async def complete(self, request: Request) -> Response:
        """The cached response for this exact request, else the endpoint's (then stored)."""
        key = ResponseCache.key(self._endpoint, request)
        found = self.cache.get(key)
        fitted = None if found is None else within(found, self.max_answer_bytes)
        if fitted is not None:
            return fitted
        response = await self.inner.complete(request)
        self.cache.put(key, response)
        return replace(response, cached=False)

    def throttle(self) -> int | None:
        """As the wrapped provider says."""
        return self.inner.throttle()

    async def aclose(self) -> None:
        """Close the wrapped provider."""
        await self.inner.aclose()
