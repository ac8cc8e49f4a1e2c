"""The environment LiteLLM needs before its first import (offline price map, quiet logs)."""

from __future__ import annotations

import os


def configure_env() -> None:
    """Keep LiteLLM from fetching its price map, tokenizers or headers at import."""
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOG", "ERROR")
