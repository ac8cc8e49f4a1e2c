"""LiteLLM, imported lazily and configured for offline use before its first import."""

from __future__ import annotations

import os
import warnings
from typing import Any

_module: Any = None


def configure_env() -> None:
    """Keep LiteLLM from fetching its price map, tokenizers or headers at import."""
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOG", "ERROR")


def get_litellm() -> Any:
    """The litellm module with our providers registered (imports it on first call)."""
    global _module
    if _module is None:
        configure_env()
        # LiteLLM's own types trip a pydantic warning on import; it is not ours to show users.
        warnings.filterwarnings(
            "ignore", message=r".*the `ReadOnly` qualifier", category=UserWarning
        )
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        litellm.drop_params = True
        from workbench.providers import local
        from workbench.providers.sim.litellm_provider import register

        register()
        local.register()
        _module = litellm
    return _module


async def drain() -> None:
    """Stop LiteLLM's background logging task on this loop (it restarts on the next call)."""
    if _module is None:
        return
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER

        await GLOBAL_LOGGING_WORKER.stop(timeout=2.0)
    except Exception:  # a LiteLLM internals change must never fail a finished run
        pass
