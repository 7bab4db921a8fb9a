"""Providers by provider:model, structured-output methods, settings from the CLI, env and .env, prices."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from app.cli import _parse
from models.faults import ProviderRefused
from models.prices import cost_usd
from models.providers import ProviderError, check_provider, embedder_for, split_model, tier_model
from models.seam import refuses_method, structured_methods
from models.tiers import Tier
from state.deployment import Deployment, DeploymentError
from state.settings import Settings, SettingsError, local_settings, make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_a_tier_names_its_provider_or_takes_the_runs() -> None:
    assert split_model("anthropic:claude-haiku-4-5", "openai") == ("anthropic", "claude-haiku-4-5")
    assert split_model("ollama:qwen2.5:7b", "offline") == ("ollama", "qwen2.5:7b")
    # A colon of the model's own is not a provider.
    assert split_model("qwen2.5:7b", "openai") == ("openai", "qwen2.5:7b")
    assert split_model("gpt-4o", "offline") == ("offline", "gpt-4o")
    settings = make_settings(local=True, provider="offline", model_balanced="openai:gpt-4.1")
    assert tier_model(Tier.FAST, settings) == ("offline", "gpt-4o-mini")
    assert tier_model(Tier.BALANCED, settings) == ("openai", "gpt-4.1")


def test_every_tier_provider_is_checked_before_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ProviderError, match="ANTHROPIC_API_KEY"):
        check_provider(make_settings(local=True, provider="offline", model_premium="anthropic:claude-opus-4-1"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    assert (
        check_provider(make_settings(local=True, provider="offline", model_premium="anthropic:claude-opus-4-1"))
        == "offline"
    )


def test_a_missing_provider_package_is_named_with_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "langchain_ollama" else real(name, *a)
    )
    with pytest.raises(ProviderError) as err:
        check_provider(Settings(provider="ollama"))
    assert str(err.value) == "provider 'ollama' needs its package: pip install 'stagecraft[ollama]'"


def test_structured_methods_start_with_the_runs_choice_and_keep_one_fallback() -> None:
    assert structured_methods("openai", Settings()) == ("json_schema", "function_calling")
    assert structured_methods("openai", Settings(structured_method="function_calling")) == (
        "function_calling",
        "json_mode",
    )
    assert structured_methods("openai", Settings(structured_method="json_mode")) == ("json_mode",)
    assert structured_methods("anthropic", Settings()) == ("function_calling", "json_mode")
    # A method the provider does not offer: its own order.
    assert structured_methods("offline", Settings(structured_method="json_schema")) == ("function_calling",)


def _status_error(status: int, message: str) -> openai.APIStatusError:
    response = httpx.Response(status, request=httpx.Request("POST", "http://127.0.0.1/v1/chat/completions"))
    return openai.APIStatusError(message, response=response, body=None)


def test_only_a_400_about_the_method_falls_back() -> None:
    assert refuses_method(_status_error(400, "response_format json_schema is not supported"))
    assert refuses_method(_status_error(400, "'tools' is not supported by this model"))
    assert not refuses_method(_status_error(400, "Invalid value for 'messages'."))
    assert not refuses_method(_status_error(404, "model 'json_schema' not found"))
    assert not refuses_method(None)
    assert issubclass(ProviderRefused, Exception)


def test_prices_come_from_the_maintained_table_with_cached_input_at_its_rate() -> None:
    for model, provider in [
        ("gpt-5", "openai"),
        ("gpt-5-mini", "openai"),
        ("o3", "openai"),
        ("o4-mini", "openai"),
        ("claude-sonnet-4-5", "anthropic"),
        ("claude-haiku-4-5", "anthropic"),
    ]:
        cost = cost_usd(model, 1_000_000, 1_000_000, provider=provider)
        assert cost is not None and cost > 0, model
    full = cost_usd("gpt-4o-mini", 1_000_000, 0, provider="openai")
    cached = cost_usd("gpt-4o-mini", 1_000_000, 0, cached_tokens=1_000_000, provider="openai")
    assert full == pytest.approx(0.15) and cached == pytest.approx(0.075)
    # Unknown to both tables: unpriced, never $0 (a local server's model too).
    assert cost_usd("qwen2.5:7b", 100, 20, provider="openai") is None
    # The local table answers what genai-prices does not list.
    assert cost_usd("gpt-4.5", 1_000_000, 0) == pytest.approx(75.0)


def test_the_semantic_cache_embeds_locally_unless_embeddings_are_configured() -> None:
    assert embedder_for(Settings()).name.startswith("wordllama")
    # A provider with no embeddings of its own: the local embedder, not a failing lookup.
    assert embedder_for(Settings(embeddings="offline:anything")).name.startswith("wordllama")


def test_every_setting_has_a_cli_option() -> None:
    args = _parse(["run", "router", "hi"])
    assert set(Settings.model_fields) <= set(vars(args))
    options = ["--model-fast", "ollama:llama3.2", "--stage-tier", "classify=BALANCED", "--request-timeout", "12"]
    options += ["--confidence-threshold", "0.7", "--max-tasks", "3", "--no-cache"]
    args = _parse(["run", "router", "hi", *options])
    given = {name: getattr(args, name) for name in Settings.model_fields}
    settings = local_settings(given)
    assert settings.model_fast == "ollama:llama3.2" and settings.stage_tiers == {"classify": "BALANCED"}
    assert (settings.request_timeout, settings.confidence_threshold, settings.max_tasks) == (12, 0.7, 3)
    assert settings.cache is False


def test_settings_come_from_the_cli_then_the_environment_then_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    import state.deployment

    monkeypatch.setattr(state.deployment, "_env_file", {"STAGECRAFT_MODEL_FAST": "dotenv", "STAGECRAFT_MAX_TASKS": "4"})
    assert local_settings({}).model_fast == "dotenv"
    monkeypatch.setenv("STAGECRAFT_MODEL_FAST", "environment")
    assert local_settings({}).model_fast == "environment"
    assert local_settings({"model_fast": "command-line"}).model_fast == "command-line"
    assert local_settings({}).max_tasks == 4
    monkeypatch.setenv("STAGECRAFT_STAGE_TIERS", "classify=premium")
    assert local_settings({}).stage_tiers == {"classify": "PREMIUM"}


def test_a_local_user_may_choose_any_model_a_served_run_may_not() -> None:
    assert make_settings(local=True, model_fast="llama3.2").model_fast == "llama3.2"
    with pytest.raises(SettingsError, match="not allowed here"):
        make_settings(model_fast="llama3.2")
    with pytest.raises(ValueError, match="not allowed here"):
        Settings.model_validate({"model_fast": "ollama:llama3.2"})
    # An allowed name keeps being allowed with its provider named.
    assert Settings(model_fast="openai:gpt-4o-mini").model_fast == "openai:gpt-4o-mini"


def test_the_deployment_reads_the_environment_and_refuses_bad_values() -> None:
    found = Deployment.from_env({"OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "", "STAGECRAFT_ALLOWED_MODELS": "a, b"})
    assert found.openai_api_key is not None and found.openai_api_key.get_secret_value() == "sk-x"
    assert found.openai_base_url is None and {"a", "b", "gpt-4o"} <= (found.allowed_models or set())
    assert Deployment.from_env({"STAGECRAFT_ALLOWED_MODELS": "*"}).allowed_models is None
    with pytest.raises(DeploymentError, match="STAGECRAFT_CACHE_TTL must be at least 1"):
        Deployment.from_env({"STAGECRAFT_CACHE_TTL": "0"})
    with pytest.raises(DeploymentError, match=r"STAGECRAFT_CACHE='bogus://\.\.\.' is not usable"):
        Deployment.from_env({"STAGECRAFT_CACHE": "bogus://x"})


def _cli(tmp_path: Path, *args: str, env: dict[str, Any] | None = None) -> subprocess.CompletedProcess[str]:
    code = "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))"
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LANGSMITH_TRACING": "false", **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path, env=clean, timeout=120
    )


def test_dotenv_in_the_working_folder_configures_the_cli(tmp_path: Path) -> None:
    args = ("run", "router", "hello there", "--json", "--provider", "openai", "--stage-timeout-s", "1")
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "STAGECRAFT_SEMANTIC_STORE": "off"}
    without = _cli(tmp_path, *args, env=env)
    assert without.returncode == 2 and "needs OPENAI_API_KEY" in without.stderr, without.stderr
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-from-dotenv\n")
    # With the key in .env the run gets as far as the endpoint (a closed port: nothing is sent).
    found = _cli(tmp_path, *args, env=env)
    assert found.returncode == 1 and "stage 'classify'" in found.stderr and "Traceback" not in found.stderr


def test_version_and_defaults_in_help(tmp_path: Path) -> None:
    version = _cli(tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("stagecraft ")
    shown = _cli(tmp_path, "run", "--help", env={"COLUMNS": "200"})
    assert "--model-fast MODEL_FAST" in shown.stdout and "(default: gpt-4o-mini)" in shown.stdout
    assert "--stage-tier STAGE=TIER" in shown.stdout
