"""Measure evalrun end to end against a fixed-latency server on 127.0.0.1, as ratios to the physical limit.

    python bench/bench.py [--samples 10000] [--latency 0.05] [--concurrency 64] [--repeat 3]
    python bench/bench.py --evals 8 --models 4 [--samples 2000] [--concurrency 16]
    python bench/bench.py --faults [--samples 10000] [--throttle-samples 2000]
    … [--markdown]   (docs/speed.md's speed table on stdout, the plain report on stderr)

One eval × one model (the default) reports, as medians over the repeats: wall time ÷ the physical limit
(samples × latency ÷ concurrency), CPU milliseconds per sample of evalrun's process (user + system, start-up
included), its peak RSS, a fully cached rerun, the start-up of `evalrun --help` and `evalrun list`, and the floor: a
bare aiohttp client (one session, the same chat bodies, the same concurrency) against the same server in the same
run. Each repeat starts with an empty response cache.

`--evals E --models M` runs E evals × M models (`openai/bench-0` …, one server) in one `evalrun run`, each model at
`--concurrency`; `--samples` is then each model's share, split evenly over the evals. The limit is the busiest
model's samples × latency ÷ concurrency; the floor is the bare client with every model's requests in flight. Keep
models × concurrency ÷ latency within what one core can drive (evalrun is one process: about 2,000 requests a
second at 0.45 ms each), as `--evals 8 --models 4 --samples 2000 --concurrency 16` (1,280 a second) does; beyond
that the figure measures CPU, not scheduling.

`--faults` (20 ms latency unless --latency says otherwise, concurrency 64, `--timeout 3 --max-attempts 12`) runs
the seeded fault mix (30% 429 with `Retry-After: 1`, 5% 500, 1% hangs, 1% garbage) as a ratio to its clean run,
checking that no sample is lost, duplicated or failed and that the metrics equal the clean run's; and 429s with 500s
alone on `--throttle-samples` as a ratio to their ideal (see bench/faults.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from children import EVALRUN, HERE, PYTHON, Measured, Server, measure, serve
from faults import fault_report
from report import Report, count, markdown, ratio, seconds
from scratch import read_records, run_command, write_workspace


@dataclass(frozen=True)
class Shape:
    """What one measurement asks for: evals × models, each model's samples, latency, concurrency, repeats."""

    evals: int
    models: int
    per_eval: int
    latency: float
    concurrency: int
    repeat: int

    @property
    def per_model(self) -> int:
        """Samples each model is asked."""
        return self.evals * self.per_eval

    @property
    def limit(self) -> float:
        """The physical limit: the busiest model's samples × latency ÷ its concurrency."""
        return self.per_model * self.latency / self.concurrency

    def model_names(self) -> list[str]:
        """The models of the run: distinct names on the one server."""
        return ["openai/bench"] if self.models == 1 else [f"openai/bench-{m}" for m in range(self.models)]


def child_env(server: Server) -> dict[str, str]:
    """This process's environment without proxies or evalrun defaults, pointing the `openai` provider at `server`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy") and not key.startswith("EVALRUN_")
    }
    return {**env, "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "bench"}


def floor(server: Server, shape: Shape, root: Path, env: dict[str, str]) -> Measured:
    """The bare aiohttp client asking every model's questions at the same concurrency."""
    command = [PYTHON, str(HERE / "bare_client.py"), server.base_url, str(shape.per_model), str(shape.concurrency)]
    measured = measure([*command, str(shape.models)], root, env)
    requests = measured.json()["requests"]
    if requests != shape.per_model * shape.models:
        raise SystemExit(f"bench: the bare client sent {requests} requests")
    return measured


def evalrun(shape: Shape, evals: list[str], results: Path, cache: Path, root: Path, env: dict[str, str]) -> Measured:
    """One `evalrun run` of every eval × model, its records checked: every sample once, none failed."""
    options = ("--cache-dir", str(cache))
    measured = measure(run_command(evals, shape.model_names(), shape.concurrency, results, *options), root, env)
    records = read_records(results, measured.json())
    problems = records.problems(shape.per_model * shape.models)
    if problems or len(records.metrics) != shape.evals * shape.models:
        raise SystemExit(f"bench: evalrun's records: {', '.join(problems) or 'missing pairs'}")
    return measured


