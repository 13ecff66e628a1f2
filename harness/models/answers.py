"""Reading an answer out of any wire format: typed fields only, message text from parts, the answer limit."""

from __future__ import annotations

import re
from typing import Any

from harness.types import Response, Usage

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def count(value: Any) -> int | None:
    """A token count as reported, or None when missing or nonsensical."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def answer(text: str, prompt_tokens: Any, completion_tokens: Any, finish: Any, model: Any) -> Response:
    """A Response from fields read out of any wire format, keeping only values of the right type."""
    return Response(
        output=whole_characters(text),
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


def cut(text: str, max_bytes: int) -> tuple[str, int | None]:
    """`text` cut to at most `max_bytes` UTF-8 bytes (at a character boundary), and its whole size when it was cut."""
    if len(text) * 4 <= max_bytes:  # cannot be over the limit: skip encoding
        return text, None
    encoded = text.encode("utf-8", errors="surrogatepass")
    if len(encoded) <= max_bytes:
        return text, None
    return encoded[:max_bytes].decode("utf-8", errors="ignore"), len(encoded)


def whole_characters(text: str) -> str:
    """`text` with any lone UTF-16 surrogate (valid in JSON as `\\ud800`, not in UTF-8) replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text
