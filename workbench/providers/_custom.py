"""Registering an in-process provider with LiteLLM: one async function answers each request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


Answerer = Callable[[str, list[dict], dict[str, Any]], Awaitable[Answer]]
_registered: set[str] = set()


def register(prefix: str, answer: Answerer) -> None:
    """Make `<prefix>/<model>` strings call `answer(model, messages, optional_params)` (idempotent)."""
    if prefix in _registered:
        return
    import litellm
    from litellm import CustomLLM

    class Handler(CustomLLM):
        # LiteLLM calls custom providers with this exact keyword set.
        async def acompletion(
            self,
            model,
            messages,
            api_base,
            custom_prompt_dict,
            model_response,
            print_verbose,
            encoding,
            api_key,
            logging_obj,
            optional_params,
            acompletion=None,
            litellm_params=None,
            logger_fn=None,
            headers=None,
            timeout=None,
            client=None,
        ):
            reply = await answer(model, messages, optional_params)
            model_response.model = f"{prefix}/{model}"
            model_response.choices[0].message.content = reply.text
            model_response.choices[0].finish_reason = reply.finish_reason
            model_response.usage = litellm.Usage(
                prompt_tokens=reply.prompt_tokens,
                completion_tokens=reply.completion_tokens,
                total_tokens=reply.prompt_tokens + reply.completion_tokens,
            )
            return model_response

    providers = [p for p in (litellm.custom_provider_map or []) if p.get("provider") != prefix]
    litellm.custom_provider_map = providers + [{"provider": prefix, "custom_handler": Handler()}]
    _registered.add(prefix)
