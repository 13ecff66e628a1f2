"""An answer assembled from a streamed reply's events, cut to the answer limit as it grows."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from harness.models.answers import answer, cut
from harness.types import Response


class Assembly:
    """The text, usage, finish reason and model read so far from a stream, and when the first text arrived."""

    def __init__(self, started: float, max_bytes: int):
        self.started = started
        self.max_bytes = max_bytes
        self.parts: list[str] = []
        self.kept = 0
        self.full = 0
        self.first_token: float | None = None
        self.prompt_tokens: Any = None
        self.completion_tokens: Any = None
        self.finish: Any = None
        self.model: Any = None

    def add(self, text: Any) -> None:
        """Append a piece of answer text (anything that is not text is ignored); beyond the limit only its size counts."""
        if not isinstance(text, str) or not text:
            return
        if self.first_token is None:
            self.first_token = time.perf_counter() - self.started
        size = len(text.encode("utf-8", errors="surrogatepass"))
        self.full += size
        if self.kept < self.max_bytes:
            kept, _ = cut(text, self.max_bytes - self.kept)
            self.parts.append(kept)
            self.kept += len(kept.encode("utf-8", errors="surrogatepass"))

    def response(self) -> Response:
        """The assembled answer."""
        text = "".join(self.parts)
        built = answer(text, self.prompt_tokens, self.completion_tokens, self.finish, self.model)
        return replace(
            built,
            time_to_first_token=None if self.first_token is None else round(self.first_token, 6),
            full_bytes=self.full if self.full > self.kept else None,
        )
