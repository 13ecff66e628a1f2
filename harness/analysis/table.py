"""Render run summaries as a results table: one row per eval, one column per model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.registry.graders import metric_label, standard_of
from harness.runner.engine import Skipped
from harness.runner.records import RunRecord


def cell(summary: RunRecord) -> str:
    """`score [low, high] n=… err=…` for one run (n counts samples; with epochs, `epochs=K` follows it), with the
    unparsed count when there is one."""
    counts = summary.counts
    found = summary.metrics.get(summary.primary_metric)
    text = "—" if found is None else f"{found.mean:.3f} [{found.ci_low:.3f}, {found.ci_high:.3f}]"
    if summary.epochs == 1:
        text += f" n={counts.scored}"
    else:
        text += f" n={found.n if found else 0} epochs={summary.epochs}"
    text += f" err={counts.errors}"
    if counts.unparsed:
        text += f" unparsed={counts.unparsed}"
    if summary.status != "complete":
        text += f" ({summary.status})"
    return text


def results_table(summaries: Sequence[RunRecord], skipped: Sequence[Skipped], models: Sequence[str]) -> str:
    """The comparison table; skipped pairs show `n/a` and are explained under it."""
    from tabulate import tabulate

    evals: dict[str, dict[str, str]] = {}
    metric_of: dict[str, str] = {}
    for summary in summaries:
        eval_id = summary.eval.id
        evals.setdefault(eval_id, {})[summary.model.name] = cell(summary)
        standard = standard_of(summary.eval.grader, summary.eval.grader_options)
        metric_of[eval_id] = metric_label(summary.primary_metric, standard)
    for skip in skipped:
        evals.setdefault(skip.eval_id, {})[skip.model] = "n/a"
    rows = [
        [eval_id, metric_of.get(eval_id, "")] + [cells.get(model, "") for model in models]
        for eval_id, cells in evals.items()
    ]
    text = tabulate(rows, headers=["eval", "metric", *models], tablefmt="github", disable_numparse=True)
    reasons = sorted({(skip.model, skip.reason) for skip in skipped})
    notes = [f"n/a: {model} — {reason}" for model, reason in reasons] + not_comparable(summaries)
    notes += cut_short(summaries) + answers_cut(summaries) + out_of_language(summaries)
    footer = "score [95% CI] over n scored samples; err = samples that failed after retries (not scored)."
    if any(s.epochs > 1 for s in summaries):
        footer += " With epochs=K each sample was asked K times and its K scores made one; err counts answers."
    return "\n".join(
        [text, "", footer, *notes, "", usage_table(summaries)] if summaries else [text, "", footer, *notes]
    )


def not_comparable(summaries: Sequence[RunRecord]) -> list[str]:
    """One note per eval whose runs differ in what `evalrun compare` warns about (eval version, spec, data, grader and
    its options, generation parameters, epochs), saying what differs."""
    from harness.analysis.compare import COMPARABLE, differences

    by_eval: dict[str, list[tuple[str, RunRecord]]] = {}
    for s in summaries:
        by_eval.setdefault(s.eval.id, []).append((s.model.name, s))
    found = ((eval_id, differences(runs, COMPARABLE)) for eval_id, runs in by_eval.items())
    return [f"not comparable: {eval_id} — {'; '.join(what)}" for eval_id, what in found if what]


TOKEN_LIMIT_REASONS = ("length", "max_tokens")
"""Finish reasons that say an answer stopped at the token limit (OpenAI-compatible and Ollama; Anthropic)."""


def cut_short(summaries: Sequence[RunRecord]) -> list[str]:
    """A note for each run where most answers stopped at the token limit, so their scores say little."""
    notes = []
    for s in summaries:
        reasons = s.finish_reasons
        cut, answered = sum(reasons.get(r, 0) for r in TOKEN_LIMIT_REASONS), sum(reasons.values())
        if answered and cut * 2 > answered:
            limit = s.generation.get("max_tokens") or s.model.params.get("max_tokens")
            where = f" (max_tokens {limit})" if limit else ""
            notes.append(
                f"cut short: {s.eval.id} × {s.model.name} — {cut} of {answered} answers stopped at the "
                f"token limit{where}; raise --max-tokens to let them finish"
            )
    return notes


def answers_cut(summaries: Sequence[RunRecord]) -> list[str]:
    """A note for each run with answers longer than the answer limit, which were cut to it and graded on the rest."""
    return [
        f"answers cut: {s.eval.id} × {s.model.name} — {s.counts.cut} answer(s) over the answer limit "
        "were cut to it (--max-answer-bytes) and graded on the part kept; `output_bytes` in samples.jsonl is each "
        "one's full size"
        for s in summaries
        if s.counts.cut
    ]


IN_LANGUAGE_NOTE = 0.9
"""Below this share of answers in the eval's language and script, the results table says so."""


def out_of_language(summaries: Sequence[RunRecord]) -> list[str]:
    """A note for each run where many answers were written in another language or script than the eval's."""
    notes = []
    for s in summaries:
        known, kept = s.counts.language_known, s.counts.in_language
        if known and kept < IN_LANGUAGE_NOTE * known:
            notes.append(
                f"out of language: {s.eval.id} × {s.model.name} — {known - kept} of {known} answers were not written "
                f"in {s.eval.language} (another language, or the other Chinese script)"
            )
    return notes


def run_folders(summaries: Sequence[RunRecord]) -> list[str]:
    """The folder of each run, in the order of `summaries`."""
    return [str(Path(s.paths.run).parent) for s in summaries]


def run_folder_lines(summaries: Sequence[RunRecord]) -> list[str]:
    """Where each run was written, for stderr under the table."""
    if not summaries:
        return []
    width = max(len(folder) for folder in run_folders(summaries))
    return ["", "run folders:"] + [
        f"  {folder:<{width}}  {s.eval.id} × {s.model.name} ({s.status})"
        for folder, s in zip(run_folders(summaries), summaries, strict=True)
    ]


MESSAGE_CHARS = 200
"""How much of an error message a one-line failure note shows."""


def failure_lines(summaries: Sequence[RunRecord]) -> list[str]:
    """One line for each run with failed samples (how many, and its most common error) or stopped before its end."""
    from harness.errors import printable

    lines = []
    for s in summaries:
        pair = f"evalrun: {s.eval.id} × {s.model.name}"
        if s.counts.errors:
            line = f"{pair}: {s.counts.errors} sample(s) failed after retries"
            if s.errors:
                common = s.errors[0]
                message = printable(" ".join(common.message.split()))
                if len(message) > MESSAGE_CHARS:
                    message = message[: MESSAGE_CHARS - 1] + "…"
                line += f"; most often ({common.count}×): {message}"
            lines.append(line)
        if s.stopped:
            lines.append(f"{pair}: stopped: {printable(s.stopped)}; --resume continues")
    return lines


def usage_table(summaries: Sequence[RunRecord]) -> str:
    """Tokens, cost, latency and throughput of each run."""
    from tabulate import tabulate

    rows = []
    for s in summaries:
        usage, latency = s.usage, s.latency_s
        rows.append(
            [
                s.eval.id,
                s.model.name,
                f"{usage.prompt_tokens:,} / {usage.completion_tokens:,}" if usage.samples_with_usage else "—",
                "—" if s.cost_usd is None else f"${s.cost_usd:.4f}",
                _seconds(latency.p50),
                _seconds(latency.p95),
                "—" if s.throughput is None else f"{s.throughput:.1f}/s",
                s.counts.cached,
            ]
        )
    headers = ["eval", "model", "tokens in / out", "cost", "p50", "p95", "samples/s", "cached"]
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
