"""An honest offline simulation of every role, for running the loop with no keys or network.

`respond()` is a pure function of (model, messages, seed, max_tokens): the same request always
gets the same reply, so runs are reproducible for a seed whatever order calls finish in. The
in-process LiteLLM provider (`sim/…`) and the HTTP server (`workbench serve --model sim`) both
wrap it.
"""

from __future__ import annotations

from workbench.providers.sim._difficulty import blank_difficulty
from workbench.providers.sim._litellm import register
from workbench.providers.sim._respond import ROLES, SimReply, check_model, respond, tokens
from workbench.providers.sim._text import sentences

__all__ = [
    "ROLES",
    "SimReply",
    "blank_difficulty",
    "check_model",
    "make_app",
    "register",
    "respond",
    "sentences",
    "serve",
    "tokens",
]


def __getattr__(name: str):
    # The HTTP server needs aiohttp: imported only when it is asked for.
    if name in ("make_app", "serve"):
        from workbench.providers.sim import _server

        return getattr(_server, name)
    raise AttributeError(f"module 'workbench.providers.sim' has no attribute {name!r}")
