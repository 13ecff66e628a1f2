"""Server-Sent Events read incrementally from the bytes of a streamed reply (the WHATWG event-stream format)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One dispatched event: its type (`message` unless the stream named one) and its data lines joined by newlines."""

    type: str
    data: str


class EventParser:
    """Turns chunks of an event stream into events; lines may end in CRLF, LF or CR and be split across chunks."""

    def __init__(self, max_line: int):
        self.max_line = max_line
        self._pieces: list[bytes] = []
        self._size = 0
        self._type = ""
        self._data: list[str] = []
        self._cr = False

    def feed(self, chunk: bytes) -> list[Event]:
        """The events completed by `chunk`; ValueError for a line longer than `max_line` bytes."""
        if self._cr and chunk.startswith(b"\n"):  # the LF of a CRLF split across chunks
            chunk = chunk[1:]
        if b"\n" not in chunk and b"\r" not in chunk:  # a line still growing: keep its pieces, join them once
            self._cr = False
            self._pieces.append(chunk)
            self._size += len(chunk)
            if self._size > self.max_line:
                raise ValueError(f"an event-stream line over {self.max_line} bytes")
            return []
        self._cr = chunk.endswith(b"\r")
        text = b"".join(self._pieces) + chunk
        self._pieces, self._size = [], 0
        lines = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        pending = lines.pop()
        if len(pending) > self.max_line:
            raise ValueError(f"an event-stream line over {self.max_line} bytes")
        self._pieces, self._size = [pending], len(pending)
        events = []
        for line in lines:
            event = self._line(line.decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
        return events

    def close(self) -> list[Event]:
        """Events left when the stream ends: a last line without its newline, and an event without its blank line."""
        events = self.feed(b"\n") if self._size else []
        if self._data:
            events.append(Event(self._type or "message", "\n".join(self._data)))
            self._type, self._data = "", []
        return events

    def _line(self, line: str) -> Event | None:
        if not line:
            if not self._data:
                self._type = ""
                return None
            event = Event(self._type or "message", "\n".join(self._data))
            self._type, self._data = "", []
            return event
        if line.startswith(":"):
            return None  # a comment, sent as a keep-alive
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._type = value
        return None
