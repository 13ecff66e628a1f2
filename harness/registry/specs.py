"""Typed views of registry entries: eval specs, suites and model presets."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.registry.graders import metrics_of
from harness.registry.workspace import Workspace


@dataclass(frozen=True)
class HFSource:
    """A Hugging Face dataset pinned to a revision (a hub id, or a directory inside the repository)."""

    path: str
    split: str
    revision: str
    name: str | None = None


@dataclass(frozen=True)
class DataSpec:
    """Where an eval's samples come from and which fields hold the id, answers, options and passage."""

    path: str | None = None
    hf: HFSource | None = None
    id_field: str = "id"
    answer_field: str = "answers"
    choices_field: str = "choices"
    context_field: str | None = None
    card: str | None = None
    """The data card, relative to evals/ (default: README.md beside the data file)."""


@dataclass(frozen=True)
class PromptSpec:
    """Jinja2 templates for the system and user messages, and how many worked examples to show first."""

    user: str
    system: str | None = None
    few_shot_k: int = 0
    few_shot_path: str | None = None


@dataclass(frozen=True)
class EvalSpec:
    """One evaluation task as declared in `registry/evals/<id>.yaml`."""

    id: str
    description: str
    language: str
    version: int
    data: DataSpec
    prompt: PromptSpec
    grader: str
    """The grader's kind; `grader_options` holds the rest of the `grader:` block."""
    metrics: tuple[str, ...]
    generation: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    grader_options: Mapping[str, Any] = field(default_factory=dict)
    checks: tuple[Mapping[str, Any], ...] = ()
    """Grader self-tests: an output, its references (and options) and the score it must get."""
    source: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    lines: Mapping[tuple[Any, ...], int] = field(default_factory=dict, repr=False, compare=False)
    """The line in the spec file where each value (by key path) is written."""
    workspace: Workspace | None = field(default=None, repr=False, compare=False)
    """The workspace the spec was read from: its data is under that workspace's evals/."""

    @property
    def home(self) -> Workspace:
        """The workspace the spec was read from; ValueError for a spec built outside a registry."""
        if self.workspace is None:
            raise ValueError(f"eval {self.id!r} was not read from a registry")
        return self.workspace

    @property
    def primary_metric(self) -> str:
        """The metric tables show: the first of `metrics`."""
        return self.metrics[0]

    @property
    def is_multiple_choice(self) -> bool:
        """Whether samples carry options and answers name one of them."""
        return self.grader == "choice"

    def line_of(self, *location: Any) -> int:
        """The line of the deepest known value along `location` in the spec file (1 if unknown)."""
        while location and location not in self.lines:
            location = location[:-1]
        return self.lines.get(location, 1)

    @property
    def grader_config(self) -> Mapping[str, Any]:
        """The whole `grader:` block: its kind and options."""
        return {"kind": self.grader, **self.grader_options}

    @property
    def spec_hash(self) -> str:
        """SHA-256 of the spec's canonical JSON form."""
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @classmethod
    def from_dict(
        cls,
        raw: Mapping[str, Any],
        workspace: Workspace,
        source: Path | None = None,
        lines: Mapping[tuple[Any, ...], int] | None = None,
    ) -> EvalSpec:
        """Build from a schema-valid mapping."""
        data = dict(raw["data"])
        hf = HFSource(**data.pop("hf")) if "hf" in data else None
        prompt = raw["prompt"]
        shots = prompt.get("few_shot") or {}
        grader = raw["grader"]["kind"]
        return cls(
            id=raw["id"],
            description=raw["description"],
            language=raw["language"],
            version=raw["version"],
            data=DataSpec(hf=hf, **data),
            prompt=PromptSpec(
                user=prompt["user"],
                system=prompt.get("system"),
                few_shot_k=shots.get("k", 0),
                few_shot_path=shots.get("path"),
            ),
            grader=grader,
            grader_options={k: v for k, v in raw["grader"].items() if k != "kind"},
            checks=tuple(raw.get("checks") or ()),
            metrics=tuple(raw.get("metrics") or metrics_of(raw["grader"])),
            generation=dict(raw.get("generation") or {}),
            tags=tuple(raw.get("tags") or ()),
            source=source,
            raw=raw,
            lines=dict(lines or {}),
            workspace=workspace,
        )


@dataclass(frozen=True)
class SuiteSpec:
    """A named list of evals (`registry/suites/<id>.yaml`)."""

    id: str
    description: str
    evals: tuple[str, ...]


@dataclass(frozen=True)
class JudgeSpec:
    """A rubric for model-graded evals (`registry/judges/<id>.yaml`): the judge's prompt and the verdicts' scores."""

    id: str
    description: str
    prompt: PromptSpec
    verdicts: Mapping[str, float]
    pattern: str | None = None
    generation: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> JudgeSpec:
        """Build from a schema-valid mapping."""
        prompt = PromptSpec(user=raw["prompt"]["user"], system=raw["prompt"].get("system"))
        generation = raw.get("generation") or {"temperature": 0, "max_tokens": 512}
        return cls(raw["id"], raw["description"], prompt, dict(raw["verdicts"]), raw.get("pattern"), dict(generation))


@dataclass(frozen=True)
class ModelPreset:
    """A named endpoint (`registry/models/<id>.yaml`): provider, model, base URL, key variable, parameters."""

    id: str
    provider: str
    model: str
    base_url: str | None = None
    api_key_env: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    prices: Mapping[str, float] | None = None
    """US dollars per million input and output tokens."""
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    stream: bool | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra request headers; never credentials (refused at validation)."""
    ca_file: str | None = None
    """Extra CAs to trust: a path inside the repository, resolved by the registry loader."""
    client_cert_env: str | None = None
    client_key_env: str | None = None


CREDENTIAL_HEADERS = re.compile(r"authorization|cookie|.*(api[-_]?key|token|secret|password|auth).*", re.IGNORECASE)
"""Header names a preset may not set: keys come from `api_key_env` variables only."""


def endpoint_url_problem(url: str) -> str | None:
    """What is wrong with an endpoint URL (None if nothing): it needs http(s), a host and a valid port, and no space or
    control character anywhere (one in the path would end the request line early: `POST /v1 HTTP/1.0/chat …`)."""
    if re.search(r"[\s\x00-\x1f\x7f-\x9f]", url):
        return f"{_hide_credentials(url)!r} holds a space or a control character, which a URL cannot"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"{_hide_credentials(url)!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{_hide_credentials(url)!r} is not an http:// or https:// URL with a host"
    if not re.fullmatch(r"[A-Za-z0-9._~-]+|[0-9A-Fa-f:.]+", parts.hostname):
        return f"{_hide_credentials(url)!r} has a host name with characters a host name cannot have"
    return None


def _hide_credentials(url: str) -> str:
    """The URL with any user:password@ replaced, for messages."""
    return re.sub(r"(//)[^/@]*@", r"\1***@", url)
