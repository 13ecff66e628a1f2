"""Run records on disk: `results/runs/<run_id>/run.json` and an append-only `samples.jsonl`."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.errors import InputError


class RunWriter:
    """Writes one run's folder: the summary (replaced atomically) and one JSON line per finished sample."""

    def __init__(self, directory: Path, run_id: str, *, existing: bool = False):
        self.run_id = run_id
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=existing)
        self.samples_path = directory / "samples.jsonl"
        self.run_path = directory / "run.json"
        self._samples = open(self.samples_path, "a", encoding="utf-8")  # noqa: SIM115 - open for the run's lifetime
        if not _lock(self._samples):
            self._samples.close()
            raise InputError(f"evalrun: run {run_id} is being written by another evalrun process")

    def write_summary(self, summary: Mapping[str, Any]) -> None:
        """Replace run.json atomically, so a reader never sees half a file."""
        temporary = self.run_path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, self.run_path)

    def append(self, record: Mapping[str, Any]) -> None:
        """Append one sample record and hand it to the OS at once, so a killed run keeps it."""
        self._samples.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._samples.flush()

    def close(self) -> None:
        """Flush and sync the samples file to disk, then close it."""
        if not self._samples.closed:
            self._samples.flush()
            os.fsync(self._samples.fileno())
            self._samples.close()


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

    def summary(self, run_id: str) -> dict[str, Any]:
        """The run.json of a stored run; InputError if there is no such run."""
        path = self.runs_dir / run_id / "run.json"
        if "/" in run_id or run_id in ("", ".", "..") or not path.is_file():
            raise InputError(f"evalrun: no run {run_id!r} under {self.runs_dir}")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"evalrun: {path}: unreadable run record ({exc})") from None

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

    def records(self, run_id: str) -> Iterator[dict[str, Any]]:
        """The sample records of a run, one at a time; `repair` it first if it may have been killed mid-write."""
        path = self.runs_dir / run_id / "samples.jsonl"
        if not path.exists():
            return
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    def reopen(self, run_id: str) -> RunWriter:
        """The writer of an existing run, appending after its records."""
        return RunWriter(self.runs_dir / run_id, run_id, existing=True)

    def unfinished(self, fingerprint: str) -> str | None:
        """The newest run with this fingerprint that did not complete, if any."""
        found = []
        for path in self.runs_dir.glob("*/run.json") if self.runs_dir.is_dir() else ():
            try:
                summary = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            resumable = summary.get("status") != "complete" and "regraded_from" not in summary
            if summary.get("fingerprint") == fingerprint and resumable:
                found.append((summary.get("created_at", ""), summary["run_id"]))
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
