"""An OpenAI-compatible chat-completions server on 127.0.0.1 that answers after a fixed delay, with seeded faults.

Built on asyncio streams so that the server, not evalrun, is never the bottleneck. Usage:
    python bench/latency_server.py LATENCY_SECONDS [--port P] [--faults 429=0.3,500=0.05,hang=0.01,garbage=0.01]
                                   [--seed S] [--clean-after N] [--log]
It prints `ready PORT` once listening. It answers each question "Q<n>: ..." with "A<n>" for four in five n, and
"wrong" otherwise (accuracy 0.8). With --faults, the k-th request for one sample (one model and question) fails as
drawn from a hash of (seed, model, question, k), so every run meets the same faults whatever the order of requests:
`429` (after the latency, with `Retry-After: 1`), `500`, `hang` (never answers; the connection stays open until the
client gives up) or `garbage` (a 200 whose body is not JSON). Requests after the --clean-after-th for a sample
always succeed, so a client with enough attempts finishes every sample. With --log, `GET /log` returns what happened
to every request since the last `GET /log` as JSON ([model, question, k, outcome, arrived, answered], times in
seconds) and starts the per-sample counts afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

QUESTION = re.compile(r"Q(\d+)")
OUTCOMES = ("429", "500", "hang", "garbage")
GARBAGE = b"<html><body>502 Bad Gateway (not JSON)</body></html>"


@dataclass
class Plan:
    """What the server does: its latency, the fault rates, and what it saw when asked to log."""

    latency: float
    faults: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    clean_after: int = 11
    logging: bool = False
    seen: Counter[tuple[str, int]] = field(default_factory=Counter)
    log: list[list[Any]] = field(default_factory=list)

    def outcome(self, model: str, question: int, k: int) -> str:
        """The seeded fate of the k-th request (1-based) for one sample: "ok" or one of OUTCOMES."""
        if not self.faults or k > self.clean_after:
            return "ok"
        digest = hashlib.blake2b(f"{self.seed}|{model}|{question}|{k}".encode(), digest_size=8).digest()
        draw = int.from_bytes(digest, "big") / 2**64
        for kind in OUTCOMES:
            draw -= self.faults.get(kind, 0.0)
            if draw < 0:
                return kind
        return "ok"


def reply(status: str, payload: bytes, headers: str = "") -> bytes:
    """One HTTP/1.1 response with a JSON content type and a Content-Length."""
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}Content-Length: {len(payload)}\r\n\r\n"
    return head.encode() + payload


def completion(answer: str) -> bytes:
    """A chat-completion body whose message is `answer`."""
    message = {"role": "assistant", "content": answer}
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    usage = {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}
    body = {"id": "bench", "object": "chat.completion", "model": "bench", "choices": [choice], "usage": usage}
    return json.dumps(body).encode()


def sample_of(body: bytes) -> tuple[str, int]:
    """The model asked and the question number of a chat request body."""
    request = json.loads(body)
    match = QUESTION.search(request["messages"][-1]["content"])
    return str(request.get("model")), int(match.group(1)) if match else 0


async def answer(plan: Plan, body: bytes, writer: asyncio.StreamWriter, reader: asyncio.StreamReader) -> bool:
    """Answer one chat request as the plan says; False when the connection is to end (a hang the client gave up)."""
    loop = asyncio.get_running_loop()
    model, question = sample_of(body)
    k = 1
    if plan.faults or plan.logging:
        plan.seen[model, question] += 1
        k = plan.seen[model, question]
    fate = plan.outcome(model, question, k)
    entry: list[Any] = [model, question, k, fate, loop.time(), None]
    if plan.logging:
        plan.log.append(entry)
    if fate == "hang":
        while await reader.read(65536):
            pass
    else:
        await asyncio.sleep(plan.latency)
        if fate == "429":
            writer.write(
                reply("429 Too Many Requests", b'{"error": {"message": "rate limited"}}', "Retry-After: 1\r\n")
            )
        elif fate == "500":
            writer.write(reply("500 Internal Server Error", b'{"error": {"message": "injected fault"}}'))
        elif fate == "garbage":
            writer.write(reply("200 OK", GARBAGE))
        else:
            writer.write(reply("200 OK", completion(f"A{question}" if question % 5 else "wrong")))
    entry[5] = loop.time()
    return fate != "hang"


def take_log(plan: Plan) -> bytes:
    """The log as JSON (a request still unanswered counts as answered now); the log and the counts start afresh."""
    now = asyncio.get_running_loop().time()
    log = [entry if entry[5] is not None else [*entry[:5], now] for entry in plan.log]
    plan.log, plan.seen = [], Counter()
    return json.dumps(log).encode()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, plan: Plan) -> None:
    """Serve one keep-alive connection: chat POSTs, and `GET /log`."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length)
            if head.startswith(b"GET /log"):
                writer.write(reply("200 OK", take_log(plan)))
            elif not await answer(plan, body, writer, reader):
                break
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


def fault_rates(text: str) -> dict[str, float]:
    """`429=0.3,500=0.05` as {"429": 0.3, "500": 0.05}, for the kinds in OUTCOMES."""
    rates = {}
    for part in filter(None, text.split(",")):
        kind, _, rate = part.partition("=")
        if kind not in OUTCOMES:
            raise argparse.ArgumentTypeError(f"unknown fault {kind!r} (one of {', '.join(OUTCOMES)})")
        rates[kind] = float(rate)
    return rates


async def main() -> None:
    """Listen on 127.0.0.1, say `ready PORT`, serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("latency", type=float)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--faults", type=fault_rates, default={})
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clean-after", type=int, default=11)
    parser.add_argument("--log", action="store_true")
    args = parser.parse_args()
    plan = Plan(args.latency, args.faults, args.seed, args.clean_after, args.log)
    server = await asyncio.start_server(lambda r, w: handle(r, w, plan), "127.0.0.1", args.port, backlog=4096)
    print("ready", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
