"""Ollama's native chat API (`POST {OLLAMA_HOST}/api/chat`, not streamed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from harness.models.answers import answer
from harness.models.http import HTTPProvider
from harness.types import Request, Response

DEFAULT_PORT = 11434
DEFAULT_HOST = f"http://127.0.0.1:{DEFAULT_PORT}"
_OPTION_NAMES = {
    "max_tokens": "num_predict",
    "temperature": "temperature",
    "top_p": "top_p",
    "stop": "stop",
    "seed": "seed",
}


class OllamaChat(HTTPProvider):
    """Models served by Ollama: generation parameters go in `options` under Ollama's names."""

    provider = "ollama"
    path = "/api/chat"
    base_url_env = "OLLAMA_HOST"
    default_base_url = DEFAULT_HOST
    api_key_env = None
    """A local server needs none (a preset behind a proxy may name one)."""

    @classmethod
    def base_url_from_env(cls) -> str:
        """OLLAMA_HOST read as Ollama reads it (see `host_url`), else the default."""
        return host_url(super().base_url_from_env())

    def streams(self, body: Mapping[str, Any]) -> bool:
        """Ollama's own stream is not Server-Sent Events; its answers are always read whole."""
        return False

    def body(self, request: Request) -> dict[str, Any]:
        params = {**request.params, **self.params}
        options = {_OPTION_NAMES.get(key, key): value for key, value in params.items()}
        return {"model": self.model, "messages": list(request.messages), "stream": False, "options": options}

    def parse(self, data: Any) -> Response:
        message = data["message"]
        content = message.get("content")
        if not isinstance(content, str):
            raise TypeError("message content is missing")
        return answer(
            content, data.get("prompt_eval_count"), data.get("eval_count"), data.get("done_reason"), data.get("model")
        )


def host_url(host: str) -> str:
    """OLLAMA_HOST as a URL, read as Ollama reads it: the scheme and (without a scheme) the port may be left out."""
    url = host if "://" in host else f"http://{host}"
    url = url.replace("://0.0.0.0", "://127.0.0.1")
    parts = urlsplit(url)
    return url if parts.port or "://" in host else url.replace(parts.netloc, f"{parts.netloc}:{DEFAULT_PORT}", 1)