@dataclass
class Runs:
    """Every repeat's measured processes."""

    first: list[Measured]
    cached: list[Measured]
    floors: list[Measured]
    server_load: list[float]
    """The server's CPU seconds ÷ wall seconds during each first run: near 1 would make it the bottleneck."""


def measure_runs(shape: Shape, root: Path, env: dict[str, str], server: Server) -> Runs:
    """Per repeat: the bare floor, a run with an empty cache, then the same run fully cached."""
    evals = write_workspace(root, shape.evals, shape.per_eval)
    runs = Runs([], [], [], [])
    for r in range(shape.repeat):
        runs.floors.append(floor(server, shape, root, env))
        before = server.cpu()
        runs.first.append(evalrun(shape, evals, root / f"out{r}", root / f"cache{r}", root, env))
        runs.server_load.append((server.cpu() - before) / runs.first[-1].wall)
        runs.cached.append(evalrun(shape, evals, root / f"again{r}", root / f"cache{r}", root, env))
    return runs


def median(runs: list[Measured], figure: Callable[[Measured], float]) -> float:
    """The median of one figure over the repeats."""
    return statistics.median(figure(run) for run in runs)


def speed_report(shape: Shape) -> Report:
    """One eval × one model: wall, CPU, memory, cached rerun, start-up, and the floor."""
    with tempfile.TemporaryDirectory() as scratch, serve(shape.latency) as server:
        root, env = Path(scratch), child_env(server)
        runs = measure_runs(shape, root, env, server)
        helps = [measure([*EVALRUN, "--help"], root, env).wall for _ in range(5)]
        lists = [measure([*EVALRUN, "list"], root, env).wall for _ in range(5)]
    samples, limit = shape.per_model, shape.limit
    wall, cpu = median(runs.first, lambda m: m.wall), median(runs.first, lambda m: m.cpu) / samples * 1000
    rss = max(m.rss for m in runs.first)
    bare_wall, bare_cpu = median(runs.floors, lambda m: m.wall), median(runs.floors, lambda m: m.cpu) / samples * 1000
    cached, help_, list_ = median(runs.cached, lambda m: m.wall), statistics.median(helps), statistics.median(lists)
    report = Report(
        f"speed: samples={samples} latency={shape.latency * 1000:g}ms concurrency={shape.concurrency} "
        f"repeats={shape.repeat}"
    )
    report.lines += [
        f"physical limit        {limit:8.2f} s",
        f"wall                  {wall:8.2f} s   ({wall / limit:.2f} x the limit)",
        f"CPU per sample        {cpu:8.3f} ms",
        f"peak RSS              {rss:8.1f} MB",
        f"fully cached rerun    {cached:8.2f} s",
        f"evalrun --help        {help_:8.3f} s",
        f"evalrun list          {list_:8.3f} s",
        (
            f"bare aiohttp floor    {bare_wall:8.2f} s   ({bare_wall / limit:.2f} x the limit, {bare_cpu:.3f} ms CPU a "
            f"request, {max(m.rss for m in runs.floors):.1f} MB)"
        ),
        f"server load           {statistics.median(runs.server_load):8.2f} of a core during evalrun's run",
    ]
    report.header = ["samples", "wall ÷ limit", "CPU per sample", "peak RSS", "fully cached rerun"]
    report.header += ["`evalrun --help`", "`evalrun list`", "bare aiohttp: wall ÷ limit, CPU per request"]
    report.rows = [
        [
            count(samples),
            f"{ratio(wall / limit)} ({seconds(wall)} vs {seconds(limit)})",
            f"{cpu:.2f} ms",
            f"{rss:.0f} MB",
            seconds(cached),
            seconds(help_),
            seconds(list_),
            f"{ratio(bare_wall / limit)}, {bare_cpu:.2f} ms",
        ]
    ]
    return report


