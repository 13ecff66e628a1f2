"""The leaderboard benchmark's stored runs: every model × eval, complete, as `evalrun run` writes them: run.json is a
RunRecord through run_data (its results from the runner's own Tally and summarize), and each samples.jsonl line holds a
SampleRecord's fields in sample_data's order, its JSON put together from prepared parts. `check_runs` reads some of
them back with evalrun's readers and grades their answers again with the eval's grader."""

from __future__ import annotations

import hashlib
import json
import random
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from pathlib import Path
from typing import Any

from synthetic_answers import CHARS_PER_TOKEN, Answerer, Model
from synthetic_workspace import Family

from harness import __version__
from harness.data.dataset import Dataset
from harness.data.prompt import PromptRenderer
from harness.grading import Grader, build_grader
from harness.registry.loader import Registry
from harness.registry.specs import EvalSpec
from harness.runner.records import (
    SAMPLE_FIELDS,
    EvalInfo,
    ModelInfo,
    Paths,
    Results,
    RunRecord,
    read_run,
    read_samples,
    run_data,
)
from harness.runner.store import slug
from harness.runner.summary import Tally, summarize
from harness.types import Sample

FIXED = ("sample_id", "epoch", "messages", "references", "choices", "output_cut", "output_bytes", "ttft_s", "cached")
"""The fields of a line that depend on the sample only."""
VARIABLE = (
    "output", "score", "metrics", "unparsed", "grader", "usage", "latency_s", "attempts", "finish_reason", "served_by",
    "error",
)  # fmt: skip
"""The fields of a line that depend on the answer, in the order write_run gives them."""
PICK = itemgetter(*(VARIABLE.index(name) for name in SAMPLE_FIELDS if name in VARIABLE))
"""The answer's fields in sample_data's order."""
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CONCURRENCY = 16
BASE_URL = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com/v1"}


@dataclass(frozen=True)
class Prepared:
    """One eval ready to be answered: its spec and data hash, its samples' fixed JSON fields and prompt sizes."""

    spec: EvalSpec
    data_hash: str
    answerer: Answerer
    templates: list[str]
    """Each sample's line with its fixed fields filled in and a `%s` for each of the others."""
    prompt_tokens: list[int]


def prepare(spec: EvalSpec, family: Family) -> Prepared:
    """The eval's samples as the registry reads them, rendered as the engine renders them."""
    if sorted(SAMPLE_FIELDS) != sorted(FIXED + VARIABLE):
        raise SystemExit(f"bench: SampleRecord's fields changed ({', '.join(SAMPLE_FIELDS)}): update FIXED, VARIABLE")
    dataset = Dataset(spec)
    samples = list(dataset.samples())
    facts = [family.facts[sample.id] for sample in samples]
    renderer = PromptRenderer(spec.prompt)
    templates, prompt_tokens = [], []
    for sample in samples:
        messages = [dict(message) for message in renderer.render(sample)]
        size = sum(len(m["content"]) for m in messages) / CHARS_PER_TOKEN[spec.language]
        prompt_tokens.append(round(size) + 4 * len(messages))
        fixed = {
            "sample_id": json.dumps(sample.id),
            "epoch": "1",
            "messages": json.dumps(messages, ensure_ascii=False),
            "references": json.dumps(list(sample.references), ensure_ascii=False),
            "choices": "null",
            "output_cut": "false",
            "output_bytes": "null",
            "ttft_s": "null",
            "cached": "false",
        }
        parts = [f'"{name}": ' + (fixed[name].replace("%", "%%") if name in fixed else "%s") for name in SAMPLE_FIELDS]
        templates.append("{" + ", ".join(parts) + "}\n")
    return Prepared(spec, dataset.fingerprint(), Answerer(spec, samples, facts, facts), templates, prompt_tokens)


def write_runs(results: Path, registry: Registry, families: Sequence[Family], models: Sequence[Model]) -> int:
    """Every model's complete run of every eval under `results/runs`, made in turn; the number of sample lines."""
    lines, made = 0, 0
    for family in families:
        for eval_id in family.eval_ids.values():
            prepared = prepare(registry.evals[eval_id], family)
            for model in models:
                lines += write_run(results, prepared, model, made)
                made += 1
    return lines


