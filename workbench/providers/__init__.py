"""Models that run without a provider account, registered with LiteLLM: `sim/` (the offline
simulator), `local/` (the bundled SmolLM2 model) and custom Python functions."""

from __future__ import annotations

from workbench.providers._custom import Answer
from workbench.providers._custom import register as register_custom
from workbench.providers._local import N_CTX as LOCAL_CONTEXT_WINDOW
from workbench.providers._local import check_model, local_response_format, serve_command
from workbench.providers._local import register as register_local

IN_PROCESS = ("sim/", "local/")
"""Model prefixes answered inside this process (no endpoint, no key, no preflight probe)."""

__all__ = [
    "IN_PROCESS",
    "LOCAL_CONTEXT_WINDOW",
    "Answer",
    "check_model",
    "local_response_format",
    "register_all",
    "register_custom",
    "register_local",
    "serve_command",
]


def register_all() -> None:
    """Register the in-process providers with LiteLLM (idempotent; call after importing it)."""
    from workbench.providers import sim

    sim.register()
    register_local()
