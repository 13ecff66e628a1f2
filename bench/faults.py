"""The fault mix: evalrun under seeded 429s, 500s, hangs and garbage, against its clean run and against the ideal.

The ideal of a run is the sum over its samples of what each sample cannot avoid, ÷ the concurrency: every attempt
the server saw for it (the latency, or the timeout for a hang), the `Retry-After` after each 429, and after any other
failure at attempt k the mean full-jitter backoff of evalrun's retry policy, min(max_delay, base · 2^(k-1)) / 2.
That counts a sample's waits against the concurrency, as if it held its place while waiting; the report also gives
the looser bound for a client whose waiting samples hold no place: max(every attempt ÷ the concurrency, the longest
sample's own attempts and waits).
"""

from __future__ import annotations

import statistics
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from children import Measured, Server, measure, serve
from report import Report, count, ratio, seconds
from scratch import Records, read_records, run_command, write_workspace

MIX = "429=0.3,500=0.05,hang=0.01,garbage=0.01"
THROTTLE = "429=0.3,500=0.05"
TIMEOUT = 3.0
ATTEMPTS = 12
RETRY_AFTER = 1.0
"""What the latency server's 429s ask for."""


@dataclass(frozen=True)
class Ideal:
    """What the server's log says of one run: its ideal wall time, a looser bound, and how the retries went."""

    seconds: float
    """Every sample's attempts and waits ÷ the concurrency: a sample holds its place while it waits."""
    unheld: float
    """max(every attempt ÷ the concurrency, the longest sample): the bound if waiting held no place."""
    requests: int
    unfinished: int
    early_retries: int
    held_back: float
    server_busy: float
    longest: float
    longest_tries: str


@dataclass
class Sample:
    """One sample's share of the ideal, from its attempts in the server's log."""

    asking: float = 0.0
    waiting: float = 0.0
    held_back: float = 0.0
    early: int = 0
    busy: float = 0.0


def backoff_mean(attempt: int) -> float:
    """The mean full-jitter wait of evalrun's retry policy after failed attempt number `attempt`."""
    from harness.models.retry import RetryPolicy

    policy = RetryPolicy()
    return min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1)) / 2


def one_sample(tries: list[Sequence[Any]], latency: float) -> Sample:
    """The time one sample cannot avoid (asking, and the waits between attempts), and what the client added."""
    sample = Sample()
    for entry, following in zip(tries, [*tries[1:], None], strict=True):
        sample.asking += TIMEOUT if entry[3] == "hang" else latency
        sample.busy += entry[5] - entry[4]
        if following is not None:
            wait = RETRY_AFTER if entry[3] == "429" else backoff_mean(entry[2])
            gap = following[4] - entry[5]
            sample.waiting += wait
            sample.held_back += gap - wait
            sample.early += entry[3] == "429" and gap < RETRY_AFTER - 0.01
    return sample


def ideal(log: Sequence[Sequence[Any]], latency: float, concurrency: int) -> Ideal:
    """The ideal wall time of a run from the server's log ([model, question, k, outcome, arrived, answered] each)."""
    attempts: dict[tuple[str, int], list[Sequence[Any]]] = defaultdict(list)
    for entry in log:
        attempts[entry[0], entry[1]].append(entry)
    for tries in attempts.values():
        tries.sort(key=lambda entry: entry[2])
    samples = {key: one_sample(tries, latency) for key, tries in attempts.items()}
    own = {key: sample.asking + sample.waiting for key, sample in samples.items()}
    slowest = max(own, key=own.__getitem__, default=None)
    longest = own[slowest] if slowest else 0.0
    return Ideal(
        seconds=sum(own.values()) / concurrency,
        unheld=max(sum(sample.asking for sample in samples.values()) / concurrency, longest),
        requests=len(log),
        unfinished=sum(tries[-1][3] != "ok" for tries in attempts.values()),
        early_retries=sum(sample.early for sample in samples.values()),
        held_back=sum(sample.held_back for sample in samples.values()) / max(1, len(samples)),
        server_busy=sum(sample.busy for sample in samples.values()),
        longest=longest,
        longest_tries=" ".join(str(entry[3]) for entry in attempts[slowest]) if slowest else "",
    )


@dataclass(frozen=True)
class Trial:
    """One evalrun run under faults: its process figures, its records, and the server's view of it."""

    run: Measured
    records: Records
    ideal: Ideal


def trial(server: Server, root: Path, name: str, concurrency: int, latency: float, env: dict[str, str]) -> Trial:
    """One run of the workspace's eval against `server` (its log read before and after)."""
    server.log()
    options = ("--no-cache", "--quiet", "--timeout", str(TIMEOUT), "--max-attempts", str(ATTEMPTS))
    results = root / name
    run = measure(run_command(["bench"], ["openai/bench"], concurrency, results, *options), root, env)
    records = read_records(results, run.json())
    return Trial(run, records, ideal(server.log(), latency, concurrency))


