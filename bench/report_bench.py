"""Measure `evalrun report` at leaderboard scale (issue 12), as ratios to its targets.

    python bench/report_bench.py [--models 20] [--evals 30] [--samples 1000] [--repeat 1] [--markdown]
    … [--profile DIR]     (a cProfile of the md and the html report in DIR, and their top 15 functions)
    … [--workspace DIR]   (generate the workspaces there, or reuse the ones an earlier run left there)

Generates, in a temporary folder, a workspace of E synthetic evals (families of en, ja and zh-Hans evals sharing
their sample ids, in two suites, each with its data card and canary) and M × E complete stored runs of S samples
each, the runs matching the evals as the registry has them, so that the default selection counts every one; and the
same at S ÷ 10 samples. Then measures, each in its own process (EVALRUN_HOME at the workspace, cwd there),
`evalrun report --format md` and `--format html` (wall, CPU of which system, peak RSS; medians over the repeats, the
largest RSS), the HTML file's size and what it holds, and the page in Debian's headless Chromium: from navigation to
`body[data-ready=true]` and to one eval's drill-down.

Targets (issue 12): the Markdown report ≤ 5 s, the HTML report ≤ 10 s, memory flat in the number of samples (peak RSS
at S ÷ 10 and at S compared); the page under 15 MB and open in under 3 s. `--markdown` prints docs/speed.md's table
on stdout (the plain report goes to stderr).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from children import EVALRUN, PYTHON, Measured, measure
from page_timing import PageTimes, missing, time_page
from profiles import imports, profiled, table, top
from report import Report, count, ratio, seconds
from synthetic_generate import Generated, generated

TARGETS = {"md": 5.0, "html": 10.0, "open": 3.0, "size": 15.0}
"""Seconds for the Markdown and the HTML report and for the page to be ready; megabytes of the page."""


@dataclass
class Child:
    """One measured report process, with its system CPU seconds."""

    measured: Measured
    system: float


@dataclass
class Measurements:
    """Everything measured for one workspace."""

    generated: Generated
    md: list[Child] = field(default_factory=list)
    html: list[Child] = field(default_factory=list)
    pages: list[PageTimes] = field(default_factory=list)
    page_missing: str | None = None
    parts: dict[str, float] = field(default_factory=dict)
    """The HTML file's bytes (MB): in all, the board's data, the answers as base64, and the answers' JSON decoded."""


def child_env(root: Path) -> dict[str, str]:
    """This process's environment without proxies or evalrun settings, with EVALRUN_HOME at the workspace."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("EVALRUN_")}
    return {**env, "EVALRUN_HOME": str(root)}


def report_arguments(generated: Generated, form: str) -> list[str]:
    """`evalrun report`'s arguments for one format, written to the workspace's out/ folder."""
    out = generated.root / "out" / f"board.{form}"
    return ["report", "--runs", str(generated.root / "results"), "--format", form, "--out", str(out)]


def run_report(generated: Generated, form: str) -> Child:
    """One `evalrun report` in its own process; its system CPU seconds from this process's children's usage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
    measured = measure([*EVALRUN, *report_arguments(generated, form)], generated.root, child_env(generated.root))
    system = resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime - before
    if measured.status != 0:
        raise SystemExit(f"bench: evalrun report --format {form} exited {measured.status}: {measured.stderr[-2000:]}")
    return Child(measured, system)


def check_page(generated: Generated) -> dict[str, float]:
    """The HTML report's parts in MB; SystemExit unless its board counts every run and leaves none out."""
    page = (generated.root / "out/board.html").read_text(encoding="utf-8")
    board = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', page, re.DOTALL)
    packed = re.findall(r'<script type="application/octet-stream" id="answers-\d+">(.*?)</script>', page, re.DOTALL)
    if board is None or not packed:
        raise SystemExit("bench: the HTML report has no board-data or no answers-N blocks")
    data = json.loads(board.group(1))
    if len(data["cells"]) != generated.runs or data["excluded"]:
        raise SystemExit(f"bench: the board counts {len(data['cells'])} runs and leaves {len(data['excluded'])} out")
    if len(packed) != len(data["columns"]):
        raise SystemExit(f"bench: the page has {len(packed)} answer blocks for {len(data['columns'])} evals")
    decoded = sum(len(gzip.decompress(base64.b64decode(block.strip()))) for block in packed)
    return {
        "page": len(page.encode()) / 1e6,
        "board data": len(board.group(1).encode()) / 1e6,
        "answers (base64 of gzip)": sum(len(block) for block in packed) / 1e6,
        "answers JSON decoded": decoded / 1e6,
    }


