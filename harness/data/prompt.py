"""Render an eval's sandboxed Jinja2 templates into chat messages, with optional worked examples."""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Template
from jinja2.exceptions import SecurityError, UndefinedError

from harness.registry.specs import PromptSpec
from harness.registry.templates import SANDBOX, template_problems
from harness.types import Message, Sample

MAX_PROMPT_CHARS = 1 << 20
"""The longest a rendered message may be (1 Mi characters): no question needs more, and a template multiplying a
field would otherwise build gigabytes. Enforced at render, so `evalrun validate` checks it for every sample."""


class PromptError(ValueError):
    """A template that cannot be compiled or rendered for a sample."""


class PromptRenderer:
    """Compiled templates for one eval; turns a sample (and its shots) into chat messages."""

    def __init__(self, prompt: PromptSpec):
        problems = template_problems(prompt)
        if problems:
            raise PromptError("; ".join(f"prompt.{part}: {msg}" for part, msg in problems))
        self._system = SANDBOX.from_string(prompt.system) if prompt.system else None
        self._user = SANDBOX.from_string(prompt.user)

    def render(self, sample: Sample, shots: Sequence[Sample] = ()) -> tuple[Message, ...]:
        """Messages for `sample`: system, then each shot as a user/assistant pair, then the question."""
        messages: list[Message] = []
        if self._system is not None:
            messages.append({"role": "system", "content": self._fill(self._system, sample)})
        for shot in shots:
            messages.append({"role": "user", "content": self._fill(self._user, shot)})
            messages.append({"role": "assistant", "content": shot.references[0]})
        messages.append({"role": "user", "content": self._fill(self._user, sample)})
        return tuple(messages)

    @staticmethod
    def _fill(template: Template, sample: Sample) -> str:
        try:
            parts, size = [], 0
            for part in template.generate(dict(sample.fields)):  # streamed, so an outsized prompt is never built
                size += len(part)
                if size > MAX_PROMPT_CHARS:
                    raise PromptError(
                        f"sample {sample.id}: the rendered prompt is longer than {MAX_PROMPT_CHARS:,} characters"
                        " (a template that repeats a field, or a field too long for a prompt)"
                    )
                parts.append(part)
            return "".join(parts).strip()
        except PromptError:
            raise
        except MemoryError:
            raise PromptError(f"sample {sample.id}: the template ran out of memory") from None
        except UndefinedError as exc:
            raise PromptError(f"sample {sample.id}: {exc.message}") from None
        except SecurityError as exc:
            raise PromptError(f"sample {sample.id}: template refused by the sandbox: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - a template error a sample triggers, e.g. a filter on the wrong type
            raise PromptError(f"sample {sample.id}: template failed: {exc}") from None
