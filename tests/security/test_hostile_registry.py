"""A corpus of malformed and hostile registry files, each checked by `evalrun validate`.

Each case is a folder `tests/fixtures/hostile/<case>/` holding the files that differ from a valid base workspace (the
eval `registry/evals/x.yaml` from `_base/`, its data `evals/x/x.jsonl` and data card `evals/x/README.md`), laid out as
in a workspace, and `expected.txt`:

    # a comment
    PATH:LINE: FRAGMENT     some output line starts with `PATH:LINE: ` and contains FRAGMENT (its parts between `…`
                            in that order, anything between them)
    ! TEXT                  no output line contains TEXT (a secret, or what a file outside the repository holds)

Files that cannot be stored as plain files (links, FIFOs, raw control or invalid bytes, sparse 100 MB files) are made
by the functions in GENERATED. In a case's files and expected lines, `@@HOST@@` is the address of a local listener that
must never be contacted. The category of a case is its name up to the first `-`.

Every case must get exit status 2, no traceback, only `path:line: message` lines, its expected lines, and none of the
breaches `breaches` looks for (code run, a file outside the repository shown, raw control bytes, a network call).
Cases where evalrun falls short are in BUGS: strict xfails that name what happens instead.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.cli import main
from tests.support import CARD, FIXTURES, TEST_CANARY, evalrun, write, write_jsonl

CASES_DIR = FIXTURES / "hostile"
BASE_DIR = CASES_DIR / "_base"
"""The base workspace's registry file (its data and card are written by `write_jsonl`)."""
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir() and p != BASE_DIR)
LINE = re.compile(r"^[^:]+:\d+: \S")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters that must never reach a terminal raw (newline and tab aside)."""
SECRETS = ("OUTSIDE-SECRET", "root:x:0")
"""What the files outside the repository hold (ours, and /etc/passwd): never to appear in the output."""

BASE_ROWS = [
    {"id": "q1", "question": "What is the capital of Japan?", "answers": ["Tokyo"]},
    {"id": "q2", "question": "How many legs does a spider have?", "answers": ["8"]},
]


class Mismatch(Exception):
    """validate's answer is not the one expected: wrong status, a traceback, a bad line, a missing problem, a hang."""


class Breach(Exception):
    """validate did something hostile input must never make it do: run code, show an outside file, drive the
    terminal, or call the network."""


def _lay_over(folder: Path, root: Path, host: str = "") -> None:
    """Copy the files of `folder` (but its expected.txt) into `root`, with `@@HOST@@` replaced by `host`."""
    for source in sorted(folder.rglob("*")):
        relative = source.relative_to(folder)
        if source.is_file() and str(relative) != "expected.txt":
            write(root / relative, source.read_text(encoding="utf-8").replace("@@HOST@@", host))


def base_workspace(root: Path) -> Path:
    """A valid workspace: the eval `x`, its data (with the canary) and its data card."""
    for part in ("registry/evals", "registry/suites", "registry/models", "registry/judges"):
        (root / part).mkdir(parents=True, exist_ok=True)
    _lay_over(BASE_DIR, root)
    write_jsonl(root / "evals/x/x.jsonl", BASE_ROWS)
    return root


# ---- files that cannot be stored as plain files -------------------------------------------------------------------


