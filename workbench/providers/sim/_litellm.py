"""The `sim/` provider registered with LiteLLM as a custom async provider."""

from __future__ import annotations

import asyncio
from typing import Any

from workbench.providers._custom import Answer
from workbench.providers._custom import register as register_provider


async def _answer(model: str, messages: list[dict], params: dict[str, Any]) -> Answer:
    from workbench.providers.sim._respond import respond

    await asyncio.sleep(0)
    reply = respond(model, messages, params.get("seed"), params.get("max_tokens"))
    return Answer(reply.text, reply.finish_reason, reply.prompt_tokens, reply.completion_tokens)


def register() -> None:
    """Make `sim/<role>` model strings resolve to the simulator (idempotent)."""
    register_provider("sim", _answer)
