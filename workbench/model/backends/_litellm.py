"""LiteLLM, imported lazily and configured for offline use before its first import; the real
backend (`litellm.acompletion`)."""

from __future__ import annotations

import threading
import warnings
from typing import Any

from workbench._env import configure_env
from workbench.model._reply import Reply, checked_reply

_module: Any = None
_importing = threading.Lock()


def get_litellm() -> Any:
    """The litellm module with our providers registered (imports it on first call; safe to call
    from a thread while the event loop runs: the second caller waits for the first import)."""
    global _module
    if _module is not None:
        return _module
    with _importing:
        if _module is None:
            _module = _import()
    return _module


def _import() -> Any:
    configure_env()
    # LiteLLM's own types trip a pydantic warning on import; it is not ours to show users.
    warnings.filterwarnings("ignore", message=r".*the `ReadOnly` qualifier", category=UserWarning)
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    litellm.drop_params = True
    from workbench.providers import register_all

    register_all()
    return litellm


async def drain() -> None:
    """Stop LiteLLM's background logging task on this loop (it restarts on the next call)."""
    if _module is None:
        return
    try:
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER

        await GLOBAL_LOGGING_WORKER.stop(timeout=2.0)
    except Exception:  # a LiteLLM internals change must never fail a finished run
        pass


class Unprocessable(Exception):
    """HTTP 422 from an OpenAI-compatible endpoint. LiteLLM's `drop_params` handling retries
    a 422 once and then returns None, losing the body: say what was sent instead."""

    status_code = 422

    def __init__(self, request: dict[str, Any]):
        fmt = request.get("response_format")
        what = f" with response_format {fmt.get('type')!r}" if isinstance(fmt, dict) else ""
        super().__init__(f"HTTP 422: the endpoint refused the request{what} (Unprocessable Entity)")


async def litellm_backend(**request: Any) -> Reply:
    """The real backend: `litellm.acompletion`, imported on first use."""
    litellm = get_litellm()
    if request.get("api_key") is None:
        request.pop("api_key", None)
    response = await litellm.acompletion(**request)
    if response is None:
        raise Unprocessable(request)
    choice = response.choices[0]
    usage = getattr(response, "usage", None)
    return checked_reply(
        choice.message.content,
        choice.finish_reason,
        getattr(usage, "prompt_tokens", None),
        getattr(usage, "completion_tokens", None),
        reasoning_tokens(usage),
        *cache_tokens(usage),
    )


def reasoning_tokens(usage: Any) -> Any:
    """`usage.completion_tokens_details.reasoning_tokens`, where LiteLLM puts every provider's
    thinking tokens (OpenAI's own field, Anthropic thinking, Gemini thoughtsTokenCount)."""
    details = getattr(usage, "completion_tokens_details", None)
    if isinstance(details, dict):
        return details.get("reasoning_tokens")
    return getattr(details, "reasoning_tokens", None)


def cache_tokens(usage: Any) -> tuple[Any, Any]:
    """(prompt tokens read from the provider's cache, written to it) as LiteLLM maps them:
    `usage.prompt_tokens_details.cached_tokens` (OpenAI's own field; Anthropic
    `cache_read_input_tokens` and DeepSeek `prompt_cache_hit_tokens` are mapped there) and
    `prompt_tokens_details.cache_creation_tokens` (Anthropic `cache_creation_input_tokens`,
    also kept as `usage.cache_creation_input_tokens`). LiteLLM counts both in `prompt_tokens`."""
    details = getattr(usage, "prompt_tokens_details", None)
    read = _field(details, "cached_tokens")
    written = _field(details, "cache_creation_tokens")
    if written is None:
        written = _field(details, "cache_write_tokens")
    if read is None:
        read = getattr(usage, "cache_read_input_tokens", None)
    if written is None:
        written = getattr(usage, "cache_creation_input_tokens", None)
    return read, written


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)