def run_reports(generated: Generated, repeat: int) -> Measurements:
    """The md and the html report of the workspace, `repeat` times each."""
    found = Measurements(generated)
    for _ in range(repeat):
        found.md.append(run_report(generated, "md"))
        found.html.append(run_report(generated, "html"))
    return found


def inspect(found: Measurements, repeat: int, page: bool) -> None:
    """Check what the reports wrote, measure the page's parts and (with `page`) open it in Chromium `repeat` times."""
    generated = found.generated
    markdown = (generated.root / "out/board.md").read_text(encoding="utf-8")
    if "## Runs left out" in markdown or markdown.count("/bench-") < generated.models:
        raise SystemExit("bench: the Markdown report does not show every model, or leaves runs out")
    found.parts = check_page(generated)
    if not page:
        return
    found.page_missing = missing()
    if found.page_missing is None:
        labels = sorted(generated.eval_ids)
        found.pages = time_page(generated.root / "out/board.html", (labels[0], labels[-1]), repeat)
        summary = f"{generated.models} model(s), {len(labels)} eval(s), {generated.runs} run(s) counted, 0 left out."
        if found.pages[0].summary != summary or any(p.errors for p in found.pages):
            raise SystemExit(f"bench: the page says {found.pages[0].summary!r}, errors {found.pages[0].errors}")


def median(children: list[Child], figure: str) -> float:
    """The median of one figure over the repeats: wall, cpu, system."""
    values = [c.system if figure == "system" else getattr(c.measured, figure) for c in children]
    return statistics.median(values)


def page_median(pages: list[PageTimes], figure: str) -> float:
    """The median of one PageTimes figure over the repeats."""
    return statistics.median(float(getattr(p, figure)) for p in pages)


