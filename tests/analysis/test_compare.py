"""`evalrun compare`: paired statistics between stored runs, checked by hand and end to end through the CLI."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.compare import compare, run_scores, run_warnings
from harness.analysis.pairing import Run
from harness.analysis.table import results_table
from harness.runner.records import RunRecord, SampleRecord, run_data, sample_data
from harness.runner.statistics import Estimate, holm, mcnemar_exact, paired_bootstrap, sign_flip
from tests.support import FACTS, REPO, evalrun, run_record, write, write_jsonl
from tests.support.openai_server import FakeOpenAI, Fault

# --- the statistics, against values worked out by hand --------------------------------------------------------------


def test_mcnemar_exact_by_hand() -> None:
    expected = 2 * sum(math.comb(12, k) for k in range(3)) / 2**12  # b=10, c=2: 2 * (1 + 12 + 66) / 4096
    assert expected == pytest.approx(0.0385742, abs=1e-7)
    assert mcnemar_exact(10, 2) == expected
    assert mcnemar_exact(2, 10) == expected
    assert mcnemar_exact(0, 5) == 2 / 2**5
    assert mcnemar_exact(7, 0) == 2 / 2**7


@pytest.mark.parametrize("b, c", [(0, 0), (1, 1), (5, 5), (40, 40), (0, 1), (3, 4)])
def test_mcnemar_is_one_without_evidence(b: int, c: int) -> None:
    assert mcnemar_exact(b, c) == 1.0


def test_mcnemar_stays_exact_for_many_pairs() -> None:
    assert 0 < mcnemar_exact(900, 700) < 1e-5
    assert mcnemar_exact(5000, 5000) == 1.0
    assert mcnemar_exact(2000, 0) == 0.0  # 2 / 2**2000 underflows a float; nothing approximate on the way


def test_sign_flip_by_hand() -> None:
    # signs of (1, 2, 3): sums ±6, ±4, ±2, 0, 0; |sum| >= 6 for 2 of the 8 patterns
    assert sign_flip([1.0, 2.0, 3.0]) == 0.25
    assert sign_flip([3.0, -2.0, 0.0, 1.0]) == 0.75  # sum 2: of ±6, ±4, ±2, 0, 0, six are at least 2 away from 0
    assert sign_flip([0.0, 0.0]) == 1.0
    assert sign_flip([]) == 1.0


@pytest.mark.parametrize("b, c", [(10, 2), (6, 1), (4, 4), (0, 3)])
def test_sign_flip_on_zero_one_scores_is_mcnemar(b: int, c: int) -> None:
    differences = [-1.0] * b + [1.0] * c + [0.0] * 20
    assert sign_flip(differences) == pytest.approx(mcnemar_exact(b, c))


def test_sign_flip_monte_carlo_is_seeded_and_order_free() -> None:
    rng = random.Random(7)
    differences = [rng.gauss(0.05, 0.3) for _ in range(300)]
    p = sign_flip(differences, seed=3, resamples=2000)
    assert p == sign_flip(list(reversed(differences)), seed=3, resamples=2000)
    assert p == sign_flip(sorted(differences), seed=3, resamples=2000)
    assert 0 < p < 1
    assert sign_flip([0.5] * 100, resamples=999) == 1 / 1000  # nothing beats it: the floor 1 / (R + 1)


def test_holm_on_known_lists() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.01, 0.02, 0.03, 0.04, 0.05]) == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
    assert holm([0.5, 0.6]) == [1.0, 1.0]
    assert holm([0.2]) == [0.2]
    assert holm([]) == []


def test_paired_bootstrap_contains_the_true_difference() -> None:
    rng = random.Random(1)
    a = [rng.random() for _ in range(400)]
    b = [x + 0.1 + rng.gauss(0, 0.2) for x in a]
    low, high = paired_bootstrap(a, b, seed=0)
    assert low < 0.1 < high and high - low < 0.1
    assert paired_bootstrap(a, b, seed=0) == (low, high)
    assert paired_bootstrap(a, b, seed=1) != (low, high)
    pairs = list(zip(a, b, strict=True))
    random.Random(2).shuffle(pairs)
    assert paired_bootstrap([x for x, _ in pairs], [y for _, y in pairs], seed=0) == (low, high)


def test_paired_bootstrap_edges() -> None:
    assert paired_bootstrap([0.5, 0.25, 0.0], [0.75, 0.5, 0.25]) == (0.25, 0.25)  # every difference the same
    assert paired_bootstrap([1.0, 0.0], [1.0, 0.0]) == (0.0, 0.0)
    assert paired_bootstrap([1.0], [0.0]) is None
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [0.0, 1.0])


# --- comparing stored runs (made by hand) ---------------------------------------------------------------------------


def _run(folder: Path, records: list[dict[str, Any]], **fields: Any) -> Run:
    """A run folder holding `records`: dicts with sample_id, score and optionally epoch and error."""
    summary = run_record(run_id=folder.name, model={"name": fields.pop("model", "m")}, **fields)
    write(folder / "run.json", json.dumps(run_data(summary)))
    rows = [
        SampleRecord(r["sample_id"], r.get("epoch", 1), metrics={"accuracy": r["score"]}, references=["x"])
        if r.get("error") is None
        else SampleRecord(r["sample_id"], r.get("epoch", 1), error=r["error"], references=["x"])
        for r in records
    ]
    write_jsonl(folder / "samples.jsonl", [sample_data(row) for row in rows])
    return Run(summary, folder)


def test_alignment_drops_what_is_not_scored_in_both(tmp_path: Path) -> None:
    a = _run(
        tmp_path / "a",
        [{"sample_id": f"s{i}", "score": 1.0} for i in range(10)] + [{"sample_id": "s10", "error": "timeout"}],
    )
    b = _run(
        tmp_path / "b",
        [{"sample_id": f"s{i}", "score": float(i % 2)} for i in range(1, 11)]
        + [{"sample_id": "s11", "score": 1.0}, {"sample_id": "s3", "score": 0.0, "error": "HTTP 500"}],
    )  # s3 is scored once, then a later record of the same sample and epoch says it failed
    c = compare([(a, b)])["comparisons"][0]
    assert c["dropped"] == {"missing_in_a": 1, "missing_in_b": 1, "errored_in_a": 1, "errored_in_b": 1}
    assert {d["sample_id"]: d["reason"] for d in c["dropped_samples"]} == {
        "s0": "missing_in_b",
        "s11": "missing_in_a",
        "s10": "errored_in_a",
        "s3": "errored_in_b",
    }
    assert c["n"] == 8 and c["binary"] and c["test"] == "mcnemar-exact"
    assert [f["sample_id"] for f in c["a_better"]] == ["s2", "s4", "s6", "s8"]
    assert c["b_better"] == []
    assert c["difference"]["mean"] == pytest.approx(-0.5)
    assert c["p"] == mcnemar_exact(4, 0) == c["p_holm"]


def test_epochs_are_reduced_with_the_runs_reducer(tmp_path: Path) -> None:
    records = [
        {"sample_id": "q1", "epoch": 1, "score": 1.0},
        {"sample_id": "q1", "epoch": 2, "score": 0.0},
        {"sample_id": "q1", "epoch": 3, "score": 1.0},
        {"sample_id": "q2", "epoch": 1, "score": 0.0},
        {"sample_id": "q2", "epoch": 2, "error": "timeout"},
        {"sample_id": "q2", "epoch": 3, "score": 1.0},
    ]
    majority = _run(tmp_path / "maj", records, epochs=3, reducer="majority")
    assert run_scores(majority, "accuracy").values == {"q1": 1.0, "q2": 0.0}  # a tie goes to the lower score
    mean = _run(tmp_path / "mean", records, epochs=3, reducer="mean")
    assert run_scores(mean, "accuracy").values == {"q1": pytest.approx(2 / 3), "q2": 0.5}
    c = compare([(majority, mean)])["comparisons"][0]
    assert not c["binary"] and c["test"] == "sign-flip"
    assert c["warnings"] == ["reducer majority (A) vs mean (B)"]


def test_a_comparison_does_not_depend_on_record_order(tmp_path: Path) -> None:
    rng = random.Random(5)
    a_rows = [{"sample_id": f"x{i:03}", "score": rng.random()} for i in range(120)]
    b_rows = [{"sample_id": r["sample_id"], "score": min(1.0, r["score"] + rng.gauss(0.05, 0.2))} for r in a_rows]
    first = compare([(_run(tmp_path / "a1", a_rows), _run(tmp_path / "b1", b_rows))], seed=4, resamples=3000)
    rng.shuffle(a_rows)
    rng.shuffle(b_rows)
    second = compare([(_run(tmp_path / "a2", a_rows), _run(tmp_path / "b2", b_rows))], seed=4, resamples=3000)
    for document in (first, second):
        for side in ("a", "b"):
            del document["comparisons"][0][side]["run_id"], document["comparisons"][0][side]["path"]
    assert first == second
    assert first["comparisons"][0]["test"] == "sign-flip" and not first["comparisons"][0]["p_exact"]


def test_results_table_says_when_runs_are_not_comparable() -> None:
    def summary(model: str, version: int, grader: str) -> RunRecord:
        estimate = Estimate(0.5, 0.2, 0.8, 10, "wilson")
        return run_record(
            eval={"version": version, "grader": grader}, model={"name": model}, metrics={"accuracy": estimate}
        )

    same = results_table([summary("m1", 1, "exact"), summary("m2", 1, "exact")], [], ["m1", "m2"])
    assert "not comparable" not in same
    table = results_table(
        [summary("m1", 1, "exact"), summary("m2", 2, "exact"), summary("m3", 2, "includes")], [], ["m1", "m2", "m3"]
    )
    notes = [line for line in table.splitlines() if line.startswith("not comparable")]
    assert notes == ["not comparable: toy — eval version 1 (m1) vs 2 (m2, m3); grader exact (m1, m2) vs includes (m3)"]


def test_warnings_name_grader_options_generation_and_epochs_but_not_model_params(tmp_path: Path) -> None:
    def run(name: str, options: dict[str, Any], generation: dict[str, Any], **fields: Any) -> Run:
        model = {"name": name, "params": {"max_tokens": len(name)}}  # two models' own parameters may differ
        return Run(run_record(eval={"grader_options": options}, generation=generation, model=model, **fields), tmp_path)

    a = run("m1", {"standard": "squad-v1.1", "tolerance": 0.01}, {"temperature": 0, "stop": ["\n", "Q:"]})
    b = run("m22", {"tolerance": 0.01, "standard": "cmrc2018"}, {"stop": ["\n", "Q:"], "temperature": 0.7}, epochs=2)
    assert run_warnings(a, b) == [
        "grader options standard=squad-v1.1, tolerance=0.01 (A) vs standard=cmrc2018, tolerance=0.01 (B)",
        'generation parameters stop=["\\n","Q:"], temperature=0 (A) vs stop=["\\n","Q:"], temperature=0.7 (B)',
        "epochs 1 (A) vs 2 (B)",  # the reducer is mean in both: epochs are named whatever the reducer
    ]
    same = run("m333", {"tolerance": 0.01, "standard": "squad-v1.1"}, {"stop": ["\n", "Q:"], "temperature": 0.0})
    assert run_warnings(a, same) == []  # the same options in another order, 0 and 0.0, other model params
    quoted = run("m1", {"unit": "km / h", "places": "3", "case": None}, {})
    assert run_warnings(run("m1", {}, {}), quoted) == [
        'grader options none (A) vs case=null, places="3", unit="km / h" (B)'
    ]

    table = results_table([a.summary, b.summary, same.summary], [], ["m1", "m22", "m333"])
    notes = [line for line in table.splitlines() if line.startswith("not comparable")]
    expected = (
        "not comparable: toy — grader options standard=squad-v1.1, tolerance=0.01 (m1, m333) vs standard=cmrc2018, "
        'tolerance=0.01 (m22); generation parameters stop=["\\n","Q:"], temperature=0 (m1, m333) vs '
        'stop=["\\n","Q:"], temperature=0.7 (m22); epochs 1 (m1, m333) vs 2 (m22)'
    )
    assert notes == [expected]


# --- end to end through the CLI -------------------------------------------------------------------------------------


def _run_json(*args: str, cwd: Path = REPO) -> list[dict[str, Any]]:
    result = evalrun("run", *args, "--json", "-q", cwd=cwd)
    assert result.stdout, result.stderr
    return json.loads(result.stdout)["runs"]


def _fake_model(server: FakeOpenAI) -> None:
    """A weak model: right on one question, a 400 on another, wrong everywhere else."""
    server.answer = lambda body: (
        "Attention Is All You Need" if "introduced the Transformer" in json.dumps(body) else "I do not know."
    )
    server.fault_for = lambda body: Fault("status", 400) if "first released" in json.dumps(body) else None


def test_oracle_beats_a_weak_model_significantly(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    results = str(tmp_path / "results")
    _run_json("gpt-history.en", "--model", "baseline/oracle", "--results", results)
    _run_json("gpt-history.en", "--model", "baseline/oracle", "--limit", "45", "--results", results)  # a smoke run
    _fake_model(openai_server)
    env = {"OPENAI_BASE_URL": openai_server.base_url}
    weak = evalrun("run", "gpt-history.en", "--model", "openai/m", "--results", results, "-q", cwd=REPO, env=env)
    assert weak.returncode == 1  # one sample failed (the 400)

    result = evalrun("compare", "--model", "baseline/oracle", "--model", "openai/m", "--results", results, cwd=REPO)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| gpt-history.en"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # the newer smoke run (--limit) does not count, as in a report: the full run of the oracle is compared
    n = FACTS - 1  # one sample failed in B
    assert cells[:5] == ["gpt-history.en", "accuracy", str(n), "1.000", f"{1 / n:.3f}"]
    assert cells[5].startswith(f"{-(n - 1) / n:.3f} [") and cells[6:9] == [str(n - 1), "0", "McNemar"]
    assert "dropped 1 sample(s): 1 errored in B" in result.stdout
    assert f"A>B ({n - 1}): " in result.stdout and "--json lists all" in result.stdout

    document = json.loads(
        evalrun(
            "compare",
            "-m",
            "baseline/oracle",
            "-m",
            "openai/m",
            "gpt-history.en",
            "--results",
            results,
            "--json",
            cwd=REPO,
        ).stdout
    )
    c = document["comparisons"][0]
    assert c["p"] == mcnemar_exact(n - 1, 0) < 1e-12
    assert len(c["a_better"]) == n - 1 and c["b_better"] == []
    assert c["dropped"] == {"missing_in_a": 0, "missing_in_b": 0, "errored_in_a": 0, "errored_in_b": 1}
    assert c["difference"]["ci_high"] < 0 and c["warnings"] == []


def test_oracle_beats_random_offline_and_holm_across_evals(tmp_path: Path) -> None:
    results = str(tmp_path / "results")
    _run_json("core", "--model", "baseline/oracle", "--model", "baseline/random", "--results", results)
    base = ["compare", "-m", "baseline/random", "-m", "baseline/oracle", "--results", results]
    document = json.loads(evalrun(*base, "core", "--json", cwd=REPO).stdout)
    from harness.registry.loader import Registry
    from harness.registry.workspace import Workspace

    core = Registry.load(Workspace(REPO)).suites["core"].evals
    assert [c["eval"] for c in document["comparisons"]] == [e for e in core if e.startswith("comprehension.")]
    assert {s["eval"] for s in document["skipped"]} == {"gpt-history.en", "gpt-history.ja", "gpt-history.zh"}
    c = document["comparisons"][0]
    reading = sum(1 for line in (REPO / "evals/comprehension/ja.jsonl").open(encoding="utf-8") if line.strip())
    assert c["difference"]["mean"] == 1.0 and c["p"] == mcnemar_exact(0, reading)

    named = evalrun(*base, "gpt-history.en", cwd=REPO)  # named directly, it cannot be skipped quietly
    assert named.returncode == 2 and named.stderr.count("\n") == 1 and "Traceback" not in named.stderr
    assert "gpt-history.en" in named.stderr and "baseline/random" in named.stderr
    unknown = evalrun(*base, "comprehension.ja", "no-such-eval", cwd=REPO)
    assert (
        unknown.returncode == 2
        and unknown.stderr == "evalrun: no runs of 'no-such-eval', and no eval or suite of that id\n"
    )

    runs = {(r["eval"]["id"], r["model"]["name"]): r["run_id"] for r in _stored(tmp_path / "results")}
    pairs = [
        runs["comprehension.ja", "baseline/random"],
        runs["comprehension.ja", "baseline/oracle"],
        runs["comprehension.ja", "baseline/oracle"],
        runs["comprehension.ja", "baseline/oracle"],
    ]
    document = json.loads(evalrun("compare", *pairs, "--metric", "f1", "--results", results, "--json", cwd=REPO).stdout)
    p = [c["p"] for c in document["comparisons"]]
    assert p[1] == 1.0 and [c["p_holm"] for c in document["comparisons"]] == holm(p)
    assert document["comparisons"][0]["test"] == "sign-flip" and document["adjustment"]["family"] == 2


def _stored(results: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(results.glob("runs/*/run.json"))]


def test_a_run_against_itself(tmp_path: Path) -> None:
    run = _run_json("gpt-history.ja", "--model", "baseline/oracle", "--results", str(tmp_path))[0]
    result = evalrun("compare", run["run_id"], run["paths"]["run"], "--results", str(tmp_path), "--json", cwd=REPO)
    c = json.loads(result.stdout)["comparisons"][0]
    assert c["difference"] == {**c["difference"], "mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    assert c["p"] == 1.0 and c["n"] == FACTS and c["a_better"] == c["b_better"] == [] and result.stderr == ""
    table = evalrun(
        "compare", run["run_id"], str(Path(run["paths"]["run"]).parent), "--results", str(tmp_path), cwd=REPO
    )
    assert "| +0.000 [+0.000, +0.000] |" in table.stdout and "WARNING" not in table.stdout


def test_warns_when_runs_are_not_comparable(repo_copy: Path, tmp_path: Path) -> None:
    results = str(tmp_path / "results")
    old = _run_json("gpt-history.en", "--model", "baseline/oracle", "--results", results, cwd=repo_copy)[0]
    spec = repo_copy / "registry/evals/gpt-history.en.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    new = _run_json("gpt-history.en", "--model", "baseline/oracle", "--results", results, cwd=repo_copy)[0]

    result = evalrun("compare", old["run_id"], new["run_id"], "--results", results, cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if "WARNING" in line]
    assert len(warnings) == 2
    assert warnings[0].endswith("runs not comparable: eval version 1 (A) vs 2 (B)")
    assert f"spec hash {old['eval']['spec_hash'][:12]} (A) vs {new['eval']['spec_hash'][:12]} (B)" in warnings[1]

    result = evalrun("compare", old["run_id"], new["run_id"], "--results", results, "--json", cwd=repo_copy)
    assert result.returncode == 0 and len(json.loads(result.stdout)["comparisons"][0]["warnings"]) == 2
    assert result.stderr.startswith("evalrun: warning: gpt-history.en: runs not comparable: eval version 1 (A) vs 2")


def test_warns_when_a_regrade_used_other_grader_options(tmp_path: Path) -> None:
    results = str(tmp_path / "results")
    run = _run_json("comprehension.ja", "--model", "baseline/reader", "--limit", "10", "--results", results)[0]
    regrade = evalrun(
        "regrade", run["run_id"], "--option", "standard=cmrc2018", "--results", results, "--json", cwd=REPO
    )
    assert regrade.returncode == 0, regrade.stderr
    pair = [run["run_id"], json.loads(regrade.stdout)["runs"][0]["run_id"]]
    warning = "runs not comparable: grader options none (A) vs standard=cmrc2018 (B)"

    table = evalrun("compare", *pair, "--results", results, cwd=REPO)
    assert table.returncode == 0, table.stderr
    assert [line for line in table.stdout.splitlines() if "WARNING" in line] == [f"- WARNING: {warning}"]
    document = evalrun("compare", *pair, "--results", results, "--json", cwd=REPO)
    assert document.returncode == 0, document.stderr
    assert json.loads(document.stdout)["comparisons"][0]["warnings"] == [warning.split(": ", 1)[1]]
    assert document.stderr == f"evalrun: warning: comprehension.ja: {warning}\n"


def test_warns_when_generation_parameters_or_epochs_differ(tmp_path: Path) -> None:
    results = str(tmp_path / "results")
    base = ["comprehension.ja", "--model", "baseline/reader", "--limit", "10", "--results", results]
    plain, warm, twice = (_run_json(*base, *more)[0] for more in ([], ["--temperature", "0.7"], ["--epochs", "2"]))
    pairs = [plain["run_id"], warm["run_id"], plain["run_id"], twice["run_id"]]
    result = evalrun("compare", *pairs, "--results", results, "--json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    hotter, repeated = json.loads(result.stdout)["comparisons"]
    assert (
        hotter["warnings"]
        == [  # the command line's generation parameters change the spec hash too
            f"spec hash {plain['eval']['spec_hash'][:12]} (A) vs {warm['eval']['spec_hash'][:12]} (B)",
            "generation parameters max_tokens=64, temperature=0 (A) vs max_tokens=64, temperature=0.7 (B)",
        ]
    )
    assert repeated["warnings"] == ["epochs 1 (A) vs 2 (B)"]
    assert (
        "evalrun: warning: comprehension.ja: runs not comparable: epochs 1 (A) vs 2 (B)" in result.stderr.splitlines()
    )


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    results = str(tmp_path / "results")
    en, ja = (
        _run_json(eval_id, "--model", "baseline/oracle", "--results", results)[0]["run_id"]
        for eval_id in ("gpt-history.en", "gpt-history.ja")
    )
    cases = {
        ("compare", en, "nope"): "evalrun: no run 'nope' under",
        ("compare", en, ja): f"evalrun: run {en} is of eval 'gpt-history.en' but run {ja} is of 'gpt-history.ja'",
        ("compare", en, en, ja): "evalrun: compare takes runs in pairs",
        ("compare",): "evalrun: name two runs",
        ("compare", "-m", "baseline/oracle"): "evalrun: compare takes two models",
        ("compare", "-m", "baseline/oracle", "-m", "openai/x"): "evalrun: no run of model 'openai/x'",
        ("compare", "-m", "baseline/oracle", "-m", "baseline/oracle"): "evalrun: --model names the same model twice",
        ("compare", en, en, "--metric", "f1"): f"evalrun: run {en} has no metric 'f1' (it has: accuracy)",
    }
    for args, message in cases.items():
        result = evalrun(*args, "--results", results, cwd=REPO)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith(message), (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr and result.stdout == ""
