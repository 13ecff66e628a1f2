"""A minimal OpenAI-compatible chat-completions server on 127.0.0.1 that answers every request after a fixed delay.

Built on asyncio streams so that the server, not evalrun, is never the bottleneck. Usage:
    python bench/latency_server.py PORT LATENCY_SECONDS
It answers each question "Q<n>: ..." with "A<n>" for four in five n, and "wrong" otherwise (accuracy 0.8).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys

QUESTION = re.compile(rb"Q(\d+)")


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length)
            await asyncio.sleep(latency)
            match = QUESTION.search(body)
            number = int(match.group(1)) if match else 0
            answer = f"A{number}" if number % 5 else "wrong"
            payload = json.dumps(
                {
                    "id": "bench",
                    "object": "chat.completion",
                    "model": "bench",
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14},
                }
            ).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(payload)).encode()
                + b"\r\n\r\n"
                + payload
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int, latency: float) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, latency), "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
