"""Bundled configs for common setups: `workbench run --profile NAME` (then --config and --set apply)."""

from __future__ import annotations

import os
from typing import Any

from workbench.errors import ConfigError

# Per-role generation settings for SmolLM2-135M: short, bounded outputs; diverse rollouts.
SMALL_MODEL = {
    "challenger": {"temperature": 0.8, "max_tokens": 1024},
    "verifier": {"temperature": 0.2, "max_tokens": 200},
    "weak": {"temperature": 0.8, "max_tokens": 160},
    "strong": {"temperature": 0.8, "max_tokens": 160},
    "judge": {"temperature": 0.2, "max_tokens": 300},
}
ROLES = tuple(SMALL_MODEL)
"""The roles a profile names; the loop judge is left out: it follows the judge."""
SERVED_API_BASE = "http://127.0.0.1:8000/v1"


def served_api_base() -> str:
    """Where the served profiles look: $WORKBENCH_API_BASE, else `workbench serve`'s default port."""
    return os.environ.get("WORKBENCH_API_BASE") or SERVED_API_BASE


def local(model: str = "local/smollm2") -> dict[str, Any]:
    """Every role on the bundled SmolLM2-135M in-process; the strong solver is the same model
    given the challenger's reference answer as notes (privileged mode)."""
    return _small_model_profile(
        {r: {"model": model, "timeout_s": 600, **SMALL_MODEL[r]} for r in ROLES}
    )


def local_served(api_base: str | None = None, model: str = "openai/smollm2") -> dict[str, Any]:
    """The same, through `workbench serve --model local` (llama.cpp's OpenAI-compatible server)."""
    api_base = api_base or served_api_base()
    roles = {
        r: {
            "model": model,
            "api_base": api_base,
            "structured_output": "json_object_schema",
            "timeout_s": 600,
            **SMALL_MODEL[r],
        }
        for r in ROLES
    }
    return _small_model_profile(roles)


def sim_served(api_base: str | None = None, client: str = "auto") -> dict[str, Any]:
    """The simulator through `workbench serve --model sim`, over LiteLLM's openai/ provider
    (`client`: auto, litellm or http; see ModelSpec.client)."""
    api_base = api_base or served_api_base()
    return {
        "models": {
            r: {"model": f"openai/{r}", "api_base": api_base, "client": client} for r in ROLES
        }
    }


def _small_model_profile(models: dict[str, Any]) -> dict[str, Any]:
    return {
        "models": models,
        "strong_sees_reference": True,
        "rubric": {"min_criteria": 2, "max_criteria": 4},
        "concurrency": 4,
    }


PROFILES = {"sim": dict, "local": local, "local-served": local_served, "sim-served": sim_served}


def profile(name: str) -> dict[str, Any]:
    if name not in PROFILES:
        raise ConfigError(f"unknown profile {name!r} (known: {', '.join(PROFILES)})")
    return PROFILES[name]()