def fault_report(
    samples: int, throttle_samples: int, latency: float, concurrency: int, repeat: int, env: dict[str, str]
) -> Report:
    """The fault mix ÷ its clean run, and 429s with 500s alone ÷ their ideal, as medians over the repeats."""
    clean: list[Trial] = []
    mixed: list[Trial] = []
    throttled: list[Trial] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        write_workspace(root / "mix", 1, samples)
        write_workspace(root / "throttle", 1, throttle_samples)
        with (
            serve(latency, log=True) as plain,
            serve(latency, MIX, log=True, clean_after=ATTEMPTS - 1) as faulty,
            serve(latency, THROTTLE, log=True, clean_after=ATTEMPTS - 1) as limited,
        ):
            for r in range(repeat):
                clean.append(trial(plain, root / "mix", f"clean{r}", concurrency, latency, at(env, plain)))
                mixed.append(trial(faulty, root / "mix", f"mixed{r}", concurrency, latency, at(env, faulty)))
                throttled.append(
                    trial(limited, root / "throttle", f"limited{r}", concurrency, latency, at(env, limited))
                )
    return summarize(samples, throttle_samples, latency, concurrency, clean, mixed, throttled)


def at(env: dict[str, str], server: Server) -> dict[str, str]:
    """The environment pointing evalrun's `openai` provider at `server`."""
    return {**env, "OPENAI_BASE_URL": server.base_url}


def summarize(
    samples: int,
    throttle_samples: int,
    latency: float,
    concurrency: int,
    clean: list[Trial],
    mixed: list[Trial],
    throttled: list[Trial],
) -> Report:
    """The figures of the fault runs, checked for lost, duplicated and failed samples and for equal metrics."""
    mix_ratio = statistics.median(m.run.wall / c.run.wall for m, c in zip(mixed, clean, strict=True))
    mix_ideal = statistics.median(m.ideal.seconds / c.run.wall for m, c in zip(mixed, clean, strict=True))
    limited_ratio = statistics.median(t.run.wall / t.ideal.seconds for t in throttled)
    clean_wall = statistics.median(c.run.wall for c in clean)
    mixed_wall = statistics.median(m.run.wall for m in mixed)
    limited_wall = statistics.median(t.run.wall for t in throttled)
    limited_ideal = statistics.median(t.ideal.seconds for t in throttled)
    problems = {
        "clean": sorted({p for c in clean for p in c.records.problems(samples)}),
        "mix": sorted({p for m in mixed for p in m.records.problems(samples)}),
        "throttle": sorted({p for t in throttled for p in t.records.problems(throttle_samples)}),
    }
    equal = all(m.records.metrics == c.records.metrics for m, c in zip(mixed, clean, strict=True))
    report = Report(
        f"faults: latency={latency * 1000:g}ms concurrency={concurrency} --timeout {TIMEOUT:g} "
        f"--max-attempts {ATTEMPTS} repeats={len(clean)}"
    )
    report.lines += [
        f"clean run             {clean_wall:8.2f} s   ({samples:,} samples, no faults)",
        (
            f"fault mix             {mixed_wall:8.2f} s   ({mix_ratio:.2f} x the clean run; target <= 15; ideal "
            f"{mix_ideal:.2f} x)   [{MIX}]"
        ),
        (
            f"  records             {', '.join(problems['mix'] + problems['clean']) or 'none lost, duplicated or failed'}"
            f"; metrics {'equal to' if equal else 'DIFFERENT from'} the clean run"
        ),
        *diagnostics(mixed, mixed_wall),
        (
            f"429 + 500 only        {limited_wall:8.2f} s   ({limited_ratio:.2f} x the ideal of {limited_ideal:.2f} s; "
            f"target <= 1.8)   [{THROTTLE}, {throttle_samples:,} samples]"
        ),
        f"  records             {', '.join(problems['throttle']) or 'none lost, duplicated or failed'}",
        *diagnostics(throttled, limited_wall),
    ]
    report.header = ["faults", "samples", "wall", "target", "lost · duplicated · failed", "metrics"]
    report.rows = [
        [
            "30% 429 (`Retry-After: 1`), 5% 500, 1% hangs, 1% garbage",
            count(samples),
            (
                f"{ratio(mix_ratio)} the clean run ({seconds(mixed_wall)} vs {seconds(clean_wall)}; ideal "
                f"{ratio(mix_ideal)})"
            ),
            "≤ 15×",
            ", ".join(problems["mix"]) or "0 · 0 · 0",
            "equal to the clean run" if equal else "**different**",
        ],
        [
            "30% 429 (`Retry-After: 1`), 5% 500",
            count(throttle_samples),
            f"{ratio(limited_ratio)} the ideal ({seconds(limited_wall)} vs {seconds(limited_ideal)})",
            "≤ 1.8×",
            ", ".join(problems["throttle"]) or "0 · 0 · 0",
            "—",
        ],
    ]
    return report


def diagnostics(trials: list[Trial], wall: float) -> list[str]:
    """What the server saw: requests, mean requests in flight, retries sooner than asked, time held back, bounds."""
    ideal_ = trials[len(trials) // 2].ideal
    return [
        (
            f"  server saw          {ideal_.requests:,} requests, {ideal_.server_busy / wall:.1f} in flight at the "
            f"server on average, {ideal_.early_retries} retries sooner than Retry-After, {ideal_.unfinished} samples "
            "never answered"
        ),
        (
            f"  held back           {ideal_.held_back:.3f} s a sample between attempts beyond the ideal waits; the "
            f"longest sample's own attempts and waits take {ideal_.longest:.2f} s ({ideal_.longest_tries})"
        ),
        (
            f"  bounds              ideal {ideal_.seconds:.2f} s (a sample holds its place while it waits); "
            f"{ideal_.unheld:.2f} s if waiting held no place"
        ),
    ]