def write_run(results: Path, prepared: Prepared, model: Model, index: int) -> int:
    """One complete run of `model` on the prepared eval, the `index`-th made; its number of lines."""
    spec, answerer, metrics = prepared.spec, prepared.answerer, tuple(prepared.spec.metrics)
    rng = random.Random(f"{spec.id}:{model.name}")
    lines, latencies, scores = [], array("d"), {name: array("d") for name in metrics}
    errors: Counter[str] = Counter()
    retries = unparsed = prompt_tokens = completion_tokens = 0
    served = json.dumps(model.served_by)
    for i, template in enumerate(prepared.templates):
        answer = answerer.answer(model, i, rng)
        retries += answer.attempts - 1
        if answer.error is not None:
            latency = round(rng.uniform(30.0, 120.0), 6)
            errors[answer.error] += 1
            error = json.dumps(answer.error)
            failed = ("null", "null", "null", "false", "null", "null", repr(latency), str(answer.attempts), "null")
            lines.append(template % PICK((*failed, "null", error)))
            continue
        assert answer.metrics is not None
        latency = round(model.latency * rng.lognormvariate(0.0, 0.35), 6)
        prompt, completion = prepared.prompt_tokens[i], answer.completion_tokens
        latencies.append(latency)
        prompt_tokens += prompt
        completion_tokens += completion
        unparsed += answer.unparsed
        for name in metrics:
            scores[name].append(answer.metrics[name])
        usage = f'{{"prompt_tokens": {prompt}, "completion_tokens": {completion}}}'
        flag = "true" if answer.unparsed else "false"
        values = (answer.output, repr(answer.score), answer.metrics_json, flag, answer.grader, usage, repr(latency))
        lines.append(template % PICK((*values, str(answer.attempts), '"stop"', served, "null")))
    tally = Tally(metrics, values=dict(scores), samples=len(lines), errors=errors.total(), unparsed=unparsed)
    tally.retries, tally.prompt_tokens, tally.completion_tokens = retries, prompt_tokens, completion_tokens
    tally.with_usage, tally.billed_tokens, tally.latencies = (
        len(latencies),
        [prompt_tokens, completion_tokens],
        latencies,
    )
    tally.error_messages, tally.served_by = errors, Counter({model.served_by: len(latencies)})
    tally.finish_reasons = Counter({"stop": len(latencies)})
    seconds = round(sum(tally.latencies) / CONCURRENCY + 0.5, 3)
    record = header(prepared, model, index, seconds, results / "runs")
    record.set_results(summarize(tally, tuple(spec.metrics), record.seed, seconds, model.prices))
    folder = results / "runs" / record.run_id
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps(run_data(record), ensure_ascii=False, indent=2) + "\n", "utf-8")
    (folder / "samples.jsonl").write_text("".join(lines), "utf-8")
    return len(lines)


def header(prepared: Prepared, model: Model, index: int, seconds: float, runs: Path) -> RunRecord:
    """The run.json of a complete run, as the engine starts and ends it (without its results)."""
    spec = prepared.spec
    created = START + timedelta(minutes=index)
    run_id = (
        f"{created:%Y%m%dT%H%M%SZ}-{spec.id}-{slug(model.name)}-{hashlib.sha256(model.name.encode()).hexdigest()[:6]}"
    )
    name = model.name.split("/", 1)[1]
    base_url = BASE_URL.get(model.provider, f"https://{model.provider}.example/v1")
    described = {"provider": model.provider, "model": name, "params": {}, "base_url": base_url}
    identity = {
        "eval": spec.id,
        "spec": spec.spec_hash,
        "data": prepared.data_hash,
        "model": described,
        "generation": dict(spec.generation),
        "seed": 0,
        "limit": None,
        "epochs": 1,
    }
    run_dir = runs / run_id
    return RunRecord(
        run_id=run_id,
        fingerprint=hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest(),
        identity=identity,
        status="complete",
        created_at=created.isoformat(timespec="seconds"),
        finished_at=(created + timedelta(seconds=seconds)).isoformat(timespec="seconds"),
        harness_version=__version__,
        eval=EvalInfo(
            id=spec.id,
            version=spec.version,
            language=spec.language,
            grader=spec.grader,
            grader_options=dict(spec.grader_options),
            metrics=list(spec.metrics),
            spec_hash=spec.spec_hash,
            data_hash=prepared.data_hash,
            spec_path=f"registry/evals/{spec.id}.yaml",
        ),
        model=ModelInfo(
            name=model.name, provider=model.provider, model=name, base_url=base_url, served_by=[model.served_by]
        ),
        generation=dict(spec.generation),
        seed=0,
        limit=None,
        concurrency=CONCURRENCY,
        primary_metric=spec.metrics[0],
        paths=Paths(str(run_dir / "run.json"), str(run_dir / "samples.jsonl")),
    )


def check_runs(results: Path, registry: Registry, models: Sequence[Model], every: int = 3) -> int:
    """Read back every run of `models` with evalrun's readers: each line a valid sample record, the run's results what
    the runner's Tally makes of its records, every `every`-th answer graded alike by the eval's grader. SystemExit
    naming the first difference; the number of answers graded."""
    graded, prices = 0, {model.name: model.prices for model in models}
    evals: dict[str, tuple[dict[str, Sample], Grader]] = {}
    for folder in sorted((results / "runs").iterdir()):
        record = read_run(folder / "run.json")
        if record.model.name not in prices:
            continue
        spec = registry.evals[record.eval.id]
        if spec.id not in evals:
            samples = {sample.id: sample for sample in Dataset(spec).samples()}
            evals[spec.id] = samples, build_grader(spec.grader_config, spec.language)
        samples, grader = evals[spec.id]
        tally = Tally(tuple(spec.metrics))
        for n, line in enumerate(read_samples(folder / "samples.jsonl")):
            tally.add(line)
            if n % every or line.error is not None or line.output is None:
                continue
            score = grader.grade(line.output, samples[line.sample_id])
            want = [score.value, dict(score.metrics), score.unparsed, _plain(dict(score.detail))]
            if want != [line.score, line.metrics, line.unparsed, line.grader]:
                raise SystemExit(f"bench: {folder.name}: {line.sample_id}: written {line.grader}, graded {want}")
            graded += 1
        again = summarize(tally, tuple(spec.metrics), record.seed, record.duration_s, prices[record.model.name])
        for name in (f.name for f in fields(Results)):
            if getattr(again, name) != getattr(record, name):
                raise SystemExit(
                    f"bench: {folder.name}: {name} is {getattr(record, name)!r}, its records make it {getattr(again, name)!r}"
                )
    return graded


def _plain(value: Any) -> Any:
    """JSON data as it reads back (tuples as lists)."""
    return json.loads(json.dumps(value))
