"""The floor: a bare aiohttp client posting the benchmark's chat requests to the latency server, and nothing else.

    python bench/bare_client.py BASE_URL SAMPLES CONCURRENCY [MODELS]

One `aiohttp.ClientSession` for every request; MODELS × CONCURRENCY requests in flight, each model (`bench-0` …)
asked questions Q0 … Q<SAMPLES-1> with the body evalrun sends for the benchmark's eval. Prints
`{"requests": N, "correct": K}`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator

import aiohttp


def bodies(samples: int, models: int) -> Iterator[tuple[bytes, str]]:
    """Each chat request body, with the answer the server gives when right."""
    for model in range(models):
        for n in range(samples):
            messages = [{"role": "user", "content": f"Q{n}: what is the answer?"}]
            body = {"model": f"bench-{model}", "messages": messages, "max_tokens": 8}
            yield json.dumps(body, separators=(",", ":")).encode(), f"A{n}"


async def worker(session: aiohttp.ClientSession, url: str, work: Iterator[tuple[bytes, str]]) -> tuple[int, int]:
    """Post bodies from the shared iterator until it runs out; how many were sent and answered right."""
    sent = correct = 0
    for body, expected in work:
        async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
            data = await response.json()
        sent += 1
        correct += data["choices"][0]["message"]["content"] == expected
    return sent, correct


async def main(base_url: str, samples: int, concurrency: int, models: int) -> None:
    """Send every request at the given concurrency and print the counts."""
    connector = aiohttp.TCPConnector(limit=concurrency * models)
    headers = {"Authorization": "Bearer bench"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        work = bodies(samples, models)
        url = base_url.rstrip("/") + "/chat/completions"
        counts = await asyncio.gather(*(worker(session, url, work) for _ in range(concurrency * models)))
    print(json.dumps({"requests": sum(s for s, _ in counts), "correct": sum(c for _, c in counts)}))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    asyncio.run(
        main(arguments[0], int(arguments[1]), int(arguments[2]), int(arguments[3]) if len(arguments) > 3 else 1)
    )
