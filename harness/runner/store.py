"""Run records on disk: `results/runs/<run_id>/run.json` and an append-only `samples.jsonl`."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.errors import InputError, RecordWriteError, json_text
from harness.registry.workspace import display_path
from harness.runner.records import (
    SCHEMA_VERSION,
    RunRecord,
    SampleRecord,
    read_run,
    read_samples,
    run_data,
    sample_data,
)


class RunWriter:
    """Writes one run's folder: the summary (replaced atomically) and one JSON line per finished sample."""

    def __init__(self, directory: Path, run_id: str, *, existing: bool = False):
        self.run_id = run_id
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=existing)
        self.samples_path = directory / "samples.jsonl"
        self.run_path = directory / "run.json"
        # unbuffered: a record goes to the OS whole or not at all, and no half line waits in a buffer for a later flush
        self._samples = open(self.samples_path, "ab", buffering=0)  # noqa: SIM115 - open for the run's lifetime
        self._failed: str | None = None
        """Why the last append failed: no later record may follow a line that may be torn."""
        if not _lock(self._samples):
            self._samples.close()
            raise InputError(f"evalrun: run {run_id} is being written by another evalrun process")

    def write_summary(self, run: RunRecord) -> None:
        """Replace run.json atomically, so a reader never sees half a file; when no new file can be written (a full
        disk), rewrite it in place instead; RecordWriteError if neither can be done."""
        summary = run_data(run)
        data = _encoded(summary, indent=2)
        temporary = self.run_path.with_suffix(".json.tmp")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, self.run_path)
        except OSError:
            _remove(temporary)
            try:
                _rewrite(self.run_path, data, summary)
            except OSError as exc:
                raise RecordWriteError(_cannot_write(self.run_path, exc)) from None

    def append(self, record: SampleRecord) -> None:
        """Append one sample record as one whole line, handed to the OS at once so a killed run keeps it;
        RecordWriteError if it cannot be written, and for every record after that."""
        if self._failed is not None:
            raise RecordWriteError(self._failed)
        line = _encoded(sample_data(record))
        written = 0
        try:
            while written < len(line):  # a short write (the disk filling up) is followed by the error itself
                written += self._samples.write(line[written:]) or 0
        except OSError as exc:
            self._unwrite(written)
            self._failed = _cannot_write(self.samples_path, exc)
            raise RecordWriteError(self._failed) from None

    def _unwrite(self, written: int) -> None:
        """Cut off the first `written` bytes of a line that could not be finished (resume repairs it otherwise)."""
        if written:
            with contextlib.suppress(OSError):
                os.ftruncate(self._samples.fileno(), os.lseek(self._samples.fileno(), 0, os.SEEK_END) - written)

    def close(self) -> None:
        """Sync the samples file to disk and close it; RecordWriteError if what it holds may not have reached disk."""
        if self._samples.closed:
            return
        try:
            if self._failed is None:
                os.fsync(self._samples.fileno())
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # not a file that can be synced (/dev/full, a pipe)
                raise RecordWriteError(_cannot_write(self.samples_path, exc)) from None
        finally:
            self._samples.close()


def _encoded(value: Mapping[str, Any], indent: int | None = None) -> bytes:
    """`value` as UTF-8 JSON ending in a newline, with C1 controls, bidi controls and invisible marks written as
    escapes (so `tail -f` of a record cannot drive a terminal); a lone surrogate (from an answer) too."""
    try:
        return (json_text(value, indent=indent) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(value, indent=indent) + "\n").encode("ascii")


def _rewrite(path: Path, data: bytes, summary: Mapping[str, Any]) -> None:
    """Write `data` over the file at `path` in place, compact when the indented form would need more room than the
    file has, so a full disk need not give it a new block."""
    with open(path, "r+b" if path.exists() else "wb") as handle:
        room = handle.seek(0, os.SEEK_END)
        if len(data) > room:
            data = (json.dumps(summary, separators=(",", ":")) + "\n").encode("ascii")
        handle.seek(0)
        handle.write(data)
        handle.truncate(len(data))


def _remove(path: Path) -> None:
    """Delete `path` if it is there (a half-written temporary file)."""
    with contextlib.suppress(OSError):
        path.unlink()


def _cannot_write(path: Path, exc: OSError) -> str:
    """The one line that says a run record could not be written, and why."""
    return f"cannot write {display_path(path)}: {exc.strerror or exc}"


class RunStore:
    """The `runs/` folder under a results directory."""

    def __init__(self, results_dir: Path):
        self.runs_dir = results_dir / "runs"

    def create(self, eval_id: str, model: str) -> RunWriter:
        """A new, uniquely named run folder for `eval_id` × `model`."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        run_id = f"{stamp}-{eval_id}-{slug(model)}-{secrets.token_hex(3)}"
        try:
            return RunWriter(self.runs_dir / run_id, run_id)
        except OSError as exc:
            raise InputError(f"evalrun: cannot create a run folder under {self.runs_dir}: {exc.strerror}") from None

    def summary(self, run_id: str) -> RunRecord:
        """The run.json of a stored run; InputError if there is no such run."""
        path = self.runs_dir / run_id / "run.json"
        if "/" in run_id or run_id in ("", ".", "..") or not path.is_file():
            raise InputError(f"evalrun: no run {run_id!r} under {self.runs_dir}")
        return read_run(path)

    def repair(self, run_id: str) -> None:
        """Cut off the end of samples.jsonl from the first line that is not a whole JSON record (a kill mid-write)."""
        path = self.runs_dir / run_id / "samples.jsonl"
        if not path.exists():
            return
        good = 0
        with open(path, "rb") as handle:
            for line in handle:
                try:
                    if not line.endswith(b"\n"):
                        raise ValueError("torn line")
                    json.loads(line)
                except ValueError:
                    break
                good += len(line)
            end = handle.seek(0, os.SEEK_END)
        if good < end:
            with open(path, "r+b") as handle:
                handle.truncate(good)

    def records(self, run_id: str, version: int = SCHEMA_VERSION) -> Iterator[SampleRecord]:
        """The sample records of a run (written with record schema `version`), one at a time."""
        return read_samples(self.runs_dir / run_id / "samples.jsonl", version)

    def reopen(self, run_id: str) -> RunWriter:
        """The writer of an existing run, appending after its records."""
        return RunWriter(self.runs_dir / run_id, run_id, existing=True)

    def unfinished(self, fingerprint: str) -> str | None:
        """The newest run with this fingerprint that did not complete, if any."""
        found = []
        for path in self.runs_dir.glob("*/run.json") if self.runs_dir.is_dir() else ():
            try:
                summary = read_run(path)
            except InputError:
                continue
            resumable = summary.status != "complete" and summary.regraded_from is None
            if summary.fingerprint == fingerprint and resumable:
                found.append((summary.created_at, summary.run_id))
        return max(found)[1] if found else None


def slug(text: str) -> str:
    """`text` reduced to characters safe in a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "model"


def _lock(handle: Any) -> bool:
    """Take an exclusive lock on an open file for as long as it stays open; False if another process holds it."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