def _link(relative: str, target: Callable[[Path], Path | str]) -> Callable[[Path, Path], None]:
    """Make `relative` a symbolic link to `target(outside)`, replacing what is there."""

    def make(root: Path, outside: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.symlink_to(target(outside))

    return make


def _fifo(relative: str) -> Callable[[Path, Path], None]:
    def make(root: Path, outside: Path) -> None:
        path = root / relative
        path.unlink(missing_ok=True)
        os.mkfifo(path)

    return make


def _bytes(relative: str, old: bytes, new: bytes) -> Callable[[Path, Path], None]:
    """Replace bytes in a file of the base workspace (to put in bytes no text file holds)."""

    def make(root: Path, outside: Path) -> None:
        path = root / relative
        data = path.read_bytes()
        assert old in data, (relative, old)
        path.write_bytes(data.replace(old, new, 1))

    return make


def _sparse_line(relative: str, size: int) -> Callable[[Path, Path], None]:
    """Append one JSONL line of `size` bytes, written as a hole so that making it costs nothing."""

    def make(root: Path, outside: Path) -> None:
        with open(root / relative, "r+b") as handle:
            handle.seek(0, os.SEEK_END)
            handle.write(b'{"id": "big", "answers": ["x"], "question": "')
            handle.seek(size, os.SEEK_CUR)
            handle.write(b'"}\n')

    return make


def _sparse_yaml(root: Path, outside: Path) -> None:
    with open(root / "registry/evals/y.yaml", "wb") as handle:
        handle.write(b"id: y\n# ")
        handle.truncate(2 << 20)


def _utf16_yaml(root: Path, outside: Path) -> None:
    path = root / "registry/evals/x.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def _escape_named_folder(root: Path, outside: Path) -> None:
    folder = root / "evals" / "\x1b[2J"
    write(folder / "README.md", CARD)
    write(
        folder / "x.jsonl", f'{{"id": "q1", "question": "Q?", "answers": ["a"], "canary": "{TEST_CANARY}"}}\n{{"id": \n'
    )


GENERATED: dict[str, Callable[[Path, Path], None]] = {
    "yaml-file-over-1mb": _sparse_yaml,
    "link-data-to-etc-passwd": _link("evals/x/x.jsonl", lambda outside: "/etc/passwd"),
    "link-family-to-root": _link("evals/root", lambda outside: "/"),
    "link-registry-yaml-out": _link("registry/evals/y.yaml", lambda outside: outside / "secret.yaml"),
    "link-card-out": _link("evals/x/README.md", lambda outside: outside / "README.md"),
    "link-few-shot-out": _link("evals/x/dev.jsonl", lambda outside: outside / "secret.jsonl"),
    "link-data-to-dev-zero": _link("evals/x/zero.jsonl", lambda outside: "/dev/zero"),
    "link-loop": _link("evals/x/x.jsonl", lambda outside: "x.jsonl"),
    "link-dangling-registry-entry": _link("registry/evals/y.yaml", lambda outside: outside / "missing.yaml"),
    "nonfile-fifo-data": _fifo("evals/x/fifo.jsonl"),
    "nonfile-fifo-registry-entry": _fifo("registry/evals/y.yaml"),
    "nonfile-fifo-card": _fifo("evals/x/README.md"),
    "enc-yaml-invalid-utf8": _bytes("registry/evals/x.yaml", b"A base eval", b"A \xff\xfe eval"),
    "enc-yaml-utf16": _utf16_yaml,
    "enc-yaml-nul-byte": _bytes("registry/evals/x.yaml", b"A base eval", b"A \x00 eval"),
    "enc-card-nul-byte": _bytes("evals/x/README.md", b"Written for", b"Written\x00 for"),
    "enc-jsonl-invalid-utf8": _bytes("evals/x/x.jsonl", b"How many legs", b"How \xc3\x28 many legs"),
    "enc-jsonl-bom": _bytes("evals/x/x.jsonl", b'{"id": "q1"', b'\xef\xbb\xbf{"id": "q1"'),
    "enc-jsonl-nul-bytes": _bytes("evals/x/x.jsonl", b'\n{"id": "q2"', b'\n\x00\x00\x00\n{"id": "q2"'),
    "jsonl-100mb-line": _sparse_line("evals/x/x.jsonl", 100 << 20),
    "jsonl-2mb-line": _sparse_line("evals/x/x.jsonl", 2 << 20),
    "esc-in-folder-name": _escape_named_folder,
    "esc-raw-byte-in-yaml": _bytes("registry/evals/x.yaml", b"A base eval", b"A \x1b[2J eval"),
}

SUBPROCESS: dict[str, float] = {
    **{name: 30.0 for name in CASES if name.startswith("esc-")},
    "template-nested-loops": 5.0,
    "template-percent-format": 30.0,
    "template-center-filter": 30.0,
    "template-replace-chain": 30.0,
    "template-concat-doubling": 30.0,
    "hf-local-loading-script": 60.0,
    "hf-local-folder-bad-json": 60.0,
    "nonfile-fifo-data": 10.0,
    "nonfile-fifo-registry-entry": 10.0,
    "nonfile-fifo-card": 10.0,
    "link-data-to-dev-zero": 10.0,
    "link-loop": 30.0,
    "enc-yaml-nul-byte": 30.0,
    "jsonl-100mb-line": 30.0,
}
"""Cases run as a real `evalrun validate` process (with its time limit in seconds): those that could hang or fill
memory, and enough others to show that no traceback or raw control byte reaches a real terminal."""

BUDGET: dict[str, float] = {"jsonl-100mb-line": 3.0, "alias-billion-laughs": 2.0}
"""Seconds a case may take, when tighter than the default 10."""


def _bug(reason: str) -> pytest.MarkDecorator:
    """A strict xfail for a Mismatch only: a breach (or a broken test) still fails."""
    return pytest.mark.xfail(strict=True, raises=Mismatch, reason=f"BUG: {reason}")


BUGS: dict[str, pytest.MarkDecorator] = {
    "hf-local-loading-script": _bug(
        "reported as 'hf:evals/hfd:1: cannot load dataset split ...' (not a path:line of any file), not at the YAML"
    ),
    "hf-local-folder-bad-json": _bug(
        "a raw `datasets` log line ('Failed to load JSON from file '/abs/path/...' with error ...') on stderr, then"
        " 'hf:evals/hfd:1: cannot load dataset split ...': neither names the bad line"
    ),
    "grader-regex-catastrophic": _bug("a catastrophically backtracking pattern `^(\\w+\\s?)*$` passes (exit 0)"),
    "judge-pattern-cannot-give-a-verdict": _bug(
        "a pattern whose group can only be YES or NO, none of them a verdict, passes"
    ),
}


# ---- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP listener on 127.0.0.1 that records every connection and closes it: hostile input must never reach it."""
    server = socket.create_server(("127.0.0.1", 0))
    hits: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(1)
                try:
                    hits.append(connection.recv(200))
                except OSError:
                    hits.append(b"")

    threading.Thread(target=serve, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}", hits
    server.close()


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files outside every workspace, each of which would show OUTSIDE-SECRET in validate's output if it were read."""
    folder = tmp_path_factory.mktemp("outside")
    write(folder / "secret.yaml", "id: y\ndescription: [OUTSIDE-SECRET]\n")
    write(folder / "README.md", "---\nlicense: OUTSIDE-SECRET is not a license\nsource: x\ncanary: x\n---\n")
    write(folder / "secret.jsonl", '{"id": "OUTSIDE-SECRET", "answers": []}\n')
    return folder


# ---- running a case -----------------------------------------------------------------------------------------------


def build_case(name: str, root: Path, outside: Path, host: str) -> None:
    """The base workspace with the case's files laid over it (and its generated files made)."""
    base_workspace(root)
    _lay_over(CASES_DIR / name, root, host)
    if name in GENERATED:
        GENERATED[name](root, outside)


def run_validate(
    name: str, root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """Exit status and stderr of `evalrun validate` in `root`: a subprocess for the cases in SUBPROCESS, else in process."""
    if name in SUBPROCESS:
        cache = root.parent / "hf-cache"
        env = {"HF_HOME": str(cache), "HF_DATASETS_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
        try:
            result = evalrun("validate", cwd=root, env=env, timeout=SUBPROCESS[name])
        except subprocess.TimeoutExpired:
            raise Mismatch(f"validate gave no answer within {SUBPROCESS[name]:g} s") from None
        return result.returncode, result.stderr
    monkeypatch.chdir(root)
    monkeypatch.delenv("EVALRUN_HOME", raising=False)
    try:
        status = main(["validate"])
    except Exception:  # noqa: BLE001 - a traceback is what the case must show never happens
        return 1, capsys.readouterr().err + traceback.format_exc()
    return status, capsys.readouterr().err


def read_expected(name: str, host: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(prefix, fragment) lines that must be in the output, and texts that must not."""
    present, absent = [], []
    for line in (CASES_DIR / name / "expected.txt").read_text(encoding="utf-8").splitlines():
        line = line.replace("@@HOST@@", host)
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("! "):
            absent.append(line[2:])
            continue
        match = re.fullmatch(r"(.+?:\d+: )(.*)", line)
        assert match and match[2].strip(), f"{name}/expected.txt: not `PATH:LINE: FRAGMENT` nor `! TEXT`: {line!r}"
        present.append((match[1], match[2]))
    assert present, f"{name}/expected.txt names no expected problem"
    return present, absent


def breaches(err: str, places: list[Path], hits: list[bytes]) -> list[str]:
    """What validate must never do, found after it ran."""
    found = [f"ran code: {p}" for place in places for p in place.rglob("pwned*")]
    found += [f"showed {secret!r} from a file outside the repository" for secret in SECRETS if secret in err]
    found += [f"raw control character {m.group()!r} in the output" for m in CONTROL.finditer(err)][:1]
    found += [f"contacted the network: {hit[:80]!r}" for hit in hits]
    return found


def mismatches(status: int, err: str, present: list[tuple[str, str]], absent: list[str]) -> list[str]:
    lines = err.splitlines()
    found = [] if status == 2 else [f"exit status {status}, not 2"]
    found += ["a traceback"] if "Traceback" in err else []
    found += [f"not `path:line: message`: {line!r}" for line in lines if not LINE.match(line)][:3]
    for prefix, fragment in present:
        pattern = re.compile(".*".join(re.escape(part) for part in re.split(r"\s*…\s*", fragment) if part))
        if not any(line.startswith(prefix) and pattern.search(line[len(prefix) :]) for line in lines):
            found.append(f"no line `{prefix}{fragment}`")
    found += [f"the output shows {text!r}" for text in absent if text in err]
    return found


@pytest.mark.parametrize("name", [pytest.param(name, marks=BUGS.get(name, ())) for name in CASES])
def test_hostile_case(
    name: str,
    tmp_path: Path,
    outside: Path,
    listener: tuple[str, list[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host, hits = listener
    root = tmp_path / "repo"
    build_case(name, root, outside, host)
    present, absent = read_expected(name, host)
    seen = len(hits)
    started = time.perf_counter()
    status, err = run_validate(name, root, monkeypatch, capsys)
    elapsed = time.perf_counter() - started
    found = breaches(err, [root, outside], hits[seen:])
    if found:
        raise Breach(f"{name}: " + "; ".join(found) + f"\n--- output:\n{err}")
    found = mismatches(status, err, present, absent)
    if elapsed > BUDGET.get(name, 10.0):
        found.append(f"took {elapsed:.1f} s (budget {BUDGET.get(name, 10.0):g} s)")
    if found:
        raise Mismatch(f"{name}: " + "; ".join(found) + f"\n--- output:\n{err}")


def test_base_workspace_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every case's problems come from its own files: the workspace they are laid over has none."""
    root = base_workspace(tmp_path / "repo")
    status, err = run_validate("base", root, monkeypatch, capsys)
    assert (status, err) == (0, "ok: no problems found\n")


def test_case_tables_name_existing_cases() -> None:
    """GENERATED, SUBPROCESS, BUDGET and BUGS name only cases that exist, and there are at least 60 of them."""
    for table in (GENERATED, SUBPROCESS, BUDGET, BUGS):
        assert set(table) <= set(CASES), set(table) - set(CASES)
    assert len(CASES) >= 60
