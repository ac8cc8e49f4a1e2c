"""Checks on models before any call: keys present, names known, judge and strong diverse."""

from __future__ import annotations

import os
import re

from workbench.config import ModelSpec, RunConfig, role_specs
from workbench.errors import ConfigError

_LOCAL_PROVIDERS = ("sim/", "local/")


def check_models(config: RunConfig, probe_endpoints: bool = True, keys: bool = True) -> list[str]:
    """Raise ConfigError for a role that cannot be called; return warnings worth showing.
    `keys=False` (a dry run, which calls nothing) skips the key checks."""
    for where, _, spec in role_specs(config.models):
        check_spec(spec, where, keys)
    if probe_endpoints:
        check_endpoints(config)
    check_budget_prices(config)
    return diversity_warnings(config)


def check_spec(spec: ModelSpec, where: str, keys: bool = True) -> None:
    """One model can be called: its provider is known here and its key is set."""
    if spec.model.startswith(_LOCAL_PROVIDERS):  # in-process: a known name, installed parts
        if spec.model.startswith("sim/"):
            from workbench.providers.sim import check_model
        else:
            from workbench.providers import check_model
        try:
            check_model(spec.model)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        return
    if not keys:
        return
    if spec.api_key_env:
        if not os.environ.get(spec.api_key_env):
            raise ConfigError(
                f"{where}: {spec.model} needs the key in ${spec.api_key_env}, which is not set"
            )
        return
    if spec.api_base:  # a self-hosted OpenAI-compatible server needs no key
        return
    missing = _missing_keys(spec.model, where)
    if missing:
        raise ConfigError(
            f"{where}: {spec.model} needs {' and '.join('$' + k for k in missing)}, which is not set "
            "(or set api_key_env to the variable holding the key)"
        )


def check_budget_prices(config: RunConfig) -> None:
    """budget.usd can only be kept if every model has a price."""
    if config.budget.usd is None:
        return
    from workbench.model._pricing import prices

    for where, _, spec in role_specs(config.models):
        if prices(spec) is None:
            raise ConfigError(
                f"budget.usd needs a price for {where} ({spec.model}); set its input_cost_per_token "
                "and output_cost_per_token, or use budget.tokens"
            )


def check_endpoints(config: RunConfig, timeout_s: float = 3.0) -> None:
    """Each distinct api_base must accept a TCP connection (the probe's first step, alone:
    for `--no-probe`, which sends no request)."""
    from workbench.model._probe import _unreachable

    seen: set[str] = set()
    for where, _, spec in role_specs(config.models):
        base = spec.api_base
        if not base or base in seen:
            continue
        seen.add(base)
        why = _unreachable(base, timeout_s)
        if why is not None:
            if why.startswith("api_base"):
                raise ConfigError(f"{where}.{why}")
            raise ConfigError(f"{where}: {why}")


def _missing_keys(model: str, where: str) -> list[str]:
    from workbench.model.backends import get_litellm

    litellm = get_litellm()
    try:
        litellm.get_llm_provider(model)
    except Exception:
        raise ConfigError(
            f"{where}: LiteLLM cannot tell the provider of {model!r}; write it as provider/model"
        ) from None
    # An empty variable is a missing key: hide empty ones from LiteLLM's check.
    empty = {k: v for k, v in os.environ.items() if not v.strip()}
    for name in empty:
        del os.environ[name]
    try:
        return list(litellm.validate_environment(model).get("missing_keys") or [])
    except Exception:
        return []
    finally:
        os.environ.update(empty)


def family(model: str) -> str:
    """A model's family, for bias warnings: `openai/gpt-4o-mini` -> `gpt`."""
    name = model.split("/")[-1].lower()
    if re.match(r"o\d", name):
        return "gpt"
    m = re.match(r"[a-z]+", name)
    return m.group(0) if m else name


def diversity_warnings(config: RunConfig) -> list[str]:
    """A warning for every judge (each panel member) of the strong solver's model family."""
    strong = config.models.strong
    out = []
    for judge in config.models.specs("judge"):
        if judge.model.startswith("sim/") and strong.model.startswith("sim/"):
            continue
        if family(judge.model) == family(strong.model):
            out.append(
                f"judge ({judge.model}) and strong solver ({strong.model}) are the same model "
                f"family ({family(judge.model)}): a judge tends to favour its own family's answers"
            )
    return out
