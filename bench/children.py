"""The benchmark's child processes: each one timed on its own (wall, CPU, peak RSS), and the latency server."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
EVALRUN = [PYTHON, "-m", "harness"]


@dataclass(frozen=True)
class Measured:
    """One child process: wall and CPU seconds (user + system), peak RSS in MB, exit status and output."""

    wall: float
    cpu: float
    rss: float
    status: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Its stdout as JSON; an error that shows its exit status and output when it is not."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            raise SystemExit(f"bench: child exited {self.status} without JSON: {self.stderr[-2000:]}") from None


def measure(command: list[str], cwd: Path, env: Mapping[str, str]) -> Measured:
    """Run `command` to its end; its own resource usage (os.wait4), not that of other children."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if code not in (0, 1):
        raise SystemExit(f"bench: {' '.join(command[2:5])} … exited {code}: {stderr[-2000:]}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, stdout, stderr)


@dataclass(frozen=True)
class Server:
    """A running latency server: where to reach it, and its process."""

    port: int
    pid: int = 0

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    def log(self) -> list[list[Any]]:
        """What happened to each request since the last call (the server must run with --log)."""
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(f"http://127.0.0.1:{self.port}/log", timeout=60) as reply:
            entries: list[list[Any]] = json.loads(reply.read())
        return entries

    def cpu(self) -> float:
        """CPU seconds the server has used so far (user + system, from /proc; NaN where there is none)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve(
    latency: float, faults: str = "", *, log: bool = False, seed: int = 0, clean_after: int = 11
) -> Iterator[Server]:
    """A latency server in its own process for the duration of the block, injecting `faults`, keeping a log."""
    command = [PYTHON, str(HERE / "latency_server.py"), str(latency), "--seed", str(seed)]
    if faults:
        command += ["--faults", faults, "--clean-after", str(clean_after)]
    if log:
        command.append("--log")
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        ready = server.stdout.readline().split()
        if ready[:1] != ["ready"]:
            raise SystemExit("bench: the latency server did not start")
        yield Server(int(ready[1]), server.pid)
    finally:
        server.terminate()
        server.wait()
