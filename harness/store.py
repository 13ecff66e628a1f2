"""Run records on disk: `results/runs/<run_id>/run.json` and an append-only `samples.jsonl`."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.errors import InputError


class RunWriter:
    """Writes one run's folder: the summary (replaced atomically) and one JSON line per finished sample."""

    def __init__(self, directory: Path, run_id: str):
        self.run_id = run_id
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=False)
        self.samples_path = directory / "samples.jsonl"
        self.run_path = directory / "run.json"
        self._samples = open(self.samples_path, "a", encoding="utf-8")

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


def slug(text: str) -> str:
    """`text` reduced to characters safe in a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "model"
