"""Measure evalrun end to end against a fixed-latency server on 127.0.0.1, as ratios to the physical limit.

    python bench/bench.py [--samples 10000] [--latency 0.05] [--concurrency 64] [--repeat 3]

Reports, as medians over the repeats: wall time ÷ (samples × latency ÷ concurrency), CPU milliseconds per sample
(evalrun's process, user + system), peak RSS of evalrun, a fully cached rerun, and the start-up time of
`evalrun --help` and `evalrun list`. Each repeat starts with an empty response cache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL = """\
id: bench
description: Synthetic short questions for the benchmark.
language: en
version: 1
data: {path: bench/bench.jsonl}
prompt: {user: "{{ question }}"}
generation: {max_tokens: 8}
grader: {kind: exact}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def workspace(root: Path, samples: int) -> None:
    (root / "registry/evals").mkdir(parents=True)
    (root / "evals/bench").mkdir(parents=True)
    (root / "registry/evals/bench.yaml").write_text(EVAL)
    with open(root / "evals/bench/bench.jsonl", "w") as out:
        for n in range(samples):
            out.write(
                json.dumps({"id": f"s{n}", "question": f"Q{n}: what is the answer?", "answers": [f"A{n}"]}) + "\n"
            )


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    evalrun = [sys.executable, "-m", "harness"]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "latency_server.py"), str(port), str(args.latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            workspace(root, args.samples)
            env = {**os.environ, "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "OPENAI_API_KEY": "bench"}
            limit = args.samples * args.latency / args.concurrency
            walls, cpus, cached, rss = [], [], [], 0.0
            for attempt in range(args.repeat):
                command = [*evalrun, "run", "bench", "--model", "openai/bench", "--json"]
                command += ["--concurrency", str(args.concurrency), "--cache-dir", str(root / f"cache{attempt}")]
                wall, cpu, peak, stdout = timed([*command, "--results", str(root / f"out{attempt}")], root, env)
                accuracy = json.loads(stdout)["runs"][0]["metrics"]["accuracy"]["mean"]
                walls.append(wall)
                cpus.append(cpu)
                rss = max(rss, peak)
                cached.append(timed([*command, "--results", str(root / f"again{attempt}")], root, env)[0])
            helps = [timed(evalrun + ["--help"], root, env)[0] for _ in range(5)]
            lists = [timed(evalrun + ["list"], root, env)[0] for _ in range(5)]
    finally:
        server.terminate()
        server.wait()
    wall = statistics.median(walls)
    print(
        f"samples={args.samples} latency={args.latency * 1000:g}ms concurrency={args.concurrency} repeats={args.repeat}"
    )
    print(f"physical limit        {limit:8.2f} s")
    print(f"wall                  {wall:8.2f} s   ({wall / limit:.2f} x the limit)")
    print(f"CPU per sample        {statistics.median(cpus) / args.samples * 1000:8.3f} ms")
    print(f"peak RSS              {rss:8.1f} MB (largest child so far)")
    print(f"accuracy              {accuracy:8.3f}   (the server answers 0.800 correctly)")
    print(f"fully cached rerun    {statistics.median(cached):8.2f} s")
    print(f"evalrun --help        {statistics.median(helps):8.3f} s")
    print(f"evalrun list          {statistics.median(lists):8.3f} s")


if __name__ == "__main__":
    main()