def plain(big: Measurements, small: Measurements | None, repeat: int) -> Report:
    """The report: each figure against its target."""
    g = big.generated
    report = Report(
        f"report: {g.models} models x {len(g.eval_ids)} evals x {count(g.samples)} samples ({count(g.runs)} runs, "
        f"{count(g.lines)} sample records, {g.megabytes:.0f} MB of samples.jsonl), repeats={repeat}"
    )
    report.lines.append(
        f"generated in {g.seconds:.1f} s (checked: {g.checked_runs} runs read back, {count(g.regraded)} answers graded "
        "again by their eval's grader)"
    )
    for form in ("md", "html"):
        children = getattr(big, form)
        wall, cpu, system = median(children, "wall"), median(children, "cpu"), median(children, "system")
        rss = max(c.measured.rss for c in children)
        line = f"{form:<5} wall {wall:7.2f} s ({wall / TARGETS[form]:.2f}x the {TARGETS[form]:g} s target), "
        line += f"CPU {cpu:.2f} s (system {system:.2f} s), peak RSS {rss:.0f} MB"
        if small is not None:
            small_rss = max(c.measured.rss for c in getattr(small, form))
            small_wall = median(getattr(small, form), "wall")
            line += (
                f"; at {count(small.generated.samples)} samples {small_wall:.2f} s and {small_rss:.0f} MB "
                f"(RSS {rss / small_rss:.2f}x for {g.samples // small.generated.samples}x the samples; target flat)"
            )
        report.lines.append(line)
    parts = big.parts
    report.lines.append(
        f"page  {parts['page']:.1f} MB ({parts['page'] / TARGETS['size']:.2f}x the {TARGETS['size']:g} MB target): "
        + ", ".join(f"{name} {value:.1f} MB" for name, value in parts.items() if name != "page")
    )
    if big.page_missing is not None:
        report.lines.append(f"page  not opened: {big.page_missing}")
    elif big.pages:
        ready, drill = page_median(big.pages, "ready"), page_median(big.pages, "drill")
        again, labels = page_median(big.pages, "drill_again"), sorted(g.eval_ids)
        report.lines.append(
            f"page  ready {ready:.2f} s ({ready / TARGETS['open']:.2f}x the {TARGETS['open']:g} s target); drill-down "
            f"of {labels[0]} {drill:.2f} s, then of {labels[-1]} {again:.2f} s (each decodes its own answers); JS heap "
            f"after them {big.pages[0].heap_mb or 0:.0f} MB"
        )
        first = big.pages[len(big.pages) // 2]
        report.lines.append("page  phases from navigation: " + _phases(first.phases))
        report.lines.append("page  the first eval's answers decoded again in the page: " + _phases(first.decode))
    return report


def _phases(values: Mapping[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f} s" for name, value in values.items())


def markdown_table(big: Measurements, small: Measurements | None) -> Report:
    """docs/speed.md's table of the same figures."""
    g, table_report = big.generated, Report("")
    table_report.header = ["models × evals × samples", "`--format md`", "`--format html`", "HTML page", "page ready"]
    table_report.header += ["drill-down", "peak RSS md · html"]
    cells = [f"{g.models} × {len(g.eval_ids)} × {count(g.samples)}"]
    for form in ("md", "html"):
        wall = median(getattr(big, form), "wall")
        cells.append(f"{ratio(wall / TARGETS[form])} ({seconds(wall)} vs {seconds(TARGETS[form])})")
    size = big.parts["page"]
    cells.append(f"{ratio(size / TARGETS['size'])} ({size:.1f} MB vs {TARGETS['size']:g} MB)")
    if big.pages:
        ready = page_median(big.pages, "ready")
        cells.append(f"{ratio(ready / TARGETS['open'])} ({seconds(ready)} vs {seconds(TARGETS['open'])})")
        cells.append(seconds(page_median(big.pages, "drill")))
    else:
        cells += ["—", "—"]
    rss = [f"{max(c.measured.rss for c in getattr(big, form)):.0f} MB" for form in ("md", "html")]
    if small is not None:
        before = [f"{max(c.measured.rss for c in getattr(small, form)):.0f}" for form in ("md", "html")]
        rss = [f"{b} → {a}" for b, a in zip(before, rss, strict=True)]
        table_report.header[-1] += f" ({count(small.generated.samples)} → {count(g.samples)} samples)"
    cells.append(" · ".join(rss))
    table_report.rows = [cells]
    return table_report


def profile(generated: Generated, folder: Path) -> list[str]:
    """A cProfile of the md and the html report (each in its own process); their top 15 functions, as lines."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for form in ("md", "html"):
        output = folder / f"report-{form}.prof"
        measured = profiled(report_arguments(generated, form), output, generated.root, child_env(generated.root))
        lines.append(
            f"cProfile of `evalrun report --format {form}` ({measured.wall:.1f} s under the profiler, of which "
            f"{imports(output):.2f} s importing modules): {output}"
        )
        for key, title in (("cumulative", "by cumulative time, the entry point's and importlib's frames left out"),
                           ("tottime", "by own time")):  # fmt: skip
            lines += [f"  top 15 {title}:", *("    " + line for line in table(top(output, key)))]
    return lines


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--models", type=int, default=20, help="models (default 20)")
    parser.add_argument("--evals", type=int, default=30, help="evals (default 30)")
    parser.add_argument("--samples", type=int, default=1000, help="samples of each eval (default 1000)")
    parser.add_argument("--repeat", type=int, default=1, help="repeats; medians are reported (default 1)")
    parser.add_argument("--markdown", action="store_true", help="print docs/speed.md's table on stdout")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="also profile the md and html reports into DIR")
    parser.add_argument("--workspace", type=Path, metavar="DIR", help="keep the workspaces in DIR (reused if there)")
    parser.add_argument("--no-page", action="store_true", help="do not open the page in Chromium")
    args = parser.parse_args()
    if min(args.models, args.evals, args.samples, args.repeat) < 1:
        parser.error("every count must be at least 1")
    return args


def main() -> None:
    """Generate (in a child process), measure the reports (while this process is still small), check, print."""
    args = arguments()
    scratch = None if args.workspace else tempfile.mkdtemp(prefix="report-bench-")
    folder = args.workspace or Path(scratch or ".")
    try:
        big = generated(folder, args.models, args.evals, args.samples)
        small = generated(folder, args.models, args.evals, args.samples // 10) if args.samples >= 20 else None
        floor = [measure([PYTHON, "-c", "pass"], folder, child_env(folder)).rss]
        measured = run_reports(big, args.repeat)
        measured_small = run_reports(small, 1) if small else None
        floor.append(measure([PYTHON, "-c", "pass"], folder, child_env(folder)).rss)
        inspect(measured, args.repeat, page=not args.no_page)
        if measured_small:
            inspect(measured_small, 1, page=False)
        report = plain(measured, measured_small, args.repeat)
        report.lines.append(
            f"floor: a child doing nothing peaks at {max(floor):.0f} MB (this process's own peak, which every child's "
            "peak RSS includes)"
        )
        extra = profile(big, args.profile) if args.profile else []
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    out = sys.stderr if args.markdown else sys.stdout
    print(report.text(), *extra, sep="\n", file=out)
    if args.markdown:
        command = shlex.join([".venv/bin/python", "bench/report_bench.py", *sys.argv[1:]])
        print("\n".join(["```sh", command, "```", "", markdown_table(measured, measured_small).table()]))


if __name__ == "__main__":
    main()