def pairs_report(shape: Shape) -> Report:
    """E evals × M models in one run, against the limit the busiest model sets, and the floor."""
    with tempfile.TemporaryDirectory() as scratch, serve(shape.latency) as server:
        runs = measure_runs(shape, Path(scratch), child_env(server), server)
    limit, requests = shape.limit, shape.per_model * shape.models
    wall, cpu = median(runs.first, lambda m: m.wall), median(runs.first, lambda m: m.cpu) / requests * 1000
    rss = max(m.rss for m in runs.first)
    bare_wall, bare_cpu = median(runs.floors, lambda m: m.wall), median(runs.floors, lambda m: m.cpu) / requests * 1000
    report = Report(
        f"pairs: {shape.evals} evals x {shape.models} models, {shape.per_model} samples a model, "
        f"latency={shape.latency * 1000:g}ms concurrency={shape.concurrency} a model, repeats={shape.repeat}"
    )
    report.lines += [
        f"limit (busiest model) {limit:8.2f} s   (one pair after another: {limit * shape.models:.2f} s)",
        f"wall                  {wall:8.2f} s   ({wall / limit:.2f} x the limit; target <= 1.2)",
        f"CPU per sample        {cpu:8.3f} ms",
        f"peak RSS              {rss:8.1f} MB",
        (
            f"bare aiohttp floor    {bare_wall:8.2f} s   ({bare_wall / limit:.2f} x the limit, {bare_cpu:.3f} ms CPU a "
            f"request, {shape.models * shape.concurrency} in flight)"
        ),
        f"server load           {statistics.median(runs.server_load):8.2f} of a core during evalrun's run",
    ]
    report.header = ["evals × models", "samples a model", "concurrency a model", "wall ÷ limit", "target"]
    report.header += ["CPU per sample", "peak RSS", "bare aiohttp: wall ÷ limit, CPU per request"]
    report.rows = [
        [
            f"{shape.evals} × {shape.models}",
            count(shape.per_model),
            str(shape.concurrency),
            f"{ratio(wall / limit)} ({seconds(wall)} vs {seconds(limit)})",
            "≤ 1.2×",
            f"{cpu:.2f} ms",
            f"{rss:.0f} MB",
            f"{ratio(bare_wall / limit)}, {bare_cpu:.2f} ms",
        ]
    ]
    return report


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000, help="samples (a model's, with --evals/--models)")
    parser.add_argument("--latency", type=float, help="seconds the server takes (default 0.05; 0.02 with --faults)")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight a model (default 64)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats; medians are reported (default 3)")
    parser.add_argument("--evals", type=int, default=1, help="evals in the run (default 1)")
    parser.add_argument("--models", type=int, default=1, help="models in the run (default 1)")
    parser.add_argument("--faults", action="store_true", help="the fault mix instead of the speed run")
    parser.add_argument("--throttle-samples", type=int, default=2000, help="samples of the 429 + 500 run (2000)")
    parser.add_argument("--markdown", action="store_true", help="print the speed table of docs/speed.md")
    args = parser.parse_args()
    if min(args.samples, args.concurrency, args.repeat, args.evals, args.models, args.throttle_samples) < 1:
        parser.error("every count must be at least 1")
    if args.faults and args.evals * args.models > 1:
        parser.error("--faults runs one eval against one model; leave out --evals and --models")
    if args.samples < args.evals:
        parser.error("--samples must be at least --evals")
    return args


def main() -> None:
    """Run the measurement asked for and print it."""
    args = arguments()
    if args.faults:
        env = child_env(Server(0))
        latency = 0.02 if args.latency is None else args.latency
        report = fault_report(args.samples, args.throttle_samples, latency, args.concurrency, args.repeat, env)
    else:
        latency = 0.05 if args.latency is None else args.latency
        shape = Shape(args.evals, args.models, args.samples // args.evals, latency, args.concurrency, args.repeat)
        report = speed_report(shape) if shape.evals == shape.models == 1 else pairs_report(shape)
    print(report.text(), file=sys.stderr if args.markdown else sys.stdout)
    if args.markdown:
        print(markdown([report]))


if __name__ == "__main__":
    main()
