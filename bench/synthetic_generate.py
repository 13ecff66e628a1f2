"""A generated leaderboard workspace (synthetic evals and every model's complete runs of them), made once in a process
of its own, checked, and reused while its shape and the generator's code stay the same.

    python bench/synthetic_generate.py FOLDER MODELS EVALS SAMPLES   (prints where, and what it holds, as JSON)

It runs in its own process so that the benchmark's process stays small: a child's peak RSS as os.wait4 reports it
is at least the peak RSS of the process that started it (Linux carries it across fork and exec)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAMP = "generated.json"


@dataclass(frozen=True)
class Generated:
    """A workspace ready to report on: its shape, size, how long it took to make and how much of it was checked."""

    root: Path
    models: int
    eval_ids: list[str]
    samples: int
    runs: int
    lines: int
    megabytes: float
    seconds: float
    checked_runs: int
    regraded: int


def generated(folder: Path, models: int, evals: int, samples: int) -> Generated:
    """The workspace of `models` × `evals` × `samples` under `folder`, made (or found) by a child process."""
    command = [sys.executable, str(HERE / "synthetic_generate.py"), str(folder), str(models), str(evals), str(samples)]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: generating the workspace failed: {done.stderr[-2000:]}")
    found = json.loads(done.stdout)
    return Generated(**{**found, "root": Path(found["root"])})


def generate(folder: Path, models: int, evals: int, samples: int) -> dict[str, object]:
    """The workspace under `folder`: the one there if it was made with this shape and this code, else made anew;
    the runs of two models read back and their answers graded again. What it holds, as JSON data."""
    from synthetic_answers import models as synthetic_models
    from synthetic_runs import check_runs, write_runs
    from synthetic_workspace import plan, write_workspace

    from harness.registry.loader import Registry
    from harness.registry.workspace import Workspace

    root = folder.resolve() / f"{models}x{evals}x{samples}"
    source = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(HERE.glob("synthetic_*.py")))).hexdigest()
    stamp = root / STAMP
    if stamp.is_file():
        found: dict[str, object] = json.loads(stamp.read_text())
        if found.pop("source", None) == source:
            return found
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    families, chosen = plan(evals, samples), synthetic_models(models)
    write_workspace(root, families)
    registry = Registry.load(Workspace(root))
    registry.raise_problems()
    lines = write_runs(root / "results", registry, families, chosen)
    seconds = time.perf_counter() - started
    checked = [chosen[0], chosen[len(chosen) // 2]]
    regraded = check_runs(root / "results", registry, checked)
    size = sum(path.stat().st_size for path in (root / "results/runs").glob("*/samples.jsonl"))
    eval_ids = [eval_id for family in families for eval_id in family.eval_ids.values()]
    made = Generated(
        root, models, eval_ids, samples, len(eval_ids) * models, lines, size / 1e6, seconds,
        len(eval_ids) * len({m.name for m in checked}), regraded,
    )  # fmt: skip
    data = {**asdict(made), "root": str(root)}
    stamp.write_text(json.dumps({**data, "source": source}))
    return data


if __name__ == "__main__":
    where, *counts = sys.argv[1:]
    print(json.dumps(generate(Path(where), *(int(n) for n in counts))))
