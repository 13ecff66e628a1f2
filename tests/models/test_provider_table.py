"""harness/models/providers.py is the one list of providers: every place that names or configures one asks it."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.models import check_model_name, open_provider
from harness.models.base import ModelSettings, Provider
from harness.models.http import HTTPProvider
from harness.models.pacing import DEFAULT_COMPLETION_TOKENS
from harness.models.providers import BASELINE, NAMES, PROVIDERS, key_variables
from harness.registry.schemas import schema
from harness.registry.specs import ModelPreset, endpoint_url_problem
from tests.support import REPO, SECRET, evalrun

CONFIGURATION = ("base_url_env", "default_base_url", "api_key_env")
"""What every provider class must declare itself (HTTPProvider only annotates them)."""
ENVIRONMENT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
ELSEWHERE = "http://127.0.0.1:9/elsewhere"


def _listed(message: str, before: str) -> list[str]:
    """The comma-separated names a message lists in parentheses after `before`."""
    found = re.search(re.escape(before) + r"([^)]*)\)", message)
    assert found, message
    return found.group(1).split(", ")


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    """No provider configuration from the environment running the tests."""
    for kind in PROVIDERS.values():
        for variable in (kind.base_url_env, kind.api_key_env):
            if variable:
                monkeypatch.delenv(variable, raising=False)


def _base_url(provider: Provider) -> str:
    """Where an opened provider sends its requests; its connections closed."""
    asyncio.run(provider.aclose())
    return str(provider.describe()["base_url"])


def test_the_names_are_the_tables_keys_and_each_class_its_own() -> None:
    assert BASELINE not in PROVIDERS and (*PROVIDERS, BASELINE) == NAMES
    for name, kind in PROVIDERS.items():
        assert issubclass(kind, HTTPProvider) and kind.provider == name


@pytest.mark.parametrize("kind", PROVIDERS.values(), ids=list(PROVIDERS))
def test_each_provider_class_declares_its_configuration(kind: type[HTTPProvider]) -> None:
    forgotten = [attribute for attribute in CONFIGURATION if not hasattr(kind, attribute)]
    assert not forgotten, f"{kind.__name__} does not declare {', '.join(forgotten)}"
    assert ENVIRONMENT_NAME.fullmatch(kind.base_url_env)
    assert endpoint_url_problem(kind.default_base_url) is None
    # a key variable is named as a preset's must be (model.schema.json), so a provider cannot send other secrets
    assert kind.api_key_env is None or re.fullmatch(
        schema("model")["properties"]["api_key_env"]["pattern"], kind.api_key_env
    )
    assert kind.default_max_tokens is None or kind.default_max_tokens > 0
    assert SECRET not in json.dumps(kind.auth_headers(None))
    assert any(SECRET in value for value in kind.auth_headers(SECRET).values())


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_a_preset_wins_over_the_environment_which_wins_over_the_default(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = PROVIDERS[name]
    _clear(monkeypatch)
    if kind.api_key_env:
        monkeypatch.setenv(kind.api_key_env, SECRET)
    opened = open_provider(f"{name}/m", {}, ModelSettings())
    assert type(opened) is kind and _base_url(opened) == kind.default_base_url.rstrip("/")
    monkeypatch.setenv(kind.base_url_env, ELSEWHERE)
    assert _base_url(open_provider(f"{name}/m", {}, ModelSettings())) == ELSEWHERE
    preset = ModelPreset(id="p", provider=name, model="m", base_url="http://127.0.0.1:8/preset")
    assert _base_url(open_provider("p", {"p": preset}, ModelSettings())) == "http://127.0.0.1:8/preset"


def test_model_names_are_checked_against_the_table() -> None:
    for name in PROVIDERS:
        check_model_name(f"{name}/m", {})
    check_model_name(f"{BASELINE}/oracle", {})
    with pytest.raises(InputError) as caught:
        check_model_name("nosuch/m", {})
    assert _listed(str(caught.value), "providers: ") == list(NAMES)
    with pytest.raises(InputError) as caught:
        open_provider("nosuch/m", {}, ModelSettings())
    assert _listed(str(caught.value), "known: ") == list(NAMES)


def test_a_preset_may_name_exactly_the_tables_providers() -> None:
    assert schema("model")["properties"]["provider"]["enum"] == list(PROVIDERS), (
        "harness/registry/schemas/model.schema.json: the preset `provider` enum must list the names of "
        "harness/models/providers.py, in its order"
    )


def test_evalrun_list_and_run_help_take_the_providers_from_the_table() -> None:
    listed = evalrun("list", cwd=REPO)
    assert listed.returncode == 0, listed.stderr
    assert [part.removesuffix("/…") for part in _listed(listed.stdout, "Models (also any provider/model: ")] == list(
        PROVIDERS
    )
    assert key_variables() == list(dict.fromkeys(k.api_key_env for k in PROVIDERS.values() if k.api_key_env))
    helped = evalrun("run", "--help", cwd=REPO)
    assert _listed(" ".join(helped.stdout.split()), "Keys come only from variables (") == [*key_variables(), "..."]


def test_the_dry_run_asks_each_provider_for_its_default_max_tokens(repo_copy: Path) -> None:
    spec = repo_copy / "registry/evals/gpt-history.en.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "  max_tokens: 64\n" in text
    spec.write_text(text.replace("  max_tokens: 64\n", ""), encoding="utf-8")  # the eval leaves it to the provider
    models = [f"{name}/m" for name in PROVIDERS] + [f"{BASELINE}/oracle"]
    options = [option for model in models for option in ("--model", model)]
    result = evalrun("run", "gpt-history.en", *options, "--limit", "1", "--dry-run", "--json", cwd=repo_copy)
    assert result.returncode == 0, result.stderr
    plans = {plan["model"]: plan["max_completion_tokens"] for plan in json.loads(result.stdout)["plans"]}
    expected = {f"{name}/m": kind.default_max_tokens or DEFAULT_COMPLETION_TOKENS for name, kind in PROVIDERS.items()}
    assert plans == {**expected, f"{BASELINE}/oracle": DEFAULT_COMPLETION_TOKENS}
    assert plans["anthropic/m"] == 1024  # the Messages API's required max_tokens, as a run sends it
    refused = evalrun("run", "gpt-history.en", "--model", "nosuch/m", "--dry-run", cwd=repo_copy)
    assert refused.returncode == 2 and _listed(refused.stderr, "providers: ") == list(NAMES)


def test_reading_the_table_does_not_import_aiohttp() -> None:
    code = (
        "import sys\nfrom harness.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
        "import harness.models.providers\nprint('aiohttp' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO)
    assert result.stdout.splitlines()[-1] == "False"
